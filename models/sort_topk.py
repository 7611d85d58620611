"""The k largest entries of one vector, by a full sort: vmap moves the sort to the last axis
of the batch, while an expert writes top_k on that axis."""

import jax.numpy as jnp
from jax import lax

from jaxbatch.models import CATALOG
from jaxbatch.results.spec import Aval, Model

K = 3


def build(rng):
    def model(x):  # x: (m,) -> its K largest, largest first
        return jnp.sort(x)[::-1][:K]

    def model_batched(x):  # x: (n, m) -> (n, K)
        return lax.top_k(x, K)[0]

    return model, model_batched


MODEL = Model(
    name="sort-topk",
    summary=CATALOG["sort-topk"][1],
    build=build,
    args=(Aval((8,)),),
    manual_label="top_k",
    note=(
        "vmap keeps the full sort and moves it: the loop's sort[dimension=0] per instance becomes "
        "one sort[dimension=1] of f32[5,8], then rev and slice along axis 1 keep the 3 largest. "
        "The hand version is one top_k along axis 1 with k=3, which on CPU compiles to XLA's TopK custom "
        "call instead of a sort. The model called on the batch runs but is WRONG: jnp.sort sorts "
        "the last axis while [::-1][:3] cut the first, giving shape (3, 8)."
    ),
    source="https://docs.jax.dev/en/latest/_autosummary/jax.lax.top_k.html (top_k along an axis, the last by default)",
    seed=2718,
    signature=(
        ("loop", r"sort\[[^\]]*\bdimension=0\b"),
        ("vmap", r"f32\[5,8\] = sort\[[^\]]*\bdimension=1\b"),
        ("vmap", r"rev\[[^\]]*\bdimensions=\(1,\)"),
        ("manual", r"top_k\[[^\]]*\baxis=1\b[^\]]*\bk=3\b"),
    ),
)
