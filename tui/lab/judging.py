"""Every strategy run and judged against the loop, its programs, and the slow extras: timings,
the plans at other batch sizes behind `fits`, the roofline. `report` is what `analysis.analyze`
does once the loop's outputs are out.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import math
import time
from typing import Any, Callable, Optional

import jax
import jaxlib
import numpy as np

from jaxbatch.lab import (
    agreement,
    compiles,
    float64,
    jaxprs,
    live,
    loader,
    memory,
    precision,
    roofline,
    sharding,
    strategies,
)
from jaxbatch.lab.devices import describe_device, inventory
from jaxbatch.lab.outputs import format_tree, to_host, to_json
from jaxbatch.lab.reference import avals, reference_call
from jaxbatch.lab.workload import Workload
from jaxbatch.results import hlo, hlo_text, loops, random_draws, strategy_table
from jaxbatch.results.alignment import align
from jaxbatch.results.errors import USER_ERRORS, LabError, describe
from jaxbatch.results.report import (
    Alignment,
    CompilingLoop,
    ErrorInfo,
    FirstOutputs,
    Fit,
    Hlo,
    Loop,
    LoopNotTraced,
    NoFloat64,
    NoManual,
    NonFinite,
    NotSharded,
    OnBatch,
    Report,
    Single,
    Strategy,
    Untraceable,
)
from jaxbatch.results.selection import Selection
from jaxbatch.results.spec import Model
from jaxbatch.results.timing import Timer, Timings

# The loop's jaxpr holds one copy of the model per instance: past this it is not traced.
LOOP_PROGRAM_CAP = 64
# How the strategies are compiled at other batch sizes, for their memory plan alone.
PLAN_ONLY = {"xla_backend_optimization_level": 0}


def report(w: Workload, selection: Selection, loop: tuple[Callable, Any], timer: Optional[Timer], rounds: int,
           min_round_s: float, roof: bool, first: Optional[Callable[[FirstOutputs | Report], object]]) -> Report:
    """The report of `analysis.analyze`, from the loop (its function and outputs) on."""
    refs = _references(w, loop)
    clock = timer or time.perf_counter
    judged = _judge(w, selection, refs, clock)
    report = _first_answer(w, selection, refs, judged)
    if first is not None:
        first(report)
    timings = None if timer is None else _timings(w, judged, refs, timer, rounds, min_round_s)
    if timings is not None and roof:
        timings = dataclasses.replace(timings, roof=roofline.device_roof(w.device, clock).at(w.precision))
    return dataclasses.replace(report, planning=False, fits=_fits(w, report), timings=timings)


@dataclasses.dataclass(frozen=True)
class _References:
    """What every strategy is judged against: the model's output on one instance, how many
    executables each eager call of it compiles, and the loop (`fn`) with its `outputs`."""

    single_out: Any
    eager_compiles: int
    fn: Callable
    outputs: Any


@dataclasses.dataclass(frozen=True)
class _Judged:
    """Every strategy run and judged against the loop (`runs`, in strategy_table's order), the
    model called on the whole batch, every output by key, each compiled strategy's (executable,
    compile seconds, arguments), and why the sharded strategies did not run, when they did not."""

    runs: dict[str, Strategy]
    on_batch: OnBatch
    outputs: dict[str, Any]
    compiled: dict[str, tuple]
    sharded_note: Optional[NotSharded]


def _references(w: Workload, loop: tuple[Callable, Any]) -> _References:
    """The model on one instance (eager: an executable per operation) beside the loop: both must
    work, without them nothing can be judged."""
    single_out = reference_call(w.model, "one instance", w.single, w.one)
    try:
        eager_compiles = compiles.per_eager_call(w.single, w.one)
    except USER_ERRORS as exc:
        raise LabError(f"{w.model.name} raised on one instance, called again: {describe(exc)}") from None
    return _References(single_out, eager_compiles, *loop)


def _judge(w: Workload, selection: Selection, refs: _References, clock: Timer) -> _Judged:
    """Run every strategy and the model on the whole batch, and judge each output against the
    loop's (a float64 reference, in a helper process, telling rounding apart)."""
    runs = {"loop": _loop(w.single, w.model, w.shape, w.batch, refs.outputs)}
    float64_reference = float64.Reference(selection, w.batch, why_not=float64.unfit(w.single, w.one) or (
        NoFloat64("python_object") if loader.only_here(selection.model) else None))
    outs = agreement.Outputs(refs.outputs, float64_reference, again=lambda: to_host(refs.fn(*w.batch)))
    try:
        on_batch = _on_batch(w.single, w.batch, outs)
        compiled, sharded_note = _strategies(w, runs, outs, clock, memory.available_bytes(w.device))
        agreements = precision.recheck(outs, outs.verdicts(), w.precision, w.device.platform)
        agreements = random_draws.explain(agreements, {k: s.eqns for k, s in runs.items()})
    finally:
        float64_reference.close()
    runs = {k: dataclasses.replace(s, agreement=agreements.get(k)) for k, s in runs.items()}
    if "on_batch" in agreements:
        on_batch = dataclasses.replace(on_batch, agreement=agreements["on_batch"])
    return _Judged(runs, on_batch, outs.outs, compiled, sharded_note)


def _first_answer(w: Workload, selection: Selection, refs: _References, judged: _Judged) -> Report:
    """The report as soon as outputs, verdicts and programs are known (`planning` set): the
    compared pair is the hand-batched version and vmap, or the loop and vmap without one."""
    model, runs = w.model, judged.runs
    limit, limit_source = memory.memory_limit(w.device)
    left = "manual" if "manual" in runs else "loop"
    alignment = compare_programs(runs, left, "vmap")
    return Report(
        model=model.name,
        summary=model.summary,
        note=model.note,
        source=model.source,
        batch_shape=w.shape,
        chunk=w.chunk,
        memory_limit_bytes=limit,
        memory_limit_source=limit_source,
        planning=True,
        device=describe_device(w.device),
        jax_version=jax.__version__,
        jaxlib_version=jaxlib.__version__,
        source_hash=source_hash(model.build, w.single, w.manual),
        selection=selection,
        warnings=[*nonfinite_warnings(judged.outputs, {k: s.label for k, s in runs.items()}),
                  *filter(None, [compiling_warning(refs.eager_compiles, w.instances)])],
        manual_missing=no_manual(model) if w.manual is None else None,
        in_axes=list(model.in_axes),
        devices=len(jax.devices(w.device.platform)),
        sharded_note=judged.sharded_note,
        single=Single(
            output=to_json(refs.single_out),
            text=format_tree(refs.single_out),
            arg_avals=[avals(a) for a in w.one],
            batch_avals=[avals(a) for a in w.batch],
            on_batch=judged.on_batch,
        ),
        strategies=runs,
        alignment=alignment,
        hlo_comparison=hlo.compare(runs[left].hlo, runs["vmap"].hlo, runs[left].label, "vmap"),
        same_program=hlo.same_program(runs[left], runs["vmap"], alignment),
        backends=inventory(),
        vmap_loop=vmap_loop(w, runs["vmap"]),
    )


def no_manual(model: Model) -> NoManual:
    """Why the model has no hand-batched version: the loader's reason, its author's words, or none given."""
    why = model.manual_missing
    if isinstance(why, NoManual):
        return why
    return NoManual("model", said=why) if why else NoManual("not_given")


def _timings(w: Workload, judged: _Judged, refs: _References, timer: Timer, rounds: int,
             min_round_s: float) -> Timings:
    """Each strategy's timing, and the dispatch floor: every executable timed, round by round."""
    executables = {k: v for k, v in judged.compiled.items() if v[0] is not None}  # (exe, seconds, args)
    bench = live.Bench(w, live.subjects(w, executables, refs.eager_compiles), timer, min_round_s)
    for _ in range(rounds):
        bench.round()
    return bench.timings()


def _fits(w: Workload, report: Report) -> dict[str, Fit]:
    """How large a batch each batched strategy XLA compiled can take, from its plans at other batch sizes."""
    return {k: memory.fits_up_to(_plans(w, k, s.hlo), w.instances, report.memory_limit_bytes,
                                 chunk=w.chunk if k == "chunked" else None)
            for k, s in report.strategies.items() if s.hlo is not None and k in strategy_table.batched()}


def _strategies(w: Workload, runs: dict[str, Strategy], outs: agreement.Outputs, clock: Timer, free: Optional[int]):
    """Run every compiled strategy of strategy_table (hand-batched, vmapped, chunked, sharded)
    into `runs`, in the table's order, their outputs into `outs`; returns (strategy ->
    (executable, compile seconds, arguments)) and why the sharded strategies did not run, when
    they did not. An executable whose peak memory passes `free` is not run: that is its error."""
    compiled = {}
    labels = strategies.labels(w)
    for key, fn in strategies.batched(w).items():
        runs[key], compiled[key] = _run(key, labels[key], fn, w.batch, outs, clock, w.device, free)
    spread, sharded_note = sharding.plan(w)
    for key, fn in (spread.fns if spread else {}).items():
        runs[key], compiled[key] = _run(key, labels[key], fn, spread.args, outs, clock, w.device, free)
        if spread.note:
            runs[key] = dataclasses.replace(runs[key], program_note=spread.note)
    ordered = {key: runs.pop(key) for key in strategy_table.keys() if key in runs}
    runs.update(ordered)  # in the table's order, whichever ran first
    return compiled, sharded_note


def _plans(w: Workload, key: str, analysed: Hlo) -> memory.Plans:
    """XLA's plan of strategy `key` at any number of instances n: the strategy compiled on one
    batch axis of n, from shapes alone (no data is drawn), the shared arguments as they are.
    The analysed batch's plan is known already, where it has one batch axis. The memory plan
    is made from the optimized HLO, before LLVM: compiled at LLVM's lowest optimization level
    (PLAN_ONLY), it is the same plan in about half the time."""

    def peak_at(n: int) -> Optional[int]:
        def shaped(x):
            return jax.ShapeDtypeStruct((n, *x.shape[len(w.shape):]), x.dtype)

        args = [a if axis is None else jax.tree_util.tree_map(shaped, a) for a, axis in zip(w.batch, w.model.in_axes)]
        fn = strategies.batched(dataclasses.replace(w, shape=(n,)))[key]
        return hlo.compiled_peak_bytes(jax.jit(fn).lower(*args).compile(PLAN_ONLY))

    known = analysed.peak_bytes if len(w.shape) == 1 else None
    return memory.Plans(peak_at, None if known is None else {w.instances: known})


def source_hash(*fns) -> str:
    """A short hash of the code that defines the model (how it is built, one instance, the hand
    version), so two saved reports can tell whether they are of the same code; "" where Python
    can't give the source of one of them (a built-in function, a lambda typed at a prompt)."""
    digest = hashlib.sha256()
    for fn in fns:
        if fn is None:
            continue
        try:
            digest.update(inspect.getsource(fn).encode())
        except (OSError, TypeError):
            return ""
    return digest.hexdigest()[:16]


def compare_programs(runs: dict[str, Strategy], left: str, right: str) -> Alignment | None:
    """Align two strategies' jaxprs; None when either has no program to show."""
    a, b = runs.get(left), runs.get(right)
    if a is None or b is None or not a.eqns or not b.eqns:
        return None
    return align(a.eqns, b.eqns, left, right)


def vmap_loop(w: Workload, vmap: Strategy) -> Loop | None:
    """The loop vmap's program adds to the model's own: the model is traced and compiled on one
    instance for comparison. None when it adds none, or either program is missing."""
    if not vmap.eqns or vmap.hlo is None:
        return None
    try:
        single = jaxprs.trace(w.single, *w.one)
        compiled = jax.jit(w.single).lower(*w.one).compile()
    except USER_ERRORS:
        return None
    return loops.added_loop(jaxprs.flatten(single), hlo_text.clean_hlo(compiled.as_text()), vmap.eqns,
                            vmap.hlo.optimized)


def nonfinite_warnings(outputs: dict[str, Any], labels: dict[str, str]) -> list[NonFinite]:
    """Where outputs hold NaN or infinities: the loop's (agreement then counts NaN as equal to
    NaN, which is honest but worth knowing), and each other output that holds more of them
    than the loop's: a NaN the loop doesn't have is what a WRONG verdict then means. `labels`
    names the strategies; the model called on the whole batch ("on_batch") has none."""
    counts = {k: _nonfinite(out) for k, out in outputs.items()}
    loop = counts.get("loop", (0, 0))
    found = [NonFinite("loop", labels.get("loop", "loop"), *loop)] if any(loop) else []
    found += [NonFinite(key, labels.get(key, ""), nans, infs, *loop) for key, (nans, infs) in counts.items()
              if key != "loop" and (nans > loop[0] or infs > loop[1])]
    return found


def _nonfinite(out) -> tuple[int, int]:
    """NaN and infinite values in every float leaf."""
    nans = infs = 0
    for leaf in jax.tree_util.tree_leaves(out):
        leaf = np.asarray(leaf)
        if np.issubdtype(leaf.dtype, np.inexact):
            nans += int(np.isnan(leaf).sum())
            infs += int(np.isinf(leaf).sum())
    return nans, infs


def compiling_warning(compiles_per_call: int, instances: int) -> Optional[CompilingLoop]:
    """What the loop's time means for a model that compiles on every eager call; None for one that doesn't."""
    if not compiles_per_call:
        return None
    return CompilingLoop(compiles_per_call, live.loop_sample(instances, compiles_per_call))


def _on_batch(single, batch, outs: agreement.Outputs) -> OnBatch:
    """The model called on the whole batch; its output joins `outs` to be judged."""
    try:
        out = to_host(single(*batch))
    except USER_ERRORS as exc:
        return OnBatch(error=ErrorInfo.of(exc))
    try:
        matmuls = precision.below_highest(jaxprs.flatten(jaxprs.trace(single, *batch)))
    except USER_ERRORS:  # it ran eagerly on concrete values, and can't be traced: no program to tell
        matmuls = False
    outs.add("on_batch", out, again=lambda: to_host(single(*batch)), matmuls=matmuls)
    return OnBatch(output=to_json(out), text=format_tree(out))


def _loop(single, model: Model, shape, batch, reference) -> Strategy:
    """The reference itself, with the jaxpr the same loop has when traced (for small batches)."""
    base = dict(output=to_json(reference), text=format_tree(reference))
    n = math.prod(shape)
    if n > LOOP_PROGRAM_CAP:
        return Strategy("loop", "loop", program_note=LoopNotTraced(n, LOOP_PROGRAM_CAP), **base)
    try:
        closed = jaxprs.trace(strategies.loop_program(single, model.in_axes, shape), *batch)
    except USER_ERRORS as exc:
        return Strategy("loop", "loop", program_note=Untraceable(describe(exc)), **base)
    return Strategy("loop", "loop", jaxpr=jaxprs.text(closed), primitives=jaxprs.primitives(closed),
                    eqns=jaxprs.flatten(closed), **base)


def _run(key: str, label: str, fn, batch, outs: agreement.Outputs, clock: Timer, device, free: Optional[int]):
    """Compile once (timed: lowering and compiling), run that executable (the program one would
    deploy) unless its planned peak memory passes `free`, keep its output in `outs` to be checked
    against the loop, and its jaxpr, StableHLO and optimized HLO. Returns the strategy and
    (executable, compile seconds, its arguments), the executable None on error."""
    try:
        lowered, compiled, compile_s = live.compile_timed(fn, batch, clock)
        program = hlo.describe(lowered, compiled)
        memory.check_compiled(program.peak_bytes, device, free)
        out = to_host(compiled(*batch))
        closed = jaxprs.trace(fn, *batch)
    except USER_ERRORS as exc:
        return Strategy(key, label, error=ErrorInfo.of(exc)), (None, None, batch)
    eqns = jaxprs.flatten(closed)
    outs.add(key, out, again=lambda: to_host(jax.jit(fn)(*batch)), matmuls=precision.below_highest(eqns))
    strategy = Strategy(
        key,
        label,
        output=to_json(out),
        text=format_tree(out),
        jaxpr=jaxprs.text(closed),
        primitives=jaxprs.primitives(closed),
        eqns=eqns,
        hlo=program,
        roofline_peak_bytes=memory.roofline_peak_bytes(fn, batch) if key in strategy_table.batched() else None,
    )
    return strategy, (compiled, compile_s, batch)
