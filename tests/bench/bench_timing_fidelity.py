"""Do the report's timings agree with an independent measurement?

Runs `jaxbatch-tui report --batch 4096 --json` in one process, then, in another, times the
seed's model written out here from the seed (not through the lab), on the same device: timeit
with block_until_ready, autorange, median of 7 repeats, for the einsum version, jit(vmap),
chunked `jit(lax.map(model, xs, batch_size=64))` and the seed's eager loop
`jnp.array([model(v) for v in v_batched])` over the whole batch (the report times a sample of 64
instances and scales it, so this checks the extrapolation too). Prints JSON: both medians per
strategy, their ratio, whether it is within ±25%, and how long the report took (it must finish
within 60 s).

    python tests/bench/bench_timing_fidelity.py [--batch 4096] [--device gpu]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

CHUNK = 64  # the report's default chunk (--chunk)

INDEPENDENT = r"""
import json, statistics, sys, timeit
import jax, jax.numpy as jnp, numpy as np

n, device, chunk = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
platform, _, index = device.partition(":")
dev = jax.devices()[int(device)] if device.isdigit() else jax.devices(platform)[int(index or 0)]
rng = np.random.default_rng(98432)
M = jax.device_put(jnp.array(rng.normal(size=(2, 3))), dev)
b = 1.0
v = jax.device_put(jnp.array(rng.normal(size=(3,))), dev)
v_batched = jax.device_put(jnp.array(rng.normal(size=(n, 3))), dev)

def model(v):
    return jnp.tanh(M @ v + b).sum()

def model_batched(v_batched):
    return jnp.tanh(jnp.einsum("km,nm->nk", M, v_batched) + b).sum(1)

einsum = jax.jit(model_batched)
vmap = jax.jit(jax.vmap(model))
chunked = jax.jit(lambda xs: jax.lax.map(model, xs, batch_size=chunk))

def median_per_call(stmt):
    stmt()
    t = timeit.Timer(stmt)
    reps, _ = t.autorange()
    return statistics.median(x / reps for x in t.repeat(repeat=7, number=reps))

with jax.default_device(dev):
    print(json.dumps({"device": str(dev), "medians": {
        "manual": median_per_call(lambda: einsum(v_batched).block_until_ready()),
        "vmap": median_per_call(lambda: vmap(v_batched).block_until_ready()),
        "chunked": median_per_call(lambda: chunked(v_batched).block_until_ready()),
        "loop": median_per_call(lambda: jnp.array([model(v) for v in v_batched]).block_until_ready()),  # the seed's
    }}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=4096)
    parser.add_argument("--device", default="cpu", help="cpu, gpu, tpu, gpu:1 or an index, as the report takes it")
    args = parser.parse_args()
    start = time.perf_counter()
    report = json.loads(subprocess.run(
        [sys.executable, "-m", "jaxbatch", "report", "--batch", str(args.batch), "--device", args.device,
         "--chunk", str(CHUNK), "--json"], capture_output=True, text=True, check=True).stdout)
    report_s = time.perf_counter() - start
    independent = json.loads(subprocess.run([sys.executable, "-c", INDEPENDENT, str(args.batch), args.device,
                                             str(CHUNK)], capture_output=True, text=True, check=True).stdout)
    out = {"batch": args.batch, "device": report["device"], "independent_device": independent["device"],
           "report_wall_s": round(report_s, 2), "dispatch_floor_s": report["dispatch_floor_s"], "strategies": {}}
    for key, theirs in independent["medians"].items():
        t = report["timings"][key]
        ratio = t["median_s"] / theirs
        out["strategies"][key] = {"report_median_s": t["median_s"], "report_iqr_s": t["iqr_s"],
                                  "estimated": t["estimated"], "independent_median_s": theirs,
                                  "ratio": round(ratio, 3), "within_25pct": 0.75 <= ratio <= 1.25}
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
