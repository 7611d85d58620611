"""Eigen-decomposition of one symmetric matrix: jnp.linalg.eigh takes a stack of matrices, so
the hand version is the library's own batching. Eigenvectors are defined only up to sign, so
the model returns v v^T per eigenvector, which is not."""

import jax.numpy as jnp

from jaxbatch.models import CATALOG
from jaxbatch.results.spec import Aval, Model

M = 4


def _outputs(A):  # A: (..., M, M) -> eigenvalues (..., M), projectors (..., M, M, M)
    S = (A + jnp.swapaxes(A, -1, -2)) / 2  # symmetric by construction, so eigh need not symmetrize
    w, v = jnp.linalg.eigh(S, symmetrize_input=False)
    return w, jnp.einsum("...ik,...jk->...kij", v, v)  # v_k v_k^T: the same for v_k and -v_k


def build(rng):
    def model(A):  # A: (M, M)
        return _outputs(A)

    def model_batched(A):  # A: (n, M, M): eigh and einsum both take leading batch axes
        return _outputs(A)

    return model, model_batched


MODEL = Model(
    name="eigh",
    summary=CATALOG["eigh"][1],
    build=build,
    args=(Aval((M, M)),),
    manual_label="batched eigh",
    note=(
        "vmap of the one-matrix eigh is the library's batched eigh: the two jaxprs are the same, one "
        "eigh of f32[5,4,4] giving eigenvalues f32[5,4] (ascending) and eigenvectors f32[5,4,4]; on "
        "CPU it compiles to LAPACK's syevd custom call. An eigenvector is defined only up to its sign, "
        "which a batched solver and a one-matrix one need not pick alike, so the model returns v v^T "
        "for each eigenvector (the same for v and -v; f32[5,4,4,4], a dot_general with batch "
        "dimensions ([0, 2], [0, 2])) beside the eigenvalues. The model symmetrizes its input, "
        "(A + A^T) / 2, and tells eigh not to do it again. Called on the batch, the one-instance "
        "model is right: eigh and the einsum both take leading batch axes."
    ),
    source=(
        "jax-ml/jax issue #10180; jax-ml/jax issue #693, \"add batching (vmap) rule for eigh\"; "
        "https://docs.jax.dev/en/latest/_autosummary/jax.numpy.linalg.eigh.html (a: array of shape (..., M, M))"
    ),
    seed=10180,
    signature=(
        ("loop", r"f32\[4,4\] \w+:f32\[4\] = eigh\["),
        ("vmap", r"f32\[5,4,4\] \w+:f32\[5,4\] = eigh\["),
        ("vmap", r"f32\[5,4,4,4\] = dot_general\[\s*dimension_numbers=\(\(\[\], \[\]\), \(\[0, 2\], \[0, 2\]\)\)"),
        ("manual", r"f32\[5,4,4\] \w+:f32\[5,4\] = eigh\["),
    ),
)
