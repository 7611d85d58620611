"""Per-example gradients: jax.grad of one example's loss, vmapped with the parameters shared.
Logistic regression, so an expert can write the batched gradient exactly by hand."""

import jax
import jax.numpy as jnp

from jaxbatch.models import CATALOG
from jaxbatch.results.spec import Aval, Model


def loss(params, example):  # binary cross-entropy from the logit z (log1p(exp) is safe: z is O(1) here)
    z = example["x"] @ params["w"] + params["b"]
    return jnp.log1p(jnp.exp(z)) - example["y"].astype(z.dtype) * z


def build(rng):
    def grad_one(params, example):  # -> {"w": (d,), "b": ()}
        return jax.grad(loss)(params, example)

    def grad_batched(params, examples):  # x: (n, d), y: (n,) -> {"w": (n, d), "b": (n,)}
        z = examples["x"] @ params["w"] + params["b"]
        r = jax.nn.sigmoid(z) - examples["y"].astype(z.dtype)  # dloss/dz, per example
        return {"b": r, "w": r[:, None] * examples["x"]}

    return grad_one, grad_batched


MODEL = Model(
    name="per-example-grad",
    summary=CATALOG["per-example-grad"][1],
    build=build,
    args=({"w": Aval((4,)), "b": Aval(())}, {"x": Aval((4,)), "y": Aval((), "bool")}),
    in_axes=(None, 0),
    manual_label="hand-derived gradient",
    note=(
        "vmap of grad gives each example its own gradient, never summed: the weight gradient is a "
        "dot_general with batch dimensions ([0], [0]) and nothing contracted, an outer product per "
        "example (f32[5,4]), where the hand formula broadcasts and multiplies. The vmap jaxpr also "
        "computes the loss itself (bound to _, unused) and the derivative of log1p(exp(z)) piece by "
        "piece, where the formula has one logistic; XLA drops the loss and compiles both to one dot "
        "and two fusions, which still differ inside (a select in vmap's). Called on the batch, "
        "the one-instance function raises: the loss is no "
        "longer a scalar, so jax.grad refuses. Over several devices (--host-devices 4 --batch 8), "
        "shard_map gets it WRONG: the shared parameters' gradient is summed across devices "
        "(psum_invariant in its jaxpr), while jit on sharded inputs stays right."
    ),
    source=(
        "https://docs.jax.dev/en/latest/101/transformations.html (per-example gradients of a logistic "
        "regression loss: vmap of grad, parameters mapped with None)"
    ),
    seed=7,
    signature=(
        ("vmap", r"f32\[5,4\] = dot_general\[\s*dimension_numbers=\(\(\[\], \[\]\), \(\[0\], \[0\]\)\)"),
        ("vmap", r"_:f32\[5\] = sub"),
        ("manual", r"\blogistic\b"),
    ),
)
