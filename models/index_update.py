"""x.at[i].set(v) into a closed-over array: vmap makes a scatter into a copy per instance."""

import jax.numpy as jnp

from jaxbatch.models import CATALOG
from jaxbatch.results.spec import Aval, Model


def build(rng):
    base = jnp.asarray(rng.normal(size=(8,)))  # shared, closed over

    def update(i, v):  # i: int32 (), v: () -> (8,)
        return base.at[i].set(v)

    def update_batched(i, v):  # i: (n,), v: (n,) -> (n, 8)
        return jnp.where(jnp.arange(base.shape[0]) == i[:, None], v[:, None], base)

    return update, update_batched


MODEL = Model(
    name="index-update",
    summary=CATALOG["index-update"][1],
    build=build,
    args=(Aval((), "int32"), Aval(())),
    in_axes=(0, 0),
    manual_label="one-hot where",
    note=(
        "vmap copies the closed-over base once per instance (broadcast_in_dim f32[8] to f32[5,8]) "
        "and writes every row's value with one scatter. The one-hot version has no scatter: an "
        "iota compared with i, then select_n between v and base. Called on the batch, the "
        "one-instance model runs without complaint and is WRONG: it writes every instance's value into "
        "ONE copy of base and returns shape (8,), not (n, 8)."
    ),
    source=(
        'jax-ml/jax PR #353, "Scatter batching rule (closes #350)" (the operand is broadcast to the batch); '
        "https://docs.jax.dev/en/latest/_autosummary/jax.Array.at.html"
    ),
    seed=11,
    signature=(
        ("vmap", r"f32\[5,8\] = broadcast_in_dim"),
        ("vmap", r"\bscatter\["),
        ("manual", r"\biota\b"),
        ("manual", r"select_n"),
    ),
)
