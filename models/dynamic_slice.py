"""A window at a per-instance offset: lax.dynamic_slice takes a scalar start, so a batch of
starts turns it into a gather."""

import jax.numpy as jnp
from jax import lax

from jaxbatch.models import CATALOG
from jaxbatch.results.spec import Aval, Model

WIDTH = 4  # offsets are 0..7 and the vector has 12 entries: no window is clamped


def build(rng):
    def window(x, i):  # x: (12,), i: int32 () -> (WIDTH,)
        return lax.dynamic_slice(x, (i,), (WIDTH,))

    def window_batched(xs, starts):  # xs: (n, 12), starts: (n,) -> (n, WIDTH)
        return jnp.take_along_axis(xs, starts[:, None] + jnp.arange(WIDTH), axis=1)

    return window, window_batched


MODEL = Model(
    name="dynamic-slice",
    summary=CATALOG["dynamic-slice"][1],
    build=build,
    args=(Aval((12,)), Aval((), "int32")),
    in_axes=(0, 0),
    manual_label="take_along_axis",
    note=(
        "Under vmap, dynamic_slice with a batched start becomes one gather reading a 4-wide window "
        "per row (slice_sizes=(1, 4), mode CLIP: a window that would run off the end is clamped, as "
        "dynamic_slice does). take_along_axis is a gather too, of 5x4 single elements "
        "(slice_sizes=(1, 1)) in mode FILL_OR_DROP, so an out-of-range read gives NaN instead; "
        "offsets 0..7 in 12 entries never run off, so here the two agree. Called on the batch, the "
        "one-instance model raises: one start index for a 2-D operand."
    ),
    source=(
        'jax-ml/jax PR #504, "Use gather as the batched form of dynamic_slice."; '
        "https://docs.jax.dev/en/latest/_autosummary/jax.lax.dynamic_slice.html (out-of-bounds starts are clamped)"
    ),
    seed=4,
    signature=(
        ("vmap", r"\bgather\b"),
        ("vmap", r"slice_sizes=\(1, 4\)"),
        ("vmap", r"mode=GatherScatterMode\.CLIP"),
        ("manual", r"slice_sizes=\(1, 1\)"),
        ("manual", r"mode=GatherScatterMode\.FILL_OR_DROP"),
    ),
)
