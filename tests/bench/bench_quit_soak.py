"""Quit, hang up and terminate the real app at moments spread over its first seconds, at the
issue's full count, and say how each ended: 30 `q` moments over 6 s on the seed and on
at-set-large at batch 4096, 30 hang-ups, 10 during a running sweep and 5 during a chunk sweep
(q, hang-up, SIGTERM), and ctrl+c. Prints JSON: per kind the runs, the problems (status, abort
or traceback text, processes left), and the seconds from the action to the end of the process
(median and worst).

    python tests/bench/bench_quit_soak.py [--parallel 3] [--scale 1.0]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from quit_harness import moments, run_all  # noqa: E402  (tests/ is not a package)

SEED = ()
LARGE = ("--model", "at-set-large", "--batch", "4096")


def plans(scale: float) -> dict[str, list]:
    n = max(1, round(30 * scale))
    sweeps = max(1, round(10 * scale))
    return {
        "q seed": [(SEED, "q", at, False) for at in moments(n, 6.0)],
        "q at-set-large 4096": [(LARGE, "q", at, False) for at in moments(n, 6.0)],
        "ctrl+c seed": [(SEED, "ctrl+c", at, False) for at in moments(max(1, n // 3), 6.0)],
        "hang-up seed": [(SEED, "hangup", at, False) for at in moments(n, 6.0)],
        "during a sweep": [(SEED, ("q", "hangup", "sigterm")[i % 3], at, True)
                           for i, at in enumerate(moments(sweeps, 4.0))],
        "during a chunk sweep": [(LARGE, ("q", "hangup", "sigterm")[i % 3], at, "S")
                                 for i, at in enumerate(moments(max(1, sweeps // 2), 4.0))],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parallel", type=int, default=3)
    parser.add_argument("--scale", type=float, default=1.0, help="a fraction of the full count, for a quick look")
    args = parser.parse_args()
    out, start = {}, time.monotonic()
    for kind, plan in plans(args.scale).items():
        runs = run_all(plan, args.parallel)
        ended = [r.ended_s for r in runs if r.ended_s is not None]
        out[kind] = {
            "runs": len(runs),
            "problems": {f"{r.action} at {r.at_s:.2f} s": r.problems() for r in runs if r.problems()},
            "statuses": sorted({r.status for r in runs}, key=str),
            "ended_s_median": round(statistics.median(ended), 3) if ended else None,
            "ended_s_worst": round(max(ended), 3) if ended else None,
            "worst_at_s": max((r for r in runs if r.ended_s is not None), key=lambda r: r.ended_s).at_s
            if ended else None,
        }
    out["wall_s"] = round(time.monotonic() - start, 1)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
