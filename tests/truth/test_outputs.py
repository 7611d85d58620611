"""Outputs agree: each strategy's output, its difference from the loop and the verdict on it,
against our own loop (jax.jit(single) per instance) and our own jit(vmap) and jit(manual)."""

import math

import jax
import numpy as np
import pytest

from jaxbatch.models import CATALOG

from .claims import claim
from .facts import BATCH, agreement, pairs, tolerance

MODELS = list(CATALOG)

# |diff| / (tol + tol |loop|) of the worst element: below SURE_AGREES the output agrees whatever
# the app's rounding judgement; above SURE_WRONG no rounding explains it. In between the app may
# weigh it against a float64 reference, so we leave the verdict to it.
SURE_AGREES, SURE_WRONG = 0.5, 100.0


def _number(x):
    return math.inf if x == "Infinity" else x


def _expected_agrees(margin: float):
    if margin <= SURE_AGREES:
        return True
    if margin >= SURE_WRONG:
        return False
    pytest.skip(f"the worst element is {margin:.3g} x the tolerance: rounding or not is the app's float64 call")


@pytest.mark.parametrize("name", MODELS)
def test_one_instance_is_the_model_on_one_instance(name, report, facts):
    r, f = report(name, BATCH), facts(name, BATCH)
    mine = agreement(pairs(claim(r, "single", "output"), f.single_output))
    assert mine.comparable and mine.agrees, mine


@pytest.mark.parametrize("name", MODELS)
def test_the_loop_is_a_python_loop_over_the_instances(name, report, facts):
    r, f = report(name, BATCH), facts(name, BATCH)
    mine = agreement(pairs(claim(r, "strategies", "loop", "output"), f.loop))
    assert mine.comparable and mine.agrees, mine


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("key", ["manual", "vmap"])
def test_the_output_shown_is_what_that_program_computes(name, key, report, facts):
    r, f = report(name, BATCH), facts(name, BATCH)
    if key == "manual" and f.manual is None:
        assert key not in claim(r, "strategies")
        return
    shown = claim(r, "strategies", key)
    try:
        mine = f.output(key)
    except Exception as exc:  # a strategy that fails here must fail in the report too
        assert "error" in shown and shown["error"]["type"] == type(exc).__name__, (shown.get("error"), exc)
        return
    for theirs, ours in pairs(claim(shown, "output"), mine):
        assert theirs is not None and theirs.shape == ours.shape
        np.testing.assert_array_equal(theirs, ours)


def _strategies(name):
    keys = ["manual", "vmap", "sharded", "shard_map"]
    return [pytest.param(name, k, id=f"{name}-{k}") for k in keys]


@pytest.mark.parametrize("name, key", [p for name in MODELS for p in _strategies(name)])
def test_agrees_and_max_abs_diff_against_my_loop(name, key, report, facts):
    r, f = report(name, BATCH), facts(name, BATCH)
    shown = claim(r, "strategies").get(key)
    if shown is None:
        if key == "manual":
            assert f.manual is None, "a model with a hand version must show it"
        else:  # the sharded strategies run at batch sizes that divide over the 4 devices
            assert len(jax.devices("cpu")) == 1 or BATCH % len(jax.devices("cpu")), f"{key} is missing"
        return
    if "error" in shown:
        pytest.skip(f"{key} raised {shown['error']['type']}: no output to check")
    mine = agreement(pairs(claim(shown, "output"), f.loop))
    gap = agreement(pairs(claim(r, "strategies", "loop", "output"), f.loop))  # the app's eager loop vs mine
    assert claim(shown, "agrees") is _expected_agrees(mine.margin), mine
    if not mine.comparable:
        assert claim(shown, "max_abs_diff") is None
        return
    # |d(s, their loop) - d(s, my loop)| <= d(their loop, my loop): the triangle inequality
    assert abs(claim(shown, "max_abs_diff") - mine.max_abs) <= gap.max_abs + 1e-12 * (1 + mine.max_abs), (
        claim(shown, "max_abs_diff"), mine, gap)


def _tolerances(tol) -> list[float]:
    """Every float tolerance the report gives: a number, or {dtype: {rtol, atol}} / {dtype: t}."""
    if isinstance(tol, (int, float)):
        return [float(tol)]
    assert isinstance(tol, dict), tol
    found = []
    for dtype, value in tol.items():
        if np.dtype(dtype).kind not in "fc":
            assert value in (0, 0.0, {"rtol": 0.0, "atol": 0.0}), (dtype, value)
            continue
        found += list(value.values()) if isinstance(value, dict) else [value]
    return found


@pytest.mark.parametrize("name, key", [p for name in MODELS for p in _strategies(name)])
def test_agreement_figures(name, key, report, facts):
    """strategies.<s>.agreement: max_abs, max_rel, max_ulp recomputed here from the report's own
    outputs (whose values the tests above check against my loop), then bounded against my loop."""
    r, f = report(name, BATCH), facts(name, BATCH)
    shown = claim(r, "strategies").get(key)
    if shown is None or "error" in shown:
        pytest.skip(f"no {key} output")
    figures = claim(shown, "agreement")
    loop_json = claim(r, "strategies", "loop", "output")
    their_loop = [theirs for theirs, _ in pairs(loop_json, f.loop)]
    mine = agreement(pairs(claim(shown, "output"), f.loop))
    if not mine.comparable:
        assert figures["max_abs"] is None and figures["agrees"] is False, figures
        return
    # The same arithmetic on the report's own numbers: must match to rounding of the figures.
    theirs = agreement([(a, b) for (a, _), b in zip(pairs(claim(shown, "output"), f.loop), their_loop)])
    assert _number(figures["max_abs"]) == pytest.approx(theirs.max_abs, rel=1e-9, abs=0)
    assert _number(figures["max_rel"]) == pytest.approx(theirs.max_rel, rel=1e-9, abs=0)
    assert _number(figures["max_ulp"]) == pytest.approx(theirs.max_ulp, rel=1e-9, abs=0)
    # Against my loop: ULP and |diff| are distances, so the triangle inequality bounds them.
    gap = agreement(pairs(loop_json, f.loop))
    assert abs(_number(figures["max_abs"]) - mine.max_abs) <= gap.max_abs + 1e-12 * (1 + mine.max_abs)
    assert abs(_number(figures["max_ulp"]) - mine.max_ulp) <= gap.max_ulp
    floats = {leaf.dtype for _, leaf in pairs(loop_json, f.loop) if leaf.dtype.kind == "f"}
    for t in _tolerances(figures["tolerance"]):
        assert any(t == pytest.approx(tolerance(d)) for d in floats), (figures["tolerance"], floats)
    assert figures["agrees"] is _expected_agrees(mine.margin), (figures, mine)
    assert figures["agrees"] is shown["agrees"]


def test_at_the_default_batch_of_5(report, facts):
    """The seed's own selection: tanh-dense at batch 5, which 4 devices can't split evenly."""
    r, f = report("tanh-dense", 5), facts("tanh-dense", 5)
    assert agreement(pairs(claim(r, "single", "output"), f.single_output)).agrees
    devices = len(jax.devices("cpu"))
    assert ("sharded" in claim(r, "strategies")) is (devices > 1 and 5 % devices == 0)
    for key, shown in claim(r, "strategies").items():
        mine = agreement(pairs(claim(shown, "output"), f.loop))
        assert mine.agrees and claim(shown, "agrees") is True, key
