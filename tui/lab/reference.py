"""The loop over instances, the reference every strategy is judged against, and the first
numbers the app shows: its outputs, with what is still to be judged against them.

Kept apart from the judging (lab/judging.py) so that what the first numbers need is all that is
imported before them: the judging's own imports (JAX's program internals, XLA's texts, the
float64 helper) come after, as they are needed.
"""

from __future__ import annotations

from typing import Any, Callable

import jax
import numpy as np

from jaxbatch.lab import sharding, strategies
from jaxbatch.lab.outputs import format_tree, to_host, to_json
from jaxbatch.lab.workload import Workload
from jaxbatch.results import strategy_table
from jaxbatch.results.errors import USER_ERRORS, LabError, describe
from jaxbatch.results.report import FirstOutputs, Strategy
from jaxbatch.results.spec import Model, aval_text


def loop_outputs(w: Workload) -> tuple[Callable, Any]:
    """The loop (one compile), and its outputs, the reference: the first numbers the app shows.
    Where it fails, the model on one instance is tried for the plainer message, as it is what
    fails most often."""
    fn = strategies.reference(w.single, w.model.in_axes, w.shape)
    try:
        return fn, reference_call(w.model, "the loop", fn, w.batch)
    except LabError:
        reference_call(w.model, "one instance", w.single, w.one)
        raise


def first_outputs(w: Workload, loop: tuple[Callable, Any]) -> FirstOutputs:
    """The loop's outputs, with the strategies still to be judged against them: the sharded ones
    where the batch is spread over devices."""
    labels, compiled = strategies.labels(w), strategies.batched(w)
    spread = strategy_table.per_device() if sharding.spreads(w) else frozenset()
    pending = [labels[k] for k in strategy_table.keys() if k in compiled or k in spread]
    outputs = loop[1]
    return FirstOutputs(w.model.name, w.model.summary, w.precision, [avals(a) for a in w.one],
                        [avals(a) for a in w.batch], list(w.model.in_axes),
                        Strategy("loop", labels["loop"], output=to_json(outputs), text=format_tree(outputs)), pending)


def reference_call(model: Model, what: str, fn, args):
    """The model on one instance, and the loop, must work and give arrays: without them nothing
    can be judged."""
    try:
        out = fn(*args)
    except LabError:
        raise
    except USER_ERRORS as exc:
        raise LabError(f"{model.name} raised on {what}: {describe(exc)}") from None
    leaves = jax.tree_util.tree_leaves(out)
    if not leaves:
        raise LabError(f"{model.name} returned nothing on {what}: a model returns an array or a pytree of arrays")
    for leaf in leaves:
        if _kind(leaf) not in "biufcV":
            raise LabError(f"{model.name} returned a {type(leaf).__name__} on {what}: a model returns arrays "
                           "of numbers or bools (or pytrees of them)")
    return to_host(out)


def _kind(leaf) -> str:
    try:
        return np.dtype(getattr(leaf, "dtype", None) or np.asarray(leaf).dtype).kind
    except TypeError:  # not a NumPy dtype at all (a PRNG key, say)
        return "O"


def avals(tree) -> str:
    """A pytree of arguments as their avals, as the reports write them: "f32[5,3]", "(f32[3], i32[])"."""
    if isinstance(tree, dict):
        return "{" + ", ".join(f"{k}: {avals(v)}" for k, v in tree.items()) + "}"
    if isinstance(tree, (list, tuple)):
        return "(" + ", ".join(avals(v) for v in tree) + ")"
    array = np.asarray(tree) if not hasattr(tree, "dtype") else tree
    return aval_text(array.dtype.name, tuple(array.shape))
