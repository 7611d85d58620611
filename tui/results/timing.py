"""The timing engine: steady-state time per call, compile time apart, against the dispatch floor.

Deterministic under test: the timer is injected (a zero-argument callable returning seconds,
`time.perf_counter` by default), and every measured call blocks until its result is ready, so
what is timed is the device's work and not JAX's asynchronous dispatch.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from typing import Any, Callable, Optional

from jaxbatch.results import strategy_table
from jaxbatch.results.report import Device, Roof

Timer = Callable[[], float]

ROUNDS = 7
MIN_ROUND_S = 0.02  # one live round lasts at least this long, so the pane updates often
REPORT_ROUND_S = 0.1  # the report's rounds: longer, to average over a noisy machine (timeit: 0.2 s)
LOOP_SAMPLE = 64  # instances timed of a larger loop, extrapolated to the whole batch
DISPATCH_BOUND = 2.0  # within this factor of the dispatch floor, a time says little about the work
MAX_ROUNDS = 100  # live timings settle after this many rounds of each strategy
HISTORY = 40  # per-call times kept for a sparkline
MAX_REPS = 100_000  # a clock too coarse to see a round end must not make autorange run forever


@dataclass(frozen=True)
class Measurement:
    median_s: float  # per call
    iqr_s: Optional[float]  # None until there are two rounds
    reps: int  # calls per round
    rounds: int
    q1_s: Optional[float] = None  # the quartiles whose gap is iqr_s: where the middle half lies,
    q3_s: Optional[float] = None  # to tell a real difference from noise (the sweep's crossovers)

    def scaled(self, factor: float) -> "Measurement":
        """The same measurement for `factor` times the work (a sample scaled to the batch)."""
        def times(x: Optional[float]) -> Optional[float]:
            return None if x is None else x * factor
        return Measurement(self.median_s * factor, times(self.iqr_s), self.reps, self.rounds,
                           times(self.q1_s), times(self.q3_s))


@dataclass(frozen=True)
class Timing:
    compile_s: Optional[float]  # None where nothing is compiled (the eager loop)
    median_s: float
    iqr_s: Optional[float]
    reps: int
    rounds: int
    per_instance_s: float
    estimated: bool  # extrapolated from a sample of instances
    ratio_to_manual: Optional[float]
    dispatch_bound: bool
    q1_s: Optional[float] = None  # per call, as median_s; None until there are two rounds
    q3_s: Optional[float] = None

    def to_json(self) -> dict[str, object]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Timing":
        """A timing as `to_json` wrote it; an older report's missing figures are unknown (None,
        0 rounds), so a saved file still reads; keys it does not know are left out."""
        unknown = {"reps": 0, "rounds": 0, "estimated": False, "dispatch_bound": False}
        return cls(**{f.name: data.get(f.name, unknown.get(f.name)) for f in fields(cls)})


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


class Series:
    """Rounds of one call, growing one at a time, so a live view can watch the numbers settle.
    The first round warms up (first-call costs are not steady state) and picks the reps."""

    def __init__(self, call: Callable[[], object], timer: Timer, min_round_s: float = MIN_ROUND_S) -> None:
        self.call, self.timer, self.min_round_s = call, timer, min_round_s
        self.reps = 0
        self.per_call: list[float] = []

    def round(self) -> float:
        if not self.reps:
            self.call()
            self.reps = autorange(self.call, self.timer, self.min_round_s)
        self.per_call.append(_round(self.call, self.reps, self.timer) / self.reps)
        return self.per_call[-1]

    def measurement(self) -> Measurement:
        """Median, quartiles and interquartile range of the time per call; no spread after one round."""
        rounds = self.per_call
        if len(rounds) < 2:
            return Measurement(statistics.median(rounds), None, self.reps, len(rounds))
        q1, _, q3 = statistics.quantiles(rounds, n=4, method="inclusive")
        return Measurement(statistics.median(rounds), q3 - q1, self.reps, len(rounds), q1, q3)


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
        rounds=m.rounds,
        per_instance_s=m.median_s / instances,
        estimated=estimated,
        ratio_to_manual=None if not manual_s else m.median_s / manual_s,
        dispatch_bound=m.median_s < DISPATCH_BOUND * floor_s,
        q1_s=m.q1_s,
        q3_s=m.q3_s,
    )


def scaling(timings: Mapping[str, Timing], devices: int) -> Optional[tuple[float, float]]:
    """The strategy spread over the devices against the one it spreads, on one device
    (strategy_table.scaled: sharded and vmap): its speed-up, and the speed-up per device (1.0
    would be perfect scaling). None when there is nothing to compare."""
    keys = strategy_table.scaled()
    spread, one = (None, None) if keys is None else (timings.get(keys[0]), timings.get(keys[1]))
    if spread is None or one is None or devices < 2 or not spread.median_s:
        return None
    speedup = one.median_s / spread.median_s
    return speedup, speedup / devices


@dataclass(frozen=True)
class Timings(Mapping[str, Timing]):
    """Every strategy's timing (read as a mapping, strategy -> Timing), the dispatch floor they
    were measured against and the device's roofline they are judged against: one carrier for
    the report's timings and the app's live ones, so a report takes the live ones whole."""

    by_strategy: dict[str, Timing]
    floor_s: Optional[float]  # None where a saved report lacks it
    roof: Optional[Roof] = None  # measured with the timings; None where not

    def __getitem__(self, key: str) -> Timing:
        return self.by_strategy[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.by_strategy)

    def __len__(self) -> int:
        return len(self.by_strategy)

    def to_json(self) -> dict[str, Any]:
        """The report JSON's keys for them, `timings` and `dispatch_floor_s`. The roof goes out
        as the report's `roofline`, with each call judged against it (media.json_report)."""
        return {"timings": {k: t.to_json() for k, t in self.by_strategy.items()}, "dispatch_floor_s": self.floor_s}

    @classmethod
    def from_json(cls, data: Mapping[str, Any], roof: Optional[Roof] = None) -> "Timings":
        """What `to_json` wrote (within a report's JSON, or the helper's message), with `roof`."""
        return cls({k: Timing.from_json(t) for k, t in data["timings"].items()}, data.get("dispatch_floor_s"), roof)


@dataclass(frozen=True)
class LiveTimings:
    """What the timings pane shows at one moment, and what the helper process sends."""

    rounds: int
    timings: Timings
    history: dict[str, tuple[float, ...]]
    device: Device  # given as its JSON form, it is read into a Device
    instances: int
    state: str  # "measuring" or "settled"
    labels: dict[str, str]  # strategy -> its name for this model ("einsum" for manual)
    devices: int = 1  # of the platform: the sharded strategies spread the batch over them all

    def to_json(self) -> dict[str, Any]:
        roof = self.timings.roof
        return {**self.__dict__, **self.timings.to_json(), "device": self.device.to_json(),
                "history": {k: list(h) for k, h in self.history.items()},
                "roof": roof.to_json() if roof else None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "LiveTimings":
        roof = Roof(**data["roof"]) if data.get("roof") else None
        rest = {k: v for k, v in data.items() if k not in ("dispatch_floor_s", "roof")}
        return cls(**{**rest, "device": Device.of(data["device"]), "timings": Timings.from_json(data, roof),
                      "history": {k: tuple(h) for k, h in data["history"].items()}})
