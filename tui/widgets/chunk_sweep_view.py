"""The chunk sweep, plotted as it arrives: time per call and peak memory against the chunk size
k, both on log axes, vmap a level line in each and the best k marked, with the best trade-off
named underneath. Built as the batch sweep's pane is (sweep_view), from its plot and ticks."""

from __future__ import annotations

import math
from functools import partial
from typing import Callable, Optional

from textual.binding import Binding
from textual.content import Content
from textual.reactive import var

from jaxbatch.presentation.chunk_sweep import best_text, chunk_sweep_lines
from jaxbatch.presentation.units import byte_size, device_text, seconds_tick
from jaxbatch.results.chunk_sweep_state import ChunkSweepState
from jaxbatch.results.strategy_table import colours
from jaxbatch.widgets.sweep_view import SafePlot, SweepPane, log_axis, size_ticks

BEST = "warning"  # the best k's mark, a theme variable as the strategies' colours are


class ChunkSweepView(SweepPane):
    """The latest `chunk_sweep`: time per call and peak memory by chunk size k; the best
    trade-off under them."""

    BINDINGS = [
        Binding("escape", "app.cancel_chunk_sweep", "Cancel sweep", id="chunk_sweep.cancel",
                tooltip="Stop the chunk sweep; what was measured stays"),
    ]
    COPY_NAME = "chunk sweep"
    PLOTS = ("time", "memory")
    chunk_sweep: var[Optional[ChunkSweepState]] = var(None, init=False, always_update=True)
    watch_chunk_sweep = SweepPane._draw

    @property
    def state(self) -> Optional[ChunkSweepState]:
        return self.chunk_sweep

    def progress(self, sweep: ChunkSweepState) -> tuple[int, int]:
        return len(sweep.ks), len(sweep.planned)

    def head(self, sweep: Optional[ChunkSweepState]) -> Content:
        return _head(sweep)

    def conclusions(self, sweep: ChunkSweepState) -> str:
        return best_text(sweep)

    def colours(self) -> dict[str, str]:
        return {**colours(), "best": BEST}

    def legend(self, sweep: ChunkSweepState) -> list[tuple[str, str]]:
        series = colours()
        return [("⣿⣿ chunked k", series["chunked"]), ("⣿⣿ vmap", series["vmap"]), ("● best k", BEST)]

    def plot(self, sweep: ChunkSweepState, colours: dict[str, tuple[int, int, int]]) -> None:
        self.query_one(".time", SafePlot).draw = partial(
            _draw_series, "time per call", sweep, sweep.per_call_s, sweep.vmap_s, seconds_tick, colours)
        self.query_one(".memory", SafePlot).draw = partial(
            _draw_series, "peak memory", sweep, sweep.peak_bytes, sweep.vmap_peak_bytes, byte_size, colours)

    def copy_text(self) -> tuple[str, str]:
        sweep = self.chunk_sweep
        return self.COPY_NAME, "" if sweep is None else "\n".join(chunk_sweep_lines(sweep)).strip() + "\n"


def _head(sweep: Optional[ChunkSweepState]) -> Content:
    if sweep is None:
        return Content.assemble("Press ", ("S", "bold $accent"), " to time lax.map at chunk sizes 1, 2, 4, … up to "
                                "the batch against vmap, with each one's peak memory, and name the best trade-off.")
    running = not sweep.stopped
    last = f"k={sweep.ks[-1]:,} of {sweep.planned[-1]:,}" if sweep.ks else ""
    state = ("running: " + last, "$warning") if running else (sweep.stopped, "$success")
    return Content.assemble(("Chunk sweep ", "bold"), f"on {device_text(sweep.device)} · batch {sweep.batch:,} · ",
                            state, *((" · escape cancels", "$text-muted"),) if running else ())


def _draw_series(title: str, sweep: ChunkSweepState, values: tuple, vmap: Optional[float],
                 tick: Callable[[float], str], colours: dict[str, tuple[int, int, int]], plt) -> None:
    """`values` by k on a log axis drawn by hand, as the batch sweep draws its times: log10 of
    the values on a linear axis, ticked at powers of ten (plotext's own log axis hung when given
    limits); vmap a level line across, the best k a mark on the curve."""
    ks = list(sweep.ks)
    plt.title(title)
    plt.xscale("log")
    log_axis(plt, [*values, vmap], tick)
    if vmap and vmap > 0:
        plt.plot([ks[0], ks[-1]], [math.log10(vmap)] * 2, marker="braille", color=colours["vmap"])
    points = [(k, math.log10(v)) for k, v in zip(ks, values) if v and v > 0]
    if len(points) >= 2:
        plt.plot([p[0] for p in points], [p[1] for p in points], marker="braille", color=colours["chunked"])
    best = sweep.best()
    marked = [p for p in points if best is not None and p[0] == best.k]
    if marked:
        plt.scatter([marked[0][0]], [marked[0][1]], marker="●", color=colours["best"])
    plt.xticks(*size_ticks(ks))
