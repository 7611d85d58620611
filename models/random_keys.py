"""Random numbers from one PRNG key per instance: jax.random refuses a batch of keys and says
to use vmap, which batches the key array itself."""

import jax

from jaxbatch.models import CATALOG
from jaxbatch.results.spec import Aval, Model


def build(rng):
    def model(key_data):  # key_data: u32[2], the raw words of one threefry key
        return jax.random.normal(jax.random.wrap_key_data(key_data), (3,))

    return model, None


MODEL = Model(
    name="random-keys",
    summary=CATALOG["random-keys"][1],
    build=build,
    args=(Aval((2,), "uint32"),),
    manual_missing="none: jax.random takes a single key, and the loop's numbers can't be had without vmap",
    note=(
        "No hand version is given: jax.random samplers accept a single key only (called on the "
        'batch, the model raises "normal accepts a single key ... Use jax.vmap for batching"), '
        "and reproducing the loop's numbers by hand would mean re-deriving threefry's internals. "
        "vmap batches the key array itself: random_wrap makes key<fry>[5], and one random_bits "
        "on it gives u32[5,3], a row of bits per key, turned into the loop's floats."
    ),
    source='jax-ml/jax issue #177, "vmap over PRNG keys" (closed by PR #179, "add support for vmap over PRNGKeys")',
    seed=1729,
    signature=(
        ("vmap", r"key<fry>\[5\] = random_wrap"),
        ("vmap", r"u32\[5,3\] = random_bits\[[^\]]*\bbit_width=32\b[^\]]*\bshape=\(3,\)"),
    ),
)
