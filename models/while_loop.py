"""lax.while_loop with a trip count per instance: a batched loop can only stop when every
instance is done, so the finished ones must be held still."""

import jax.numpy as jnp
from jax import lax

from jaxbatch.models import CATALOG
from jaxbatch.results.spec import Aval, Model


def build(rng):
    W = jnp.asarray(rng.normal(size=(4, 4)) / 2)
    b = jnp.asarray(rng.normal(size=(4,)) / 2)

    def step(h):
        return jnp.tanh(W @ h + b)

    def iterate(h, n):  # h: (4,), n: int32 () -> (4,): step applied n times
        _, h = lax.while_loop(lambda c: c[0] < n, lambda c: (c[0] + 1, step(c[1])), (0, h))
        return h

    def iterate_batched(hs, ns):  # hs: (m, 4), ns: (m,) -> (m, 4)
        def body(c):
            i, hs = c
            active = i < ns
            return i + active, jnp.where(active[:, None], jnp.tanh(hs @ W.T + b), hs)

        _, hs = lax.while_loop(lambda c: jnp.any(c[0] < ns), body, (jnp.zeros_like(ns), hs))
        return hs

    return iterate, iterate_batched


MODEL = Model(
    name="while-loop",
    summary=CATALOG["while-loop"][1],
    build=build,
    args=(Aval((4,)), Aval((), "int32")),
    in_axes=(0, 0),
    manual_label="while any, where",
    note=(
        "vmap keeps one while, but its cond now returns bool[5], a flag per instance, and the "
        "jaxpr's body steps every row, with no select_n. The masking is added at lowering: the "
        "StableHLO cond ORs the flags, so the loop runs until the slowest instance is done, and the "
        "body re-tests them and selects which rows update. The hand version spells that out "
        "(reduce_or, select_n); XLA ends with the same top-level ops for both, and they differ only "
        "inside fusions (a select or convert more or less). Called on the batch, the "
        "one-instance model raises: W @ h can't contract the batch."
    ),
    source=(
        'jax-ml/jax issue #2960, "Nested vmap over while_loop sometimes raises errors." (while accepts '
        'a batched predicate and masks the carry by it); jax-ml/jax issue #20628, "Support IO effect '
        'in vmap-of-while." (finished elements run on, their updates masked off)'
    ),
    seed=3,
    signature=(
        ("vmap", r"cond_jaxpr=\{ lambda [^}]*:bool\[5\] = lt"),
        ("manual", r"reduce_or"),
        ("manual", r"select_n"),
    ),
)
