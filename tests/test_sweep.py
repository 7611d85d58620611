"""The sweep: bounded by memory and time, and crossovers that are not noise."""

import pytest

from jaxbatch.lab.selection import Selection
from jaxbatch.lab.sweep import sweep
from jaxbatch.lab.sweep_state import SweepState

from app_helpers import scripted_sweep

CPU = {"platform": "cpu", "kind": "cpu", "id": 0}
LABELS = {"manual": "einsum", "vmap": "vmap"}


def state(manual, vmap, floor=1e-9):
    sizes = tuple(2**k for k in range(len(manual)))
    return SweepState(LABELS, sizes, sizes, {"manual": tuple(manual), "vmap": tuple(vmap)},
                      tuple(floor for _ in sizes), CPU, "done")


def test_crossovers_name_where_one_pulls_ahead_and_ignore_noise():
    assert state([1, 1, 1, 1], [1.05, 0.95, 0.5, 0.5]).crossovers() == ["vmap pulls ahead of einsum from batch 4"]
    assert state([1, 1, 1], [2, 2, 0.5]).crossovers() == ["vmap pulls ahead of einsum from batch 4"]
    assert state([1, 1], [1.02, 0.98]).crossovers() == ["vmap and einsum are even at every size"]
    assert state([1, 1], [3, 3]).crossovers() == ["einsum is faster than vmap at every size"]


def test_dispatch_bound_sizes_are_even_whatever_the_ratio():
    # per call = per instance x batch: 1e-6 x 1 is within 2x of a 1 µs floor for both
    assert state([1e-6], [0.6e-6], floor=1e-6).crossovers() == ["vmap and einsum are even at every size"]


def test_json_round_trip_keeps_the_ratio_and_crossovers():
    s = scripted_sweep()
    data = s.to_json()
    assert SweepState.from_json(data) == s
    assert data["ratio_vmap_to_manual"][-1] == pytest.approx(s.per_instance_s["vmap"][-1] / s.per_instance_s["manual"][-1])
    assert data["crossovers"] == s.crossovers()


def test_sweep_is_bounded_by_the_memory_budget():
    ticks = iter(range(10**9))  # a fake clock: every reading 50 ms later
    states = list(sweep(Selection(), budget_s=1e9, memory_bytes=20 * 8, clock=lambda: next(ticks) * 0.05))
    last = states[-1]
    # one instance of tanh-dense: 3 floats in, 1 out = 16 bytes, so 8 instances fit in 160
    assert last.planned == (1, 2, 4, 8) and last.sizes == last.planned
    assert "memory budget" in last.stopped and all(not s.stopped for s in states[:-1])
    assert set(last.per_instance_s) == {"loop", "manual", "vmap"}


def test_sweep_starts_no_new_size_past_its_time_budget():
    ticks = iter(range(10**9))
    states = list(sweep(Selection(), budget_s=0.01, clock=lambda: next(ticks) * 0.05))
    assert states[-1].sizes == (1,) and "time budget" in states[-1].stopped
