"""The three ways to run a single-instance model on a batch: loop, by hand, and vmap.

Each returns a plain function of the batched arguments, so outputs, jaxprs and (later)
timings all come from the same function.
"""

from __future__ import annotations

import math
from typing import Callable, Optional, Sequence

import jax
import jax.numpy as jnp
import numpy as np


def _instances(args, in_axes, batch_shape):
    """Each instance's arguments, in index order; shared (in_axes None) arguments as they are.
    A plain array is indexed directly: the timed loop should cost what the seed's
    `[model(v) for v in v_batched]` costs, not a pytree walk per instance on top."""
    for index in np.ndindex(*batch_shape):
        yield [a if axis is None else _take(a, index) for a, axis in zip(args, in_axes)]


def _take(tree, index):
    if isinstance(tree, (np.ndarray, jax.Array)):
        return tree[index]
    return jax.tree_util.tree_map(lambda x: x[index], tree)


def _to_host(tree):
    return np.asarray(tree) if isinstance(tree, jax.Array) else jax.tree_util.tree_map(np.asarray, tree)


def loop(single: Callable, in_axes: Sequence[Optional[int]], batch_shape: tuple[int, ...]) -> Callable:
    """The reference: a Python loop calling the model eagerly on each instance, as the seed's
    `[model(v) for v in v_batched]` does, for every index of a multi-dimensional batch."""

    def run(*args):
        host = [jax.tree_util.tree_map(np.asarray, a) if axis == 0 else a for a, axis in zip(args, in_axes)]
        outs = [_to_host(single(*inst)) for inst in _instances(host, in_axes, batch_shape)]
        return jax.tree_util.tree_map(lambda *xs: np.stack(xs).reshape(batch_shape + xs[0].shape), *outs)

    return run


def loop_program(single: Callable, in_axes: Sequence[Optional[int]], batch_shape: tuple[int, ...]) -> Callable:
    """The same loop written with jnp, so it can be traced: one copy of the model per instance,
    then a stack. Its jaxpr is what jit would compile if one jitted the loop."""

    def run(*args):
        outs = [single(*inst) for inst in _instances(args, in_axes, batch_shape)]
        return jax.tree_util.tree_map(lambda *xs: jnp.stack(xs).reshape(batch_shape + xs[0].shape), *outs)

    return run


def vmapped(single: Callable, in_axes: Sequence[Optional[int]], batch_shape: tuple[int, ...]) -> Callable:
    """One `jax.vmap` per batch dimension, innermost first."""
    fn = single
    for _ in batch_shape:
        fn = jax.vmap(fn, in_axes=tuple(in_axes))
    return fn


def by_hand(manual: Callable, in_axes: Sequence[Optional[int]], batch_shape: tuple[int, ...]) -> Callable:
    """The expert's version takes one batch axis; several are flattened into it and restored
    afterwards (the reshapes show in its jaxpr, as they would in the expert's code)."""
    if len(batch_shape) == 1:
        return manual
    n, k = math.prod(batch_shape), len(batch_shape)

    def run(*args):
        flat = [
            jax.tree_util.tree_map(lambda x: x.reshape((n,) + x.shape[k:]), a) if axis == 0 else a
            for a, axis in zip(args, in_axes)
        ]
        out = manual(*flat)
        return jax.tree_util.tree_map(lambda y: y.reshape(batch_shape + y.shape[1:]), out)

    return run
