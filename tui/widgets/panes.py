"""The numbered panes: Textual's TabbedContent, less a race that lost a pane key."""

from __future__ import annotations

from textual import on
from textual.widgets import TabbedContent, TabPane


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
