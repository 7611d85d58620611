"""One pane at a time, pinned as SVG snapshots, fed scripted results (tests/scripted.py):
nothing here runs JAX, so a snapshot moves when its pane changes and not when JAX's output
does. `test_snapshots.py` keeps a few whole-app snapshots beside these.

Deterministic by construction: literal results and timings (no clock), fixed sizes, the
pane's own workers waited for, and no animation (the sweep's progress bar is hidden once a
sweep has stopped). Review `snapshot_report.html` before `pytest --snapshot-update`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from textual.app import App, ComposeResult
from textual.widget import Widget

import jaxbatch.app
from jaxbatch.results.report import ErrorInfo, NonFinite
from jaxbatch.widgets.outputs_view import OutputsView
from jaxbatch.widgets.programs_view import ProgramsView
from jaxbatch.widgets.sweep_view import SweepView
from jaxbatch.widgets.timings_view import TimingsView

import scripted
from scripted import live, report, strategy, sweep, timing_of, within, wrong

WIDE = (160, 30)


class PaneApp(App):
    """One pane and nothing else, styled by the app's own stylesheet."""

    CSS_PATH = Path(jaxbatch.app.__file__).with_name("app.tcss")

    def __init__(self, pane: Widget) -> None:
        super().__init__()
        self.pane = pane

    def compose(self) -> ComposeResult:
        yield self.pane


def shown(pane: Widget, feed: Callable[[Widget], None], *then: Callable[[Widget], None]):
    """The app, and a `run_before` that feeds the pane, then does each of `then` (a level,
    a pair), each time letting the pane's workers (its alignments) finish and repaint."""
    async def run_before(pilot) -> None:
        await pilot.pause()  # laid out first, as in the app: the timings table fits its width then
        for step in (feed, *then):
            step(pane)
            await pilot.pause()
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
        pane.focus()
        await pilot.pause()

    return PaneApp(pane), run_before


def given(**state):
    """A step that sets the pane's reactive state, as the app's bindings would."""
    def feed(pane: Widget) -> None:
        for name, value in state.items():
            setattr(pane, name, value)

    return feed


def snap(snap_compare, pane, feed, *then, size=(80, 24), press=()):
    app, run_before = shown(pane, feed, *then)
    return snap_compare(app, terminal_size=size, run_before=run_before, press=press)


class TestOutputs:
    def test_agrees_exactly(self, snap_compare):
        """Every strategy and the batch call agree exactly: ✓ and no figures."""
        assert snap(snap_compare, OutputsView(), given(report=report()))

    def test_agrees_within_tolerance(self, snap_compare):
        """vmap agrees within float32 tolerance: the figures behind it are on the line below."""
        r = report({k: strategy(k, within() if k == "vmap" else None) for k in scripted.LABELS})
        assert snap(snap_compare, OutputsView(), given(report=r))

    def test_wrong_on_the_batch(self, snap_compare):
        """The model runs on the whole batch without error, and the pane says it is WRONG."""
        ran = "[ 0.3628037  0.47015858  1.8918197   0.21948916  1.0849661 ]"
        assert snap(snap_compare, OutputsView(), given(report=report(single=scripted.on_batch(wrong(), text=ran))))

    def test_on_batch_raises(self, snap_compare):
        error = ErrorInfo("TypeError", "dot_general requires contracting dimensions to have the same shape, "
                                       "got (3,) and (5,).")
        assert snap(snap_compare, OutputsView(), given(report=report(single=scripted.on_batch(error=error))))

    def test_nan_warning(self, snap_compare):
        r = report(warnings=[NonFinite("loop", "loop", 2, 0)])
        assert snap(snap_compare, OutputsView(), given(report=r))

    def test_vmap_loop_headline(self, snap_compare):
        """A loop vmap adds is vmap's headline, above its title."""
        assert snap(snap_compare, OutputsView(), given(report=report(vmap_loop=scripted.vmap_loop(5))))

    def test_verdicts_at_a_wide_size(self, snap_compare):
        """einsum WRONG, vmap within tolerance and a loop: wide enough that nothing wraps."""
        r = report({k: strategy(k, wrong() if k == "manual" else within() if k == "vmap" else None)
                    for k in scripted.LABELS}, vmap_loop=scripted.vmap_loop(5))
        assert snap(snap_compare, OutputsView(), given(report=r), size=WIDE)


# einsum transposes where vmap broadcasts: one row only on each side, the rest matched.
GAPPED = {
    "manual": [*scripted.MANUAL_EQNS[:1],
               scripted.eqn("g:f32[2,5] = transpose[permutation=(1, 0)] c", "transpose", ["f32[5,2]"],
                            ["f32[2,5]"], ("eq0.0",), permutation="(1, 0)"),
               *scripted.MANUAL_EQNS[1:]],
    "vmap": [*scripted.VMAP_EQNS[:1],
             scripted.eqn("g:f32[2,5] = broadcast_in_dim[shape=(2, 5)] 1.0:f32[]", "broadcast_in_dim",
                          ["1.0:f32[]"], ["f32[2,5]"], ("lit",), shape="(2, 5)"),
             *scripted.VMAP_EQNS[1:]],
}


def gapped():
    return report({k: strategy(k, eqns=GAPPED.get(k, [])) for k in scripted.LABELS})


class TestPrograms:
    def test_jaxpr_rows(self, snap_compare):
        """The seed's jaxprs: every row ≠, what differs marked."""
        assert snap(snap_compare, ProgramsView(), given(report=report()))

    def test_jaxpr_rows_with_gaps(self, snap_compare):
        """A row only on each side (<, >) among the ≠ rows."""
        assert snap(snap_compare, ProgramsView(), given(report=gapped()))

    def test_jaxpr_rows_with_gaps_wide(self, snap_compare):
        """Wide enough for whole lines on both sides."""
        assert snap(snap_compare, ProgramsView(), given(report=gapped()), size=WIDE)

    def test_cursor_after_n(self, snap_compare):
        """`n` twice: the cursor (▸) on the second stop, the row only on the left."""
        assert snap(snap_compare, ProgramsView(), given(report=gapped()), press=["n", "n"])

    def test_stablehlo(self, snap_compare):
        """The StableHLO level: the summary of both programs above their aligned lines."""
        assert snap(snap_compare, ProgramsView(), given(report=report()), given(level="stablehlo"),
                    size=WIDE)

    def test_vmap_loop_headline(self, snap_compare):
        assert snap(snap_compare, ProgramsView(), given(report=report(vmap_loop=scripted.vmap_loop(5))))


class TestTimings:
    def test_flags(self, snap_compare):
        """The loop ~est. (scaled from a sample), vmap ≈floor (within 2x the dispatch floor)."""
        assert snap(snap_compare, TimingsView(), given(live=live()))

    def test_measuring_wide(self, snap_compare):
        """Still measuring, both flags on one row; wide, so the bars are at their full 30 cells."""
        values = {"loop": timing_of(0.155, None, estimated=True), "manual": timing_of(171e-6),
                  "vmap": timing_of(9e-6, estimated=True)}
        assert snap(snap_compare, TimingsView(), given(live=live(values, state="measuring", rounds=12)), size=WIDE)


class TestSweep:
    def test_crossovers(self, snap_compare):
        """vmap pulls ahead of einsum from a batch size on; both always beat the loop."""
        sizes = range(9)
        state = sweep({"loop": tuple(4e-5 for _ in sizes),
                       "manual": tuple(2e-6 / 2**k + 4e-8 for k in sizes),
                       "vmap": tuple(2e-6 / 2**k + (4e-8 if k < 5 else 1e-8) for k in sizes)})
        assert snap(snap_compare, SweepView(), given(sweep=state))

    def test_within_noise_wide(self, snap_compare):
        """einsum ahead of vmap up to a size then even, and einsum against the loop even throughout."""
        sizes = range(9)
        state = sweep({"loop": tuple(3e-7 for _ in sizes),
                       "manual": tuple(3e-7 if k > 3 else 1e-7 for k in sizes),
                       "vmap": tuple(3e-7 for _ in sizes)}, floor_s=1e-9)
        assert snap(snap_compare, SweepView(), given(sweep=state), size=WIDE)
