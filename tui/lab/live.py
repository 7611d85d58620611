"""Timings that refine round by round: one round of the dispatch floor and of each strategy at a
time, interleaved so that a slow drift of the machine touches them all alike.

The report stops after a fixed number of rounds; the live pane watches the numbers settle; the
sweep runs a few rounds per batch size. All three time the same calls, built here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Optional

import jax
import numpy as np

from jaxbatch.lab import compiles, memory, sharding, strategies
from jaxbatch.lab.devices import describe_device
from jaxbatch.lab.workload import Workload
from jaxbatch.results import hlo, strategy_table, timing
from jaxbatch.results.report import Roof
from jaxbatch.results.timing import HISTORY, MIN_ROUND_S, LiveTimings, Series, Timer, Timings


@dataclass(frozen=True)
class Subject:
    key: str
    call: Callable[[], object]  # one call, blocking until its result is ready
    compile_s: Optional[float]
    scale: float = 1.0  # the loop is timed on a sample of instances: times this is the batch


def compile_timed(fn: Callable, args: tuple, clock: Timer):
    """jit, lower and compile `fn` for `args`, timed together: the compile time a user waits."""
    start = clock()
    lowered = jax.jit(fn).lower(*args)
    compiled = lowered.compile()
    return lowered, compiled, clock() - start


# strategy -> (executable, compile seconds, the arguments it takes)
Executables = dict[str, tuple[Callable, float, tuple]]


def compile_strategies(w: Workload, clock: Timer, sharded: bool = True) -> Executables:
    """The hand-batched, vmapped, chunked and (over several devices) sharded executables with
    their compile times; one that fails to compile, or would need more memory than is free, is
    left out (the analysis shows why)."""
    fns = {key: (fn, w.batch) for key, fn in strategies.batched(w).items()}
    spread = sharding.plan(w)[0] if sharded else None
    if spread is not None:
        fns.update({key: (fn, spread.args) for key, fn in spread.fns.items()})
    fns = {key: fns[key] for key in strategy_table.keys() if key in fns}
    out = {}
    free = memory.available_bytes(w.device)
    for key, (fn, args) in fns.items():
        try:
            _, compiled, seconds = compile_timed(fn, args, clock)
            memory.check_compiled(hlo.compiled_peak_bytes(compiled), w.device, free)
        except Exception:  # its error, or a peak past free memory (MemoryError): not timed
            continue
        out[key] = (compiled, seconds, args)
    return out


# Instances timed of a loop that compiles on every eager call: its time is mostly compiling.
COMPILING_SAMPLE = 4


def loop_sample(instances: int, compiles_per_call: int) -> int:
    """How many instances the eager loop is timed on, then scaled to the batch."""
    return min(instances, COMPILING_SAMPLE if compiles_per_call else timing.LOOP_SAMPLE)


def subjects(w: Workload, executables: Executables, compiles_per_call: Optional[int] = None) -> list[Subject]:
    """The seed's eager loop on jax.Array instances, its outputs stacked on the device and
    waited for once (past LOOP_SAMPLE instances, or COMPILING_SAMPLE for a model that compiles
    on every call, on a sample scaled to the batch), and each compiled strategy, called on the
    workload's batch."""
    n = w.instances
    if compiles_per_call is None:
        compiles_per_call = compiles.per_eager_call(w.single, w.one)
    sample = loop_sample(n, compiles_per_call)
    axes, k = w.model.in_axes, len(w.shape)
    head = [jax.tree_util.tree_map(lambda x: x.reshape((n,) + x.shape[k:])[:sample], a) if axis == 0 else a
            for a, axis in zip(w.batch, axes)]
    run = strategies.loop(w.single, axes, (sample,))
    out = [Subject("loop", lambda: run(*head), None, n / sample)]
    for key, (exe, compile_s, args) in executables.items():
        out.append(Subject(key, lambda exe=exe, args=args: jax.block_until_ready(exe(*args)), compile_s))
    return out


def floor_call(device: jax.Device) -> Callable[[], object]:
    """A jitted no-op on `device`: the least any call there can cost."""
    noop = jax.jit(lambda x: x + 1)
    scalar = jax.device_put(np.zeros((), np.float32), device)
    return lambda: jax.block_until_ready(noop(scalar))


class Bench:
    """The dispatch floor and every subject, timed one interleaved round at a time."""

    def __init__(self, w: Workload, subjects: list[Subject], timer: Timer, min_round_s: float = MIN_ROUND_S):
        self.device = describe_device(w.device)
        self.labels = strategies.labels(w)
        self.devices = len(jax.devices(w.device.platform))
        self.instances = w.instances
        self.subjects = subjects
        self.floor = Series(floor_call(w.device), timer, min_round_s)
        self.series = {s.key: Series(s.call, timer, min_round_s) for s in subjects}

    @property
    def rounds(self) -> int:
        return len(self.floor.per_call)

    def round(self, rest: Optional[Callable[[float], None]] = None) -> None:
        """One round of the floor and of each subject; `rest(seconds the last one took)` runs
        between them (the app's helper sleeps there, so the UI gets the cores)."""
        for series in (self.floor, *self.series.values()):
            start = time.perf_counter()
            series.round()
            if rest is not None:
                rest(time.perf_counter() - start)

    def timings(self, roof: Optional[Roof] = None) -> Timings:
        """Each subject's timing, its ratio to the hand-batched one, against the dispatch floor
        and `roof`."""
        floor = self.floor.measurement().median_s
        measured = {s.key: (s, self.series[s.key].measurement().scaled(s.scale)) for s in self.subjects}
        manual = measured.get("manual")
        manual_s = manual[1].median_s if manual else None
        return Timings({key: timing.timing(m, s.compile_s, self.instances, floor, manual_s, estimated=s.scale != 1)
                        for key, (s, m) in measured.items()}, floor, roof)

    def snapshot(self, state: str, roof: Optional[Roof] = None) -> LiveTimings:
        history = {s.key: tuple(t * s.scale for t in self.series[s.key].per_call[-HISTORY:]) for s in self.subjects}
        return LiveTimings(self.rounds, self.timings(roof), history, self.device, self.instances, state, self.labels,
                           self.devices)
