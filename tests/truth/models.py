"""Small models whose facts are known by construction, for claims the built-in ones can't pin.

- `LAX_MAP`: the hand version is `jax.lax.map(one, xs)`, a while loop of exactly `batch` trips
  whose body is one instance; XLA's raw cost counts the body once, so only a count corrected by
  the trip count is about `batch` times one instance's.
- `NESTED`: one instance is itself a `fori_loop` of 3 steps, so `lax.map` of it nests two loops
  (8 x 3 steps at batch 8) and vmap keeps one loop of 3 batched steps.
- `RENAMED`: the hand version is the model's own body under other names (function and argument):
  the same program at every level.
- `SWAPPED`: the hand version subtracts in the other order: the same primitives on the same
  types, but another program (and another answer).
"""

import jax.numpy as jnp
import numpy as np
from jax import lax

from jaxbatch.results.spec import Aval, Model

D = 16


def weights(rng):
    return jnp.asarray((rng.normal(size=(D, D)) / 4).astype(np.float32))


def _lax_map(rng):
    W = weights(rng)

    def one(v):  # v: (D,) -> ()
        return jnp.tanh(W @ v + 1.0).sum()

    def mapped(vs):  # vs: (n, D) -> (n,)
        return lax.map(one, vs)

    return one, mapped


LAX_MAP = Model(name="lax-map", summary="lax.map of one instance", build=_lax_map, args=(Aval((D,)),),
                manual_label="lax.map", seed=1)

STEPS = 3


def step_for(W):
    def step(h):  # h: (D,) -> (D,)
        return jnp.tanh(W @ h + 1.0)

    return step


def _nested(rng):
    step = step_for(weights(rng))

    def one(v):  # v: (D,) -> (D,), STEPS steps
        return lax.fori_loop(0, STEPS, lambda i, h: step(h), v)

    def mapped(vs):
        return lax.map(one, vs)

    return one, mapped


NESTED = Model(name="nested-loops", summary="lax.map of a fori_loop", build=_nested, args=(Aval((D,)),),
               manual_label="lax.map", seed=2)


def _renamed(rng):
    def model(x):  # x: (4,)
        return jnp.sin(x) * 2 + x**2

    def totally_different_name(batch_of_inputs):  # the same body, other names
        return jnp.sin(batch_of_inputs) * 2 + batch_of_inputs**2

    return model, totally_different_name


RENAMED = Model(name="renamed", summary="the model's body under other names", build=_renamed,
                args=(Aval((4,)),), manual_label="renamed copy", seed=3)


def _swapped(rng):
    def model(x, y):
        return x - y

    def model_batched(x, y):  # operands the other way round: a wrong hand version
        return y - x

    return model, model_batched


SWAPPED = Model(name="swapped", summary="x - y by vmap, y - x by hand", build=_swapped,
                args=(Aval((4,)), Aval((4,))), in_axes=(0, 0), manual_label="swapped", seed=4)

FIXTURES = {"LAX_MAP": LAX_MAP, "NESTED": NESTED, "RENAMED": RENAMED, "SWAPPED": SWAPPED}
