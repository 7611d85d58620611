"""What a difference is, where the report names it, and the warnings and reasons beside the
verdicts, checked against facts computed here with plain JAX and NumPy."""

import jax
import numpy as np
import pytest

from .claims import claim
from .facts import BATCH

NAN_FIXTURE = "tests/fixtures/nan_branch_model.py:MODEL"


def _other_keys(f) -> tuple:
    """The batch with every instance but the first replaced by other random words."""
    rng = np.random.default_rng(0)
    swapped = []
    for a, axis in zip(f.batch, f.in_axes):
        a = np.asarray(a)
        if axis == 0:
            a = a.copy()
            a[1:] = rng.integers(0, 2**32, size=a[1:].shape, dtype=np.uint64).astype(a.dtype)
        swapped.append(a)
    return tuple(swapped)


def _vmap_uses_only_the_first_instance(f) -> bool:
    vmapped = jax.jit(jax.vmap(f.single, in_axes=f.in_axes))
    return all(np.array_equal(np.asarray(x), np.asarray(y)) for x, y in zip(
        jax.tree_util.tree_leaves(vmapped(*f.batch)), jax.tree_util.tree_leaves(vmapped(*_other_keys(f)))))


@pytest.mark.parametrize("name", ["rbg-keys", "random-keys"])
def test_other_random_numbers_are_named_exactly_where_vmap_ignores_all_keys_but_the_first(name, report, facts):
    """rbg-keys: vmap's output does not change when keys 1.. change, so it draws from the first
    key alone, and the report says so instead of "rounding or not is unknown"; random-keys
    (threefry) draws from each key, and no such cause is named."""
    r, f = report(name, BATCH), facts(name, BATCH)
    first_only = _vmap_uses_only_the_first_instance(f)
    differs = not np.allclose(np.asarray(f.output("vmap")), np.asarray(f.loop))
    agreement = claim(r, "strategies", "vmap", "agreement")
    assert (agreement.get("cause") == "rbg_first_key") is (first_only and differs), (first_only, differs, agreement)
    if first_only and differs:
        assert "first key" in agreement["verdict"] and "unknown" not in agreement["verdict"]


def test_a_nan_in_a_hand_batched_output_is_warned_of_naming_it(report, facts):
    r, f = report(NAN_FIXTURE, BATCH), facts(NAN_FIXTURE, BATCH)
    outputs = {"loop": f.loop, "manual": f.output("manual"), "vmap": f.output("vmap")}
    nans = {k: int(np.isnan(np.asarray(out)).sum()) for k, out in outputs.items()}
    assert nans["manual"] > 0 and nans["loop"] == nans["vmap"] == 0, nans
    label = claim(r, "strategies", "manual", "label")
    warned = [w for w in claim(r, "warnings") if f"{nans['manual']:,} NaN" in w]
    assert len(warned) == 1 and warned[0].startswith(label), claim(r, "warnings")
    assert not any(w.startswith("vmap") for w in claim(r, "warnings"))


@pytest.mark.parametrize("name", ["random-keys", "argsort"])
def test_past_64_instances_the_loop_is_not_traced_and_the_report_says_why_each_level_is_unknown(name, report, facts):
    """At 128 instances the report gives no loop jaxpr; where the pair compared is the loop's,
    each unknown level has its reason, and no level is claimed."""
    r = report(name, 128)
    assert not claim(r, "jaxpr").get("loop")
    same = claim(r, "same_program")
    unknown = [level for level in ("jaxpr", "stablehlo", "hlo") if same[level] is None]
    assert set(same.get("unknown", {})) == set(unknown)
    if "loop" in same["pair"]:
        assert "jaxpr" in unknown and "up to 64" in same["unknown"]["jaxpr"]
        assert "128" in claim(r, "strategies", "loop", "program_note")


def test_a_cost_note_names_the_figure_it_is_about(report, facts):
    """argsort's chunked program (lax.map in chunks of 64, a while loop): flops counted in full,
    bytes only as XLA gives them, each loop body once; the note is about bytes alone, and the
    figure beside it is XLA's, as plain JAX gets it."""
    r, f = report("argsort", 256), facts("argsort", 256)
    h = claim(r, "hlo", "chunked")
    chunked = jax.jit(lambda x: jax.lax.map(f.single, x, batch_size=claim(r, "chunk")))
    cost = chunked.lower(*f.batch).compile().cost_analysis()
    cost = dict(cost[0] if isinstance(cost, (list, tuple)) else cost)
    assert h["bytes_xla"] == pytest.approx(cost["bytes accessed"], rel=1e-4)
    for key in ("flops", "bytes"):
        assert bool(h["cost_notes"][key]) is (h[key] is None), h["cost_notes"]
    named = h["cost_note"].split(":", 1)[0].split(" and ") if h["cost_note"] else []
    assert set(named) == {k for k in ("flops", "bytes") if h[k] is None}
