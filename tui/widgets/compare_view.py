"""Pane 6, with `--compare A.json`: a saved report beside this run, as what changed from one to
the other, in the words `jaxbatch-tui diff` prints (another JAX, another device, the code before
a change)."""

from __future__ import annotations

import math
from typing import Any, Optional

from textual.app import ComposeResult
from textual.content import Content
from textual.reactive import var
from textual.widgets import Static

from jaxbatch.media.diff import NotComparable, diff, diff_lines
from jaxbatch.media.json_report import report_json
from jaxbatch.results.report import Report
from jaxbatch.results.timing import LiveTimings
from jaxbatch.widgets.pane import ScrollPane


class CompareView(ScrollPane):
    """`saved` (a report's JSON, from the file `name`) against this run: its `report`, and the
    `live` timings of the same selection as they settle (the app's report has none of its own).
    A change is one line, however long: the pane scrolls sideways (left, right) to its end."""

    DEFAULT_CSS = """
    CompareView { padding: 0 1; overflow-x: auto; }
    CompareView > .changes { width: auto; text-wrap: nowrap; margin-top: 1; }
    """
    COPY_NAME = "comparison"
    report: var[Optional[Report]] = var(None, init=False, always_update=True)
    live: var[Optional[LiveTimings]] = var(None, init=False, always_update=True)

    def __init__(self, saved: dict[str, Any], name: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.saved, self.saved_name = saved, name
        self.this_run: Optional[dict[str, Any]] = None  # the report's JSON, made once per report

    def compose(self) -> ComposeResult:
        yield Static(Content.assemble(("Saved ", "bold"), self.saved_name, " against this run"), classes="head")
        yield Static("Waiting for this run's analysis…", classes="changes")

    def watch_report(self, report: Optional[Report]) -> None:
        self.this_run = None if report is None else report_json(report)
        self._draw()

    def _draw(self) -> None:
        if self.this_run is None:
            return
        this_run, live = self.this_run, self.live
        if live is not None and live.instances == math.prod(this_run["batch_shape"]):
            this_run = {**this_run, "timings": {k: t.to_json() for k, t in live.timings.items()},
                        "dispatch_floor_s": live.floor_s}
        try:
            lines = diff_lines(diff(self.saved, this_run), self.saved_name, "this run")[1:]
        except NotComparable as exc:
            lines = [str(exc), "choose its model (m) to compare them"]
        self.query_one(".changes", Static).update("\n".join(lines))

    watch_live = _draw
