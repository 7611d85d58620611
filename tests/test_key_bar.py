"""The key bar: the focused pane's keys first, then the app's, redrawn only when they change."""

from jaxbatch.widgets.key_bar import KeyBar, key_line

from app_helpers import make_test_app, settle, widget_text


def test_a_key_line_pairs_each_key_with_its_description_and_dims_disabled_keys():
    line = key_line([("space", "Pause/resume", True), ("r", "Restart", False)])
    assert line.plain == " space Pause/resume  r Restart "
    dims = [span.style for span in line.spans if "dim" in str(span.style)]
    assert len(dims) == 2  # the disabled key and its description


async def test_the_bar_follows_the_focused_pane():
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bar = app.query_one(KeyBar)
        await pilot.press("3")
        await pilot.pause()
        assert widget_text(bar).startswith(" space Pause/resume  r Restart  1 Outputs")
        await pilot.press("2")
        await pilot.pause()
        assert widget_text(bar).startswith(" l Level  p Pair")
        assert "Pause/resume" not in widget_text(bar)
        assert widget_text(bar).rstrip().endswith("^p palette")


async def test_the_bar_is_not_redrawn_when_its_keys_are_the_same():
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bar = app.query_one(KeyBar)
        shown = bar.content
        app.screen.refresh_bindings()  # the signal the bar redraws on, sent with the keys unchanged
        await pilot.pause()
        assert bar.content is shown
