"""Aligning and rendering two 5,000-equation programs.

    python tests/bench/bench_align.py [--eqns 5000] [--shift 0]

Prints JSON {"eqns", "align_s", "render_s", ...}: `align_s` is the lab's alignment (best of 5),
`show_s_WxH` the time to hand a new alignment to the aligned view (its rows and `show`, what the
programs pane does), `render_s_WxH` the time to render one screenful of it from a cold cache
(both medians of 7; render_s is the 160x48 one), and `scroll_s_WxH` the mean time for a
screenful at random scroll positions. `align_cpu_s` and `render_cpu_s` are the same in CPU
time, which a busy machine disturbs less. The two programs are real jaxprs: an MLP-like chain
traced with make_jaxpr, batched by hand and by vmap, so they differ the way real programs do
(operand order, layout). `--shift N` puts N equations more in front of the hand-batched one, so
every equation is matched to another index (the wiring's harder case).
"""

import argparse
import asyncio
import json
import random
import statistics
import time

import jax
import jax.numpy as jnp
import numpy as np

from jaxbatch.lab import jaxprs
from jaxbatch.presentation.verdicts import alignment_verdict
from jaxbatch.results.alignment import align


def chain(n_eqns: int, shift: int = 0):
    """A single-instance function of about n_eqns equations, and its hand-batched twin with
    `shift` equations more in front."""
    layers = max(1, n_eqns // 3)
    w = jnp.asarray(np.random.default_rng(0).normal(size=(4, 4)), jnp.float32)

    def single(x):  # (4,)
        for _ in range(layers):
            x = jnp.tanh(w @ x + 1.0)
        return x

    def batched(xs):  # (n, 4)
        for _ in range(shift):
            xs = jnp.sin(xs)
        for _ in range(layers):
            xs = jnp.tanh(jnp.einsum("km,nm->nk", w, xs) + 1.0)
        return xs

    return single, batched


def best_of(fn, clock, repeat=5):
    times = []
    for _ in range(repeat):
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return min(times)


async def render_times(alignment) -> dict:
    """Render the aligned view in a headless app: the first screenful from a cold cache, then
    screenfuls at random scroll positions (what scrolling costs)."""
    from textual.app import App

    from jaxbatch.lexers.jaxpr import JaxprLexer
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
            lexer = JaxprLexer(stripnl=False, ensurenl=False)
            side.show(alignment_rows(alignment), lexer)
            await pilot.pause()
            lines = range(side.scrollable_content_region.height)
            shows, firsts, cpus = [], [], []
            for _ in range(7):  # each a new alignment's rows: its caches start cold, as for a new program
                t0 = time.perf_counter()
                side.show(alignment_rows(alignment), lexer)
                t1, c1 = time.perf_counter(), time.process_time()
                for y in lines:
                    side.render_line(y)
                shows.append(t1 - t0)
                firsts.append(time.perf_counter() - t1)
                cpus.append(time.process_time() - c1)
            rng = random.Random(0)
            times = []
            for _ in range(50):
                side.scroll_to(y=rng.randrange(len(side.rows)), animate=False, immediate=True)
                t0 = time.perf_counter()
                for y in lines:
                    side.render_line(y)
                times.append(time.perf_counter() - t0)
        out[f"show_s_{width}x{height}"] = round(statistics.median(shows), 4)
        out[f"render_s_{width}x{height}"] = round(statistics.median(firsts), 4)
        out[f"render_cpu_s_{width}x{height}"] = round(statistics.median(cpus), 4)
        out[f"scroll_s_{width}x{height}"] = round(sum(times) / len(times), 5)
    out["render_s"], out["render_cpu_s"] = out["render_s_160x48"], out["render_cpu_s_160x48"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eqns", type=int, default=5000)
    parser.add_argument("--shift", type=int, default=0)
    args = parser.parse_args()
    single, batched = chain(args.eqns, args.shift)
    xs = jnp.ones((8, 4), jnp.float32)
    left = jaxprs.flatten(jaxprs.trace(batched, xs))
    right = jaxprs.flatten(jaxprs.trace(jax.vmap(single), xs))
    alignment = align(left, right, "manual", "vmap")
    result = {"eqns": [len(left), len(right)],
              "align_s": round(best_of(lambda: align(left, right, "manual", "vmap"), time.perf_counter), 4),
              "align_cpu_s": round(best_of(lambda: align(left, right, "manual", "vmap"), time.process_time), 4),
              "rows": len(alignment.rows), "verdict": alignment_verdict(alignment)[:120]}
    result.update(asyncio.run(render_times(alignment)))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
