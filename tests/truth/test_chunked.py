"""The chunked strategy is `jax.lax.map(model, xs, batch_size=k)`: its outputs, its jaxpr and
the remainder step it has where k doesn't divide the batch, against lax.map called here."""

import jax
import numpy as np
import pytest

from jaxbatch.models import CATALOG

from .claims import claim
from .facts import agreement, listed_primitives, loop_equations, model_definition, pairs, tree_pairs

BATCH = 8


def my_chunked(single, in_axes, k):
    """lax.map over the batched arguments, the shared ones closed over."""

    def run(*args):
        xs = tuple(a for a, axis in zip(args, in_axes) if axis == 0)

        def one(parts):
            rest = iter(parts)
            return single(*[next(rest) if axis == 0 else a for a, axis in zip(args, in_axes)])

        return jax.lax.map(one, xs, batch_size=k)

    return run


@pytest.fixture(scope="module")
def chunked_report():
    from jaxbatch.media.json_report import report_json
    from jaxbatch.results.selection import Selection

    from reports import analyze

    cache = {}

    def get(name, k):
        if (name, k) not in cache:
            cache[name, k] = report_json(analyze(Selection(name, (BATCH,), "cpu", chunk=k)))
        return cache[name, k]

    return get


def _mine(name, k):
    from .facts import inputs

    model = model_definition(name)
    single, _ = model.build(np.random.default_rng(model.seed))
    _, batch = inputs(name, BATCH)
    return my_chunked(single, tuple(model.in_axes), k), batch


@pytest.mark.parametrize("name", ["tanh-dense", "index-update", "pytree-io", "while-loop"])
@pytest.mark.parametrize("k", [3, 8, 64])
def test_chunked_is_lax_map_with_batch_size(name, k, chunked_report):
    r = chunked_report(name, k)
    fn, batch = _mine(name, k)
    closed = jax.make_jaxpr(fn)(*batch)
    assert claim(r, "chunk") == k
    assert claim(r, "jaxpr", "chunked") == closed.pretty_print(use_color=False)
    assert claim(r, "primitives", "chunked") == listed_primitives(closed)
    mine = jax.tree_util.tree_map(np.asarray, jax.jit(fn)(*batch))
    assert agreement(pairs(claim(r, "strategies", "chunked", "output"), mine)).agrees
    assert claim(r, "strategies", "chunked", "agreement", "agrees") is True


@pytest.mark.parametrize("k, steps, remainder", [(3, 2, True), (4, 2, False), (8, 1, False), (64, None, False)])
def test_the_remainder_step_shows_in_the_program(k, steps, remainder, chunked_report):
    """8 instances: k=3 is a scan of 2 steps and a remainder of 2 (a second copy of the body,
    then a concatenate); k=4 two steps, no remainder; k=8 a scan of one step; k > 8 one vmap,
    no loop at all."""
    r = chunked_report("tanh-dense", k)
    fn, batch = _mine("tanh-dense", k)
    closed = jax.make_jaxpr(fn)(*batch)
    scans = [params["length"] for name, params in loop_equations(closed) if name == "scan"]
    assert scans == ([] if steps is None else [steps])
    assert ("concatenate" in listed_primitives(closed)) is remainder
    shown = claim(r, "primitives", "chunked")
    assert ("scan" in shown) is (steps is not None) and ("concatenate" in shown) is remainder


@pytest.mark.parametrize("name", list(CATALOG))
def test_chunked_agrees_with_the_loop_exactly_when_lax_map_does(name, report, facts):
    """Not always: rbg-keys' chunks, like vmap, draw from the first key of each chunk."""
    f = facts(name, BATCH)
    fn, batch = _mine(name, 64)
    mine = agreement(tree_pairs(jax.tree_util.tree_map(np.asarray, jax.jit(fn)(*batch)), f.loop)).agrees
    assert claim(report(name, BATCH), "strategies", "chunked", "agreement", "agrees") is mine


def test_a_two_dimensional_batch_is_chunked_over_the_flattened_batch():
    """A (2, 4) batch is 8 instances: k=3 makes a scan of 2 steps over the flat batch and a
    remainder of 2, and the output comes back in the (2, 4) shape, equal to lax.map's here."""
    from jaxbatch.lab.workload import prepare
    from jaxbatch.media.json_report import report_json
    from jaxbatch.results.selection import Selection

    from reports import analyze

    r = report_json(analyze(Selection("tanh-dense", (2, 4), "cpu", chunk=3)))
    w = prepare(Selection("tanh-dense", (2, 4), "cpu"))
    flat = tuple(a.reshape((8,) + a.shape[2:]) if ax == 0 else a for a, ax in zip(w.batch, w.model.in_axes))
    closed = jax.make_jaxpr(my_chunked(w.single, tuple(w.model.in_axes), 3))(*flat)
    assert [p["length"] for name, p in loop_equations(closed) if name == "scan"] == [2]
    mine = np.asarray(jax.jit(my_chunked(w.single, tuple(w.model.in_axes), 3))(*flat)).reshape(2, 4)
    shown = np.asarray(claim(r, "strategies", "chunked", "output"), dtype=np.float32)
    assert shown.shape == (2, 4) and agreement(tree_pairs(shown, mine)).agrees
    assert claim(r, "strategies", "chunked", "agreement", "agrees") is True
    assert {"reshape", "scan", "concatenate"} <= set(claim(r, "primitives", "chunked"))
