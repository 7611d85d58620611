"""Pane 4: the scaling sweep, plotted as it arrives. Time per instance against batch size and
the vmap / hand-batched ratio, both on log axes, drawn by textual-plotext (plotext's braille
plots in a Textual widget), with a progress bar while the helper works and the crossovers named
underneath."""

from __future__ import annotations

import math
from functools import partial
from typing import Callable, Optional

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import ProgressBar, Static
from textual_plotext import PlotextPlot

from jaxbatch.lab.sweep_state import SweepState
from jaxbatch.presentation.sweep import sweep_lines
from jaxbatch.presentation.units import device_text, seconds_tick


class SafePlot(PlotextPlot):
    """A plot drawn afresh on every render, whose drawing can't take the app down.

    plotext's figure is not safe to build twice: on a log axis, each build takes the log of
    the data it holds again (log of log, then log of a negative number). So `draw` replots
    from the data at each render, and anything plotext still raises is shown, not raised
    (a render error in Textual ends the app)."""

    draw: Optional[Callable] = None

    def render(self):
        if not self.size.area or self.draw is None:  # before its first layout, or no data
            return Text("")
        try:
            self.plt.clear_data()
            self.plt.clear_figure()
            self.draw(self.plt)
            return super().render()
        except (ValueError, IndexError, ZeroDivisionError, OverflowError) as exc:
            return Text(f"plot unavailable: {exc}")


class SweepView(Vertical, can_focus=True):
    BINDINGS = [
        Binding("escape", "app.cancel_sweep", "Cancel sweep", id="sweep.cancel",
                tooltip="Stop the sweep; what was measured stays"),
    ]
    state: Optional[SweepState] = None  # the last shown, for copying

    def compose(self) -> ComposeResult:
        yield Static(Content.assemble("Press ", ("s", "bold $accent"), " to time every strategy at batch sizes "
                                      "1, 2, 4, … within a time and memory budget."), id="sweep-head")
        yield ProgressBar(total=1, show_eta=False, id="sweep-progress")  # no total: an endless animation
        with Horizontal(id="sweep-plots"):
            yield SafePlot(id="sweep-per-instance")
            yield SafePlot(id="sweep-ratio")
        yield Static(id="sweep-crossovers")

    def on_mount(self) -> None:
        self.query_one("#sweep-plots").display = False
        self.query_one(ProgressBar).display = False

    def started(self) -> None:
        self.query_one("#sweep-head", Static).update(Content.styled("Sweep: compiling and timing batch 1…", "$warning"))
        bar = self.query_one(ProgressBar)
        bar.update(total=1, progress=0)
        bar.display = True

    def show(self, sweep: SweepState) -> None:
        self.state = sweep
        running = not sweep.stopped
        bar = self.query_one(ProgressBar)
        bar.update(total=len(sweep.planned), progress=len(sweep.sizes))
        bar.display = running
        last = f"batch {sweep.sizes[-1]:,} of {sweep.planned[-1]:,}" if sweep.sizes else ""
        state = ("running: " + last, "$warning") if running else (sweep.stopped, "$success")
        self.query_one("#sweep-head", Static).update(Content.assemble(
            ("Sweep ", "bold"), f"on {device_text(sweep.device)} · ", state,
            *((" · escape cancels", "$text-muted"),) if running else ()))
        self.query_one("#sweep-crossovers", Static).update("\n".join(sweep.crossovers()))
        # plotext takes the log of its axis limits: with one size the x range is empty and
        # its limits reach 0, so the plots wait for a second size
        plottable = len(sweep.sizes) >= 2
        self.query_one("#sweep-plots").display = plottable
        if plottable:
            self._plot(sweep)

    def copy_text(self) -> tuple[str, str]:
        return "sweep", "" if self.state is None else "\n".join(sweep_lines(self.state)).strip() + "\n"

    def cancelled(self) -> None:
        self.query_one(ProgressBar).display = False
        self.query_one("#sweep-head", Static).update(Content.styled("Sweep cancelled: s starts again", "$text-muted"))

    def failed(self, text: str) -> None:
        self.query_one(ProgressBar).display = False
        self.query_one("#sweep-head", Static).update(Content.styled(f"Sweep failed: {text}", "$error"))

    def _plot(self, sweep: SweepState) -> None:
        self.query_one("#sweep-per-instance", SafePlot).draw = partial(_draw_times, sweep)
        self.query_one("#sweep-ratio", SafePlot).draw = partial(_draw_ratio, sweep)
        for plot in self.query(SafePlot):
            plot.refresh()


def _draw_times(sweep: SweepState, plt) -> None:
    sizes = list(sweep.sizes)
    plt.title("time per instance (s)")
    plt.xscale("log")
    times = [t for v in sweep.per_instance_s.values() for t in v if t and t > 0]
    spread = bool(times) and min(times) < max(times)
    if spread:  # a log axis over a zero-width range would take log(0) in plotext
        plt.yscale("log")
        plt.yticks(*_decades(min(times), max(times)))
    for key, label in sweep.labels.items():
        points = [(n, t) for n, t in zip(sizes, sweep.per_instance_s[key]) if t and t > 0]
        if len(points) >= 2:
            plt.plot([p[0] for p in points], [p[1] for p in points], label=label, marker="braille")
    plt.xticks(*_sizes(sizes))


def _draw_ratio(sweep: SweepState, plt) -> None:
    sizes = list(sweep.sizes)
    plt.title(f"vmap / {sweep.labels.get('manual', 'hand-batched')}")
    plt.xscale("log")
    points = [(n, r) for n, r in zip(sizes, sweep.ratio) if r and r > 0]
    if len(points) >= 2:
        plt.plot([points[0][0], points[-1][0]], [1.0, 1.0], marker="dot", color="gray")  # even, under
        plt.plot([p[0] for p in points], [p[1] for p in points], marker="braille")
    plt.xticks(*_sizes(sizes))


def _decades(low: float, high: float) -> tuple[list[float], list[str]]:
    """Tick marks at powers of ten, labelled in s, ms, µs or ns (plotext would print 0.000001)."""
    values = [10.0**e for e in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)]
    return values, [seconds_tick(v) for v in values]


def _sizes(sizes: list[int]) -> tuple[list[int], list[str]]:
    """Batch sizes as ticks: every fourth power of two, written 1, 16, 256, 4k, 64k, 1M."""
    ticks = [n for n in sizes if math.log2(n) % 4 == 0] or sizes[:1]
    return ticks, [f"{n >> 20}M" if n >= 2**20 else f"{n >> 10}k" if n >= 1024 else str(n) for n in ticks]
