"""Pane 6, with `--compare A.json`: a saved report beside this run, as what changed from one to
the other, in the words `jaxbatch-tui diff` prints (another JAX, another device, the code before
a change)."""

from __future__ import annotations

from typing import Any, Optional

from textual.app import ComposeResult
from textual.content import Content
from textual.reactive import var
from textual.widgets import Static

from jaxbatch.lab.results import Report
from jaxbatch.report_diff import NotComparable, diff, diff_lines
from jaxbatch.report_json import report_json
from jaxbatch.widgets.pane import ScrollPane


class CompareView(ScrollPane):
    """`saved` (a report's JSON, from the file `name`) against the live `report`."""

    DEFAULT_CSS = """
    CompareView { padding: 0 1; }
    CompareView > .changes { text-wrap: nowrap; text-overflow: ellipsis; margin-top: 1; }
    """
    COPY_NAME = "comparison"
    report: var[Optional[Report]] = var(None, init=False, always_update=True)

    def __init__(self, saved: dict[str, Any], name: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.saved, self.saved_name = saved, name

    def compose(self) -> ComposeResult:
        yield Static(Content.assemble(("Saved ", "bold"), self.saved_name, " against this run"), classes="head")
        yield Static("Waiting for this run's analysis…", classes="changes")

    def watch_report(self, report: Optional[Report]) -> None:
        if report is None:
            return
        try:
            lines = diff_lines(diff(self.saved, report_json(report)), self.saved_name, "this run")[1:]
        except NotComparable as exc:
            lines = [str(exc), "choose its model (m) to compare them"]
        self.query_one(".changes", Static).update("\n".join(lines))
