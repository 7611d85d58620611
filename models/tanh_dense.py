"""The seed's model: a dense layer, tanh, and a sum, written for one vector."""

import jax.numpy as jnp

from jaxbatch.models import CATALOG
from jaxbatch.results.spec import Aval, Model


def build(rng):
    # The seed's draw order: M, then one instance v, then the batch (the lab draws those two).
    M = jnp.array(rng.normal(size=(2, 3)))  # (k, m)
    b = 1.0

    def model(v):  # v: (m,)
        return jnp.tanh(M @ v + b).sum()

    def model_batched(v_batched):  # v_batched: (n, m) -> (n,)
        return jnp.tanh(jnp.einsum("km,nm->nk", M, v_batched) + b).sum(1)

    return model, model_batched


MODEL = Model(
    name="tanh-dense",
    summary=CATALOG["tanh-dense"][1],
    build=build,
    args=(Aval((3,)),),
    manual_label="einsum",
    note=(
        "Same four primitives either way, but not the same program: the einsum computes "
        "dot_general(v, M) -> (n, k) and sums axis 1, vmap computes dot_general(M, v) -> (k, n) "
        "and sums axis 0. The layout differs, and so can the speed."
    ),
    source="Stack Overflow, \"vmap vs native batching\": the model of the answer that calls them identical",
    seed=98432,
    signature=(
        ("manual", r"(?s)c:f32\[5,2\] = dot_general\[.*?\] b a"),
        ("vmap", r"(?s)c:f32\[2,5\] = dot_general\[.*?\] a b"),
        ("manual", r"reduce_sum\[[^\]]*\baxes=\(1,\)"),
        ("vmap", r"reduce_sum\[[^\]]*\baxes=\((np\.int64\()?0\)?,\)"),
    ),
)
