"""A two-layer perceptron on one vector: the everyday case, where batching by hand is a matmul."""

import jax.numpy as jnp

from jaxbatch.models import CATALOG
from jaxbatch.results.spec import Aval, Model


def build(rng):
    W1 = jnp.asarray(rng.normal(size=(8, 4)) / 2)  # (h, d)
    b1 = jnp.asarray(rng.normal(size=(8,)))
    W2 = jnp.asarray(rng.normal(size=(3, 8)) / 3)  # (k, h)
    b2 = jnp.asarray(rng.normal(size=(3,)))

    def mlp(x):  # x: (d,) -> (k,)
        h = jnp.maximum(W1 @ x + b1, 0.0)
        return W2 @ h + b2

    def mlp_batched(xs):  # xs: (n, d) -> (n, k)
        h = jnp.maximum(xs @ W1.T + b1, 0.0)
        return h @ W2.T + b2

    return mlp, mlp_batched


MODEL = Model(
    name="mlp",
    summary=CATALOG["mlp"][1],
    build=build,
    args=(Aval((4,)),),
    manual_label="matmul",
    note=(
        "vmap keeps the matrix-vector order of the one-instance code: dot_general(W1, x) gives "
        "f32[8,5] (hidden by batch), then a transpose makes it batch-first f32[5,8]; the same again "
        "for the second layer. The matmul version transposes the weights instead (f32[4,8]) and "
        "multiplies x @ W1.T straight into f32[5,8]. Called on the batch, the one-instance model "
        "raises: W1 @ x tries to contract W1's 4 columns with the batch's 5 rows."
    ),
    source=(
        "https://docs.jax.dev/en/latest/automatic-vectorization.html (manual vs automatic vectorization); "
        "https://docs.jax.dev/en/latest/_autosummary/jax.lax.dot.html (dot_general's dimension_numbers)"
    ),
    seed=20240601,
    signature=(
        ("vmap", r"f32\[8,5\] = dot_general"),
        ("vmap", r"f32\[5,8\] = transpose"),
        ("manual", r"f32\[4,8\] = transpose"),
    ),
)
