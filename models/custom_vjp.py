"""Per-example gradients through a jax.custom_vjp function: vmap batches the custom rule's
forward and backward as they are written, while an expert writes the gradient for the batch."""

import jax
import jax.numpy as jnp

from jaxbatch.models import CATALOG
from jaxbatch.results.spec import Aval, Model


@jax.custom_vjp
def softplus(z):  # log(1 + e^z), stable for any z
    return jnp.logaddexp(z, 0.0)


def _softplus_fwd(z):
    return softplus(z), z


def _softplus_bwd(z, g):  # d/dz log(1 + e^z) = sigmoid(z): no exp(z) / (1 + exp(z)) overflow
    return (g * jax.nn.sigmoid(z),)


softplus.defvjp(_softplus_fwd, _softplus_bwd)


def loss(w, example):  # logistic loss on the logit z = x . w, label y in {0, 1}
    z = example["x"] @ w
    return softplus(z) - example["y"].astype(z.dtype) * z


def build(rng):
    def grad_one(w, example):  # w: (d,) -> (d,)
        return jax.grad(loss)(w, example)

    def grad_batched(w, examples):  # x: (n, d), y: (n,) -> (n, d), the custom rule written out
        z = examples["x"] @ w
        return (jax.nn.sigmoid(z) - examples["y"].astype(z.dtype))[:, None] * examples["x"]

    return grad_one, grad_batched


MODEL = Model(
    name="custom-vjp",
    summary=CATALOG["custom-vjp"][1],
    build=build,
    args=(Aval((4,)), {"x": Aval((4,)), "y": Aval((), "bool")}),
    in_axes=(None, 0),
    manual_label="hand-written gradient",
    note=(
        "softplus here is a jax.custom_vjp: its forward is logaddexp(z, 0), its backward rule "
        "sigmoid(z). vmap of grad batches both as written: the vmap jaxpr holds a custom_vjp_call of "
        "softplus on f32[5], whose result (the loss) is bound to _ and unused, and the backward rule "
        "inlined as one logistic on f32[5]; the weight gradient is a dot_general with batch "
        "dimensions ([0], [0]), an outer product per example (f32[5,4]). The hand version is the rule "
        "written out for the batch, (sigmoid(z) - y) times x, with no custom_vjp_call; XLA drops "
        "vmap's unused loss, so neither compiled program takes a log. Called on the batch, the "
        "one-instance function raises: the loss is no longer a scalar, so jax.grad refuses."
    ),
    source=(
        "https://docs.jax.dev/en/latest/_autosummary/jax.custom_vjp.html; "
        "https://docs.jax.dev/en/latest/notebooks/Custom_derivative_rules_for_Python_code.html"
    ),
    seed=2020,
    signature=(
        ("loop", r"custom_vjp_call\["),
        ("vmap", r"f32\[5\] = custom_vjp_call\[\s*name=softplus"),
        ("vmap", r"_:f32\[5\] = sub"),
        ("vmap", r"f32\[5\] = logistic"),
        ("vmap", r"f32\[5,4\] = dot_general\[\s*dimension_numbers=\(\(\[\], \[\]\), \(\[0\], \[0\]\)\)"),
        ("manual", r"f32\[5\] = logistic"),
    ),
)
