"""The loop, the reference: the model called on jax.Array instances (what vmap sees), its
outputs computed with one compilation however many instances, its timing on a sample."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxbatch.lab import compiles, live, strategies
from jaxbatch.lab.analysis import analyze as analyze_afresh
from jaxbatch.lab.workload import prepare
from jaxbatch.presentation.notes import warnings_text
from jaxbatch.results.errors import LabError
from jaxbatch.results.selection import Selection

from reports import analyze

RNN_INPUTS = ("f32[32,8]", "f32[16,8]", "f32[16,16]")


@pytest.fixture
def rnn(fixture_ref):
    """The issue's RNN, its scan step defined inside it, at a batch shape."""
    return lambda shape, fn="rnn": Selection(fixture_ref("rnn_inner_step", fn), shape, "cpu", RNN_INPUTS,
                                             fn_in_axes=(0, None, None))


def test_the_loop_hands_the_model_jax_arrays_as_vmap_does():
    seen = []

    def single(x, w):
        seen.append((type(x), type(w)))
        return x * w

    out = strategies.loop(single, (0, None), (2, 3))(jnp.arange(6.0).reshape(2, 3), jnp.float32(2))
    assert len(seen) == 6 and all(issubclass(t, jax.Array) for pair in seen for t in pair)
    np.testing.assert_array_equal(out, np.arange(6.0).reshape(2, 3) * 2)


@pytest.mark.parametrize("make", [strategies.loop, strategies.reference])
def test_integer_true_division_is_float32_as_in_jax(make):
    out = make(lambda n: n / 2, (0,), (3,))(jnp.arange(3, dtype=jnp.int32))
    assert out.dtype == np.float32  # NumPy rows would have given float64


def test_a_model_written_with_jax_array_methods_runs(fixture_ref):
    report = analyze(Selection(fixture_ref("user_functions", "zero_first"), (4,), "cpu", ("f32[3]",)))
    assert [row[0] for row in report.strategies["loop"].output] == [0.0] * 4
    assert report.strategies["vmap"].agrees is True


def test_the_reference_compiles_once_where_the_eager_loop_compiles_per_instance(rnn):
    w = prepare(rnn((300,)))
    with compiles.counting() as count:
        strategies.loop(w.single, w.model.in_axes, (6,))(w.batch[0][:6], *w.batch[1:])
    assert count() >= 6  # the fixture does what the issue says: every eager call compiles
    with compiles.counting() as count:
        out = strategies.reference(w.single, w.model.in_axes, w.shape)(*w.batch)
    assert count() <= 2 and out.shape == (300, 16)
    first = np.asarray(jax.jit(w.single)(w.batch[0][299], *w.batch[1:]))
    np.testing.assert_array_equal(out[299], first)


def test_analysing_such_a_model_compiles_a_bounded_number_of_times_and_says_why_its_loop_is_slow(rnn):
    with compiles.counting() as count:
        report = analyze_afresh(rnn((300,)))
    assert count() < 60  # the per-instance loop alone would compile 300 times
    assert any("each eager call of the model compiles 1 new executable" in w and "timed on 4 instances" in w
               for w in warnings_text(report))
    assert report.strategies["vmap"].agreement.max_abs is not None


def test_its_loop_is_timed_on_a_small_sample_scaled_to_the_batch(rnn):
    w = prepare(rnn((300,)))
    loop = live.subjects(w, {})[0]
    assert loop.key == "loop" and loop.scale == 300 / live.COMPILING_SAMPLE
    loop.call()
    assert live.subjects(prepare(Selection("tanh-dense", (300,), "cpu")), {})[0].scale == 300 / 64


def test_a_model_jit_cannot_take_runs_eagerly_in_the_loop(fixture_ref):
    report = analyze(Selection(fixture_ref("user_functions", "sign_by_python"), (4,), "cpu", ("f32[2]",)))
    loop = np.array(report.strategies["loop"].output)
    assert (loop.sum(axis=1) > 0).all()
    assert report.strategies["vmap"].error.type == "ConcretizationTypeError"


def test_the_eager_fallback_stops_before_compiling_without_end(rnn, monkeypatch):
    monkeypatch.setattr(strategies, "MAX_EAGER_COMPILES", 3)
    with pytest.raises(LabError, match=r"^the loop stopped after \d instances: the model can't be jitted"):
        analyze_afresh(rnn((10,), "rnn_branching"))


def test_the_timed_loop_stacks_on_the_device_and_waits_once(monkeypatch):
    """As the seed writes it, `jnp.array([model(v) for v in v_batched])`: no output brought to the
    host (a device sync per instance on a GPU), one wait at the end; pytrees, several batch
    dimensions and shared arguments kept."""
    waits = []
    monkeypatch.setattr(strategies, "_to_host", lambda tree: pytest.fail("an output was brought to the host"))
    wait = jax.block_until_ready
    monkeypatch.setattr(jax, "block_until_ready", lambda tree: waits.append(tree) or wait(tree))

    def single(x, w):
        return {"scaled": x * w, "sums": (x.sum(), x.astype(jnp.int32))}

    x, w = jnp.arange(24.0).reshape(2, 3, 4), jnp.float32(2)
    out = strategies.loop(single, (0, None), (2, 3))(x, w)
    assert len(waits) == 1 and waits[0] is out
    leaves = jax.tree_util.tree_leaves(out)
    assert all(isinstance(leaf, jax.Array) and leaf.devices() == x.devices() for leaf in leaves)
    np.testing.assert_array_equal(out["scaled"], np.asarray(x) * 2)
    np.testing.assert_array_equal(out["sums"][0], np.asarray(x).sum(axis=2))
    assert out["sums"][1].dtype == np.int32 and out["sums"][1].shape == (2, 3, 4)


def test_the_reference_brings_its_outputs_to_the_host_by_blocks_bit_for_bit(monkeypatch):
    """A block boundary inside the batch changes no output: each is the jitted model's on its instance."""
    monkeypatch.setattr(strategies, "REFERENCE_BLOCK", 4)

    def single(x, w):
        return {"tanh": jnp.tanh(x @ w), "first": x[0].astype(jnp.int32)}

    rng = np.random.default_rng(0)
    x, w = jnp.asarray(rng.normal(size=(2, 5, 3)), jnp.float32), jnp.asarray(rng.normal(size=(3, 3)), jnp.float32)
    out = strategies.reference(single, (0, None), (2, 5))(x, w)
    assert all(type(leaf) is np.ndarray for leaf in jax.tree_util.tree_leaves(out))
    each = jax.jit(single)
    for index in np.ndindex(2, 5):
        one = each(x[index], w)
        assert out["tanh"][index].tobytes() == np.asarray(one["tanh"]).tobytes()
        assert out["first"][index] == one["first"]


PER_CALL = """
import sys
import jax, jax.numpy as jnp
from jaxbatch.lab import compiles

def model(x):  # its step defined inside it: each eager call traces, and so compiles, anew
    return jax.lax.scan(lambda c, v: (jnp.tanh(c + v), c), 0.0, x)[0]

print(compiles.per_eager_call(model, (jnp.arange(4.0),)))
"""


@pytest.mark.parametrize("cache", ["none", "persistent"])
def test_a_model_compiling_on_each_call_is_seen_with_or_without_jax_s_persistent_cache(cache, tmp_path):
    """With JAX_COMPILATION_CACHE_DIR set (a user's choice; the test suite sets it too), a second
    process gets the executables back from the cache, and XLA compiles nothing: still, each call
    makes one (JAX records its compile event around the cache read too)."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("JAX_COMPILATION", "JAX_PERSISTENT"))}
    if cache == "persistent":
        env.update(JAX_COMPILATION_CACHE_DIR=str(tmp_path), JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS="0",
                   JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES="0")
    counts = [subprocess.run([sys.executable, "-c", PER_CALL], env=env, capture_output=True, text=True,
                             timeout=300, check=True).stdout.split()[-1] for _ in range(2)]
    assert counts == ["1", "1"]
    if cache == "persistent":
        assert any(tmp_path.iterdir())  # the second process really read the cache the first wrote
