"""Pane 4: the scaling sweep, plotted as it arrives. Time per instance, peak memory per call and
the vmap / hand-batched ratio against batch size, on log axes, drawn by textual-plotext
(plotext's braille plots in a Textual widget), with a progress bar while the helper works and
the crossovers named underneath."""

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

from jaxbatch.presentation.sweep import crossovers, sweep_lines
from jaxbatch.presentation.units import byte_size, device_text, seconds_tick
from jaxbatch.results.strategy_table import colours
from jaxbatch.results.sweep_state import SweepState
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




class SweepPane(Vertical, Pane, can_focus=True):
    """What both sweeps' panes are: a head (the helper's note while one is set), a progress bar
    while the sweep runs, plots side by side that take the room the words leave, their legend,
    and the conclusions in words, seen whole at 80x24 too. A pane names its `PLOTS` and says
    what its sweep (`state`) shows in each part."""

    DEFAULT_CSS = """
    SweepPane { height: 1fr; padding: 0 1; }
    SweepPane > ProgressBar { height: 1; }
    SweepPane > .plots { height: 1fr; min-height: 6; }
    SweepPane > .legend, SweepPane > .conclusions { height: auto; }
    """
    PLOTS: tuple[str, ...] = ()  # each plot's class, left to right
    note: var[Optional[Note]] = var(None, init=False)

    def compose(self) -> ComposeResult:
        yield Static(classes="head")
        yield ProgressBar(total=1, show_eta=False)  # no total: an endless animation
        with Horizontal(classes="plots"):
            for name in self.PLOTS:
                yield SafePlot(classes=name)
        yield Static(classes="legend")
        yield Static(classes="conclusions")

    def colours(self) -> dict[str, str]:
        """What `plot` draws in, by name: theme variables. Each strategy's curve and its entry in
        the legend under the plots (plotext's own legend, drawn inside the plot, covered the top
        curve) take its colour in strategy_table."""
        return colours()

    def _draw(self) -> None:
        """The pane from its sweep and note, whichever changed."""
        state, note = self.state, self.note
        running = note.tone == "busy" if note is not None else state is not None and not state.stopped
        done, planned = self.progress(state) if state is not None else (0, 1)
        bar = self.query_one(ProgressBar)
        bar.update(total=planned, progress=done)
        bar.display = running
        self.query_one(".head", Static).update(note.content() if note else self.head(state))
        self.query_one(".conclusions", Static).update(self.conclusions(state) if state is not None else "")
        # plotext takes the log of its axis limits: with one point the x range is empty and its
        # limits reach 0, so the plots wait for a second
        plottable = state is not None and done >= 2
        self.query_one(".plots").display = self.query_one(".legend").display = plottable
        if plottable:
            colours = {k: Color.parse(self.app.theme_variables[v]).rgb for k, v in self.colours().items()}
            self.query_one(".legend", Static).update(
                Content("  ").join(Content.styled(text, f"${colour}") for text, colour in self.legend(state)))
            self.plot(state, colours)
            for plot in self.query(SafePlot):
                plot.refresh()

    on_mount = watch_note = _draw

    @property
    def state(self):
        raise NotImplementedError

    def progress(self, state) -> tuple[int, int]:
        """(points measured, points planned)."""
        raise NotImplementedError

    def head(self, state) -> Content:
        raise NotImplementedError

    def conclusions(self, state) -> str:
        raise NotImplementedError

    def legend(self, state) -> list[tuple[str, str]]:
        """(entry, theme variable) for each curve."""
        raise NotImplementedError

    def plot(self, state, colours: dict[str, tuple[int, int, int]]) -> None:
        """Set each SafePlot's `draw`."""
        raise NotImplementedError


class SweepView(SweepPane):
    """The latest `sweep`: time per instance, peak memory per call and the vmap / hand-batched
    ratio by batch size; the crossovers under them."""

    BINDINGS = [
        Binding("escape", "app.cancel_sweep", "Cancel sweep", id="sweep.cancel",
                tooltip="Stop the sweep; what was measured stays"),
    ]
    COPY_NAME = "sweep"
    PLOTS = ("per-instance", "peak-memory", "ratio")
    sweep: var[Optional[SweepState]] = var(None, init=False, always_update=True)
    watch_sweep = SweepPane._draw

    @property
    def state(self) -> Optional[SweepState]:
        return self.sweep

    def progress(self, sweep: SweepState) -> tuple[int, int]:
        return len(sweep.sizes), len(sweep.planned)

    def head(self, sweep: Optional[SweepState]) -> Content:
        return _head(sweep)

    def conclusions(self, sweep: SweepState) -> str:
        return "\n".join(crossovers(sweep))

    def legend(self, sweep: SweepState) -> list[tuple[str, str]]:
        return [(f"⣿⣿ {label}", colours()[key]) for key, label in sweep.labels.items()]

    def plot(self, sweep: SweepState, colours: dict[str, tuple[int, int, int]]) -> None:
        self.query_one(".per-instance", SafePlot).draw = partial(
            _draw_log, sweep, colours, "time per instance", sweep.per_instance_s, seconds_tick)
        memory = self.query_one(".peak-memory", SafePlot)
        memory.draw = partial(_draw_log, sweep, colours, "peak memory per call", sweep.peak_bytes, byte_size)
        memory.display = any(b for v in sweep.peak_bytes.values() for b in v)  # none in a sweep saved before
        self.query_one(".ratio", SafePlot).draw = partial(_draw_ratio, sweep)

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


def _draw_log(sweep: SweepState, colours: dict[str, tuple[int, int, int]], title: str,
              series: dict[str, tuple[Optional[float], ...]], tick: Callable[[float], str], plt) -> None:
    """Each strategy's `series` (per-instance times, peak bytes) on a `log_axis`: plotext's own
    log axis can't be given limits."""
    sizes = list(sweep.sizes)
    plt.title(title)
    plt.xscale("log")
    log_axis(plt, [t for v in series.values() for t in v], tick)
    for key in sweep.labels:
        points = [(n, math.log10(t)) for n, t in zip(sizes, series.get(key, ())) if t and t > 0]
        if len(points) >= 2:
            plt.plot([p[0] for p in points], [p[1] for p in points], marker="braille", color=colours[key])
    plt.xticks(*size_ticks(sizes))


def log_axis(plt, values, tick: Callable[[float], str]) -> None:
    """A log y axis drawn by hand for `values` (those above 0): the plot is of their log10, on a
    linear axis ticked at powers of ten written by `tick`. It starts a little below the lowest
    tick, so that label stays clear of the x axis under it."""
    shown = [v for v in values if v and v > 0]
    if shown:
        low, high = math.floor(math.log10(min(shown))), math.ceil(math.log10(max(shown)))
        high = max(high, low + 1)
        plt.yticks(list(range(low, high + 1)), [tick(10.0**e) for e in range(low, high + 1)])
        plt.ylim(low - 0.1 * (high - low), high)


def _draw_ratio(sweep: SweepState, plt) -> None:
    sizes = list(sweep.sizes)
    plt.title(f"vmap / {sweep.labels.get('manual', 'hand-batched')}")
    plt.xscale("log")
    points = [(n, r) for n, r in zip(sizes, sweep.ratio) if r and r > 0]
    if len(points) >= 2:
        plt.plot([points[0][0], points[-1][0]], [1.0, 1.0], marker="dot", color="gray")  # even, under
        plt.plot([p[0] for p in points], [p[1] for p in points], marker="braille")
    plt.xticks(*size_ticks(sizes))


MAX_TICKS = 6  # on the x axis: more would run into each other in a plot a third of 80 columns wide


def size_ticks(sizes: list[int]) -> tuple[list[int], list[str]]:
    """Batch sizes as ticks: every power of two, or every second or fourth when that is too many
    (1, 16, 256, 4k, 64k, 1M), so a short sweep (1, 2, 4, 5) is ticked at 1, 2 and 4, not 1 alone."""
    exponents = [n.bit_length() - 1 for n in sizes if n & (n - 1) == 0]  # of the powers of two
    every = ([1 << e for e in exponents if e % step == 0] for step in (1, 2, 4, 8))
    ticks = next((t for t in every if len(t) <= MAX_TICKS), None) or sizes[:1]
    return ticks, [f"{n >> 20}M" if n >= 2**20 else f"{n >> 10}k" if n >= 1024 else str(n) for n in ticks]
