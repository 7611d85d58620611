"""The timing engine: steady-state time per call, compile time apart, against the dispatch floor.

Deterministic under test: the timer is injected (a zero-argument callable returning seconds,
`time.perf_counter` by default), and every measured call blocks until its result is ready, so
what is timed is the device's work and not JAX's asynchronous dispatch.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Callable, Optional

Timer = Callable[[], float]

ROUNDS = 7
MIN_ROUND_S = 0.02  # one round lasts at least this long, as timeit's autorange does (0.2 s there)
LOOP_SAMPLE = 64  # instances timed of a larger loop, extrapolated to the whole batch
DISPATCH_BOUND = 2.0  # within this factor of the dispatch floor, a time says little about the work
MAX_REPS = 100_000  # a clock too coarse to see a round end must not make autorange run forever


@dataclass(frozen=True)
class Measurement:
    median_s: float  # per call
    iqr_s: float
    reps: int  # calls per round
    rounds: int


@dataclass(frozen=True)
class Timing:
    compile_s: Optional[float]  # None where nothing is compiled (the eager loop)
    median_s: float
    iqr_s: float
    reps: int
    per_instance_s: float
    estimated: bool  # extrapolated from a sample of instances
    ratio_to_manual: Optional[float]
    dispatch_bound: bool

    def to_json(self) -> dict[str, object]:
        return dict(self.__dict__)


def autorange(call: Callable[[], object], timer: Timer, min_round_s: float = MIN_ROUND_S) -> int:
    """The number of calls (1, 2, 5, 10, 20, 50, ...) for one round to take `min_round_s`,
    at most MAX_REPS."""
    reps = 1
    while reps < MAX_REPS:
        for factor in (1, 2, 5):
            n = reps * factor
            if _round(call, n, timer) >= min_round_s:
                return n
        reps *= 10
    return MAX_REPS


def measure(call: Callable[[], object], timer: Timer, rounds: int = ROUNDS,
            min_round_s: float = MIN_ROUND_S) -> Measurement:
    """Median and interquartile range of the time per call over `rounds` rounds."""
    call()  # warm up: first-call costs (transfers, caches) are not steady state
    reps = autorange(call, timer, min_round_s)
    per_call = [_round(call, reps, timer) / reps for _ in range(rounds)]
    q1, _, q3 = statistics.quantiles(per_call, n=4, method="inclusive")
    return Measurement(statistics.median(per_call), q3 - q1, reps, rounds)


def _round(call: Callable[[], object], reps: int, timer: Timer) -> float:
    start = timer()
    for _ in range(reps):
        call()
    return timer() - start


def timing(m: Measurement, compile_s: Optional[float], instances: int, floor_s: float,
           manual_s: Optional[float], estimated: bool = False) -> Timing:
    return Timing(
        compile_s=compile_s,
        median_s=m.median_s,
        iqr_s=m.iqr_s,
        reps=m.reps,
        per_instance_s=m.median_s / instances,
        estimated=estimated,
        ratio_to_manual=None if not manual_s else m.median_s / manual_s,
        dispatch_bound=m.median_s < DISPATCH_BOUND * floor_s,
    )
