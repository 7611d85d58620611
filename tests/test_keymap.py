"""The user's keymap file: applied by binding id, and every problem named, never a crash."""

from textual.widgets import TabbedContent

from jaxbatch.app import binding_ids
from jaxbatch.keymap import config_path, load_keymap

from app_helpers import make_test_app, notifications, settle


def test_the_keymap_lives_in_the_xdg_config_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert config_path() == tmp_path / "jaxbatch-tui" / "keymap.toml"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert str(config_path()).endswith(".config/jaxbatch-tui/keymap.toml")


def test_a_missing_file_is_no_keymap_and_no_problem(tmp_path):
    assert load_keymap(tmp_path / "keymap.toml", binding_ids()) == ({}, [])


def test_good_entries_apply_and_bad_ones_are_named(tmp_path):
    path = tmp_path / "keymap.toml"
    path.write_text('[keys]\n"pane.outputs" = "f2"\n"copy" = "y, ctrl+y"\n"nope" = "x"\n"quit" = "ctrl+shift+alt+q"\n')
    keymap, problems = load_keymap(path, binding_ids())
    assert keymap == {"pane.outputs": "f2", "copy": "y,ctrl+y"}
    assert len(problems) == 1 and "no binding 'nope'" in problems[0] and "quit = 'ctrl+shift+alt+q'" in problems[0]


def test_a_broken_file_is_one_problem(tmp_path):
    path = tmp_path / "keymap.toml"
    path.write_text("[keys\n")
    keymap, problems = load_keymap(path, binding_ids())
    assert keymap == {} and len(problems) == 1 and str(path) in problems[0]


async def test_the_app_uses_the_keymap_and_says_what_it_skipped(tmp_path):
    path = tmp_path / "keymap.toml"
    path.write_text('[keys]\n"pane.programs" = "f2"\n"nope" = "x"\n')
    app = make_test_app(keymap_path=path)
    said = notifications(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        assert app.query_one(TabbedContent).active == "programs"
        await pilot.press("1", "2")  # 2 is no longer the programs key
        assert app.query_one(TabbedContent).active == "outputs"
        assert any("no binding 'nope'" in m for m in said)
