"""What the app does before its first frame is kept small: no pane's code is imported until
that pane is shown, no JAX, no report renderers; the lists and the panes are mounted right after
the first frame, and keys typed meanwhile wait for them; a pane key is never lost on the way
(issue 23: first frame within 1.2x of a bare Textual app's, tests/bench/bench_first_frame.py)."""

import subprocess
import sys

from textual import events
from textual.widgets import TabbedContent

from jaxbatch.widgets.side_by_side import SideBySide
from jaxbatch.widgets.sweep_view import SweepView

from app_helpers import make_test_app, scripted_sweep, settle, shown_text

# The app headless, stopped where it would make its first request to the lab: after the first
# frame and the widgets mounted after it; the modules loaded by then, one per line.
START = """
import sys
from pathlib import Path
from jaxbatch.app import JaxBatchApp, make_app

JaxBatchApp.request = lambda app, selection: app.exit(sorted(sys.modules))
app = make_app(keymap_path=Path("/nonexistent/keymap.toml"))
print("\\n".join(app.run(headless=True, size=(80, 24))))
"""
NOT_AT_START = ("jax", "jaxlib", "plotext", "textual_plotext", "pygments", "jaxbatch.media.json_report",
                "jaxbatch.media.text", "jaxbatch.media.html_report", "jaxbatch.commands", "jaxbatch.screens",
                "jaxbatch.widgets.programs_view", "jaxbatch.widgets.timings_view", "jaxbatch.widgets.sweep_view")


def test_the_start_imports_only_the_shown_pane_and_no_jax_plots_lexers_or_renderers():
    p = subprocess.run([sys.executable, "-c", START], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    loaded = set(p.stdout.split())
    assert {"jaxbatch.app", "jaxbatch.widgets.outputs_view"} <= loaded  # it did start, on the outputs
    assert not {m for m in loaded if m in NOT_AT_START or m.startswith(tuple(n + "." for n in NOT_AT_START))}


async def test_a_pane_is_mounted_when_first_shown_and_shows_the_state_so_far():
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not app.query_one(TabbedContent).get_pane("sweep").children and not app.query(SweepView)
        app.sweep = scripted_sweep()  # a sweep that ended before its pane was ever shown
        await pilot.press("4")
        view = app.query_one("#sweep-view", SweepView)
        assert app.focused is view
        assert "vmap pulls ahead of einsum from batch 128" in shown_text(view)


async def test_a_key_typed_before_the_panes_are_mounted_is_answered_once_they_are():
    app = make_test_app()
    app.post_message(events.Key("2", "2"))  # in the queue before the first frame
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.query_one(TabbedContent).active == "programs"
        assert isinstance(app.focused, SideBySide)


async def test_a_pane_key_is_not_undone_by_a_focus_still_on_its_way_from_another_pane():
    """The lab's first answer focuses the outputs; a `2` pressed then was shown, then undone by
    that focus's message, half the time (a pane mounted on first show widened the window)."""
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.set_focus(None)
        await pilot.pause()
        app.set_focus(app.query_one("#outputs-view"))  # its pane's message is still queued...
        await pilot.press("2")  # ...when the key shows pane 2
        await pilot.pause()
        assert app.query_one(TabbedContent).active == "programs"
