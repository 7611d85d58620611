"""x.at[i].set(v) into a large closed-over vector, then its squared norm: each instance's answer
is one number, but vmap's scatter writes into a batch x N copy of the vector to get it."""

import jax.numpy as jnp

from jaxbatch.models import CATALOG
from jaxbatch.results.spec import Aval, Model

N = 2**16  # 256 KiB of f32 per copy: large enough that the batch of copies is what memory holds
STRIDE = N // 8  # the drawn indices are 0..7: spread them over the whole vector


def build(rng):
    base = jnp.asarray(rng.normal(size=(N,)), dtype=jnp.float32)  # shared, closed over

    def model(i, v):  # i: int32 (), v: () -> (); the updated copy never leaves the model
        x = base.at[i * STRIDE].set(v)
        return jnp.sum(x * x)

    def model_batched(i, v):  # i: (n,), v: (n,) -> (n,): only entry j changes, so correct the shared norm
        old = base[i * STRIDE]
        return jnp.sum(base * base) - old * old + v * v

    return model, model_batched


MODEL = Model(
    name="at-set-large",
    summary=CATALOG["at-set-large"][1],
    build=build,
    args=(Aval((), "int32"), Aval(())),
    in_axes=(0, 0),
    manual_label="gather and correct",
    note=(
        "vmap copies the closed-over f32[65536] once per instance (broadcast_in_dim to f32[5,65536], "
        "1.25 MiB at batch 5) and scatters each value into its own row (operand_batching_dims=(0,)) "
        "before squaring and summing: each instance's answer is one float, yet the program holds the "
        "whole batch of copies, and that buffer is what vmap's peak in the Memory section is made of. "
        "The hand version is what an expert writes: only entry i changes, so it gathers the old "
        "entries (a gather of f32[5]) and corrects the squared norm of base, summed once for the whole "
        "batch; nothing in it grows with N times the batch. Sums taken in a different order can differ "
        "in the last bit, so agreement is within float tolerance. Called on the batch, the "
        "one-instance model runs and is WRONG: it sets every instance's entry in ONE copy and returns "
        "one number."
    ),
    source=(
        "jax-ml/jax issue #23358 (x.at[i].set(v) on a large array inside vmap); "
        "https://docs.jax.dev/en/latest/_autosummary/jax.Array.at.html"
    ),
    seed=23358,
    signature=(
        ("vmap", r"f32\[5,65536\] = broadcast_in_dim"),
        ("vmap", r"f32\[5,65536\] = scatter\["),
        ("vmap", r"operand_batching_dims=\(0,\)"),
        ("manual", r"f32\[5\] = gather\["),
        ("manual", r"f32\[\] = reduce_sum"),
    ),
)
