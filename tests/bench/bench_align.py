"""Aligning and rendering two 5,000-equation programs.

    python tests/bench/bench_align.py [--eqns 5000]

Prints JSON {"eqns", "align_s", "render_s", ...}: `align_s` is the lab's alignment (best of 5),
`render_s` the time to render one screenful of the aligned view (80x24 and 160x48 panes) from
a cold cache, and `scroll_s` the mean time to render a screenful at random scroll positions.
The two programs are real jaxprs: an MLP-like chain traced with make_jaxpr, batched by hand and
by vmap, so they differ the way real programs do (operand order, layout).
"""

import argparse
import json
import random
import time

import jax
import jax.numpy as jnp
import numpy as np

from jaxbatch.lab import jaxprs
from jaxbatch.lab.alignment import align


def chain(n_eqns: int):
    """A single-instance function of about n_eqns equations, and its hand-batched twin."""
    layers = max(1, n_eqns // 3)
    w = jnp.asarray(np.random.default_rng(0).normal(size=(4, 4)), jnp.float32)

    def single(x):  # (4,)
        for _ in range(layers):
            x = jnp.tanh(w @ x + 1.0)
        return x

    def batched(xs):  # (n, 4)
        for _ in range(layers):
            xs = jnp.tanh(jnp.einsum("km,nm->nk", w, xs) + 1.0)
        return xs

    return single, batched


def best_of(fn, repeat=5):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eqns", type=int, default=5000)
    n = parser.parse_args().eqns
    single, batched = chain(n)
    xs = jnp.ones((8, 4), jnp.float32)
    left = jaxprs.flatten(jaxprs.trace(batched, xs))
    right = jaxprs.flatten(jaxprs.trace(jax.vmap(single), xs))
    align_s = best_of(lambda: align(left, right, "manual", "vmap"))
    alignment = align(left, right, "manual", "vmap")
    result = {"eqns": [len(left), len(right)], "align_s": round(align_s, 4), "rows": len(alignment.rows),
              "verdict": alignment.verdict[:120]}
    try:
        from jaxbatch.widgets.aligned_view import render_benchmark
    except ImportError:  # the view is not there yet
        pass
    else:
        rng = random.Random(0)
        result["render_s"] = round(render_benchmark(alignment, width=80, height=24, rng=rng)["first_s"], 4)
        result.update({k: round(v, 5) for k, v in render_benchmark(alignment, width=160, height=48, rng=rng).items()
                       if k != "first_s"})
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
