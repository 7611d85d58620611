"""The ways to run a single-instance model on a batch on one device: the loop, manual (the
hand-batched version, as the screen calls it), vmap and lax.map in chunks (results.strategy_table
lists them all).

Each returns a plain function of the batched arguments, so outputs, jaxprs and timings all come
from the same function. The loop comes twice: eager, as the seed writes it (timed), and jitted
once per model (the reference outputs), so a long batch never compiles once per instance.
"""

from __future__ import annotations

import functools
import itertools
import math
from typing import TYPE_CHECKING, Callable, Iterator, Optional, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from jaxbatch.lab import compiles
from jaxbatch.results import strategy_table
from jaxbatch.results.errors import LabError

if TYPE_CHECKING:
    from jaxbatch.lab.workload import Workload


def instances(args, in_axes, batch_shape) -> Iterator[list]:
    """Each instance's arguments as jax.Arrays, in index order, as the seed's `for v in
    v_batched` hands them out (iterating a jax.Array slices it on its device), so the model sees
    what vmap sees; shared (in_axes None) arguments as they are."""
    n, k = math.prod(batch_shape), len(batch_shape)
    columns = [itertools.repeat(a, n) if axis is None else _rows(a, n, k) for a, axis in zip(args, in_axes)]
    return (list(instance) for instance in zip(*columns))


def _rows(tree, n: int, k: int) -> Iterator:
    if isinstance(tree, jax.Array) and k == 1:
        return iter(tree)
    leaves, treedef = jax.tree_util.tree_flatten(tree)
    if not leaves:
        return itertools.repeat(tree, n)
    rows = [iter(jnp.asarray(x).reshape((n,) + x.shape[k:])) for x in leaves]
    return (treedef.unflatten(parts) for parts in zip(*rows))


def _indexed(args, in_axes, batch_shape):
    """Each instance's arguments by indexing, for tracing: the loop's jaxpr slices each one."""
    for index in np.ndindex(*batch_shape):
        yield [a if axis is None else jax.tree_util.tree_map(lambda x: x[index], a) for a, axis in zip(args, in_axes)]


def _to_host(tree):
    return np.asarray(tree) if isinstance(tree, jax.Array) else jax.tree_util.tree_map(np.asarray, tree)


def _stacked(outs: list, batch_shape: tuple[int, ...], stack: Callable = np.stack):
    """The instances' outputs as one batch, leaf by leaf: `stack` (NumPy's on the host, or
    `jnp.array` on the device) makes the instance axis, reshaped to the batch's dimensions."""
    return jax.tree_util.tree_map(lambda *xs: stack(xs).reshape(batch_shape + xs[0].shape), *outs)


def loop(single: Callable, in_axes: Sequence[Optional[int]], batch_shape: tuple[int, ...]) -> Callable:
    """The seed's loop, `jnp.array([model(v) for v in v_batched])`: the model called eagerly on
    each instance, every index of a multi-dimensional batch, its outputs stacked on the device
    and waited for once at the end, as the seed's timeit does. Bringing each output to the host
    instead would add a device sync per instance (1.5-1.9x the seed's time on a GPU). This is
    what is timed; the reference outputs come from `reference`."""

    def run(*args):
        outs = [single(*inst) for inst in instances(args, in_axes, batch_shape)]
        return jax.block_until_ready(_stacked(outs, batch_shape, jnp.array))

    return run


# What jit raises for a model that needs concrete values (Python control flow on them, NumPy).
UNJITTABLE = (jax.errors.ConcretizationTypeError, jax.errors.TracerArrayConversionError,
              jax.errors.TracerIntegerConversionError)
# A model jit can't take is run eagerly; past this many compilations it is stopped.
MAX_EAGER_COMPILES = 1000
# Reference instances dispatched before their outputs are brought to the host: no wait per
# instance, and device memory for at most this many outputs (the host holds them all).
REFERENCE_BLOCK = 1024


def reference(single: Callable, in_axes: Sequence[Optional[int]], batch_shape: tuple[int, ...]) -> Callable:
    """The loop's outputs, what the other strategies are checked against: one jitted copy of
    the model, compiled once, called on each instance in turn (it takes the batch and an index,
    and slices the instance out itself, so no per-row arrays are made). The eager loop would
    compile anew on every call for a model that defines a function inside itself, and each
    executable keeps memory maps until the process dies. The outputs come to the host a block of
    REFERENCE_BLOCK instances at a time, so the device is not waited for after each one; a copy
    changes no bit. A model jit can't take runs eagerly, within a budget of compilations."""
    n, k = math.prod(batch_shape), len(batch_shape)

    @jax.jit
    def one(flat, i):
        take = functools.partial(jax.lax.dynamic_index_in_dim, index=i, keepdims=False)
        return single(*[a if axis is None else jax.tree_util.tree_map(take, a) for a, axis in zip(flat, in_axes)])

    def run(*args):
        flat = [a if axis is None else jax.tree_util.tree_map(lambda x: jnp.reshape(x, (n,) + x.shape[k:]), a)
                for a, axis in zip(args, in_axes)]
        try:
            outs = []
            for start in range(0, n, REFERENCE_BLOCK):
                outs += map(_to_host, [one(flat, i) for i in range(start, min(n, start + REFERENCE_BLOCK))])
        except UNJITTABLE:
            return _eager(single, in_axes, batch_shape, args)
        return _stacked(outs, batch_shape)

    return run


def _eager(single, in_axes, batch_shape, args):
    outs = []
    with compiles.counting() as count:
        for inst in instances(args, in_axes, batch_shape):
            outs.append(_to_host(single(*inst)))
            if count() > MAX_EAGER_COMPILES:
                raise LabError(f"the loop stopped after {len(outs):,} instances: the model can't be jitted and "
                               f"compiles on every eager call, {count():,} times so far; try a smaller batch")
    return _stacked(outs, batch_shape)


def loop_program(single: Callable, in_axes: Sequence[Optional[int]], batch_shape: tuple[int, ...]) -> Callable:
    """The same loop written with jnp, so it can be traced: one copy of the model per instance,
    then a stack. Its jaxpr is what jit would compile if one jitted the loop."""

    def run(*args):
        outs = [single(*inst) for inst in _indexed(args, in_axes, batch_shape)]
        return jax.tree_util.tree_map(lambda *xs: jnp.stack(xs).reshape(batch_shape + xs[0].shape), *outs)

    return run


def vmapped(single: Callable, in_axes: Sequence[Optional[int]], batch_shape: tuple[int, ...]) -> Callable:
    """One `jax.vmap` per batch dimension, innermost first."""
    fn = single
    for _ in batch_shape:
        fn = jax.vmap(fn, in_axes=tuple(in_axes))
    return fn


def manual(fn: Callable, in_axes: Sequence[Optional[int]], batch_shape: tuple[int, ...]) -> Callable:
    """The expert's version takes one batch axis; several are flattened into it and restored
    afterwards (the reshapes show in its jaxpr, as they would in the expert's code)."""
    if len(batch_shape) == 1:
        return fn
    n, k = math.prod(batch_shape), len(batch_shape)

    def run(*args):
        flat = [
            jax.tree_util.tree_map(lambda x: x.reshape((n,) + x.shape[k:]), a) if axis == 0 else a
            for a, axis in zip(args, in_axes)
        ]
        out = fn(*flat)
        return jax.tree_util.tree_map(lambda y: y.reshape(batch_shape + y.shape[1:]), out)

    return run


def chunked(single: Callable, in_axes: Sequence[Optional[int]], batch_shape: tuple[int, ...], chunk: int) -> Callable:
    """`jax.lax.map(single, xs, batch_size=chunk)` over the flattened batch: a loop over chunks
    of `chunk` instances, each chunk vmapped, and where `chunk` does not divide the batch one
    more vmapped step for the remainder, concatenated (as lax.map writes it). Shared (in_axes
    None) arguments are closed over. A chunk of the whole batch is a loop of one step; a larger
    one is one vmap, no loop."""
    n, k = math.prod(batch_shape), len(batch_shape)

    def run(*args):
        xs = [jax.tree_util.tree_map(lambda x: x.reshape((n,) + x.shape[k:]), a)
              for a, axis in zip(args, in_axes) if axis == 0]

        def one(batched):
            parts = iter(batched)
            return single(*[next(parts) if axis == 0 else a for a, axis in zip(args, in_axes)])

        out = jax.lax.map(one, xs, batch_size=chunk)
        return jax.tree_util.tree_map(lambda y: y.reshape(batch_shape + y.shape[1:]), out)

    return run


def labels(w: "Workload") -> dict[str, str]:
    """Each strategy's name for this workload, as every view heads it ("einsum" for manual)."""
    out = strategy_table.labels(w.chunk, w.model.manual_label)
    if w.manual is None:
        del out["manual"]
    return out


def _manual(w: "Workload") -> Optional[Callable]:
    return None if w.manual is None else manual(w.manual, w.model.in_axes, w.shape)


# How each strategy compiled whole on one device is built from a workload (None: not for this
# one). Every one-device strategy of strategy_table has one, but the loop (`loop`, `reference`).
BUILDERS: dict[str, Callable[["Workload"], Optional[Callable]]] = {
    "manual": _manual,
    "vmap": lambda w: vmapped(w.single, w.model.in_axes, w.shape),
    "chunked": lambda w: chunked(w.single, w.model.in_axes, w.shape, w.chunk),
}


def batched(w: "Workload") -> dict[str, Callable]:
    """The compiled one-device strategies of one workload, by key, in the order every view lists
    them (strategy_table.TABLE): the hand-batched version (when the model has one), vmap,
    chunked. The loop is not compiled whole (`loop`, `reference`); the sharded ones are
    lab.sharding's."""
    built = {s.key: BUILDERS[s.key](w) for s in strategy_table.TABLE if s.one_device and s.key != "loop"}
    return {key: fn for key, fn in built.items() if fn is not None}
