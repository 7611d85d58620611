"""Resident memory of the lab across many batch shapes: do compile caches stay bounded?

Analyses the seed's model at batch 1, then at 99 more batch shapes (as a user typing shapes
would), and prints the resident set size after the first and after the last, in MiB, with their
ratio (the aim: at most 1.5).

    python tests/bench/bench_memory.py [--shapes 100]
"""

from __future__ import annotations

import argparse
import gc
import json


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", type=int, default=100)
    args = parser.parse_args()

    from jaxbatch.lab.analysis import analyze
    from jaxbatch.results.selection import Selection

    half = args.shapes // 2
    shapes = [(n,) for n in range(1, half + 1)] + [(2, n) for n in range(1, args.shapes - half + 1)]
    analyze(Selection(batch_shape=shapes[0]))
    gc.collect()
    first = rss_mib()
    for shape in shapes[1:]:
        analyze(Selection(batch_shape=shape))
    gc.collect()
    last = rss_mib()
    print(json.dumps({"shapes": len(shapes), "rss_after_first_mib": round(first, 1),
                      "rss_after_last_mib": round(last, 1), "ratio": round(last / first, 3)}, indent=2))


if __name__ == "__main__":
    main()
