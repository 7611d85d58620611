"""Costs and loops: flops corrected by trip counts (XLA's cost analysis counts a while loop's
body once; the report's `flops` multiplies each body by its trip count), XLA's own figures, the
memory XLA plans, and the loop vmap adds. Checked against our own cost_analysis and
memory_analysis, the trip counts XLA wrote into our own compiled HLO, our own jaxprs, and models
whose loop counts are known by construction (`models.py`)."""

from collections import Counter

import jax
import numpy as np
import pytest

from jaxbatch.models import CATALOG

from .claims import claim, fixture_ref
from .facts import BATCH, loop_equations, while_loops
from .models import STEPS, D, step_for, weights

FIXTURES = ("LAX_MAP", "NESTED", "RENAMED", "SWAPPED")
REFS = [*CATALOG, *(pytest.param(fixture_ref(a), id=a) for a in FIXTURES)]


def _keys(f):
    return ("manual", "vmap") if f.manual is not None else ("vmap",)


def _xla_flops(compiled):
    cost = compiled.cost_analysis()
    value = dict(cost[0] if isinstance(cost, (list, tuple)) else cost).get("flops")
    return float(value) if value is not None and value >= 0 else None  # XLA says -1 for "unknown"


@pytest.mark.parametrize("ref", REFS)
def test_flops_xla_is_xlas_own_count(ref, report, facts):
    r, f = report(ref, BATCH), facts(ref, BATCH)
    for key in _keys(f):
        mine = _xla_flops(f.compiled(key))
        shown = claim(r, "hlo", key, "flops_xla")
        assert shown == (None if mine is None else pytest.approx(mine, rel=1e-9)), key
        bytes_accessed = f.cost(key).get("bytes accessed")
        assert claim(r, "hlo", key, "bytes_xla") == (
            None if bytes_accessed is None or bytes_accessed < 0 else pytest.approx(bytes_accessed, rel=1e-9)), key


@pytest.mark.parametrize("ref", REFS)
def test_memory_is_what_xla_plans(ref, report, facts):
    r, f = report(ref, BATCH), facts(ref, BATCH)
    for key in _keys(f):
        stats = f.compiled(key).memory_analysis()
        shown = claim(r, "hlo", key, "memory")
        assert shown, key
        for name, value in shown.items():
            assert value == getattr(stats, f"{name}_size_in_bytes"), (key, name)


@pytest.mark.parametrize("ref", REFS)
def test_peak_memory_is_temporaries_arguments_and_outputs_less_aliased(ref, report, facts):
    """Issue 14: not XLA's `peak_memory_in_bytes`, which leaves the temporaries out."""
    r, f = report(ref, BATCH), facts(ref, BATCH)
    assert "loop" not in claim(r, "memory")  # eager, op by op: no one plan
    for key in _keys(f):
        stats = f.compiled(key).memory_analysis()
        peak = (stats.temp_size_in_bytes + stats.argument_size_in_bytes + stats.output_size_in_bytes
                - stats.alias_size_in_bytes)
        shown = claim(r, "memory", key)
        assert shown["peak_bytes"] == peak and shown["temp_bytes"] == stats.temp_size_in_bytes, key
        assert shown["alias_bytes"] == stats.alias_size_in_bytes, key
        assert shown["per_instance_bytes"] == pytest.approx(peak / BATCH), key


@pytest.mark.parametrize("ref", REFS)
def test_loops_are_the_while_loops_xla_compiled(ref, report, facts):
    r, f = report(ref, BATCH), facts(ref, BATCH)
    for key in _keys(f):
        mine = while_loops(f.compiled(key).as_text())
        shown = [loop["trip_count"] for loop in claim(r, "hlo", key, "loops")]
        order = lambda trips: sorted(trips, key=lambda t: (t is None, t or 0))  # noqa: E731
        assert order(shown) == order(mine), key


@pytest.mark.parametrize("ref", REFS)
def test_corrected_flops(ref, report, facts):
    """No loop: the corrected count is XLA's. A loop of unknown trip count: unknown. Known trip
    counts only ever add the trips XLA left out."""
    r, f = report(ref, BATCH), facts(ref, BATCH)
    for key in _keys(f):
        trips = while_loops(f.compiled(key).as_text())
        flops, raw = claim(r, "hlo", key, "flops"), _xla_flops(f.compiled(key))
        if not trips:
            assert flops == raw, key
            assert claim(r, "hlo", key, "bytes") == claim(r, "hlo", key, "bytes_xla"), key
        elif None in trips or raw is None:
            assert flops is None, (key, trips)
        else:
            assert flops >= raw, (key, trips, flops, raw)


def _one_instance_flops(fn, *args) -> float:
    return _xla_flops(jax.jit(fn).lower(*args).compile())


def test_lax_map_costs_batch_times_one_instance(report, facts):
    ref = fixture_ref("LAX_MAP")
    r, f = report(ref, BATCH), facts(ref, BATCH)
    one = _one_instance_flops(f.single, *f.one)
    assert while_loops(f.compiled("manual").as_text()) == [BATCH]  # the fact: one loop, a trip per instance
    assert [loop["trip_count"] for loop in claim(r, "hlo", "manual", "loops")] == [BATCH]
    assert claim(r, "hlo", "manual", "flops_xla") == pytest.approx(one, rel=0.05)  # XLA: the body once
    assert claim(r, "hlo", "manual", "flops") == pytest.approx(BATCH * one, rel=0.05)
    vmap = claim(r, "hlo", "vmap", "flops")
    assert claim(r, "hlo", "manual", "flops") == pytest.approx(vmap, rel=0.5)  # the same work, batched


def test_nested_loops_multiply(report, facts):
    """lax.map over instances of a 3-step fori_loop: 8 x 3 steps by hand, 3 batched steps by
    vmap. One step's cost comes from compiling one step alone."""
    ref = fixture_ref("NESTED")
    r, f = report(ref, BATCH), facts(ref, BATCH)
    step = step_for(weights(np.random.default_rng(0)))  # costs depend on shapes, not values
    h = jax.numpy.ones((D,), np.float32)
    one_step = _one_instance_flops(step, h)
    batched_step = _one_instance_flops(jax.vmap(step), jax.numpy.ones((BATCH, D), np.float32))
    assert sorted(while_loops(f.compiled("manual").as_text())) == sorted([BATCH, STEPS])
    assert claim(r, "hlo", "manual", "flops") == pytest.approx(BATCH * STEPS * one_step, rel=0.1)
    assert claim(r, "hlo", "vmap", "flops") == pytest.approx(STEPS * batched_step, rel=0.1)


@pytest.mark.parametrize("ref", REFS)
def test_the_loop_vmap_adds(ref, report, facts):
    """`vmap_loop`: a loop vmap's program holds and the one-instance program doesn't, found in
    the jaxprs (scan, while anywhere in the program) or else in the optimized HLO (while)."""
    r, f = report(ref, BATCH), facts(ref, BATCH)
    single, vmapped = loop_equations(jax.make_jaxpr(f.single)(*f.one)), loop_equations(f.jaxpr("vmap"))
    added = Counter(p for p, _ in vmapped) - Counter(p for p, _ in single)
    hlo_single = while_loops(jax.jit(f.single).lower(*f.one).compile().as_text())
    hlo_vmap = while_loops(f.compiled("vmap").as_text())
    shown = claim(r, "vmap_loop")
    if not added and len(hlo_vmap) <= len(hlo_single):
        assert shown is None, shown
        return
    assert shown is not None, (added, hlo_single, hlo_vmap)
    if added:
        assert shown["level"] == "jaxpr" and shown["where"] in added, (shown, added)
        lengths = [params.get("length") for p, params in vmapped if p == "scan"]
        if added == Counter({"scan": 1}) and not any(p == "scan" for p, _ in single):
            assert shown["steps"] == lengths[0], (shown, lengths)
    else:
        assert (shown["level"], shown["where"]) == ("hlo", "while"), shown
        extra = Counter(hlo_vmap) - Counter(hlo_single)
        if len(extra) == 1 and None not in extra:
            assert shown["steps"] == next(iter(extra)), (shown, extra)
