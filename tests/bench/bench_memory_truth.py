"""Does XLA's plan predict the memory a strategy takes when it runs? On CPU.

For a model that writes `x.at[i].set(v)` into a large array (jax-ml/jax#23358: vmap makes a
copy per instance), in three forms (the updated array returned: outputs; its sum returned:
temporaries; the array a batched argument: arguments and outputs), each strategy (manual,
vmap, chunked) at three batch sizes is compiled and run in a fresh subprocess. Predicted: the
plan's peak, temp + argument + output - alias (`Hlo.peak_bytes`). Measured: how far the resident
set's high-water mark (VmHWM, reset through /proc/self/clear_refs after compiling and a warm-up
call) rises while the inputs are made and the executable runs. Prints a table and, last, a
JSON line of the rows.

    python tests/bench/bench_memory_truth.py [--length 65536] [--batches 128,448,1000] [--chunk 64]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

MODELS = ("update", "update-sum", "update-arg")
STRATEGIES = ("manual", "vmap", "chunked")
WITHIN = 0.30


def status_kib(key: str) -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(key + ":"))


def build(model: str, length: int):
    """The single-instance model, its hand-batched version, and a function drawing a batch's inputs."""
    import jax.numpy as jnp
    import numpy as np

    base = jnp.asarray(np.random.default_rng(0).normal(size=(length,)), jnp.float32)
    where = lambda i, v, x: jnp.where(jnp.arange(length) == i[:, None], v[:, None], x)  # noqa: E731

    def inputs(n):
        rng = np.random.default_rng(1)
        i, v = rng.integers(0, length, size=n, dtype=np.int32), rng.standard_normal(n, dtype=np.float32)
        return (i, v) if model != "update-arg" else (rng.standard_normal((n, length), dtype=np.float32), i, v)

    if model == "update":
        return (lambda i, v: base.at[i].set(v)), (lambda i, v: where(i, v, base)), inputs
    if model == "update-sum":
        return (lambda i, v: base.at[i].set(v).sum()), (lambda i, v: where(i, v, base).sum(1)), inputs
    return (lambda x, i, v: x.at[i].set(v)), (lambda x, i, v: where(i, v, x)), inputs


def measure(model: str, strategy: str, n: int, length: int, chunk: int) -> dict:
    """In this (fresh) process: compile, warm up on one instance, reset the high-water mark, then
    make the inputs and run once."""
    import gc

    import jax

    from jaxbatch.lab import strategies
    from jaxbatch.results.hlo import _memory

    single, manual, inputs = build(model, length)
    in_axes = (0,) * (3 if model == "update-arg" else 2)

    def make(batch):
        if strategy == "manual":
            return jax.jit(strategies.manual(manual, in_axes, (batch,)))
        if strategy == "vmap":
            return jax.jit(strategies.vmapped(single, in_axes, (batch,)))
        return jax.jit(strategies.chunked(single, in_axes, (batch,), chunk))

    specs = [jax.ShapeDtypeStruct(a.shape, a.dtype) for a in inputs(n)]
    compiled = make(n).lower(*specs).compile()
    m = _memory(compiled)
    jax.block_until_ready(make(1)(*inputs(1)))  # the runtime's own first-call allocations
    gc.collect()
    before = status_kib("VmRSS")
    args = jax.device_put(inputs(n))  # the host copies are dropped: they are the lab's, not the executable's
    jax.block_until_ready(args)
    gc.collect()
    with_args = status_kib("VmRSS")
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # VmHWM := VmRSS
    jax.block_until_ready(compiled(*args))
    resident, run = (with_args - before) * 1024, (status_kib("VmHWM") - with_args) * 1024
    return {"model": model, "strategy": strategy, "batch": n, **m,
            "predicted": m["temp"] + m["argument"] + m["output"] - m.get("alias", 0),
            "args_resident": resident, "run": run, "measured": resident + run}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--length", type=int, default=65536)
    parser.add_argument("--batches", default="128,448,1000")
    parser.add_argument("--chunk", type=int, default=64)
    parser.add_argument("--one", nargs=3, metavar=("MODEL", "STRATEGY", "BATCH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        model, strategy, n = args.one
        print(json.dumps(measure(model, strategy, int(n), args.length, args.chunk)))
        return

    mib = 1 << 20
    rows = []
    print(f"{'model':<11} {'strategy':<8} {'batch':>5} {'temp':>7} {'arg':>7} {'out':>7} {'predicted':>9} "
          f"{'args':>7} {'run':>7} {'measured':>8} {'ratio':>6}  within 30%   (MiB; measured = args resident + "
          f"rise while running; ratio = measured / predicted)")
    for model in MODELS:
        for strategy in STRATEGIES:
            for n in map(int, args.batches.split(",")):
                done = subprocess.run([sys.executable, __file__, "--one", model, strategy, str(n), "--length",
                                       str(args.length), "--chunk", str(args.chunk)],
                                      capture_output=True, text=True, check=True)
                r = json.loads(done.stdout.strip().splitlines()[-1])
                r["ratio"] = r["measured"] / r["predicted"]
                r["within"] = abs(r["ratio"] - 1) <= WITHIN
                rows.append(r)
                print(f"{model:<11} {strategy:<8} {n:>5} {r['temp'] / mib:>7.1f} {r['argument'] / mib:>7.1f} "
                      f"{r['output'] / mib:>7.1f} {r['predicted'] / mib:>9.1f} {r['args_resident'] / mib:>7.1f} "
                      f"{r['run'] / mib:>7.1f} {r['measured'] / mib:>8.1f} "
                      f"{r['ratio']:>6.2f}  {'yes' if r['within'] else 'NO'}", flush=True)
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
