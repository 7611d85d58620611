"""Seeded inputs: one instance, and a batch laid out as vmap expects (batch axes first)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from jaxbatch.results.spec import Aval


def _is_aval(x) -> bool:
    return isinstance(x, Aval)


def draw(rng: np.random.Generator, spec, batch_shape: tuple[int, ...] = ()):
    """Arrays for a pytree of Avals, each with `batch_shape` in front. Floats are standard
    normal, integers small (so they are safe as indices and exponents), bools fair coins."""

    def one(aval: Aval) -> np.ndarray:
        shape = batch_shape + tuple(aval.shape)
        dtype = np.dtype(jax.dtypes.canonicalize_dtype(jnp.dtype(aval.dtype)))
        if np.issubdtype(dtype, np.floating) or dtype.kind == "V":  # "V": bfloat16 and friends
            return rng.normal(size=shape).astype(dtype)
        if np.issubdtype(dtype, np.complexfloating):
            return (rng.normal(size=shape) + 1j * rng.normal(size=shape)).astype(dtype)
        if dtype == np.bool_:
            return rng.random(size=shape) < 0.5
        return rng.integers(0, 8, size=shape).astype(dtype)

    return jax.tree_util.tree_map(one, spec, is_leaf=_is_aval)


def draw_args(rng, specs, in_axes, batch_shape):
    """One value per positional argument; arguments with in_axes None are shared, unbatched."""
    return tuple(draw(rng, spec, batch_shape if axis == 0 else ()) for spec, axis in zip(specs, in_axes))
