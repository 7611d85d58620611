"""The scaling sweep: every strategy at batch sizes 1, 2, 4, … 2^k, per instance, so one sees
where vmap and hand batching part ways and where each stops being dispatch-bound.

Bounded twice: sizes whose inputs and outputs would pass MEMORY_BUDGET are never allocated,
and no new size starts once the time budget is spent. Each size is a fresh workload drawn from
the same seed, compiled (compile time is not counted) and timed for a few short rounds.
"""

from __future__ import annotations

import time
from typing import Callable, Iterator, Optional

import jax

from jaxbatch.lab import live, precision, strategies
from jaxbatch.lab.devices import describe_device, resolve_device
from jaxbatch.lab.loader import load_selected
from jaxbatch.lab.memory import bytes_per_instance
from jaxbatch.lab.workload import build
from jaxbatch.results import strategy_table
from jaxbatch.results.hlo import compiled_peak_bytes
from jaxbatch.results.selection import Selection
from jaxbatch.results.sweep_state import SweepState
from jaxbatch.results.timing import Timer, Timing

BUDGET_S = 30.0
MEMORY_BUDGET = 512 * 2**20  # bytes of batched inputs and outputs at the largest size
MAX_LOG2 = 20
ROUNDS = 5
MIN_ROUND_S = 0.01


def sweep(selection: Selection, budget_s: Optional[float] = None,
          memory_bytes: int = MEMORY_BUDGET, clock: Timer = time.perf_counter,
          rest: Optional[Callable[[float], None]] = None) -> Iterator[SweepState]:
    """Yield the state after each size; the last one says why the sweep stopped. `rest` is
    called between rounds, as in live.Bench.round. The selection's batch shape is not used."""
    model = load_selected(selection)
    device = resolve_device(selection.device)
    budget = BUDGET_S if budget_s is None else budget_s
    first = build(model, device, (1,), selection.chunk)
    per_instance_bytes = bytes_per_instance(first.single, first.one, model.in_axes)
    planned = tuple(2**k for k in range(MAX_LOG2 + 1) if 2**k * per_instance_bytes <= memory_bytes) or (1,)
    labels = {k: label for k, label in strategies.labels(first).items() if strategy_table.spec(k).sweep}
    state = SweepState(labels, planned, (), {k: () for k in labels}, (), describe_device(device))
    start = clock()
    for n in planned:
        if state.sizes and clock() - start > budget:
            break
        state = _measured(state, n, _time_size(model, device, n, selection.chunk, clock, rest, selection.precision))
        yield state
    reason = "done" if len(state.sizes) == len(planned) else f"time budget of {budget:g} s spent"
    if len(planned) < MAX_LOG2 + 1 and reason == "done":
        reason = f"done: {2 * planned[-1]:,} instances would pass the {memory_bytes / 2**20:g} MiB memory budget"
    yield SweepState(**{**state.__dict__, "stopped": reason})


def _time_size(model, device, n: int, chunk: int, clock: Timer, rest,
               matmul_precision: str) -> tuple[float, dict[str, Timing], dict[str, Optional[int]]]:
    """The floor and timings at batch `n`, and each compiled strategy's peak bytes per call, read
    off the executables timed."""
    w = build(model, device, (n,), chunk)
    with jax.default_device(device), precision.scope(matmul_precision):
        executables = live.compile_strategies(w, clock, sharded=False)
        bench = live.Bench(w, live.subjects(w, executables), clock, MIN_ROUND_S)
        for _ in range(ROUNDS):
            bench.round(rest)
        timings = bench.timings()
    return timings.floor_s, dict(timings), {key: compiled_peak_bytes(exe) for key, (exe, _, _) in executables.items()}


def _measured(state: SweepState, n: int,
              result: tuple[float, dict[str, Timing], dict[str, Optional[int]]]) -> SweepState:
    """`state` grown by size `n`: each strategy's median and quartiles per instance and peak
    bytes per call (None for a strategy that failed to compile, and peak bytes for the loop),
    and the dispatch floor."""
    floor, timings, peaks = result
    medians, quartiles, peak_bytes = dict(state.per_instance_s), dict(state.quartiles_s), dict(state.peak_bytes)
    for key in state.labels:
        t = timings.get(key)
        medians[key] += (None if t is None else t.per_instance_s,)
        known = t is not None and t.q1_s is not None and t.q3_s is not None
        quartiles[key] = quartiles.get(key, ()) + ((t.q1_s / n, t.q3_s / n) if known else None,)
        peak_bytes[key] = peak_bytes.get(key, ()) + (peaks.get(key),)
    return SweepState(state.labels, state.planned, state.sizes + (n,), medians, state.floor_s + (floor,),
                      state.device, quartiles_s=quartiles, peak_bytes=peak_bytes)
