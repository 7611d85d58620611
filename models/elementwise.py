"""An elementwise function: it is already batched, so calling it on the whole batch is right,
and vmap only adds a leading axis to every operation."""

import jax.numpy as jnp

from jaxbatch.models import CATALOG
from jaxbatch.results.spec import Aval, Model


def build(rng):
    def model(x):  # x: (m,) -> (m,)
        return jnp.sin(x) * 2 + x**2

    return model, model


MODEL = Model(
    name="elementwise",
    summary=CATALOG["elementwise"][1],
    build=build,
    args=(Aval((4,)),),
    manual_label="as is",
    note=(
        "vmap changes nothing but the shapes: sin, mul, integer_pow and add, each on f32[5,4], "
        "the same program as the model called on the batch, which is the hand version as is. "
        "Elementwise operations have no axis to get wrong, so the model runs on the batch and "
        "matches the loop."
    ),
    source="https://docs.jax.dev/en/latest/automatic-vectorization.html (manual vs automatic vectorization)",
    seed=7,
    signature=(
        ("vmap", r"f32\[5,4\] = sin \w+"),
        ("vmap", r"f32\[5,4\] = integer_pow\[[^\]]*\by=2\b"),
        ("manual", r"f32\[5,4\] = sin \w+"),
        ("manual", r"f32\[5,4\] = integer_pow\[[^\]]*\by=2\b"),
    ),
)
