"""A host function called through jax.pure_callback with vmap_method="sequential": vmap can't see
inside the callback, so it loops over the batch, one host call per instance."""

import jax
import numpy as np

from jaxbatch.models import CATALOG
from jaxbatch.results.spec import Aval, Model


def on_host(x):
    """NumPy on the host, standing in for any code JAX can't trace; works along the last axis,
    so it takes a whole batch as readily as one instance."""
    return np.cumsum(np.sin(x), axis=-1).astype(np.float32)


def build(rng):
    def model(x):  # x: (4,) -> (4,)
        return jax.pure_callback(on_host, jax.ShapeDtypeStruct(x.shape, x.dtype), x, vmap_method="sequential")

    def model_batched(xs):  # xs: (n, 4) -> (n, 4): one host call on the whole batch
        return jax.pure_callback(on_host, jax.ShapeDtypeStruct(xs.shape, xs.dtype), xs)

    return model, model_batched


MODEL = Model(
    name="callback-sequential",
    summary=CATALOG["callback-sequential"][1],
    build=build,
    args=(Aval((4,)),),
    manual_label="one call",
    note=(
        'vmap_method="sequential" tells vmap to batch the callback with lax.map: vmap\'s jaxpr is a '
        "scan[length=5] around a pure_callback on f32[4], which XLA keeps as a while with "
        "known_trip_count 5: five host calls, one after another, where one instance's program has no "
        "loop. By hand the callback is called once on the whole batch, f32[5,4]; that is right because "
        'the host function works along the last axis, and vmap_method="expand_dims" or "broadcast_all" '
        "would let vmap do the same. Called on the batch, the one-instance model runs and is right for "
        "the same reason."
    ),
    source=(
        "https://docs.jax.dev/en/latest/_autosummary/jax.pure_callback.html "
        '(vmap_method="sequential" uses jax.lax.map to loop over the batched arguments); '
        "https://docs.jax.dev/en/latest/external-callbacks.html"
    ),
    seed=18,
    signature=(
        ("vmap", r"length=5"),
        ("vmap", r"f32\[4\] = pure_callback"),
        ("vmap", r"vmap_method=sequential"),
        ("manual", r"f32\[5,4\] = pure_callback"),
    ),
)
