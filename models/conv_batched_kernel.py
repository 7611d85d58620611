"""A 1-D convolution whose kernel differs per instance: vmap has no batch dimension to put the
kernels in, so it turns the batch into feature groups, the trick experts write by hand."""

from jax import lax

from jaxbatch.models import CATALOG
from jaxbatch.results.spec import Aval, Model


def build(rng):
    def model(x, w):  # x: (L,) one signal, w: (K,) its own kernel -> (L - K + 1,)
        return lax.conv_general_dilated(x[None, None], w[None, None], (1,), "VALID")[0, 0]

    def model_batched(x, w):  # x: (n, L), w: (n, K): instances as channels, one group each
        return lax.conv_general_dilated(x[None], w[:, None], (1,), "VALID", feature_group_count=x.shape[0])[0]

    return model, model_batched


MODEL = Model(
    name="conv-batched-kernel",
    summary=CATALOG["conv-batched-kernel"][1],
    build=build,
    args=(Aval((8,)), Aval((3,))),
    in_axes=(0, 0),
    manual_label="feature groups",
    note=(
        "vmap makes one conv_general_dilated with feature_group_count=5: the 5 signals become "
        "5 channels of a single input, f32[1,5,8], and each channel is convolved only with its "
        "own kernel. That is the expert's trick too; the two programs differ only in the layout "
        "moves around the conv (vmap adds reshapes and a transpose)."
    ),
    source=(
        'jax-ml/jax PR #858, "improve efficiency of conv batching rules (i.e. vmap rules)": a '
        "batched kernel gives one conv with feature_group_count > 1 instead of a loop"
    ),
    seed=31415,
    signature=(
        ("vmap", r"f32\[1,5,6\] = conv_general_dilated\["),
        ("vmap", r"feature_group_count=5\b"),
        ("vmap", r"= transpose\[[^\]]*\bpermutation=\(1, 0, 2, 3\)"),
        ("manual", r"feature_group_count=5\b"),
    ),
)
