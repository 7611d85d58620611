"""Pane 3: live timings, refined round by round in the helper process.

Per strategy: time per call (median ± IQR as a share of it), per instance, the ratio to the
hand-batched version, compile time, and a bar on a log scale from the dispatch floor to the
slowest, so the ratio is seen and not only read; under them, a sparkline per strategy of its
recent rounds, to show whether the numbers have settled.
"""

from __future__ import annotations

import math
import textwrap
from typing import Optional

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.reactive import var
from textual.widgets import Label, Sparkline, Static

from jaxbatch.presentation.memory import ROOFLINE_COLUMN, fits_line, memory_rows, row_label
from jaxbatch.presentation.report_document import RooflineFacts, roofline_facts
from jaxbatch.presentation.roofline import latency_note, roof_text, roofline_table
from jaxbatch.presentation.timings import FLAGS, HEADS, ratio_head, scaling_text, timing_rows
from jaxbatch.presentation.units import device_text, seconds
from jaxbatch.results.report import Backends, Report
from jaxbatch.results.timing import MAX_ROUNDS, LiveTimings
from jaxbatch.widgets.pane import Note, ScrollPane

BAR = 30
MIN_BAR = 4  # narrower than this, a bar says nothing: it is left out
NUMBERS = 57  # cells before the bar, with a label of LABEL cells
LABEL = 10
EIGHTHS = " ▏▎▍▌▋▊▉█"
WAITING = Note("Timings start when the lab has the selection…")


class TimingsView(ScrollPane):
    """The latest `live` timings, or the `note` on what the helper is doing in their place."""

    DEFAULT_CSS = """
    TimingsView { padding: 0 1; scrollbar-gutter: stable; }  /* the rows fit one width, scrollbar or not */
    TimingsView > .table, TimingsView > .memory, TimingsView > .roofline, TimingsView > .history-title {
        margin-top: 1;
    }
    TimingsView > .roofline { text-wrap: nowrap; text-overflow: ellipsis; }
    TimingsView > .table { text-wrap: nowrap; text-overflow: ellipsis; }  /* a row is a row, never two */
    TimingsView > .history { height: auto; }
    TimingsView .spark-row { height: 1; }
    TimingsView .spark-label { width: 14; }
    """
    BINDINGS = [
        Binding("space", "app.pause_timings", "Pause/resume", id="timings.pause",
                tooltip="Pause or resume the measurements"),
        Binding("r", "app.restart_timings", "Restart", id="timings.restart",
                tooltip="Throw the rounds away and measure again"),
    ]
    COPY_NAME = "timings"
    live: var[Optional[LiveTimings]] = var(None, init=False, always_update=True)
    paused: var[bool] = var(False, init=False)
    note: var[Optional[Note]] = var(None, init=False)  # shown as the heading while set
    backends: var[Optional[Backends]] = var(None, init=False)
    report: var[Optional[Report]] = var(None, init=False, always_update=True)  # for each program's peak memory

    def compose(self) -> ComposeResult:
        self.sparklines: dict[str, Sparkline] = {}
        self._spark_labels: dict[str, str] = {}  # each row's label, as drawn
        self._judged: Optional[tuple[Report, LiveTimings, RooflineFacts]] = None
        yield Static(WAITING.content(), classes="head")
        yield Static(classes="backends")
        yield Static(classes="table")
        yield Static(classes="scaling")  # the sharded strategies' speed-up: wraps, where the rows don't
        yield Static(classes="memory")
        yield Static(classes="roofline")
        yield Static(classes="history-title")
        yield VerticalScroll(classes="history")

    def _draw(self) -> None:
        """The pane from all of its state, whichever part changed; again on a resize, so the bars
        fit the width."""
        live = self.live
        head = self.query_one(".head", Static)
        if self.note is not None or live is None:
            head.update((self.note or WAITING).content())
        else:
            head.update(_head(live, "paused" if self.paused else live.state))
        self._draw_memory(live)
        if live is None:
            self._clear()
            return
        width = self.scrollable_content_region.width or 78
        self.query_one(".table", Static).update(Content("\n").join(table_lines(live, width)))
        spread = scaling_text(live.timings, live.devices, live.device.platform)
        scaling = self.query_one(".scaling", Static)
        scaling.update(Content.styled(spread, "$text-muted"))
        scaling.display = bool(spread)
        self._draw_roofline(live)
        self._draw_history(live)

    def _draw_history(self, live: LiveTimings) -> None:
        """A sparkline per strategy of its recent rounds, beside its label. Other strategies, or
        other labels (a new model names its hand-batched version anew), mount the rows anew, so
        no row keeps a strategy that is gone or a label that no longer holds."""
        self.query_one(".history-title", Static).update(
            Content.styled(f"Last {len(next(iter(live.history.values()), ()))} rounds, per call", "$text-muted"))
        labels = {key: live.labels.get(key, key) for key in live.history}
        if labels != self._spark_labels:
            self._clear_history()
            # held by reference: a mount completes later, and the next update may come first
            self.sparklines = {key: Sparkline(summary_function=max) for key in labels}
            self._spark_labels = labels
            self.query_one(".history", VerticalScroll).mount_all(
                Horizontal(Label(label, classes="spark-label"), self.sparklines[key], classes="spark-row")
                for key, label in labels.items())
        for key, history in live.history.items():
            self.sparklines[key].data = list(history)
            self.sparklines[key].styles.width = len(history)  # one column a round, as the title counts them

    def _draw_roofline(self, live: Optional[LiveTimings]) -> None:
        """Each call against the device's roofline, once the helper has measured it and the
        report of the same selection gives each program's flops and bytes, and the matmul
        precision they ran at, which sets the peak."""
        shown = self.query_one(".roofline", Static)
        shown.display = live is not None and live.timings.roof is not None and self._matches(live)
        if shown.display:
            facts = self._roofline_facts(live)
            note = latency_note(facts.points)
            shown.update(Content("\n").join([Content.styled(roof_text(facts.roof), "$text-muted"),
                                              *(Content(line) for line in roofline_table(
                                                  facts.points, live.labels, self.scrollable_content_region.width
                                                  or None)),
                                              *([Content.styled(note, "$text-muted")] if note else [])]))

    def _roofline_facts(self, live: LiveTimings) -> RooflineFacts:
        """The calls judged under the roofline once per report and round of timings, not per redraw."""
        if self._judged is None or self._judged[0] is not self.report or self._judged[1] is not live:
            self._judged = (self.report, live, roofline_facts(self.report, live.timings))
        return self._judged[2]

    def _clear(self) -> None:
        self.query_one(".roofline", Static).display = False
        self.query_one(".table", Static).update("")
        self.query_one(".scaling", Static).display = False
        self.query_one(".history-title", Static).update("")
        self._clear_history()

    def _clear_history(self) -> None:
        if self.sparklines:
            self.query_one(".history", VerticalScroll).remove_children()
            self.sparklines, self._spark_labels = {}, {}

    watch_live = watch_paused = watch_note = on_resize = _draw

    def watch_report(self) -> None:
        self._draw()
        self.call_after_refresh(self._draw)  # the memory rows may have brought a scrollbar: fit the rows again

    def _matches(self, live: Optional[LiveTimings]) -> bool:
        """Whether the report is of the selection `live` times (or nothing is timed yet): its
        programs' memory, flops and bytes are then those of the calls timed."""
        r = self.report
        return r is not None and (live is None or (
            math.prod(r.batch_shape) == live.instances
            and all(r.strategies[k].label == label for k, label in live.labels.items() if k in r.strategies)
            and (live.timings.roof is None or live.timings.roof.precision == r.precision)))

    def _draw_memory(self, live: Optional[LiveTimings]) -> None:
        """Beside the times, what each call holds in memory, and from which batch it runs out."""
        rows = memory_rows(self.report) if self._matches(live) else []
        memory = self.query_one(".memory", Static)
        memory.display = bool(rows)
        if rows:
            width = max([len("Peak memory"), *(len(row_label(r)) for r in rows)])
            head = (f"{'Peak memory':<{width}} {'per call':>9} {'per inst.':>10} {'more each':>10} {'fixed':>10}  "
                    f"{'roofline':>11}")
            fits = fits_line(self.report)
            memory.update(Content("\n").join([
                Content.styled(head, "$text-muted"),
                *(Content(f"{row_label(r):<{width}} {r.per_call:>9} {r.per_instance:>10} {r.marginal:>10} "
                          f"{r.fixed:>10}  {r.roofline:>11}") for r in rows),
                Content.styled(ROOFLINE_COLUMN, "$text-muted"),
                *([Content.styled(fits, "$text-muted")] if fits else [])]))

    def watch_backends(self, backends: Optional[Backends]) -> None:
        """Which platforms JAX found, and for each missing one what to install."""
        if backends is None:
            return
        missing = [f"{p} ✗ {backends.install[p]}" for p in backends.missing]
        self.query_one(".backends", Static).update(Content.assemble(
            ("Backends: ", "$text-muted"), (" ".join(f"{p} ✓" for p in backends.platforms), "$success"),
            " · " if missing else "", (" · ".join(missing), "$text-muted")))


def _head(live: LiveTimings, state: str) -> Content:
    d = live.device
    style = {"measuring": "$warning", "paused": "$text-muted", "settled": "$success"}[state]
    return Content.assemble(
        ("Timings ", "bold"), f"{device_text(d)} · {live.instances:,} inst. · ",
        "floor ", (seconds(live.timings.floor_s), "bold"), " · ",
        (f"{state} {live.rounds}/{MAX_ROUNDS}", style),
    )


def table_lines(live: LiveTimings, width: int = 78) -> list[Content]:
    """One line per strategy: numbers, a bar on a log scale from the dispatch floor to the
    slowest, and flags, fitted to `width` cells: the bar takes what the flags leave, and goes
    when that is less than MIN_BAR. A label too long for the numbers to fit beside it (a
    hand-batched `scan over a batch of states`) goes on a line of its own above them, so that
    nothing is cut. Pure, for tests."""
    rows = timing_rows(live.timings, live.labels)
    head = ratio_head({"manual": "manual", **live.labels})
    label = max([LABEL, *(len(r.label) + 1 for r in rows)])  # `chunked k=64` is wider than the rest
    flags = max((len(" ".join(FLAGS[f] for f in r.flags)) + 1 for r in rows if r.flags), default=0)
    others = NUMBERS - LABEL - 10  # the cells after the label but the ratio's
    above = label > LABEL and label + others + max(10, 1 + len(head)) + flags > width
    label = 2 if above else label
    heads = ratio_heads(head, width - label - others - flags)  # `vs model_batched`, wrapped where it must be
    ratio_width = max(10, 1 + max(map(len, heads)))  # a cell apart from `per inst.`
    numbers = others + ratio_width
    bar_width = min(BAR, width - numbers - label - 2 - flags)
    bar_width = bar_width if bar_width >= MIN_BAR else 0
    lines = [Content.styled(f"{'':<{label + others - 9}}{piece:>{ratio_width}}", "$text-muted") for piece in heads[:-1]]
    lines.append(Content.styled(f"{'':<{label}}{HEADS['per_call']:>9} {HEADS['iqr']:>6} {HEADS['per_instance']:>10} "
                                f"{heads[-1]:>{ratio_width}} "
                                f"{HEADS['compile']:>8}" + (f"  {'log bar':<{bar_width}}" if bar_width else ""),
                                "$text-muted"))
    slowest = max(t.median_s for t in live.timings.values())
    for r in rows:
        t = live.timings[r.key]
        drawn = (Content.styled("  " + bar(t.median_s, live.timings.floor_s, slowest, bar_width), "$accent")
                 if bar_width else "")
        if above:
            lines.append(Content.styled(r.label, "bold"))
        lines.append(Content.assemble(
            ("" if above else f"{r.label:<{label}}", "bold"), " " * label if above else "",
            f"{r.per_call:>9} {r.iqr:>6} {r.per_instance:>10} {r.ratio:>{ratio_width}} {r.compile:>8}", drawn,
            " " if r.flags else "", Content(" ").join(Content.styled(FLAGS[f], FLAG_STYLES[f]) for f in r.flags),
        ))
    return lines


def ratio_heads(head: str, room: int) -> list[str]:
    """The ratio column's head in as few lines as fit `room` cells (a cell apart from the head
    before it, a word whole), each as short as that many lines allow, so the column is no wider
    than it must be: a long hand-batched label (`vs scan over a batch of states`) goes over two
    lines, not off the row."""
    fits = max(room - 1, 9, *map(len, head.split()))
    count = len(textwrap.wrap(head, fits, break_long_words=False))
    narrowest = next(w for w in range(9, fits + 1) if len(textwrap.wrap(head, w, break_long_words=False)) <= count)
    return textwrap.wrap(head, narrowest, break_long_words=False)


FLAG_STYLES = {"dispatch_bound": "$warning", "estimated": "$text-muted"}


def bar(value: float, floor: float, slowest: float, width: int = BAR) -> str:
    """A bar of `width` cells at most, in eighths: log(value/floor) against log(slowest/floor)."""
    span = math.log(slowest / floor) if slowest > floor else 1.0
    share = min(1.0, max(0.0, math.log(value / floor) / span)) if value > floor else 0.0
    eighths = max(1, round(share * width * 8))
    return ("█" * (eighths // 8) + EIGHTHS[eighths % 8].strip()).ljust(width)
