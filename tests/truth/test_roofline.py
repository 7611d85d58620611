"""Flops against `jax.experimental.roofline`, JAX's own jaxpr-level count, where it applies: on
loop-free programs made of dots and convolutions its rules and XLA's count the same work, so the
report must give exactly roofline's figure. Roofline counts a loop body once, as XLA's raw
figure does; for `lax.map` of one instance the report's corrected count must instead be the
batch times roofline's count for one instance, plus only the loop's own counter arithmetic."""

import logging

import pytest

from .claims import claim, fixture_ref
from .facts import BATCH

roofline = pytest.importorskip("jax.experimental.roofline")

# Built-in models whose programs are dots, convolutions, adds and selects: no transcendental or
# control flow, where roofline's per-primitive rules differ from XLA's by design.
DOT_MODELS = ("tanh-dense", "mlp", "conv-batched-kernel", "index-update")


def roofline_flops(fn, *args) -> float:
    logging.getLogger("jax").setLevel(logging.ERROR)  # it warns about primitives it has no rule for
    _, result = roofline.roofline(fn)(*args)
    return float(result.unfused_flops)


@pytest.mark.parametrize("name", DOT_MODELS)
def test_loop_free_flops_are_roofline_s(name, report, facts):
    r, f = report(name, BATCH), facts(name, BATCH)
    for key in ("manual", "vmap"):
        assert claim(r, "hlo", key, "loops") == [], key
        assert claim(r, "hlo", key, "flops") == roofline_flops(f.fn(key), *f.batch), key


def test_lax_map_flops_are_the_batch_times_one_instance_by_roofline(report, facts):
    ref = fixture_ref("LAX_MAP")
    r, f = report(ref, BATCH), facts(ref, BATCH)
    one = roofline_flops(f.single, *f.one)
    assert roofline_flops(f.fn("vmap"), *f.batch) == claim(r, "hlo", "vmap", "flops") == BATCH * one
    body_once = roofline_flops(f.fn("manual"), *f.batch)
    assert body_once == one  # roofline, like XLA's raw figure, counts the loop body once
    counter = 2 * BATCH + 1  # an add per step and a compare per test of the loop condition
    assert BATCH * one <= claim(r, "hlo", "manual", "flops") <= BATCH * one + counter
