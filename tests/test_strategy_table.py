"""One table of strategies (results.strategy_table): every list of strategies derives from it, so a
strategy added there, with its implementation, shows in every pane and medium."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import jax
import pytest
from rich.console import Console
from textual.app import App, ComposeResult

from jaxbatch.lab import analysis, live, sharding, strategies, sweep
from jaxbatch.lab.memory import bytes_per_instance
from jaxbatch.lab.workload import prepare
from jaxbatch.media.html_report import report_html
from jaxbatch.media.json_report import report_json
from jaxbatch.media.rich_render import Result
from jaxbatch.media.text import render
from jaxbatch.presentation.sweep import sweep_lines
from jaxbatch.results import strategy_table
from jaxbatch.results.selection import Selection
from jaxbatch.results.strategy_table import Pair, StrategySpec
from jaxbatch.widgets.outputs_view import OutputsView
from jaxbatch.widgets.pane import shown_text
from jaxbatch.widgets.programs_view import ProgramsView, available_pairs
from jaxbatch.widgets.sweep_view import SweepView
from jaxbatch.widgets.timings_view import TimingsView

from clocks import ticking

DOUBLE = StrategySpec("double_vmap", "vmap of vmap over a split batch", "double vmap", "accent", batched=True,
                      pairs=(Pair("vmap", 7),))


def double_vmap(w):
    """vmap of vmap: the batch split in two (where it divides) and vmapped twice, then joined."""
    n = w.instances
    outer = 2 if n % 2 == 0 else 1
    axes = w.model.in_axes
    inner = strategies.vmapped(w.single, axes, (outer, n // outer))

    def halves(x):
        return x.reshape((outer, n // outer) + x.shape[1:])

    def run(*args):
        split = [a if axis is None else jax.tree_util.tree_map(halves, a) for a, axis in zip(args, axes)]
        return jax.tree_util.tree_map(lambda y: y.reshape((n,) + y.shape[2:]), inner(*split))

    return run


@pytest.fixture
def with_double_vmap(monkeypatch):
    """A strategy the app never had: one table entry and its implementation, nothing else."""
    monkeypatch.setattr(strategy_table, "TABLE", (*strategy_table.TABLE, DOUBLE))
    monkeypatch.setitem(strategies.BUILDERS, "double_vmap", double_vmap)


def test_the_table_imports_neither_jax_nor_a_ui():
    code = "import sys, jaxbatch.results.strategy_table; print(' '.join(sys.modules))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(run.stdout.split())
    assert "jaxbatch.results.strategy_table" in loaded
    assert not {m for m in loaded if m.split(".")[0] in ("jax", "jaxlib", "textual", "rich")}


def test_the_table_gives_every_list_in_the_order_it_had():
    assert strategy_table.keys() == ("loop", "manual", "vmap", "chunked", "sharded", "shard_map")
    assert strategy_table.program_pairs() == (("manual", "vmap"), ("loop", "vmap"), ("loop", "manual"),
                                              ("vmap", "chunked"), ("vmap", "sharded"), ("vmap", "shard_map"),
                                              ("sharded", "shard_map"))
    assert strategy_table.sweep_pairs() == (("vmap", "manual"), ("vmap", "loop"), ("manual", "loop"),
                                            ("chunked", "vmap"))
    assert strategy_table.batched() == ("manual", "vmap", "chunked")
    assert strategy_table.per_device() == {"sharded", "shard_map"}
    assert strategy_table.labels(16, "einsum") == {"loop": "loop", "manual": "einsum", "vmap": "vmap",
                                                   "chunked": "chunked k=16", "sharded": "sharded",
                                                   "shard_map": "shard_map"}
    assert strategy_table.scaled() == ("sharded", "vmap")
    assert strategy_table.partners("manual") == ("vmap", "loop")


def test_every_strategy_in_the_table_has_its_implementation_and_no_other_has_one():
    one_device = {s.key for s in strategy_table.TABLE if s.one_device} - {"loop"}  # the loop is the reference
    assert set(strategies.BUILDERS) == one_device and set(sharding.SPREADS) == strategy_table.per_device()


class Panes(App):
    """The four panes that list strategies, side by side in one app."""

    def compose(self) -> ComposeResult:
        yield OutputsView()
        yield ProgramsView()
        yield TimingsView()
        yield SweepView()


async def test_a_strategy_added_to_the_table_shows_in_every_pane_and_medium(with_double_vmap):
    selection = Selection("tanh-dense", (4,))
    report = analysis.analyze(selection, timer=ticking(), rounds=2, roof=False)

    s = report.strategies["double_vmap"]
    assert list(report.strategies) == ["loop", "manual", "vmap", "chunked", "sharded", "shard_map", "double_vmap"]
    assert s.label == "double vmap" and s.agrees and s.jaxpr and s.hlo is not None
    assert "double_vmap" in report.fits and s.roofline_peak_bytes is not None  # batched: its memory is planned
    assert math.isfinite(report.timings["double_vmap"].median_s)
    for level in ("jaxpr", "stablehlo", "hlo"):  # compared with vmap at every level, last in the cycle
        assert available_pairs(report, level)[-1] == ("vmap", "double_vmap")

    # the text report, the HTML, Rich and the JSON
    text = render(report)
    assert "Jaxpr: double vmap" in text and "\n  double vmap" in text
    html = report_html(report)
    assert 'double vmap</b> <span class="muted">vmap of vmap over a split batch</span>' in html
    console = Console(record=True, width=120, color_system=None)
    console.print(Result.of(report))
    assert "Jaxpr: double vmap" in console.export_text()
    data = json.loads(json.dumps(report_json(report), allow_nan=False))
    assert data["strategies"]["double_vmap"]["label"] == "double vmap" and data["strategies"]["double_vmap"]["agrees"]
    assert "double_vmap" in data["timings"] and data["memory"]["double_vmap"]["per_device"] is False

    # what the timing helper sends, and the sweep: a series of its own (two sizes, so it is plotted)
    w = prepare(selection)
    with jax.default_device(w.device):
        bench = live.Bench(w, live.subjects(w, live.compile_strategies(w, ticking())), ticking(), 0.01)
        bench.round()
    timings = bench.snapshot("measuring")
    two_sizes = 2 * bytes_per_instance(w.single, w.one, w.model.in_axes)
    swept = list(sweep.sweep(selection, budget_s=1e9, memory_bytes=two_sizes, clock=ticking()))[-1]
    assert swept.sizes == (1, 2) and None not in swept.per_instance_s["double_vmap"]
    assert any("double vmap" in line for line in sweep_lines(swept))

    async with Panes().run_test(size=(200, 60)) as pilot:
        outputs, programs, timings_pane, sweep_pane = (pilot.app.query_one(t) for t in
                                                        (OutputsView, ProgramsView, TimingsView, SweepView))
        outputs.report = programs.report = timings_pane.report = report
        timings_pane.live, sweep_pane.sweep = timings, swept
        await pilot.pause()
        programs.pair = ("vmap", "double_vmap")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert "double vmap  vmap of vmap over a split batch" in shown_text(outputs)
        assert "double vmap  vmap of vmap over a split batch" in shown_text(programs)
        assert any(line.startswith("double vmap") for line in shown_text(timings_pane).splitlines())
        assert "⣿⣿ double vmap" in shown_text(sweep_pane)
        assert ("⣿⣿ double vmap", "accent") in sweep_pane.legend(swept)  # in its colour, as its curve
