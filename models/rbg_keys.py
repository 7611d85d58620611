"""Random numbers from one RBG key (impl="rbg", XLA's RngBitGenerator): under vmap, JAX draws the
whole batch from the first key, so vmap's numbers are not the loop's."""

import jax
from jax import lax

from jaxbatch.models import CATALOG
from jaxbatch.results.spec import Aval, Model


def build(rng):
    def model(key_data):  # key_data: u32[4], the raw words of one RBG key
        return jax.random.normal(jax.random.wrap_key_data(key_data, impl="rbg"), (3,))

    def model_mapped(keys):  # keys: u32[n,4]: one key at a time, as the loop does
        return lax.map(model, keys)

    return model, model_mapped


MODEL = Model(
    name="rbg-keys",
    summary=CATALOG["rbg-keys"][1],
    build=build,
    args=(Aval((4,), "uint32"),),
    manual_label="lax.map",
    note=(
        "vmap DIFFERS from the loop (on CPU only the first row matches), and it does not loop. "
        "random_bits on key<rbg>[5] lowers, through rng_bit_generator's batching rule, to one "
        "RngBitGenerator on the first key alone (the StableHLO slices the keys [0:1]) that draws "
        "u32[5,3], so vmap's output is normal(keys[0], (5, 3)), as jax.random's docs say of rbg "
        '(no "exact jax.vmap over keys"; threefry, in random-keys, has it). The loop\'s numbers need '
        "a loop: by hand, lax.map is a scan[length=5], one key per step. RBG keys are sometimes said "
        "to make vmap loop; on this JAX they don't, and the app calls vmap a loop only where its "
        "program holds one."
    ),
    source=(
        'https://docs.jax.dev/en/latest/jax.random.html ("rbg" and "unsafe_rbg" under jax.vmap: '
        "the entire batch is generated from only the first key); rng_bit_generator's batching rule, "
        "jax/_src/lax/control_flow/loops.py"
    ),
    seed=1729,
    signature=(
        ("vmap", r"key<rbg>\[5\] = random_wrap\[[^\]]*\bimpl=rbg\b"),
        ("vmap", r"u32\[5,3\] = random_bits\[[^\]]*\bbit_width=32\b[^\]]*\bshape=\(3,\)"),
        ("manual", r"length=5"),
        ("manual", r"key<rbg>\[\] = random_wrap\[[^\]]*\bimpl=rbg\b"),
    ),
)
