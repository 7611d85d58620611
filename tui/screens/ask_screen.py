"""A one-line question: `a` (the in_axes) and `K` (the chunk size) ask the user for a value.

The typed line goes through the same parser the command line uses; a line that doesn't parse
says why in the dialog and keeps it open, so the typo can be fixed; escape keeps what was.
"""

from __future__ import annotations

from typing import Callable, Generic, Optional, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from jaxbatch.results.errors import LabError

T = TypeVar("T")


class AskScreen(ModalScreen[Optional[T]], Generic[T]):
    DEFAULT_CSS = """
    AskScreen { align: center middle; }
    AskScreen > #ask-dialog {
        width: 64; max-width: 100%; height: auto; padding: 1 2; border: round $accent; background: $surface;
    }
    """
    AUTO_FOCUS = "#ask"
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="ask.cancel", tooltip="Keep the value as it was")]

    def __init__(self, question: str, detail: str, value: str, parse: Callable[[str], T]) -> None:
        """`parse` turns the typed line into the value, or raises LabError saying what is wrong."""
        super().__init__()
        self.question, self.detail, self.value, self.parse = question, detail, value, parse

    def compose(self) -> ComposeResult:
        with Vertical(id="ask-dialog"):
            yield Static(Content.styled(self.question, "bold"))
            yield Static(Content.styled(self.detail, "$text-muted"))
            yield Input(self.value, id="ask", compact=True)
            yield Static(id="ask-error")
            yield Static(Content.styled("enter applies · escape cancels", "$text-muted"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            value = self.parse(event.value)
        except LabError as exc:
            self.query_one("#ask-error", Static).update(Content.styled(str(exc), "$error"))
            return
        self.dismiss(value)
