"""Aligning and rendering two 5,000-equation programs.

    python tests/bench/bench_align.py [--eqns 5000]

Prints JSON {"eqns", "align_s", "render_s", ...}: `align_s` is the lab's alignment (best of 5),
`render_s_WxH` the time to render one screenful of the aligned view from a cold cache (render_s is
the 160x48 one), and `scroll_s_WxH` the mean time for a screenful at random scroll positions.
The two programs are real jaxprs: an MLP-like chain traced with make_jaxpr, batched by hand and
by vmap, so they differ the way real programs do (operand order, layout).
"""

import argparse
import asyncio
import json
import random
import time

import jax
import jax.numpy as jnp
import numpy as np

from jaxbatch.lab import jaxprs
from jaxbatch.lab.alignment import align
from jaxbatch.presentation.verdicts import alignment_verdict


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


async def render_times(alignment) -> dict:
    """Render the aligned view in a headless app: the first screenful from a cold cache, then
    screenfuls at random scroll positions (what scrolling costs)."""
    from textual.app import App

    from jaxbatch.jaxpr_lexer import JaxprLexer
    from jaxbatch.presentation.programs import alignment_rows
    from jaxbatch.widgets.side_by_side import SideBySide

    class Bench(App):
        def compose(self):
            yield SideBySide()

    out = {}
    for width, height in ((80, 24), (160, 48)):
        app = Bench()
        async with app.run_test(size=(width, height)) as pilot:
            side = app.query_one(SideBySide)
            rows, lexer = alignment_rows(alignment), JaxprLexer(stripnl=False, ensurenl=False)
            side.show(rows, lexer)
            await pilot.pause()
            lines = range(side.scrollable_content_region.height)
            side.show(rows, lexer)  # the same rows again: its caches start cold, as for a new program
            t0 = time.perf_counter()
            for y in lines:
                side.render_line(y)
            first = time.perf_counter() - t0
            rng = random.Random(0)
            times = []
            for _ in range(50):
                side.scroll_to(y=rng.randrange(len(side.rows)), animate=False, immediate=True)
                t0 = time.perf_counter()
                for y in lines:
                    side.render_line(y)
                times.append(time.perf_counter() - t0)
        out[f"render_s_{width}x{height}"] = round(first, 4)
        out[f"scroll_s_{width}x{height}"] = round(sum(times) / len(times), 5)
    out["render_s"] = out["render_s_160x48"]
    return out


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
              "verdict": alignment_verdict(alignment)[:120]}
    result.update(asyncio.run(render_times(alignment)))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
