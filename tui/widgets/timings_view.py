"""Pane 3: live timings, refined round by round in the helper process.

Per strategy: time per call (median ± IQR as a share of it), per instance, the ratio to the
hand-batched version, compile time, and a bar on a log scale from the dispatch floor to the
slowest, so the ratio is seen and not only read; under them, a sparkline per strategy of its
recent rounds, to show whether the numbers have settled.
"""

from __future__ import annotations

import math

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Label, Sparkline, Static

from jaxbatch.lab.timing import MAX_ROUNDS, LiveTimings
from jaxbatch.presentation.timings import FLAGS, HEADS, ratio_head, scaling_text, timing_rows
from jaxbatch.presentation.units import device_text, seconds
from jaxbatch.widgets.vim_keys import SCROLL_KEYS

BAR = 30
NUMBERS = 59  # cells before the bar
EIGHTHS = " ▏▎▍▌▋▊▉█"


class TimingsView(VerticalScroll, can_focus=True):
    BINDINGS = [
        Binding("space", "app.pause_timings", "Pause/resume", id="timings.pause",
                tooltip="Pause or resume the measurements"),
        Binding("r", "app.restart_timings", "Restart", id="timings.restart",
                tooltip="Throw the rounds away and measure again"),
        *SCROLL_KEYS,
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.sparklines: dict[str, Sparkline] = {}

    def compose(self) -> ComposeResult:
        yield Static("Timings start when the lab has the selection…", id="timings-head")
        yield Static(id="timings-backends")
        yield Static(id="timings-table")
        yield Static(id="timings-history-title")
        yield VerticalScroll(id="timings-history")

    def status(self, text: Content | str) -> None:
        self.query_one("#timings-head", Static).update(text)

    def show(self, live: LiveTimings, paused: bool = False) -> None:
        state = "paused" if paused else live.state
        self.status(_head(live, state))
        width = self.scrollable_content_region.width or 78
        spread = scaling_text(live.timings, live.devices, live.device.platform)
        lines = [*table_lines(live, width), *([Content.styled(spread, "$text-muted")] if spread else [])]
        self.query_one("#timings-table", Static).update(Content("\n").join(lines))
        self.query_one("#timings-history-title", Static).update(
            Content.styled(f"Last {len(next(iter(live.history.values()), ()))} rounds, per call", "$text-muted"))
        for key, history in live.history.items():
            if key in self.sparklines:
                self.sparklines[key].data = list(history)
            else:  # held by reference: a mount completes later, and the next update may come first
                self.sparklines[key] = Sparkline(list(history), summary_function=max)
                self.query_one("#timings-history", VerticalScroll).mount(Horizontal(
                    Label(live.labels.get(key, key), classes="spark-label"), self.sparklines[key],
                    classes="spark-row"))

    def backends(self, backends: dict) -> None:
        """Which platforms JAX found, and for each missing one what to install."""
        found = sorted({d["platform"] for d in backends["devices"]})
        missing = [f"{p} ✗ {backends['install'][p]}" for p in backends["missing"]]
        self.query_one("#timings-backends", Static).update(Content.assemble(
            ("Backends: ", "$text-muted"), (" ".join(f"{p} ✓" for p in found), "$success"), " · " if missing else "",
            (" · ".join(missing), "$text-muted")))

    def clear(self, text: Content | str) -> None:
        self.status(text)
        self.query_one("#timings-table", Static).update("")
        self.query_one("#timings-history-title", Static).update("")
        self.query_one("#timings-history", VerticalScroll).remove_children()
        self.sparklines = {}


def _head(live: LiveTimings, state: str) -> Content:
    d = live.device
    style = {"measuring": "$warning", "paused": "$text-muted", "settled": "$success"}[state]
    return Content.assemble(
        ("Timings ", "bold"), f"{device_text(d)} · {live.instances:,} inst. · ",
        "floor ", (seconds(live.floor_s), "bold"), " · ",
        (f"{state} {live.rounds}/{MAX_ROUNDS}", style),
    )


def table_lines(live: LiveTimings, width: int = 78) -> list[Content]:
    """One line per strategy: numbers, flags and a bar on a log scale from the dispatch floor
    to the slowest, fitted to `width` cells. Pure, for tests."""
    bar_width = max(4, min(BAR, width - NUMBERS - 8))
    lines = [Content.styled(f"{'':<10}{HEADS['per_call']:>9} {HEADS['iqr']:>6} {HEADS['per_instance']:>10} "
                            f"{ratio_head({'manual': 'manual', **live.labels}):>10} "
                            f"{HEADS['compile']:>8}  {'log bar':<{bar_width}}", "$text-muted")]
    slowest = max(t.median_s for t in live.timings.values())
    for r in timing_rows(live.timings, live.labels):
        t = live.timings[r.key]
        lines.append(Content.assemble(
            (f"{r.label:<10}", "bold"), f"{r.per_call:>9} {r.iqr:>6} {r.per_instance:>10} "
            f"{r.ratio:>10} {r.compile:>8}  ",
            (bar(t.median_s, live.floor_s, slowest, bar_width), "$accent"), " ",
            Content(" ").join(Content.styled(FLAGS[f], FLAG_STYLES[f]) for f in r.flags),
        ))
    return lines


FLAG_STYLES = {"dispatch_bound": "$warning", "estimated": "$text-muted"}


def bar(value: float, floor: float, slowest: float, width: int = BAR) -> str:
    """A bar of `width` cells at most, in eighths: log(value/floor) against log(slowest/floor)."""
    span = math.log(slowest / floor) if slowest > floor else 1.0
    share = min(1.0, max(0.0, math.log(value / floor) / span)) if value > floor else 0.0
    eighths = max(1, round(share * width * 8))
    return ("█" * (eighths // 8) + EIGHTHS[eighths % 8].strip()).ljust(width)
