"""An RNN over one sequence with lax.scan: the time loop stays a loop under vmap, and the batch
moves inside its body, as an expert writes it."""

import jax.numpy as jnp
from jax import lax

from jaxbatch.models import CATALOG
from jaxbatch.results.spec import Aval, Model

T, D, H = 6, 3, 4  # time steps, input width, hidden width


def build(rng):
    Wx = jnp.asarray(rng.normal(size=(D, H)) / jnp.sqrt(D), dtype=jnp.float32)
    Wh = jnp.asarray(rng.normal(size=(H, H)) / jnp.sqrt(H), dtype=jnp.float32)
    b = jnp.asarray(rng.normal(size=(H,)) * 0.1, dtype=jnp.float32)

    def step(h, x):  # h: (..., H), x: (..., D): the same cell for one state or a batch of them
        h = jnp.tanh(x @ Wx + h @ Wh + b)
        return h, h

    def model(xs):  # xs: (T, D) -> every hidden state, (T, H)
        return lax.scan(step, jnp.zeros(H, xs.dtype), xs)[1]

    def model_batched(xs):  # xs: (n, T, D) -> (n, T, H); scan over time, a batch of states carried
        hs = lax.scan(step, jnp.zeros((xs.shape[0], H), xs.dtype), jnp.swapaxes(xs, 0, 1))[1]
        return jnp.swapaxes(hs, 0, 1)

    return model, model_batched


MODEL = Model(
    name="scan-rnn",
    summary=CATALOG["scan-rnn"][1],
    build=build,
    args=(Aval((T, D)),),
    manual_label="scan over a batch of states",
    note=(
        "vmap keeps the time loop a loop and moves the batch inside it: the scan (length=6) now "
        "carries f32[5,4], a hidden state per instance, and each step multiplies the f32[5,3] inputs "
        "and f32[5,4] states by the shared weights, two matmuls for the whole batch, which is what the "
        "hand version writes (it makes the sequences time-major itself, a transpose to f32[6,5,3]). "
        "The jaxprs differ only in how the zero state is built (vmap broadcasts f32[4] to f32[5,4]); "
        "on CPU XLA compiles both to the same program, one loop of 6 steps, and there is no loop over "
        "the batch. Called on the batch, the one-instance model raises: the scan then runs over the "
        "batch axis, and the carry f32[4] comes back as f32[6,4]."
    ),
    source=(
        "https://docs.jax.dev/en/latest/_autosummary/jax.lax.scan.html "
        "(scan carries state through a loop over the leading axis)"
    ),
    seed=31,
    signature=(
        ("loop", r"f32\[4\] \w+:f32\[6,4\] = scan\["),
        ("vmap", r"f32\[5,4\] \w+:f32\[6,5,4\] = scan\["),
        ("vmap", r"length=6\b"),
        ("vmap", r"f32\[4\] = broadcast_in_dim 0\.0"),
        ("manual", r"f32\[5,4\] = broadcast_in_dim 0\.0"),
        ("manual", r"f32\[6,5,3\] = transpose\[[^\]]*\bpermutation=\(1, 0, 2\)"),
    ),
)
