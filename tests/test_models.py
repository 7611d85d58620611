"""Every built-in model: its strategies agree with the loop, and its note's claims are in its programs."""

import re

import pytest

from jaxbatch.lab.loader import load_model
from jaxbatch.models import CATALOG
from jaxbatch.results.selection import Selection

from reports import analyze

# Models whose point is that a strategy is NOT the loop, and which strategy that is. rbg-keys:
# under vmap JAX draws the whole batch from the first RBG key (the jax.random docs say so).
DIFFERS = {"rbg-keys": {"vmap", "chunked"}}  # chunked vmaps each chunk: its first key too


@pytest.fixture(scope="module", params=sorted(CATALOG))
def analysed(request):
    return load_model(request.param), analyze(Selection(request.param, (5,), "cpu"))


def test_every_strategy_agrees_with_the_loop_unless_the_model_shows_it_does_not(analysed):
    model, report = analysed
    for key, strategy in report.strategies.items():
        assert strategy.error is None, (key, strategy.error)
        expected = key not in DIFFERS.get(model.name, ())
        assert strategy.agrees is expected, (key, strategy.max_abs_diff, strategy.reason)


def test_the_programs_show_what_the_note_claims(analysed):
    model, report = analysed
    assert model.note and model.source and model.signature
    for key, pattern in model.signature:
        assert re.search(pattern, report.strategies[key].jaxpr), (key, pattern)


def test_the_claims_survive_a_release_that_adds_a_parameter(analysed):
    """A claim names the primitive and the parameters it is about, not a whole printed list:
    JAX 0.11 prints top_k[axis=1 is_stable=True k=3] where 0.10 printed top_k[axis=1 k=3]."""
    model, report = analysed
    for key, pattern in model.signature:
        text = re.sub(r"\b(\w+)\[(\w+=[^\[\]\n]*)\]", r"\1[a_new_param=0 \2 z_new_param=1]",
                      report.strategies[key].jaxpr)
        assert re.search(pattern, text), (key, pattern)


def test_a_second_batch_dimension_runs_too(analysed):
    model, _ = analysed
    report = analyze(Selection(model.name, (2, 3), "cpu"))
    assert all(s.agrees is (k not in DIFFERS.get(model.name, ())) for k, s in report.strategies.items())


def test_the_text_report_gives_the_note_and_its_source(analysed):
    from jaxbatch.media.text import render

    model, report = analysed
    text = " ".join(render(report).split())
    assert " ".join(model.note.split()) in text and f"Source: {' '.join(model.source.split())}" in text


def test_rbg_keys_vmap_draws_the_whole_batch_from_the_first_key_and_does_not_loop():
    """What the rbg-keys note claims below the jaxpr: one RngBitGenerator on keys[0], no loop."""
    import jax
    import numpy as np

    from jaxbatch.lab.workload import prepare

    selection = Selection("rbg-keys", (5,), "cpu")
    report, keys = analyze(selection), np.asarray(prepare(selection).batch[0])
    vmap, loop = (np.asarray(report.strategies[k].output) for k in ("vmap", "loop"))
    first = jax.random.normal(jax.random.wrap_key_data(keys[0], impl="rbg"), (5, 3))
    assert np.array_equal(vmap, np.asarray(first))
    assert np.array_equal(vmap[0], loop[0]) and not np.isclose(vmap[1:], loop[1:]).any()  # on CPU
    stablehlo = report.strategies["vmap"].hlo.stablehlo
    assert re.search(r"stablehlo\.slice %\w+ \[0:1, 0:4\]", stablehlo)
    assert re.search(r"rng_bit_generator .*tensor<5x3xui32>", stablehlo)
    assert report.vmap_loop is None


def test_callback_sequential_vmap_loops_once_per_instance_down_to_xla():
    from jaxbatch.results.loops import hlo_loops
    from jaxbatch.results.report import Loop

    report = analyze(Selection("callback-sequential", (5,), "cpu"))
    assert report.vmap_loop == Loop(steps=5, where="scan", level="jaxpr")
    assert hlo_loops(report.strategies["vmap"].hlo.optimized) == [("while", 5, None)]
    assert hlo_loops(report.strategies["manual"].hlo.optimized) == []


def test_at_set_large_vmap_holds_a_batch_of_copies_and_the_hand_version_none():
    """What the at-set-large note claims of memory: vmap's peak is the f32[5,N] it scatters
    into; the hand version (a gather and a correction) holds nothing that grows with N."""
    from jaxbatch.models.at_set_large import N

    report = analyze(Selection("at-set-large", (5,), "cpu"))
    copy = N * 4  # one f32 copy of the vector
    assert report.strategies["vmap"].hlo.peak_bytes >= 5 * copy
    assert report.strategies["manual"].hlo.peak_bytes < copy


def test_scan_rnn_loops_over_time_only_and_compiles_to_the_hand_version():
    report = analyze(Selection("scan-rnn", (5,), "cpu"))
    assert report.vmap_loop is None
    assert report.strategies["vmap"].hlo.loops == report.strategies["manual"].hlo.loops == [6]
    assert report.same_program.hlo is True  # on CPU, as the note says


def test_eigh_vmap_is_the_batched_call_and_its_outputs_do_not_depend_on_eigenvector_signs():
    import jax.numpy as jnp
    import numpy as np

    report = analyze(Selection("eigh", (5,), "cpu"))
    assert report.same_program.jaxpr is True
    single, _ = load_model("eigh").build(np.random.default_rng(0))
    a = jnp.asarray(np.random.default_rng(1).normal(size=(4, 4)), dtype=jnp.float32)
    w, p = single(a)
    s = (a + a.T) / 2
    _, v = jnp.linalg.eigh(s)
    flipped = v * jnp.array([1.0, -1.0, -1.0, 1.0])  # another valid choice of signs
    assert np.allclose(p, jnp.einsum("ik,jk->kij", flipped, flipped), atol=1e-6)
    assert np.allclose(jnp.einsum("kij,k->ij", p, w), s, atol=1e-5)  # the projectors rebuild the matrix


def test_custom_vjp_vmap_drops_the_unused_loss_so_no_compiled_program_takes_a_log():
    report = analyze(Selection("custom-vjp", (5,), "cpu"))
    for key in ("vmap", "manual"):
        assert not re.search(r"\blog(-plus-one)?\(", report.strategies[key].hlo.optimized), key
