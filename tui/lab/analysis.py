"""The whole analysis of one selection: inputs, the strategies, outputs, programs and HLO.

`analyze` is what both the app (in a worker thread) and `jaxbatch-tui report` call, so the
two always show the same facts.
"""

from __future__ import annotations

import dataclasses
import math
import time
from typing import Optional

import jax
import numpy as np

from jaxbatch.lab import hlo, jaxprs, live, sharding, strategies, timing
from jaxbatch.lab.alignment import align
from jaxbatch.lab.devices import describe_device, inventory
from jaxbatch.lab.errors import USER_ERRORS, LabError, describe
from jaxbatch.lab.outputs import compare, format_tree, to_host, to_json
from jaxbatch.lab.results import Alignment, ErrorInfo, OnBatch, Report, Single, Strategy
from jaxbatch.lab.selection import Selection
from jaxbatch.lab.spec import Model, aval_text
from jaxbatch.lab.timing import Timer
from jaxbatch.lab.workload import prepare

# The loop's jaxpr holds one copy of the model per instance: past this it is not traced.
LOOP_PROGRAM_CAP = 64


def analyze(selection: Selection, timer: Optional[Timer] = None, rounds: int = timing.ROUNDS,
            min_round_s: float = timing.REPORT_ROUND_S) -> Report:
    """Everything about `selection`; with a `timer`, also how long each strategy takes."""
    w = prepare(selection)
    model, device, shape, single, manual, one, batch = w.model, w.device, w.shape, w.single, w.manual, w.one, w.batch
    with jax.default_device(device):
        single_out = _reference_call(model, "one instance", single, one)
        reference = _reference_call(model, "the loop", strategies.loop(single, model.in_axes, shape), batch)

        clock = timer or time.perf_counter
        runs = {"loop": _loop(single, model, shape, batch, reference)}
        compiled = {}
        if manual is not None:
            runs["manual"], compiled["manual"] = _run(
                "manual", model.manual_label, strategies.by_hand(manual, model.in_axes, shape), batch, reference,
                clock,
            )
        runs["vmap"], compiled["vmap"] = _run(
            "vmap", "vmap", strategies.vmapped(single, model.in_axes, shape), batch, reference, clock
        )
        spread, sharded_note = sharding.plan(w)
        for key, fn in (spread.fns if spread else {}).items():
            runs[key], compiled[key] = _run(key, sharding.LABELS[key], fn, spread.args, reference, clock)
            if spread.note:
                runs[key] = dataclasses.replace(runs[key], program_note=spread.note)
        floor, timings = (None, None)
        if timer is not None:
            executables = {k: v for k, v in compiled.items() if v[0] is not None}  # (exe, seconds, args)
            bench = live.Bench(w, live.subjects(w, executables), timer, min_round_s)
            for _ in range(rounds):
                bench.round()
            floor, timings = bench.timings()

        left = "manual" if "manual" in runs else "loop"
        return Report(
            model=model.name,
            summary=model.summary,
            note=model.note,
            source=model.source,
            batch_shape=shape,
            device=describe_device(device),
            jax_version=jax.__version__,
            warnings=[w for w in (nonfinite_warning(reference),) if w],
            manual_missing=model.manual_missing if manual is None else "",
            in_axes=list(model.in_axes),
            devices=len(jax.devices(device.platform)),
            sharded_note=sharded_note,
            single=Single(
                output=to_json(single_out),
                text=format_tree(single_out),
                arg_avals=[_avals(a) for a in one],
                batch_avals=[_avals(a) for a in batch],
                on_batch=_on_batch(single, batch, reference),
            ),
            strategies=runs,
            alignment=compare_programs(runs, left, "vmap"),
            hlo_verdict=hlo.verdict(runs[left].hlo, runs["vmap"].hlo, runs[left].label, "vmap"),
            timings=timings,
            dispatch_floor_s=floor,
            backends=inventory(),
        )


def compare_programs(runs: dict[str, Strategy], left: str, right: str) -> Alignment | None:
    """Align two strategies' jaxprs; None when either has no program to show."""
    a, b = runs.get(left), runs.get(right)
    if a is None or b is None or not a.eqns or not b.eqns:
        return None
    return align(a.eqns, b.eqns, left, right)


def _reference_call(model: Model, what: str, fn, args):
    """The model on one instance, and the loop, must work and give arrays: without them nothing
    can be judged."""
    try:
        out = fn(*args)
    except USER_ERRORS as exc:
        raise LabError(f"{model.name} raised on {what}: {describe(exc)}") from None
    leaves = jax.tree_util.tree_leaves(out)
    if not leaves:
        raise LabError(f"{model.name} returned nothing on {what}: a model returns an array or a pytree of arrays")
    for leaf in leaves:
        if _kind(leaf) not in "biufcV":
            raise LabError(f"{model.name} returned a {type(leaf).__name__} on {what}: a model returns arrays "
                           "of numbers or bools (or pytrees of them)")
    return to_host(out)


def _kind(leaf) -> str:
    try:
        return np.dtype(getattr(leaf, "dtype", None) or np.asarray(leaf).dtype).kind
    except TypeError:  # not a NumPy dtype at all (a PRNG key, say)
        return "O"


def nonfinite_warning(reference) -> str:
    """Say so when the reference holds NaN or infinities: agreement then counts NaN as equal to
    NaN, which is honest but worth knowing."""
    nans = infs = 0
    for leaf in jax.tree_util.tree_leaves(reference):
        if np.issubdtype(leaf.dtype, np.inexact):
            nans += int(np.isnan(leaf).sum())
            infs += int(np.isinf(leaf).sum())
    if not nans and not infs:
        return ""
    found = " and ".join(f"{n:,} {what}" for n, what in ((nans, "NaN"), (infs, "infinite")) if n)
    return f"the loop's output holds {found} value{'s' * (nans + infs > 1)}: NaN counts as equal to NaN"


def _on_batch(single, batch, reference) -> OnBatch:
    try:
        out = to_host(single(*batch))
    except USER_ERRORS as exc:
        return OnBatch(error=ErrorInfo.of(exc))
    cmp = compare(out, reference)
    if cmp.agrees:
        verdict = "runs on the batch and matches the loop"
    elif cmp.max_abs_diff is None:
        verdict = f"runs on the batch but is WRONG: its output's {cmp.reason}"
    else:
        verdict = f"runs on the batch but is WRONG: max |diff| {cmp.max_abs_diff:.6g} against the loop"
    return OnBatch(
        output=to_json(out), text=format_tree(out), max_abs_diff=cmp.max_abs_diff, agrees=cmp.agrees, verdict=verdict
    )


def _loop(single, model: Model, shape, batch, reference) -> Strategy:
    """The reference itself, with the jaxpr the same loop has when traced (for small batches)."""
    base = dict(output=to_json(reference), text=format_tree(reference), max_abs_diff=0.0, agrees=True)
    n = math.prod(shape)
    if n > LOOP_PROGRAM_CAP:
        note = f"not traced: the loop's jaxpr repeats the model for each of {n:,} instances (cap {LOOP_PROGRAM_CAP})"
        return Strategy("loop", "loop", program_note=note, **base)
    try:
        closed = jaxprs.trace(strategies.loop_program(single, model.in_axes, shape), *batch)
    except USER_ERRORS as exc:
        return Strategy("loop", "loop", program_note=f"could not be traced: {describe(exc)}", **base)
    return Strategy("loop", "loop", jaxpr=jaxprs.text(closed), primitives=jaxprs.primitives(closed),
                    eqns=jaxprs.flatten(closed), **base)


def _run(key: str, label: str, fn, batch, reference, clock: Timer):
    """Compile once (timed: lowering and compiling), run that executable (the program one would
    deploy), check it against the loop, and keep its jaxpr, StableHLO and optimized HLO.
    Returns the strategy and (executable, compile seconds, its arguments), the executable None
    on error."""
    try:
        lowered, compiled, compile_s = live.compile_timed(fn, batch, clock)
        out = to_host(compiled(*batch))
        closed = jaxprs.trace(fn, *batch)
    except USER_ERRORS as exc:
        return Strategy(key, label, error=ErrorInfo.of(exc)), (None, None, batch)
    cmp = compare(out, reference)
    strategy = Strategy(
        key,
        label,
        output=to_json(out),
        text=format_tree(out),
        max_abs_diff=cmp.max_abs_diff,
        agrees=cmp.agrees,
        reason=cmp.reason,
        jaxpr=jaxprs.text(closed),
        primitives=jaxprs.primitives(closed),
        eqns=jaxprs.flatten(closed),
        hlo=hlo.describe(lowered, compiled),
    )
    return strategy, (compiled, compile_s, batch)


def _avals(tree) -> str:
    if isinstance(tree, dict):
        return "{" + ", ".join(f"{k}: {_avals(v)}" for k, v in tree.items()) + "}"
    if isinstance(tree, (list, tuple)):
        return "(" + ", ".join(_avals(v) for v in tree) + ")"
    array = np.asarray(tree) if not hasattr(tree, "dtype") else tree
    return aval_text(array.dtype.name, tuple(array.shape))
