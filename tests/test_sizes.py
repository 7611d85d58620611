"""Layouts by terminal size: one pane at a time, a dashboard from 160x48, a message when too small."""

from textual.widgets import Static, TabbedContent

from jaxbatch.app import DASHBOARD_SIZE, MIN_SIZE
from jaxbatch.widgets.outputs_view import OutputsView
from jaxbatch.widgets.side_by_side import SideBySide

from app_helpers import make_test_app, settle, shown_text, widget_text

SEED_LINE = "[-0.14736587  0.47015858  1.8918197   0.21948916  1.0849661 ]"


async def test_resizing_moves_between_panes_dashboard_and_too_small():
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not app.has_class("-dashboard") and not app.query_one("#dashboard").display
        await pilot.resize_terminal(*DASHBOARD_SIZE)
        await pilot.pause()
        assert app.has_class("-dashboard") and app.query_one(TabbedContent).active == "programs"
        assert SEED_LINE in shown_text(app.query_one("#dash-outputs", OutputsView))
        assert "0.228x" in shown_text(app.query_one("#dash-timings"))
        await pilot.resize_terminal(MIN_SIZE[0] - 1, 24)
        await pilot.pause()
        message = app.query_one("#too-small", Static)
        assert app.has_class("-too-small") and message.display
        assert f"Need at least {MIN_SIZE[0]} x {MIN_SIZE[1]}" in widget_text(message)
        assert not app.query_one("#main").display
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert not app.has_class("-too-small") and not app.has_class("-dashboard")
        await pilot.press("1")
        assert SEED_LINE in shown_text(app.query_one("#outputs-view", OutputsView))


async def test_keys_still_work_in_the_dashboard():
    app = make_test_app()
    async with app.run_test(size=DASHBOARD_SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        assert app.query_one(TabbedContent).active == "timings"
        await pilot.press("space")
        assert "paused 12/100" in shown_text(app.query_one("#dash-timings"))


async def test_starting_on_a_big_terminal_opens_the_panes_on_the_programs():
    app = make_test_app()
    async with app.run_test(size=DASHBOARD_SIZE) as pilot:
        await settle(pilot)
        assert app.query_one(TabbedContent).active == "programs" and isinstance(app.focused, SideBySide)
