"""Pane 6, with `--compare A.json`: a saved report beside this run, as what changed from one to
the other, in the words `jaxbatch-tui diff` prints (another JAX, another device, the code before
a change)."""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Optional

from textual.app import ComposeResult
from textual.content import Content
from textual.reactive import var
from textual.widgets import Static

from jaxbatch.media.diff import NotComparable, diff, diff_lines
from jaxbatch.results.report import Report
from jaxbatch.results.timing import LiveTimings
from jaxbatch.widgets.pane import ScrollPane


class CompareView(ScrollPane):
    """`saved` (a saved report, from the file `name`) against this run: its `report`, and the
    `live` timings of the same selection as they settle (the app's report has none of its own).
    A change is one line, however long: the pane scrolls sideways (left, right) to its end."""

    DEFAULT_CSS = """
    CompareView { padding: 0 1; overflow-x: auto; }
    CompareView > .changes { width: auto; text-wrap: nowrap; margin-top: 1; }
    """
    COPY_NAME = "comparison"
    report: var[Optional[Report]] = var(None, init=False, always_update=True)
    live: var[Optional[LiveTimings]] = var(None, init=False, always_update=True)

    def __init__(self, saved: Report, name: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.saved, self.saved_name = saved, name

    def compose(self) -> ComposeResult:
        yield Static(Content.assemble(("Saved ", "bold"), self.saved_name, " against this run"), classes="head")
        yield Static("Waiting for this run's analysis…", classes="changes")

    def _draw(self) -> None:
        this_run, live = self.report, self.live
        if this_run is None:
            return
        if live is not None and live.instances == math.prod(this_run.batch_shape):
            this_run = dataclasses.replace(this_run, timings=live.timings)
        try:
            lines = diff_lines(diff(self.saved, this_run), self.saved_name, "this run")[1:]
        except NotComparable as exc:
            lines = [str(exc), "choose its model (m) to compare them"]
        self.query_one(".changes", Static).update("\n".join(lines))

    watch_report = watch_live = _draw
