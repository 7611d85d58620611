"""Solve A x = b for one system: jnp.linalg.solve already takes a batch, so the hand version
is the library's own batching, and vmap reaches the same batched LU."""

import jax.numpy as jnp

from jaxbatch.models import CATALOG
from jaxbatch.results.spec import Aval, Model

M = 3


def build(rng):
    def model(A, b):  # A: (M, M), b: (M,) -> x: (M,); + M*I keeps A well-conditioned
        return jnp.linalg.solve(A + M * jnp.eye(M), b)

    def model_batched(A, b):  # A: (n, M, M), b: (n, M), passed as one-column matrices
        return jnp.linalg.solve(A + M * jnp.eye(M), b[..., None])[..., 0]

    return model, model_batched


MODEL = Model(
    name="linear-solve",
    summary=CATALOG["linear-solve"][1],
    build=build,
    args=(Aval((M, M)), Aval((M,))),
    in_axes=(0, 0),
    manual_label="batched solve",
    note=(
        "Both programs make one lu of f32[5,3,3] and batched triangular_solves: vmap of the "
        "one-system solve is the library's batched solve. By hand b must be written b[..., None] "
        "(a 2-D b now means a matrix; the model called on the batch raises and says so), so the "
        "hand program solves one-column matrices f32[5,1,3] with extra transposes, while vmap "
        "keeps b a vector, f32[5,3]."
    ),
    source='jax-ml/jax PR #25741, "jnp.linalg.solve: finalize deprecation of batched 1D solves"',
    seed=4242,
    signature=(
        ("vmap", r"f32\[5,3,3\] \w+:i32\[5,3\] \w+:i32\[5,3\] = lu\b"),
        ("vmap", r"f32\[5,3\] = custom_linear_solve\["),
        ("manual", r"f32\[5,3,3\] \w+:i32\[5,3\] \w+:i32\[5,3\] = lu\b"),
        ("manual", r"f32\[5,1,3\] = custom_linear_solve\["),
        ("manual", r"f32\[5,1,3\] = transpose\[[^\]]*\bpermutation=\(0, 2, 1\)"),
    ),
)
