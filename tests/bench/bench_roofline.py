"""Does the roofline's bandwidth and peak agree with an independent measurement? Within 10%.

Measures the lab's roof (jaxbatch.lab.roofline.measure, no cache), then, written out here with
plain JAX and not through the lab, on the same device: an elementwise pass `x * 2 + 1` over a
float32 array (1 GiB on an accelerator, 256 MiB on the CPU, as the lab's), each call waited for,
reads and writes counted (2 x its bytes); and a float32 n x n matmul (8192 on an accelerator,
1536 on the CPU) at each matmul precision, passed to `jnp.matmul` itself. Each figure is the
least time over the repeats (the median is printed beside the bandwidth's, the statistic the
lab used to take), and the pass is timed again with the other choice of output (in place or
fresh), to tell what each choice costs. Prints a line per figure and, last, JSON: both figures,
their ratio, and whether each is within 10%. The issue's H200 figures to compare: 3.20 TB/s,
389 Tflop/s at default precision (TF32), 50 Tflop/s at "highest".

    python tests/bench/bench_roofline.py [--device gpu] [--repeats 20]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from typing import Optional

WITHIN = 0.10
MIB = 1 << 20


def _device(spec: str):
    import jax

    platform, _, index = spec.partition(":")
    return jax.devices(platform)[int(index or 0)]


def _times(call, repeats: int) -> list[float]:
    """Seconds of each of `repeats` calls, each waited for, after two untimed ones."""
    call()
    call()
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        out.append(time.perf_counter() - start)
    return out


def elementwise_bandwidth(device, nbytes: int, repeats: int = 20, donate: Optional[bool] = None) -> tuple[float, float]:
    """Bytes read and written per second by `x * 2 + 1` over `nbytes` of float32 on `device`:
    (over the least time, over the median time). By default the input is donated on the CPU, so
    the output reuses it (a fresh 256 MiB output each call would time the kernel's page faults on
    it, not memory), and an accelerator takes a fresh output from its allocator's pool."""
    import jax
    import jax.numpy as jnp

    x = jax.device_put(jnp.ones((nbytes // 4,), jnp.float32), device)
    donate = device.platform == "cpu" if donate is None else donate
    step = jax.jit(lambda v: v * 2 + 1, donate_argnums=0 if donate else ())
    state = [x]

    def call():
        out = jax.block_until_ready(step(state[0]))
        if donate:
            state[0] = out
    times = _times(call, repeats)
    moved = 2 * (nbytes // 4) * 4
    return moved / min(times), moved / statistics.median(times)


def matmul_flops(device, n: int, precision: str, repeats: int = 10) -> float:
    """Flops per second of a float32 n x n matmul at `precision` ("default", "high" or
    "highest", given to jnp.matmul), over the least time."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    rng = np.random.default_rng(0)
    a, b = (jax.device_put(rng.standard_normal((n, n), dtype=np.float32), device) for _ in range(2))
    product = jax.jit(lambda p, q: jnp.matmul(p, q, precision=precision))
    return 2 * n ** 3 / min(_times(lambda: jax.block_until_ready(product(a, b)), repeats))


def sizes(device) -> tuple[int, int]:
    """The pass's bytes and the matmul's side, as the lab's probes on the same platform."""
    return (256 * MIB, 1536) if device.platform == "cpu" else (1024 * MIB, 8192)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args(argv)

    from jaxbatch.lab import roofline
    from jaxbatch.results.selection import PRECISIONS

    device = _device(args.device)
    nbytes, n = sizes(device)
    start = time.perf_counter()
    roof = roofline.measure(device)
    took = time.perf_counter() - start
    least, median = elementwise_bandwidth(device, nbytes, args.repeats)
    rows = {"bandwidth_bytes_s": (roof.bandwidth_bytes_s, least)}
    for p in PRECISIONS:
        rows[f"peak_flops_s at {p}"] = (roof.peak_flops_by_precision[p], matmul_flops(device, n, p))
    other = elementwise_bandwidth(device, nbytes, args.repeats, donate=device.platform != "cpu")
    result = {"device": f"{device.platform} ({device.device_kind})", "lab_measure_s": took,
              "independent_median_bandwidth_bytes_s": median, "figures": {},
              "other_output": {"in_place": device.platform != "cpu", "least": other[0], "median": other[1]}}
    print(f"{result['device']}: the lab's roof measured in {took:.2f} s")
    for name, (lab, independent) in rows.items():
        ratio = lab / independent
        result["figures"][name] = {"lab": lab, "independent": independent, "ratio": ratio,
                                   "within": abs(ratio - 1) <= WITHIN}
        print(f"  {name:<26} lab {lab:10.4g}  independent {independent:10.4g}  ratio {ratio:.3f}")
    print(f"  (the independent pass's median time gives {median:.4g} B/s; with the output "
          f"{'in place' if device.platform != 'cpu' else 'fresh'}: {other[0]:.4g} least, {other[1]:.4g} median)")
    result["within"] = all(f["within"] for f in result["figures"].values())
    print(json.dumps(result))
    return 0 if result["within"] else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
