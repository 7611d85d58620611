"""Pytrees in and out: a dict of per-instance arrays, a shared parameter dict, and a tuple out
that holds a dict. Every strategy sees flat arrays; the tree structure is rebuilt around them."""

from jaxbatch.models import CATALOG
from jaxbatch.results.spec import Aval, Model


def build(rng):
    def model(inputs, params):  # inputs: {"x": (3,), "n": ()}, params: {"w": (3, 3), "b": (3,)}
        y = params["w"] @ inputs["x"] + params["b"]
        return {"y": y, "scaled": y * inputs["n"]}, inputs["n"] + 1

    def model_batched(inputs, params):  # inputs batched: {"x": (n, 3), "n": (n,)}; params shared
        y = inputs["x"] @ params["w"].T + params["b"]
        return {"y": y, "scaled": y * inputs["n"][:, None]}, inputs["n"] + 1

    return model, model_batched


MODEL = Model(
    name="pytree-io",
    summary=CATALOG["pytree-io"][1],
    build=build,
    args=({"x": Aval((3,)), "n": Aval((), "int32")}, {"w": Aval((3, 3)), "b": Aval((3,))}),
    in_axes=(0, None),
    manual_label="matmul, broadcast n",
    note=(
        "The programs see only flat arrays, in leaf order with dict keys sorted: n (i32[5]) "
        "before x (f32[5,3]), then the shared b and w with no batch axis; they return three "
        "flat arrays (scaled, y, n + 1), rebuilt into a tuple holding a dict. vmap contracts the "
        "unbatched w against x into f32[3,5] and transposes the result; the hand matmul "
        "transposes w instead."
    ),
    source=(
        "https://docs.jax.dev/en/latest/_autosummary/jax.vmap.html "
        "(in_axes as a tree prefix of the arguments, None for unmapped)"
    ),
    seed=5,
    signature=(
        ("vmap", r"lambda ; \w+:i32\[5\] \w+:f32\[5,3\] \w+:f32\[3\] \w+:f32\[3,3\]\. let"),
        ("vmap", r"in \(\w+, \w+, \w+\) \}"),
        ("vmap", r"f32\[3,5\] = dot_general\["),
        ("manual", r"f32\[3,3\] = transpose\[[^\]]*\bpermutation=\(1, 0\)"),
    ),
)
