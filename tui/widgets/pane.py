"""What every pane has in common, so the app treats them alike.

A pane is fed only through its reactive attributes, which the app binds to its own state in
`compose` (`data_bind`): setting `app.report` redraws the outputs and programs, `app.live` the
timings. No one calls into a pane to update it. `c` copies any pane through `copy_text`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

# The tones of a note, in theme colours: work under way, nothing going on, something failed.
TONES = {"busy": "$warning", "quiet": "$text-muted", "error": "$error"}


@dataclass(frozen=True)
class Note:
    """A line a pane shows in place of its heading: what the timing helper is doing, or why not."""

    text: str
    tone: str = "quiet"  # a key of TONES

    def content(self) -> Content:
        return Content.styled(self.text, TONES[self.tone])


def shown_text(root: Widget) -> str:
    """What `root` shows, as text: every displayed Static under it, in order."""
    parts = []
    for widget in root.query(Static):
        if all(node.display for node in widget.ancestors_with_self if isinstance(node, Widget)):
            content = widget.content
            parts.append(content.plain if isinstance(content, Content) else str(content))
    return "\n".join(p for p in parts if p.strip())


class Pane:
    """What makes a widget a pane; mixed in after its Textual base, since Textual takes default
    CSS and type selectors from the first base only. `COPY_NAME` names what `c` copied."""

    COPY_NAME: ClassVar[str] = "pane"

    def copy_text(self) -> tuple[str, str]:
        """What `c` copies: its name, and the text (by default, all the pane shows)."""
        return self.COPY_NAME, shown_text(self)


class Scroll(VerticalScroll, can_focus=True):
    """A scrolling view that j and k scroll too, as in vim and less."""

    BINDINGS = [
        Binding("j", "scroll_down", "Down", show=False, id="scroll.down", tooltip="Scroll the pane down"),
        Binding("k", "scroll_up", "Up", show=False, id="scroll.up", tooltip="Scroll the pane up"),
    ]


class ScrollPane(Scroll, Pane):
    """A pane that scrolls as a whole."""
