"""The whole analysis of one selection: inputs, the strategies, outputs, programs and HLO.

`analyze` is what both the app (in a worker thread) and `jaxbatch-tui report` call, so the
two always show the same facts.
"""

from __future__ import annotations

import math
import time
from typing import Optional

import jax
import numpy as np

from jaxbatch.lab import hlo, jaxprs, strategies, timing
from jaxbatch.lab.timing import Timer
from jaxbatch.lab.alignment import align
from jaxbatch.lab.devices import describe_device, resolve_device
from jaxbatch.lab.errors import LabError, describe
from jaxbatch.lab.inputs import draw_args
from jaxbatch.lab.loader import load_model
from jaxbatch.lab.outputs import compare, format_tree, to_host, to_json
from jaxbatch.lab.results import Alignment, ErrorInfo, OnBatch, Report, Single, Strategy
from jaxbatch.lab.selection import Selection
from jaxbatch.lab.spec import Model, aval_text

# The loop's jaxpr holds one copy of the model per instance: past this it is not traced.
LOOP_PROGRAM_CAP = 64


def analyze(selection: Selection, timer: Optional[Timer] = None) -> Report:
    """Everything about `selection`; with a `timer`, also how long each strategy takes."""
    model = load_model(selection.model)
    device = resolve_device(selection.device)
    shape = selection.batch_shape
    with jax.default_device(device):
        rng = np.random.default_rng(model.seed)
        try:
            single, manual = model.build(rng)
        except Exception as exc:
            raise LabError(f"building model {model.name} raised {describe(exc)}") from None
        one = jax.device_put(draw_args(rng, model.args, model.in_axes, ()), device)
        batch = jax.device_put(draw_args(rng, model.args, model.in_axes, shape), device)

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
        floor, timings = (None, None)
        if timer is not None:
            floor, timings = _timings(single, model, shape, batch, compiled, device, timer)

        left = "manual" if "manual" in runs else "loop"
        return Report(
            model=model.name,
            summary=model.summary,
            note=model.note,
            source=model.source,
            batch_shape=shape,
            device=describe_device(device),
            jax_version=jax.__version__,
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
        )


def _timings(single, model: Model, shape, batch, compiled, device, timer: Timer):
    """Dispatch floor first, then each strategy, each call blocking until its result is ready."""
    n = math.prod(shape)
    noop = jax.jit(lambda x: x + 1)
    scalar = jax.device_put(np.zeros((), np.float32), device)
    floor = timing.measure(lambda: jax.block_until_ready(noop(scalar)), timer).median_s
    measured = {
        key: (timing.measure(lambda exe=exe: jax.block_until_ready(exe(*batch)), timer), compile_s)
        for key, (exe, compile_s) in compiled.items() if exe is not None
    }
    manual_s = measured["manual"][0].median_s if "manual" in measured else None
    out = {"loop": _loop_timing(single, model, shape, batch, timer, floor, manual_s)}
    out.update({key: timing.timing(m, c, n, floor, manual_s) for key, (m, c) in measured.items()})
    return floor, out


def _loop_timing(single, model: Model, shape, batch, timer: Timer, floor: float, manual_s):
    """The eager loop as the seed runs it. Past LOOP_SAMPLE instances, a sample of them is
    timed and scaled to the whole batch (marked as an estimate)."""
    n = math.prod(shape)
    sample = min(n, timing.LOOP_SAMPLE)
    flat = [jax.tree_util.tree_map(lambda x: np.asarray(x).reshape((n,) + x.shape[len(shape):]), a) if axis == 0
            else a for a, axis in zip(batch, model.in_axes)]
    head = [jax.tree_util.tree_map(lambda x: x[:sample], a) if axis == 0 else a
            for a, axis in zip(flat, model.in_axes)]
    run = strategies.loop(single, model.in_axes, (sample,))
    m = timing.measure(lambda: run(*head), timer)
    if sample < n:
        scale = n / sample
        m = timing.Measurement(m.median_s * scale, m.iqr_s * scale, m.reps, m.rounds)
    return timing.timing(m, None, n, floor, manual_s, estimated=sample < n)


def compare_programs(runs: dict[str, Strategy], left: str, right: str) -> Alignment | None:
    """Align two strategies' jaxprs; None when either has no program to show."""
    a, b = runs.get(left), runs.get(right)
    if a is None or b is None or not a.eqns or not b.eqns:
        return None
    return align(a.eqns, b.eqns, left, right)


def _reference_call(model: Model, what: str, fn, args):
    """The model on one instance, and the loop, must work: without them nothing can be judged."""
    try:
        return to_host(fn(*args))
    except Exception as exc:
        raise LabError(f"{model.name} raised on {what}: {describe(exc)}") from None


def _on_batch(single, batch, reference) -> OnBatch:
    try:
        out = to_host(single(*batch))
    except Exception as exc:
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
    except Exception as exc:
        return Strategy("loop", "loop", program_note=f"could not be traced: {describe(exc)}", **base)
    return Strategy("loop", "loop", jaxpr=jaxprs.text(closed), primitives=jaxprs.primitives(closed),
                    eqns=jaxprs.flatten(closed), **base)


def _run(key: str, label: str, fn, batch, reference, clock: Timer):
    """Compile once (timed: lowering and compiling), run that executable (the program one would
    deploy), check it against the loop, and keep its jaxpr, StableHLO and optimized HLO.
    Returns the strategy and (executable, compile seconds), the executable None on error."""
    try:
        start = clock()
        lowered = jax.jit(fn).lower(*batch)
        compiled = lowered.compile()
        compile_s = clock() - start
        out = to_host(compiled(*batch))
        closed = jaxprs.trace(fn, *batch)
    except Exception as exc:
        return Strategy(key, label, error=ErrorInfo.of(exc)), (None, None)
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
    return strategy, (compiled, compile_s)


def _avals(tree) -> str:
    if isinstance(tree, dict):
        return "{" + ", ".join(f"{k}: {_avals(v)}" for k, v in tree.items()) + "}"
    if isinstance(tree, (list, tuple)):
        return "(" + ", ".join(_avals(v) for v in tree) + ")"
    array = np.asarray(tree) if not hasattr(tree, "dtype") else tree
    return aval_text(array.dtype.name, tuple(array.shape))
