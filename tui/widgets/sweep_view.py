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
from textual.color import Color
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.reactive import var
from textual.widgets import ProgressBar, Static
from textual_plotext import PlotextPlot

from jaxbatch.lab.sweep_state import SweepState
from jaxbatch.presentation.sweep import crossovers, sweep_lines
from jaxbatch.presentation.units import device_text, seconds_tick
from jaxbatch.widgets.pane import Note, Pane


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


# Each strategy's colour, a theme variable: its curve and its entry in the legend under the
# plots (plotext's own legend, drawn inside the plot, covered the top curve).
SERIES = {"loop": "secondary", "manual": "primary", "vmap": "accent", "chunked": "success", "sharded": "warning",
          "shard_map": "error"}


class SweepView(Vertical, Pane, can_focus=True):
    """The latest `sweep`, under the `note` on what the helper is doing while one is set. The
    plots take the room the words leave: every conclusion is seen, at 80x24 too."""

    DEFAULT_CSS = """
    SweepView { height: 1fr; padding: 0 1; }
    SweepView > ProgressBar { height: 1; }
    SweepView > .plots { height: 1fr; min-height: 6; }
    SweepView > .legend, SweepView > .crossovers { height: auto; }
    """
    BINDINGS = [
        Binding("escape", "app.cancel_sweep", "Cancel sweep", id="sweep.cancel",
                tooltip="Stop the sweep; what was measured stays"),
    ]
    COPY_NAME = "sweep"
    sweep: var[Optional[SweepState]] = var(None, init=False, always_update=True)
    note: var[Optional[Note]] = var(None, init=False)

    def compose(self) -> ComposeResult:
        yield Static(classes="head")
        yield ProgressBar(total=1, show_eta=False)  # no total: an endless animation
        with Horizontal(classes="plots"):
            yield SafePlot(classes="per-instance")
            yield SafePlot(classes="ratio")
        yield Static(classes="legend")
        yield Static(classes="crossovers")

    def _draw(self) -> None:
        """The pane from its sweep and note, whichever changed."""
        sweep, note = self.sweep, self.note
        running = note.tone == "busy" if note is not None else sweep is not None and not sweep.stopped
        bar = self.query_one(ProgressBar)
        bar.update(total=len(sweep.planned) if sweep else 1, progress=len(sweep.sizes) if sweep else 0)
        bar.display = running
        self.query_one(".head", Static).update(note.content() if note else _head(sweep))
        self.query_one(".crossovers", Static).update("\n".join(crossovers(sweep)) if sweep else "")
        # plotext takes the log of its axis limits: with one size the x range is empty and
        # its limits reach 0, so the plots wait for a second size
        plottable = sweep is not None and len(sweep.sizes) >= 2
        self.query_one(".plots").display = self.query_one(".legend").display = plottable
        if plottable:
            colours = {k: Color.parse(self.app.theme_variables[v]).rgb for k, v in SERIES.items()}
            self.query_one(".legend", Static).update(Content("  ").join(
                Content.styled(f"⣿⣿ {label}", f"${SERIES[key]}") for key, label in sweep.labels.items()))
            self.query_one(".per-instance", SafePlot).draw = partial(_draw_times, sweep, colours)
            self.query_one(".ratio", SafePlot).draw = partial(_draw_ratio, sweep)
            for plot in self.query(SafePlot):
                plot.refresh()

    on_mount = watch_sweep = watch_note = _draw

    def copy_text(self) -> tuple[str, str]:
        return self.COPY_NAME, "" if self.sweep is None else "\n".join(sweep_lines(self.sweep)).strip() + "\n"


def _head(sweep: Optional[SweepState]) -> Content:
    if sweep is None:
        return Content.assemble("Press ", ("s", "bold $accent"), " to time every strategy at batch sizes "
                                "1, 2, 4, … within a time and memory budget.")
    running = not sweep.stopped
    last = f"batch {sweep.sizes[-1]:,} of {sweep.planned[-1]:,}" if sweep.sizes else ""
    state = ("running: " + last, "$warning") if running else (sweep.stopped, "$success")
    return Content.assemble(("Sweep ", "bold"), f"on {device_text(sweep.device)} · ", state,
                            *((" · escape cancels", "$text-muted"),) if running else ())


def _draw_times(sweep: SweepState, colours: dict[str, tuple[int, int, int]], plt) -> None:
    """Per-instance time on a log axis drawn by hand: log10 of the times on a linear axis, ticked
    at powers of ten. The axis starts a little below the lowest tick, so its label stays clear
    of the batch sizes under it; plotext's own log axis can't be given limits."""
    sizes = list(sweep.sizes)
    plt.title("time per instance")
    plt.xscale("log")
    times = [t for v in sweep.per_instance_s.values() for t in v if t and t > 0]
    if times:
        low, high = math.floor(math.log10(min(times))), math.ceil(math.log10(max(times)))
        high = max(high, low + 1)
        plt.yticks(list(range(low, high + 1)), [seconds_tick(10.0**e) for e in range(low, high + 1)])
        plt.ylim(low - 0.1 * (high - low), high)
    for key in sweep.labels:
        points = [(n, math.log10(t)) for n, t in zip(sizes, sweep.per_instance_s[key]) if t and t > 0]
        if len(points) >= 2:
            plt.plot([p[0] for p in points], [p[1] for p in points], marker="braille", color=colours[key])
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


def _sizes(sizes: list[int]) -> tuple[list[int], list[str]]:
    """Batch sizes as ticks: every fourth power of two, written 1, 16, 256, 4k, 64k, 1M."""
    ticks = [n for n in sizes if math.log2(n) % 4 == 0] or sizes[:1]
    return ticks, [f"{n >> 20}M" if n >= 2**20 else f"{n >> 10}k" if n >= 1024 else str(n) for n in ticks]
