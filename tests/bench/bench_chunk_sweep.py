"""Does the chunk sweep time each k as the report and an independent measurement do? (issue 22)

Runs `jaxbatch-tui report --model at-set-large --batch 512 --chunk-sweep --json` in one process,
then, in another, times the model written out here (not through the lab): `jax.vmap` and
`lax.map(batch_size=k)` at every k the sweep planned, each jitted, lowered and compiled ahead of
time, in interleaved rounds (vmap, then each k, seven times), every call waited for with
block_until_ready. Each round is one untimed call, then enough calls for 0.2 s (timeit's
autorange): steady state, whatever ran before. Prints, per k, time over vmap's median, as the
sweep, the independent run and (at the report's k) the report's own timings give it, each with
its spread (the middle half of its rounds over vmap's median), and whether the spreads touch;
`--repeat` runs both again, interleaved, to show the machine's drift. Last, a JSON line of it all.

    python tests/bench/bench_chunk_sweep.py [--batch 512] [--chunk 64] [--device cpu] [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

INDEPENDENT = r"""
import json, statistics, sys, time
import jax, jax.numpy as jnp, numpy as np

n, device, ks = int(sys.argv[1]), sys.argv[2], [int(k) for k in sys.argv[3].split(",")]
platform, _, index = device.partition(":")
dev = jax.devices()[int(device)] if device.isdigit() else jax.devices(platform)[int(index or 0)]
N, STRIDE = 2**16, 2**16 // 8  # models/at_set_large.py
rng = np.random.default_rng(23358)
with jax.default_device(dev):
    base = jnp.asarray(rng.normal(size=(N,)), dtype=jnp.float32)

def model(i, v):
    x = base.at[i * STRIDE].set(v)
    return jnp.sum(x * x)

args = jax.device_put((rng.integers(0, 8, size=n).astype(np.int32), rng.normal(size=n).astype(np.float32)), dev)
exes = {"vmap": jax.jit(jax.vmap(model)).lower(*args).compile()}
for k in ks:
    exes[k] = jax.jit(lambda i, v, k=k: jax.lax.map(lambda a: model(*a), (i, v), batch_size=k)).lower(*args).compile()

def timed(exe, reps):
    start = time.perf_counter()
    for _ in range(reps):
        jax.block_until_ready(exe(*args))
    return time.perf_counter() - start

reps = {}
for key, exe in exes.items():
    jax.block_until_ready(exe(*args))
    r = 1
    while timed(exe, r) < 0.2:
        r *= 2
    reps[key] = r
rounds = {key: [] for key in exes}
for _ in range(7):
    for key, exe in exes.items():
        jax.block_until_ready(exe(*args))  # untimed: what ran before is not this call's cost
        rounds[key].append(timed(exe, reps[key]) / reps[key])
quartiles = {str(key): statistics.quantiles(r, n=4, method="inclusive") for key, r in rounds.items()}
print(json.dumps({"device": str(dev), "quartiles_s": quartiles, "reps": {str(k): r for k, r in reps.items()}}))
"""


def report(args) -> dict:
    return json.loads(subprocess.run(
        [sys.executable, "-m", "jaxbatch", "report", "--model", "at-set-large", "--batch", str(args.batch),
         "--chunk", str(args.chunk), "--device", args.device, "--chunk-sweep", "--json"],
        capture_output=True, text=True, check=True).stdout)


def independent(args, ks: list[int]) -> dict:
    return json.loads(subprocess.run([sys.executable, "-c", INDEPENDENT, str(args.batch), args.device,
                                      ",".join(map(str, ks))], capture_output=True, text=True, check=True).stdout)


def over(q1: float, median: float, q3: float, vmap: float) -> list[float]:
    return [round(x / vmap, 3) for x in (q1, median, q3)]


def rows(data: dict, theirs: dict, chunk: int) -> list[dict]:
    """Per k: [q1, median, q3] over vmap's median from the sweep, the independent run and, at the
    report's k, the report's timings."""
    sweep = data["chunk_sweep"]
    vmap_s = sweep["vmap"]["per_call_s"]
    q = theirs["quartiles_s"]
    their_vmap = q["vmap"][1]
    timings = data["timings"]
    out = []
    for k, median, quartiles in zip(sweep["ks"], sweep["per_call_s"], sweep["quartiles_s"]):
        row = {"k": k, "sweep": over(quartiles[0], median, quartiles[1], vmap_s) if quartiles else None,
               "independent": over(*q[str(k)], their_vmap)}
        if k == chunk:
            c, v = timings["chunked"], timings["vmap"]["median_s"]
            row["report"] = over(c["q1_s"], c["median_s"], c["q3_s"], v)
        out.append(row)
    return out


def touch(a, b) -> bool:
    return a is not None and b is not None and a[0] <= b[2] and b[0] <= a[2]


def spread(x) -> str:
    return "-" if x is None else f"{x[1]:.3f} [{x[0]:.3f}–{x[2]:.3f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--chunk", type=int, default=64, help="the report's k (--chunk)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    runs = []
    for run in range(args.repeat):
        data = report(args)
        theirs = independent(args, data["chunk_sweep"]["ks"])
        table = rows(data, theirs, args.chunk)
        runs.append(table)
        print(f"run {run + 1}: at-set-large, batch {args.batch}, on {data['device']['kind']}; "
              "time over vmap's median: median [middle half]")
        print(f"  {'k':>5}  {'sweep':>22}  {'independent':>22}  {'report':>22}  spreads touch")
        for row in table:
            agree = ("sweep~independent" if touch(row["sweep"], row["independent"]) else "sweep/independent apart")
            if "report" in row:
                agree += ", sweep~report" if touch(row["sweep"], row["report"]) else ", sweep/report apart"
            print(f"  {row['k']:>5}  {spread(row['sweep']):>22}  {spread(row['independent']):>22}  "
                  f"{spread(row.get('report')):>22}  {agree}")
    print(json.dumps({"batch": args.batch, "chunk": args.chunk, "runs": runs}))


if __name__ == "__main__":
    main()
