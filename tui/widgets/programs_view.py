"""Pane 2: the hand-batched and the vmap jaxprs side by side, with their primitive sequences."""

from __future__ import annotations

from textual.containers import Horizontal, ScrollableContainer, Vertical
from textual.content import Content
from textual.widgets import Static

from jaxbatch.lab.results import Report, Strategy

_SIDES = ("manual", "vmap")


class ProgramsView(Horizontal):
    def compose(self):
        for key in _SIDES:
            with Vertical(classes="program", id=f"program-{key}"):
                yield Static(classes="program-title")
                with ScrollableContainer(classes="program-scroll"):
                    yield Static(classes="program-text")

    def show(self, report: Report) -> None:
        for key in _SIDES:
            column = self.query_one(f"#program-{key}")
            title, text = _render(report.strategies.get(key), key)
            column.query_one(".program-title", Static).update(title)
            column.query_one(".program-text", Static).update(text)


def _render(s: Strategy | None, key: str) -> tuple[Content, Content]:
    if s is None:
        return Content.styled("hand-batched", "bold"), Content.styled("none given", "$text-muted")
    if s.error is not None:
        return Content.styled(s.label, "bold"), Content.styled(f"{s.error.type}: {s.error.message}", "$error")
    title = Content.assemble(
        (s.label, "bold $accent"), "\n", (" ".join(s.primitives), "$text-muted")
    )
    return title, Content(s.jaxpr)
