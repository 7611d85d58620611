"""The numbered panes: Textual's TabbedContent, less a race that lost a pane key."""

from __future__ import annotations

from textual import on
from textual.widgets import TabbedContent, TabPane

# Every pane and its tab's title, which starts with the number key that shows it. The compare
# pane (6) is there only with a saved report to compare with.
PANES = {"outputs": "1 Outputs", "programs": "2 Programs", "timings": "3 Timings", "sweep": "4 Sweep",
         "chunks": "5 Chunks", "compare": "6 Compare"}


def pane_key(pane: str) -> str:
    """The number key that shows `pane`."""
    return PANES[pane].split()[0]


class Panes(TabbedContent):
    """Focusing a widget in a pane makes that pane active, by a message. One still queued when
    a key shows another pane was undoing the key: `2` pressed as the lab's first answer came
    (which focuses the outputs) showed the outputs again, half the time, while pane 2 was
    mounted. A pane is made active by a focus only if the focus is still in it."""

    @on(TabPane.Focused)
    def _drop_a_stale_focus(self, event: TabPane.Focused) -> None:
        if not event.tab_pane.has_focus_within:
            event.prevent_default()  # TabbedContent's own handler, which would show that pane
            event.stop()
