"""The chunk sweep: chunk sizes planned and measured within a time budget, peak memory as XLA
plans it, the best trade-off by its rule, and that rule's sentence seen whole at 80x24."""

import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from textual.app import App, ComposeResult

from jaxbatch.helper_job import CHUNK_SWEEP
from jaxbatch.lab.chunk_sweep import chunk_sweep, planned_ks
from jaxbatch.models import tanh_dense
from jaxbatch.presentation.chunk_sweep import best_text, chunk_sweep_lines
from jaxbatch.results.chunk_sweep_state import NEAR, Best, ChunkSweepState
from jaxbatch.results.report import Device
from jaxbatch.results.selection import Selection
from jaxbatch.widgets.chunk_sweep_view import ChunkSweepView
from jaxbatch.widgets.pane import shown_text
from jaxbatch.widgets.sweep_view import SafePlot

from clocks import ticking

CPU = Device("cpu", "cpu", 0)


def state(times, peaks, vmap=(1.0, 1000), stopped="done") -> ChunkSweepState:
    """Chunk sizes 1, 2, 4, … with these per-call times and peak bytes; vmap's (time, peak)."""
    ks = tuple(2**e for e in range(len(times)))
    return ChunkSweepState(2 ** len(times), ks, ks, tuple(times), tuple(None for _ in ks), tuple(peaks),
                           vmap[0], vmap[1], CPU, stopped)


def test_planned_chunk_sizes_are_powers_of_two_up_to_the_batch_and_the_batch():
    assert planned_ks(16) == (1, 2, 4, 8, 16)
    assert planned_ks(12) == (1, 2, 4, 8, 12)
    assert planned_ks(1) == (1,)


@pytest.fixture(scope="module")
def states():
    return list(chunk_sweep(Selection(batch_shape=(16,)), budget_s=1e9, clock=ticking()))


def test_the_sweep_yields_a_state_per_chunk_size_and_says_why_it_stopped(states):
    last = states[-1]
    assert [s.ks for s in states[:-1]] == [(1,), (1, 2), (1, 2, 4), (1, 2, 4, 8), (1, 2, 4, 8, 16)]
    assert last.ks == last.planned == (1, 2, 4, 8, 16) and last.batch == 16
    assert last.stopped == "done" and all(not s.stopped for s in states[:-1])
    assert all(t is not None and t > 0 for t in last.per_call_s) and last.vmap_s > 0
    assert all(q is not None and q[0] <= t <= q[1] for q, t in zip(last.quartiles_s, last.per_call_s))


def test_peak_bytes_per_chunk_size_are_xlas_plan_for_lax_map(states):
    model, _ = tanh_dense.build(np.random.default_rng(0))
    v = jnp.zeros((16, 3), jnp.float32)

    def peak(fn):
        m = jax.jit(fn).lower(v).compile().memory_analysis()
        return m.temp_size_in_bytes + m.argument_size_in_bytes + m.output_size_in_bytes - m.alias_size_in_bytes

    last = states[-1]
    assert last.peak_bytes == tuple(peak(lambda x, k=k: jax.lax.map(model, x, batch_size=k)) for k in last.ks)
    assert last.vmap_peak_bytes == peak(jax.vmap(model))


def test_the_state_crosses_a_process_boundary_as_json(states):
    last = states[-1]
    data = json.loads(json.dumps(last.to_json()))  # as the timing helper would send it
    assert ChunkSweepState.from_json(data) == last
    assert set(data) >= {"batch", "ks", "per_call_s", "quartiles_s", "peak_bytes", "vmap", "best", "stopped"}
    assert set(data["vmap"]) == {"per_call_s", "peak_bytes", "quartiles_s"} and last.vmap_quartiles_s is not None
    assert last.vmap_quartiles_s[0] <= last.vmap_s <= last.vmap_quartiles_s[1]
    before = {**data, "vmap": {k: v for k, v in data["vmap"].items() if k != "quartiles_s"}}  # saved before issue 22
    assert ChunkSweepState.from_json(before).vmap_quartiles_s is None
    assert data["best"] == dict(last.best().__dict__)
    assert state([1.0], [None]).to_json()["best"] is None


def test_no_new_chunk_size_starts_past_the_time_budget():
    states = list(chunk_sweep(Selection(batch_shape=(16,)), budget_s=0.01, clock=ticking()))
    assert states[-1].ks == (1,) and states[-1].planned == (1, 2, 4, 8, 16)
    assert states[-1].stopped == "time budget of 0.01 s spent"


def test_best_is_the_least_memory_within_near_of_the_fastest():
    # k=4 is 1.2x vmap (within NEAR) at a tenth of its memory; k=1 less memory but too slow
    s = state([3.0, 2.0, 1.2, 1.0], [50, 80, 100, 400])
    assert s.best() == Best(4, pytest.approx(1.2), pytest.approx(0.1))
    assert best_text(s) == "k=4: 1.2x vmap's time at 0.1x its memory."


def test_best_is_vmap_when_every_saving_is_too_slow_or_none_saves():
    too_slow = state([10.0, float(NEAR) * 1.01], [10, 20])
    assert too_slow.best() == Best(None, 1.0, 1.0) and too_slow.saves_memory
    assert best_text(too_slow) == ("vmap is the best trade-off: every chunk size that uses less memory takes "
                                   "more than 1.25x the fastest time.")
    none_saves = state([1.0, 1.0], [1000, 2000])  # equal time, equal memory at best: ties go to vmap
    assert none_saves.best() == Best(None, 1.0, 1.0) and not none_saves.saves_memory
    assert best_text(none_saves) == "vmap is the best trade-off: no chunk size uses less memory."


def test_a_faster_chunk_size_wins_with_more_memory_only_when_vmap_is_beyond_near():
    s = state([0.5, 0.6], [1200, 1500])  # vmap 2x the fastest: out
    assert s.best() == Best(1, 0.5, 1.2)
    assert best_text(s) == ("k=1: 0.5x vmap's time at 1.2x its memory; no chunk size within 1.25x the fastest time "
                            "uses less memory than vmap.")


def test_best_compares_times_and_peaks_as_printed():
    """1.2501 s reads 1.25 s: within 1.25x of 1 s. 1,234 B and 1,231 B both read 1.23 kB: a tie,
    which goes to the faster."""
    assert state([1.2501, 2.0], [10, 20], vmap=(1.0, 1000)).best().k == 1
    assert state([1.0, 1.01], [1234, 1231], vmap=(1.0, 5000)).best().k == 1


def test_no_best_until_vmap_and_a_chunk_size_are_measured():
    assert state([1.0], [100], vmap=(None, 1000)).best() is None
    assert state([None], [None]).best() is None
    assert best_text(state([None], [None])) == "No trade-off yet: it needs vmap and a chunk size measured."


def test_the_table_lists_each_chunk_size_over_vmap():
    lines = chunk_sweep_lines(state([2.0, 1.1], [25, 500], vmap=(1.0, 1000)))
    assert lines[1] == "Chunk sweep on cpu (cpu): chunked (lax.map, batch_size=k) on a batch of 4 instances (done)"
    assert lines[2].split() == ["k", "per", "call", "middle", "half", "x", "vmap", "peak", "memory", "x", "vmap"]
    assert lines[3].split() == ["1", "2", "s", "-", "2x", "25", "B", "0.025x"]
    assert lines[5].split() == ["vmap", "1", "s", "-", "1x", "1", "kB", "1x"]
    assert "at most 1.25x the fastest" in " ".join(lines[6:-1])
    assert lines[-1] == "  k=2: 1.1x vmap's time at 0.5x its memory."
    spread = ChunkSweepState(**{**state([2.0], [25]).__dict__, "quartiles_s": ((1.5, 2.5),),
                                "vmap_quartiles_s": (0.999, 1.1)})
    k_row, vmap_row = chunk_sweep_lines(spread)[3:5]
    assert k_row.split()[3] == "1.5–2.5" and vmap_row.split()[3:6] == ["999", "ms–1.1", "s"]


class Host(App):
    CSS = "ChunkSweepView { width: 78; height: 17; }"  # the pane's room in the app at 80x24

    def compose(self) -> ComposeResult:
        yield ChunkSweepView()


async def test_the_pane_shows_the_best_trade_off_whole_at_80x24():
    ks = 11
    s = ChunkSweepState(1024, tuple(2**e for e in range(ks)), tuple(2**e for e in range(ks)),
                        tuple(1e-3 / 2**e + 1e-5 for e in range(ks)), tuple(None for _ in range(ks)),
                        tuple(4096 * 2**e for e in range(ks)), 1.1e-5, 4 * 2**20, CPU, "done")
    best = s.best()
    assert best is not None and best.k is not None
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ChunkSweepView)
        view.chunk_sweep = s
        await pilot.pause()
        sentence = best_text(s)
        assert sentence in shown_text(view).replace("\n", " ")
        said = view.query_one(".conclusions")
        assert said.region.bottom <= view.region.bottom and said.region.height >= 1
        assert said.region.height * said.region.width >= len(sentence)
        assert view.query_one(".plots").region.height >= 6
        assert all("unavailable" not in str(plot.render()) for plot in view.query(SafePlot))
        assert view.copy_text()[1].startswith("Chunk sweep on cpu (cpu)")


async def test_shift_s_runs_the_chunk_sweep_in_pane_5_and_escape_cancels_only_while_it_runs():
    from textual.widgets import TabbedContent

    from app_helpers import make_test_app, settle

    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        kind, _, selection = app.helper.commands[-1]
        assert kind == "chunk_sweep" and selection == app.selection
        assert app.query_one(TabbedContent).active == "chunks"
        text = shown_text(app.query_one("#chunks-view", ChunkSweepView))
        assert best_text(app.chunk_sweep) in text and "batch 256" in text
        assert not app.job_running(CHUNK_SWEEP) and not app.check_action("cancel_chunk_sweep", ())
        app.chunk_sweep = None  # as while the first k is timed
        assert app.check_action("cancel_chunk_sweep", ())
        await pilot.press("escape")
        assert app.helper.commands[-1] == ("stop",) and "cancelled" in shown_text(app.query_one("#chunks-view"))


def test_report_chunk_sweep_json_and_text(capsys):
    from jaxbatch.cli import main

    args = ["report", "--batch", "8", "--no-timings", "--chunk-sweep", "--sweep-budget", "5", "--chunk", "4"]
    assert main([*args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["chunk"] == 4 and data["strategies"]["chunked"]["label"] == "chunked k=4"
    sweep = data["chunk_sweep"]
    assert sweep["batch"] == 8 and sweep["ks"] == [1, 2, 4, 8][:len(sweep["ks"])] and sweep["stopped"]
    assert sweep["best_text"] and len(sweep["peak_bytes"]) == len(sweep["ks"])
    assert main(args) == 0
    assert "Chunk sweep on cpu" in capsys.readouterr().out


def test_a_chunk_size_past_free_memory_keeps_its_peak_and_is_not_run(monkeypatch):
    from jaxbatch.lab import memory

    # room for at-set-large's inputs (checked before they are drawn), none for a batch x N buffer
    monkeypatch.setattr(memory, "available_bytes", lambda device: 1000)
    last = list(chunk_sweep(Selection("at-set-large", (4,)), clock=ticking(1e-3)))[-1]
    assert last.ks == (1, 2, 4) and last.per_call_s == (None, None, None) and last.vmap_s is None
    assert all(p and p > 1000 for p in last.peak_bytes) and last.vmap_peak_bytes > 1000


async def test_before_a_chunk_sweep_pane_5_says_which_key_runs_one():
    from app_helpers import make_test_app, settle

    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        assert shown_text(app.query_one(ChunkSweepView)).startswith("Press S to time lax.map at chunk sizes")


def test_the_x_axis_ticks_a_short_sweep_at_every_power_of_two_and_a_long_one_sparsely():
    from jaxbatch.widgets.sweep_view import MAX_TICKS, size_ticks

    assert size_ticks(list(planned_ks(5))) == ([1, 2, 4], ["1", "2", "4"])  # was 1 alone
    assert size_ticks(list(planned_ks(64)))[0] == [1, 4, 16, 64]
    ticks, labels = size_ticks([2**e for e in range(21)])
    assert labels == ["1", "16", "256", "4k", "64k", "1M"] and len(ticks) <= MAX_TICKS
    assert size_ticks([3]) == ([3], ["3"])  # no power of two: the one size there is
