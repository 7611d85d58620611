"""lax.cond on a predicate computed from the instance: a batch of predicates can't pick one
branch, so vmap runs both and selects."""

import jax.numpy as jnp
from jax import lax

from jaxbatch.models import CATALOG
from jaxbatch.results.spec import Aval, Model


def build(rng):
    def branchy(x):  # x: (4,) -> (4,)
        return lax.cond(x.sum() > 0, jnp.sin, jnp.cos, x)

    def branchy_batched(xs):  # xs: (n, 4) -> (n, 4)
        return jnp.where((xs.sum(1) > 0)[:, None], jnp.sin(xs), jnp.cos(xs))

    return branchy, branchy_batched


MODEL = Model(
    name="cond",
    summary=CATALOG["cond"][1],
    build=build,
    args=(Aval((4,)),),
    manual_label="where over both branches",
    note=(
        "With a batched predicate vmap turns the cond into a select: both branches, cos and sin, "
        "run on every row and select_n picks per row by branch index. It also feeds each "
        "branch stop_gradient(x) on the rows that did not take it, so an untaken branch gets no "
        "gradient; jnp.where by hand skips that. Called on the batch, the one-instance model runs "
        "and is WRONG: x.sum() now sums the whole batch, so every row takes the same branch."
    ),
    source=(
        "https://docs.jax.dev/en/latest/_autosummary/jax.lax.cond.html (under vmap, cond is converted "
        'to select); jax-ml/jax PR #5658, "make vmap-of-cond preserve nan safety"'
    ),
    seed=5,
    signature=(
        ("vmap", r"\bcos\b"),
        ("vmap", r"\bsin\b"),
        ("vmap", r"stop_gradient"),
        ("vmap", r"select_n"),
        ("manual", r"select_n"),
    ),
)
