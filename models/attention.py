"""Softmax attention over one sequence: several matmuls and a softmax, batched by einsum."""

import math

import jax
import jax.numpy as jnp

from jaxbatch.models import CATALOG
from jaxbatch.results.spec import Aval, Model

D = 4


def build(rng):
    Wq, Wk, Wv = (jnp.asarray(rng.normal(size=(D, D)) / math.sqrt(D)) for _ in range(3))

    def attention(x):  # x: (L, d) -> (L, d)
        q, k, v = x @ Wq, x @ Wk, x @ Wv
        return jax.nn.softmax(q @ k.T / math.sqrt(D), axis=-1) @ v

    def attention_batched(xs):  # xs: (n, L, d) -> (n, L, d)
        q, k, v = (jnp.einsum("nld,de->nle", xs, W) for W in (Wq, Wk, Wv))
        scores = jnp.einsum("nqe,nke->nqk", q, k) / math.sqrt(D)
        return jnp.einsum("nqk,nke->nqe", jax.nn.softmax(scores, axis=-1), v)

    return attention, attention_batched


MODEL = Model(
    name="attention",
    summary=CATALOG["attention"][1],
    build=build,
    args=(Aval((6, D)),),
    manual_label="einsum",
    note=(
        "Both programs project x with the same three dot_generals: vmap adds no batch dimension "
        "there, it folds the batch into x's free axes (f32[5,6,4] times f32[4,4]). The batch does "
        "become a dot_general batch dimension, (([2], ...), ([0], [0])), in the two "
        "sequence-by-sequence products. The one difference: vmap keeps k.T as a transpose "
        "(f32[5,4,6]) that the einsum contracts away. Called on the batch, the one-instance model "
        "raises: k.T reverses all three axes, batch included (f32[4,6,5])."
    ),
    source=(
        "https://docs.jax.dev/en/latest/101/transformations.html (under vmap each dot_general picks up "
        "a batch dimension); https://docs.jax.dev/en/latest/_autosummary/jax.lax.dot.html (dimension_numbers)"
    ),
    seed=31337,
    signature=(
        ("vmap", r"f32\[5,4,6\] = transpose"),
        ("vmap", r"\(\[2\], \[1\]\), \(\[0\], \[0\]\)"),
        ("manual", r"\(\[2\], \[2\]\), \(\[0\], \[0\]\)"),
    ),
)
