"""Do the report's timings agree with an independent measurement?

Runs `jaxbatch-tui report --batch 4096 --json` in one process, then, in another, times the
seed's model written out here from the seed (not through the lab): timeit with
block_until_ready, autorange, median of 7 repeats, for the einsum version, jit(vmap) and the
eager Python loop. Prints JSON: both medians per strategy, their ratio, whether it is within
±25%, and how long the report took (it must finish within 60 s).

    python tests/bench/bench_timing_fidelity.py [--batch 4096]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

INDEPENDENT = r"""
import json, statistics, sys, timeit
import jax, jax.numpy as jnp, numpy as np

n = int(sys.argv[1])
rng = np.random.default_rng(98432)
M = jnp.array(rng.normal(size=(2, 3)))
b = 1.0
v = jnp.array(rng.normal(size=(3,)))
v_batched = jnp.array(rng.normal(size=(n, 3)))

def model(v):
    return jnp.tanh(M @ v + b).sum()

def model_batched(v_batched):
    return jnp.tanh(jnp.einsum("km,nm->nk", M, v_batched) + b).sum(1)

einsum = jax.jit(model_batched)
vmap = jax.jit(jax.vmap(model))

def median_per_call(stmt):
    stmt()
    t = timeit.Timer(stmt)
    reps, _ = t.autorange()
    return statistics.median(x / reps for x in t.repeat(repeat=7, number=reps))

print(json.dumps({
    "manual": median_per_call(lambda: einsum(v_batched).block_until_ready()),
    "vmap": median_per_call(lambda: vmap(v_batched).block_until_ready()),
    "loop": median_per_call(lambda: [np.asarray(model(v)) for v in v_batched]),  # the seed's loop, over jax.Array rows
}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=4096)
    args = parser.parse_args()
    start = time.perf_counter()
    report = json.loads(subprocess.run(
        [sys.executable, "-m", "jaxbatch", "report", "--batch", str(args.batch), "--json"],
        capture_output=True, text=True, check=True).stdout)
    report_s = time.perf_counter() - start
    independent = json.loads(subprocess.run([sys.executable, "-c", INDEPENDENT, str(args.batch)],
                                            capture_output=True, text=True, check=True).stdout)
    out = {"batch": args.batch, "device": report["device"], "report_wall_s": round(report_s, 2),
           "dispatch_floor_s": report["dispatch_floor_s"], "strategies": {}}
    for key, theirs in independent.items():
        t = report["timings"][key]
        ratio = t["median_s"] / theirs
        out["strategies"][key] = {"report_median_s": t["median_s"], "report_iqr_s": t["iqr_s"],
                                  "estimated": t["estimated"], "independent_median_s": theirs,
                                  "ratio": round(ratio, 3), "within_25pct": 0.75 <= ratio <= 1.25}
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
