"""`a`: type the in_axes, one entry per argument, for a model with several arguments.

Only 0 (batched, batch axes first) or None (shared by every instance). A line that doesn't
parse says why in the dialog and keeps it open; escape leaves the in_axes as they were.
"""

from __future__ import annotations

from typing import Optional

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from jaxbatch.lab.errors import LabError
from jaxbatch.lab.selection import format_in_axes, parse_in_axes

InAxes = tuple[Optional[int], ...]


class InAxesScreen(ModalScreen[Optional[InAxes]]):
    DEFAULT_CSS = """
    InAxesScreen { align: center middle; }
    InAxesScreen > #in-axes-dialog {
        width: 60; height: auto; padding: 1 2; border: round $accent; background: $surface;
    }
    """
    AUTO_FOCUS = "#in-axes"
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="in_axes.cancel", tooltip="Keep the in_axes")]

    def __init__(self, arg_avals: list[str], current: InAxes) -> None:
        super().__init__()
        self.arg_avals, self.current = arg_avals, current

    def compose(self) -> ComposeResult:
        with Vertical(id="in-axes-dialog"):
            yield Static(Content.styled("in_axes: 0 (batched) or None (shared), per argument", "bold"))
            yield Static(Content.styled(f"arguments: {', '.join(self.arg_avals)}", "$text-muted"))
            yield Input(format_in_axes(self.current), id="in-axes", compact=True)
            yield Static(id="in-axes-error")
            yield Static(Content.styled("enter applies · escape cancels", "$text-muted"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            axes = parse_in_axes(event.value)
            if len(axes) != len(self.arg_avals):
                raise LabError(f"{len(axes)} entries for {len(self.arg_avals)} arguments")
        except LabError as exc:
            self.query_one("#in-axes-error", Static).update(Content.styled(str(exc), "$error"))
            return
        self.dismiss(axes)
