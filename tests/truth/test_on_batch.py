"""The on-batch verdict: what calling the one-instance model on the whole batch does, found by
calling it ourselves and comparing with our own loop."""

import jax
import numpy as np
import pytest

from jaxbatch.models import CATALOG

from .claims import claim
from .facts import BATCH, agreement, pairs, tree_pairs

MODELS = list(CATALOG)


def _call_on_batch(f):
    """(output, None) or (None, the exception): single(*batch), eagerly, as a user would."""
    try:
        return jax.tree_util.tree_map(np.asarray, f.single(*f.batch)), None
    except Exception as exc:  # whatever the model raises is the fact
        return None, exc


@pytest.mark.parametrize("name", MODELS)
def test_on_batch_verdict(name, report, facts):
    r, f = report(name, BATCH), facts(name, BATCH)
    shown = claim(r, "single", "on_batch")
    out, exc = _call_on_batch(f)
    if exc is not None:
        assert "error" in shown, f"single(*batch) raises {type(exc).__name__}: {exc}; the report says {shown}"
        assert shown["error"]["type"] == type(exc).__name__
        return
    assert "error" not in shown, f"single(*batch) runs here; the report says it raised {shown['error']}"
    # The output shown is what the call gives (shapes and all)...
    for theirs, ours in pairs(claim(shown, "output"), out):
        assert theirs is not None and theirs.shape == ours.shape
        np.testing.assert_array_equal(theirs, ours)
    # ...and the verdict is that output against the loop.
    mine = agreement(tree_pairs(out, f.loop))
    assert claim(shown, "agrees") is mine.agrees, (shown, mine)
    if mine.comparable:
        gap = agreement(pairs(claim(r, "strategies", "loop", "output"), f.loop))
        assert abs(claim(shown, "max_abs_diff") - mine.max_abs) <= gap.max_abs + 1e-12
    else:
        assert claim(shown, "max_abs_diff") is None
    assert ("WRONG" in claim(shown, "verdict")) is (not mine.agrees), shown["verdict"]


# What each model's summary and note promise about the on-batch call, as facts found here.
PROMISED = {
    "tanh-dense": "TypeError",
    "elementwise": "right",
    "normalize": "WRONG",
    "index-update": "WRONG",
    "cond": "WRONG",
    "sort-topk": "WRONG",
    "at-set-large": "WRONG",
    "argsort": "right",
    "scan-rnn": "TypeError",
    "eigh": "right",
    "custom-vjp": "TypeError",
}


@pytest.mark.parametrize("name, promise", sorted(PROMISED.items()))
def test_the_on_batch_facts_the_models_promise(name, promise, report, facts):
    f = facts(name, BATCH)
    out, exc = _call_on_batch(f)
    shown = claim(report(name, BATCH), "single", "on_batch")
    if promise in ("right", "WRONG"):
        assert exc is None, exc
        assert agreement(tree_pairs(out, f.loop)).agrees is (promise == "right")
        assert shown.get("agrees") is (promise == "right"), shown
    else:
        assert type(exc).__name__ == promise, exc
        assert shown.get("error", {}).get("type") == promise, shown
