"""`jaxbatch-tui diff A.json B.json`: two saved reports of one model, made with other flags."""

import contextlib
import io
import json

import pytest

from jaxbatch.cli import main


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """Two reports of tanh-dense at batch 8: the default chunk, untimed; chunks of 3, timed."""
    folder = tmp_path_factory.mktemp("reports")
    paths = {}
    for name, flags in (("a", ["--no-timings"]), ("b", ["--chunk", "3"])):
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            assert main(["report", "--json", "--batch", "8", *flags]) == 0
        paths[name] = folder / f"{name}.json"
        paths[name].write_text(buffer.getvalue())
    return paths


def test_the_changes_as_json(saved, capsys):
    assert main(["diff", str(saved["a"]), str(saved["b"]), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    a, b = (json.loads(saved[k].read_text()) for k in "ab")
    assert d["model"] == "tanh-dense" and d["same_code"] is True
    assert d["identity"] == {"selection.chunk": [64, 3], "timed": [False, True]}
    assert d["primitives"]["chunked"]["appeared"]["scan"] == 1 and "vmap" not in d["primitives"]
    assert d["hlo"]["chunked"]["ops"]["while"] == [0, 1]
    peak = d["memory"]["chunked"]
    assert peak["a"] == a["memory"]["chunked"]["peak_bytes"] and peak["b"] == b["memory"]["chunked"]["peak_bytes"]
    assert peak["ratio"] == peak["b"] / peak["a"]
    assert d["outputs"] == {} and d["alignment"] is None and d["timings"] == {}  # a has none to compare


def test_the_changes_in_words(saved, capsys):
    assert main(["diff", str(saved["a"]), str(saved["b"])]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"jaxbatch-tui diff: tanh-dense, {saved['a']} → {saved['b']}\n")
    assert "  selection.chunk: 64 → 3\n" in out and "the model's code is the same" in out
    assert "\nPrimitives\n  chunked k=3  appeared " in out and "while 0 → 1" in out
    assert main(["diff", str(saved["a"]), str(saved["a"])]) == 0
    assert "nothing else changed" in capsys.readouterr().out


def test_what_is_not_two_reports_of_one_model_is_one_line_and_status_2(saved, tmp_path, capsys):
    other = tmp_path / "mlp.json"
    other.write_text(json.dumps({**json.loads(saved["a"].read_text()), "model": "mlp"}))
    not_json, not_report = tmp_path / "notes.txt", tmp_path / "list.json"
    not_json.write_text("hello")
    not_report.write_text("[1, 2]")
    cases = [([str(saved["a"]), str(other)], "two models, tanh-dense and mlp"),
             ([str(saved["a"]), str(tmp_path / "missing.json")], "No such file or directory"),
             ([str(not_json), str(saved["a"])], "is not JSON"),
             ([str(not_report), str(saved["a"])], "is not a jaxbatch-tui report"),
             (["--model", "mlp", str(saved["a"]), str(saved["b"])], "unrecognized arguments")]
    for args, says in cases:
        with pytest.raises(SystemExit) as exit_:
            main(["diff", *args])
        err = capsys.readouterr().err
        assert exit_.value.code == 2 and says in err and err.count("\n") == 1, (args, err)
    with pytest.raises(SystemExit):
        main(["--model", "mlp", "diff", str(saved["a"]), str(saved["b"])])
    assert "--model does not apply to `diff`, which compares two saved reports" in capsys.readouterr().err


async def test_compare_shows_the_saved_report_against_this_run_in_pane_6(saved):
    from textual.widgets import TabbedContent

    from jaxbatch.lab.selection import Selection
    from jaxbatch.widgets.compare_view import CompareView

    from app_helpers import make_test_app, settle, shown_text

    app = make_test_app(Selection(batch_shape=(8,), chunk=3), compare=("a.json", json.loads(saved["a"].read_text())))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        assert app.query_one(TabbedContent).active == "compare"
        text = shown_text(app.query_one(CompareView))
        assert "Saved a.json against this run" in text and "selection.chunk: 64 → 3" in text
        assert "chunked k=3  appeared " in text
        app.choose("#model", "mlp")
        await settle(pilot)
        assert "two models, tanh-dense and mlp" in shown_text(app.query_one(CompareView))
    plain = make_test_app()
    async with plain.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        assert plain.query_one(TabbedContent).active == "outputs" and not plain.query(CompareView)


def test_compare_is_checked_before_the_app_opens(tmp_path, capsys):
    (tmp_path / "bad.json").write_text("{}")
    for args, says in ((["--compare", str(tmp_path / "bad.json")], "is not a jaxbatch-tui report"),
                       (["--compare", str(tmp_path / "none.json")], "No such file or directory"),
                       (["report", "--compare", "x.json"], "unrecognized arguments"),
                       (["--compare", "x.json", "report"], "--compare applies to the app, not to `report`")):
        with pytest.raises(SystemExit) as exit_:
            main(args)
        err = capsys.readouterr().err
        assert exit_.value.code == 2 and says in err and err.count("\n") == 1, (args, err)
