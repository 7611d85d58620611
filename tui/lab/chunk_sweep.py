"""The chunk sweep: at the selection's batch, the chunked strategy (lax.map, `batch_size=k`) at
k = 1, 2, 4, … up to the whole batch, against vmap, in time per call and in peak memory, so one
sees what a smaller chunk saves in memory and what it costs in time.

Bounded by time: no new k starts once the budget is spent. Each k is compiled (compile time is
not counted) and timed for a few rounds, each after a round of vmap, so vmap's time is the
median of rounds spread over the whole sweep, under the same drift of the machine. A k's
median rests on its own few rounds alone: they are as long as the report's (REPORT_ROUND_S), so
that a burst of load on the machine spoils one of them, not most; vmap's, pooled over the whole
sweep, are short.

Each round starts with one untimed call of what it times. A call right after the other
executable pays for its leftovers: on at-set-large at batch 512 on CPU, vmap writes 128 MiB,
which evicts the caches, and frees it, so a chunk's 32 MiB buffer (k=128) is faulted in afresh
(8,193 minor page faults). With rounds of one call (the 10 ms rounds this sweep had, once a
call took 10 ms) every timed call of k >= 64 was such a call, at 1.5-2x its steady time
(issue 22; tests/bench/bench_chunk_sweep.py measures it against the report and an independent run).
"""

from __future__ import annotations

import time
from typing import Callable, Iterator, Optional

import jax

from jaxbatch.lab import live, memory, precision, strategies
from jaxbatch.lab.devices import describe_device, resolve_device
from jaxbatch.lab.loader import load_selected
from jaxbatch.lab.sweep import MIN_ROUND_S, ROUNDS
from jaxbatch.lab.workload import Workload, build
from jaxbatch.results import hlo
from jaxbatch.results.chunk_sweep_state import ChunkSweepState
from jaxbatch.results.selection import Selection
from jaxbatch.results.sweep_state import Quartiles
from jaxbatch.results.timing import REPORT_ROUND_S, Measurement, Series, Timer

BUDGET_S = 30.0


def planned_ks(n: int) -> tuple[int, ...]:
    """1, 2, 4, … up to `n`, and `n` itself when it is not a power of two."""
    ks = tuple(2**e for e in range(n.bit_length()) if 2**e <= n)
    return ks if ks[-1] == n else ks + (n,)


def chunk_sweep(selection: Selection, budget_s: Optional[float] = None, clock: Timer = time.perf_counter,
                rest: Optional[Callable[[float], None]] = None) -> Iterator[ChunkSweepState]:
    """Yield the state after each k; the last one says why the sweep stopped. `rest` is called
    after each round, as in live.Bench.round. The selection's chunk is not used."""
    model = load_selected(selection)
    device = resolve_device(selection.device)
    budget = BUDGET_S if budget_s is None else budget_s
    w = build(model, device, selection.batch_shape, selection.chunk)
    planned = planned_ks(w.instances)
    start = clock()
    with jax.default_device(device), precision.scope(selection.precision):
        free = memory.available_bytes(device)
        vmap_call, vmap_peak = _compiled(strategies.vmapped(w.single, model.in_axes, w.shape), w, clock, free)
        vmap = Series(vmap_call, clock, MIN_ROUND_S) if vmap_call is not None else None
        state = ChunkSweepState(w.instances, planned, (), (), (), (), None, vmap_peak, describe_device(device))
        for k in planned:
            if state.ks and clock() - start > budget:
                break
            call, peak = _compiled(strategies.chunked(w.single, model.in_axes, w.shape, k), w, clock, free)
            series = Series(call, clock, REPORT_ROUND_S) if call is not None else None
            for _ in range(ROUNDS):
                for s in (vmap, series):
                    if s is not None:
                        began = time.perf_counter()
                        s.call()
                        s.round()
                        if rest is not None:
                            rest(time.perf_counter() - began)
            state = _measured(state, k, series, peak, vmap)
            yield state
    reason = "done" if len(state.ks) == len(planned) else f"time budget of {budget:g} s spent"
    yield ChunkSweepState(**{**state.__dict__, "stopped": reason})


def _compiled(fn: Callable, w: Workload, clock: Timer,
              free: Optional[int]) -> tuple[Optional[Callable[[], object]], Optional[int]]:
    """One blocking call of `fn` compiled for the workload's batch, and its peak bytes; no call
    where it fails to compile (nor a peak), or where its peak passes the `free` memory (it
    would exhaust it: the peak stays, to be seen)."""
    try:
        _, compiled, _ = live.compile_timed(fn, w.batch, clock)
    except Exception:
        return None, None
    peak = hlo.compiled_peak_bytes(compiled)
    try:
        memory.check_compiled(peak, w.device, free)
    except MemoryError:
        return None, peak
    return (lambda: jax.block_until_ready(compiled(*w.batch))), peak


def _measured(state: ChunkSweepState, k: int, series: Optional[Series], peak: Optional[int],
              vmap: Optional[Series]) -> ChunkSweepState:
    """`state` grown by chunk size `k`, vmap's time and spread updated with the rounds it has so far."""
    m = series.measurement() if series is not None else None
    v = vmap.measurement() if vmap is not None else None
    return ChunkSweepState(state.batch, state.planned, state.ks + (k,),
                           state.per_call_s + (None if m is None else m.median_s,),
                           state.quartiles_s + (_quartiles(m),), state.peak_bytes + (peak,),
                           None if v is None else v.median_s, state.vmap_peak_bytes, state.device,
                           vmap_quartiles_s=_quartiles(v))


def _quartiles(m: Optional[Measurement]) -> Quartiles:
    return (m.q1_s, m.q3_s) if m is not None and m.q1_s is not None and m.q3_s is not None else None
