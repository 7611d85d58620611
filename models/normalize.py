"""x / x.sum() over one vector: it runs on a whole batch without complaint but sums over the
batch too. vmap keeps the reduction inside each instance; by hand it needs axis and keepdims."""

import jax.numpy as jnp

from jaxbatch.models import CATALOG
from jaxbatch.results.spec import Aval, Model


def build(rng):
    def model(x):  # x: (m,) -> weights summing to 1 (exp keeps the sum away from zero)
        e = jnp.exp(x)
        return e / e.sum()

    def model_batched(x):  # x: (n, m) -> (n, m)
        e = jnp.exp(x)
        return e / e.sum(axis=-1, keepdims=True)

    return model, model_batched


MODEL = Model(
    name="normalize",
    summary=CATALOG["normalize"][1],
    build=build,
    args=(Aval((4,)),),
    manual_label="axis=-1, keepdims",
    note=(
        "Called on the whole batch the model runs, but e.sum() adds all 20 entries, so every row "
        "is divided by one grand total: it runs on the batch but is WRONG. vmap keeps each sum "
        "inside its instance: reduce_sum over axis 1 gives f32[5], broadcast to f32[5,1] for the "
        "div, the same four operations the hand version gets from axis=-1, keepdims=True."
    ),
    source="https://docs.jax.dev/en/latest/_autosummary/jax.numpy.sum.html (axis=None sums along all the axes)",
    seed=11,
    signature=(
        ("vmap", r"f32\[5\] = reduce_sum\[[^\]]*\baxes=\((np\.int64\()?1\)?,\)"),
        ("vmap", r"f32\[5,1\] = broadcast_in_dim"),
        ("manual", r"f32\[5\] = reduce_sum\[[^\]]*\baxes=\((np\.int64\()?1\)?,\)"),
    ),
)
