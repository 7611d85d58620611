"""argsort of one vector: vmap moves the sort to the batch's last axis, which is what
jnp.argsort(x, axis=-1) on the batch does."""

import jax.numpy as jnp

from jaxbatch.models import CATALOG
from jaxbatch.results.spec import Aval, Model


def build(rng):
    def model(x):  # x: (m,) -> int32 (m,), the order that sorts x
        return jnp.argsort(x)

    def model_batched(x):  # x: (n, m) -> (n, m)
        return jnp.argsort(x, axis=-1)

    return model, model_batched


MODEL = Model(
    name="argsort",
    summary=CATALOG["argsort"][1],
    build=build,
    args=(Aval((8,)),),
    manual_label="argsort(axis=-1)",
    note=(
        "vmap moves the sort to the batch's last axis: the loop's sort[dimension=0] of one f32[8] "
        "with an iota beside it becomes one sort[dimension=1] of f32[5,8], num_keys=1, the i32[8] "
        "iota broadcast to i32[5,8]. argsort(x, axis=-1) on the batch makes the 2-D iota directly; "
        "that is the only difference in the jaxprs, and on CPU XLA compiles both to the same program. "
        "Both sorts are stable (is_stable=True), so ties keep the loop's order. Called on the batch, "
        "the one-instance model is right: jnp.argsort sorts the last axis by default."
    ),
    source=(
        "jax-ml/jax issue #2351; jax-ml/jax issue #221, \"Batching rule for 'sort_key_val' not implemented\" "
        "(vmap of an argsort); https://docs.jax.dev/en/latest/_autosummary/jax.numpy.argsort.html"
    ),
    seed=2351,
    signature=(
        ("loop", r"sort\[[^\]]*\bdimension=0\b[^\]]*\bis_stable=True\b[^\]]*\bnum_keys=1\b"),
        ("vmap", r"i32\[5,8\] = broadcast_in_dim"),
        ("vmap", r"i32\[5,8\] = sort\[[^\]]*\bdimension=1\b[^\]]*\bis_stable=True\b[^\]]*\bnum_keys=1\b"),
        ("manual", r"i32\[5,8\] = iota\[[^\]]*\bdimension=1\b"),
    ),
)
