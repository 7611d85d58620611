"""The key bar: the focused pane's keys first, then the app's, fitted to the width with help
and quit always shown, redrawn only when its keys or width change."""

import pytest

from jaxbatch.widgets.key_bar import MORE, Key, KeyBar, fit, key_line

from app_helpers import make_test_app, settle, widget_text

KEYS = [Key("l", "Level", True), Key("1 2 3 4", "Panes", True), Key("d", "Device", True),
        Key("?", "Help", True, pinned=True), Key("q", "Quit", True, pinned=True)]


def test_a_key_line_pairs_each_key_with_its_description_and_dims_disabled_keys():
    line = key_line([Key("space", "Pause/resume", True), Key("r", "Restart", False)])
    assert line.plain == " space Pause/resume  r Restart "
    dims = [span.style for span in line.spans if "dim" in str(span.style)]
    assert len(dims) == 2  # the disabled key and its description


@pytest.mark.parametrize("width", range(0, 70))
def test_the_pinned_keys_stay_whatever_the_width_and_the_rest_fit_in_order(width):
    shown = fit(KEYS, width)
    assert shown[-2:] == KEYS[-2:]
    kept = [k for k in shown[:-2] if k is not None]
    assert kept == KEYS[:len(kept)]  # a prefix: the most telling keys go last
    if len(kept) < 3:  # some left out: said with …, and what is shown fits when there is room
        assert shown[len(kept)] is None
        assert len(key_line(shown).plain) <= max(width, sum(k.width for k in KEYS[-2:]) + len(MORE))
    else:
        assert len(key_line(shown).plain) <= width


async def test_at_80_columns_help_quit_and_the_palette_show_and_the_pane_keys_share_one_entry():
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = widget_text(app.query_one(KeyBar))
        assert text.rstrip().endswith("^p palette  ? Help  q Quit")
        assert " 1 2 3 4 5 Panes " in text and "Outputs" not in text and "…" in text


async def test_the_bar_follows_the_focused_pane():
    app = make_test_app()
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(pilot)
        bar = app.query_one(KeyBar)
        await pilot.press("3")
        await pilot.pause()
        assert widget_text(bar).startswith(" space Pause/resume  r Restart  1 2 3 4 5 Panes")
        await pilot.press("2")
        await pilot.pause()
        assert widget_text(bar).startswith(" l Level  p Pair")
        assert "Pause/resume" not in widget_text(bar)


async def test_the_bar_is_not_redrawn_when_its_keys_are_the_same():
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bar = app.query_one(KeyBar)
        shown = bar.content
        app.screen.refresh_bindings()  # the signal the bar redraws on, sent with the keys unchanged
        await pilot.pause()
        assert bar.content is shown
