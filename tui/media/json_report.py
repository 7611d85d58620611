"""The report JSON (`jaxbatch-tui report --json`, and the app's export): the lab's results
serialized, with the presentation's words where the JSON carries a verdict.

Its keys and their text are an outside contract (../shared/design/ARCHITECTURE.md, "Report
JSON"): checks read them. The lab returns flags and figures and imports nothing above it, so the
sentences (agreement and on-batch `verdict`, `alignment.verdict`, `hlo_verdict`, the sweep's
`crossovers`) are added here, from jaxbatch.presentation, the same words every view shows.
"""

from __future__ import annotations

import math
from typing import Any, Optional

from jaxbatch.presentation.chunk_sweep import BEST_RULE, best_text
from jaxbatch.presentation.document import Document, document_json
from jaxbatch.presentation.hlo import cost_note, cost_notes, hlo_verdict
from jaxbatch.presentation.memory import cross_check, fit_how, held, unknown_text
from jaxbatch.presentation.notes import (
    manual_missing_text,
    program_note_text,
    sharded_note_text,
    unknown_reasons,
    warnings_text,
)
from jaxbatch.presentation.outputs import loop_text
from jaxbatch.presentation.programs import diff_text
from jaxbatch.presentation.report_document import build
from jaxbatch.presentation.sweep import CROSSOVER_RULE, crossovers
from jaxbatch.presentation.verdicts import (
    agreement_verdict,
    alignment_verdict,
    mismatch_text,
    no_float64_text,
    on_batch_verdict,
    precision_cause,
)
from jaxbatch.results.chunk_sweep_state import ChunkSweepState
from jaxbatch.results.report import Agreement, Alignment, ErrorInfo, OnBatch, Report, Strategy
from jaxbatch.results.roof import roofline_json
from jaxbatch.results.strategy_table import per_device
from jaxbatch.results.sweep_state import SweepState


def report_json(report: Report, sweep: Optional[SweepState] = None,
                chunk_sweep: Optional[ChunkSweepState] = None, doc: Optional[Document] = None) -> dict[str, Any]:
    """The whole report as JSON-ready data (json.dumps(..., allow_nan=False) takes it); with a
    sweep, under "sweep", and a chunk sweep under "chunk_sweep" (with its trade-off in words).
    `document`: the report's document (`doc`, built here where not given), every word the text,
    HTML and Rich views show, block by block."""
    doc = doc or build(report, sweep, chunk_sweep)
    data = {
        "model": report.model,
        "summary": report.summary,
        "note": report.note,
        "warnings": warnings_text(report),
        **({"manual_missing": manual_missing_text(report.manual_missing)} if report.manual_missing else {}),
        "source": report.source,
        "batch_shape": list(report.batch_shape),
        "in_axes": report.in_axes,
        "chunk": report.chunk,
        "devices": report.devices,
        **({"sharded_note": sharded_note_text(report.sharded_note)} if report.sharded_note else {}),
        "device": report.device.to_json(),
        "jax_version": report.jax_version,
        "jaxlib_version": report.jaxlib_version,
        "source_hash": report.source_hash,
        "selection": report.selection.to_json() if report.selection else {},
        "precision": report.precision,
        "single": {
            "output": report.single.output,
            "arg_avals": report.single.arg_avals,
            "batch_avals": report.single.batch_avals,
            "on_batch": on_batch_json(report.single.on_batch),
        },
        "strategies": {k: strategy_json(s) for k, s in report.strategies.items()},
        "jaxpr": {k: s.jaxpr for k, s in report.strategies.items() if s.jaxpr},
        "primitives": {k: s.primitives for k, s in report.strategies.items() if s.jaxpr},
        "alignment": alignment_json(report.alignment) if report.alignment else None,
        "hlo": {k: {**s.hlo.to_json(), "cost_note": cost_note(s.hlo), "cost_notes": cost_notes(s.hlo)}
                for k, s in report.strategies.items() if s.hlo},
        "hlo_verdict": hlo_verdict(report.hlo_comparison),
        "memory": memory_json(report),
        "memory_limit_bytes": report.memory_limit_bytes,
        "memory_limit_source": report.memory_limit_source or None,  # "allocator" or "host"; null: unknown
        "fits_up_to": {k: {**f.to_json(), **({"note": unknown_text(f)} if f.unknown else {}), "how": fit_how(f)}
                       for k, f in report.fits.items()},
        "same_program": ({**report.same_program.to_json(), "unknown": unknown_reasons(report)}
                         if report.same_program else {}),
        "vmap_loop": report.vmap_loop.to_json() if report.vmap_loop else None,
        "vmap_loop_text": loop_text(report.vmap_loop) if report.vmap_loop else None,
        "backends": report.backends.to_json() if report.backends else None,
        **(report.timings.to_json() if report.timings is not None else {}),
        **({"roofline": roofline_section(report, doc)} if report.roof is not None else {}),
        "document": document_json(doc),
    }
    if sweep is not None:
        data["sweep"] = sweep_json(sweep)
    if chunk_sweep is not None:
        data["chunk_sweep"] = {**chunk_sweep.to_json(), "best_rule": BEST_RULE, "best_text": best_text(chunk_sweep)}
    return data


def roofline_section(report: Report, doc: Document) -> dict[str, Any]:
    """`roofline`: the device's limits, its peak at the matmul precision the report ran at
    (`precision`), and each timed call judged against them (judged once, on the document)."""
    return roofline_json(report.roof.at(report.precision), doc.points)


def memory_json(report: Report) -> dict[str, Any]:
    """Each compiled strategy's peak memory per call; `per_instance_bytes`, that peak over the
    instances (kept as it was: it counts the fixed part too); how the plan grows with the batch,
    `marginal_bytes_per_instance` (what one more instance adds, between `marginal_batches`) and
    `fixed_bytes` (what doesn't grow; None where the plan is no line in the batch), None where
    not measured (the sharded strategies); beside it jax.experimental.roofline's peak and whether
    the two agree (None: roofline doesn't apply). `per_device`: the figures are one device's, and
    per instance is over that device's share of the batch (the sharded strategies)."""
    out = {}
    for key, s in report.strategies.items():
        peak = s.hlo.peak_bytes if s.hlo else None
        if peak is not None:
            m = s.hlo.memory
            fit = report.fits.get(key)
            growth = fit.growth if fit is not None else None
            out[key] = {"peak_bytes": peak, "temp_bytes": m["temp"], "argument_bytes": m["argument"],
                        "output_bytes": m["output"], "alias_bytes": m.get("alias", 0),
                        "per_device": key in per_device(), "per_instance_bytes": peak / held(report, key),
                        "marginal_bytes_per_instance": growth.marginal_bytes if growth else None,
                        "fixed_bytes": growth.fixed_bytes if growth else None,
                        "marginal_batches": list(growth.batches) if growth else None,
                        "roofline_peak_bytes": s.roofline_peak_bytes,
                        "roofline_agrees": cross_check(peak, s.roofline_peak_bytes)}
    return out


def sweep_json(sweep: SweepState) -> dict[str, Any]:
    """The sweep's measurements and, last, its crossovers in words, after the rule they follow."""
    return {**sweep.to_json(), "crossover_rule": CROSSOVER_RULE, "crossovers": crossovers(sweep)}


def agreement_json(a: Agreement) -> dict[str, Any]:
    out = {"max_abs": _number(a.max_abs), "max_rel": _number(a.max_rel), "max_ulp": _number(a.max_ulp),
           "tolerance": a.tolerance, "agrees": a.agrees, "kind": a.kind, "verdict": agreement_verdict(a)}
    if a.reason:
        out["reason"] = mismatch_text(a.reason)
    if a.beyond:
        out["beyond"] = a.beyond  # the dtypes beyond their tolerance, which the verdict names
    if a.cause:
        out["cause"] = a.cause
    if a.vs_float64 is not None or a.float64_note:
        out.update(vs_float64=a.vs_float64, loop_vs_float64=a.loop_vs_float64,
                   float64_note=no_float64_text(a.float64_note))
    if a.precision is not None:
        check = a.precision
        # each run's own agreement, as this one's: at the precision the report ran at, and at "highest"
        out["precision"] = {check.ran_at: agreement_json(check.default), "highest": agreement_json(check.highest),
                            "cause": precision_cause(check) or None}
    return out


def alignment_json(a: Alignment) -> dict[str, Any]:
    def text(eqns, i):
        return None if i is None else eqns[i].text

    return {
        "left": a.left,
        "right": a.right,
        "verdict": alignment_verdict(a),
        "identical": a.identical,
        "exact": a.exact,
        "rows": [
            {"left": text(a.left_eqns, r.left), "right": text(a.right_eqns, r.right),
             "status": r.status, "diffs": [diff_text(d) for d in r.diffs]}
            for r in a.rows
        ],
    }


def on_batch_json(on_batch: OnBatch) -> dict[str, Any]:
    if on_batch.error is not None:
        return {"error": _error_json(on_batch.error)}
    return {
        "output": on_batch.output,
        "max_abs_diff": _number(on_batch.max_abs_diff),
        "agrees": on_batch.agrees,
        "verdict": on_batch_verdict(on_batch),
        **({"agreement": agreement_json(on_batch.agreement)} if on_batch.agreement else {}),
    }


def strategy_json(s: Strategy) -> dict[str, Any]:
    out: dict[str, Any] = {"label": s.label}
    if s.error is not None:
        out["error"] = _error_json(s.error)
        return out
    out.update(output=s.output, max_abs_diff=_number(s.max_abs_diff), agrees=s.agrees)
    if s.agreement is not None:
        out["agreement"] = agreement_json(s.agreement)
    if s.reason:
        out["reason"] = mismatch_text(s.reason)
    if s.program_note:
        out["program_note"] = program_note_text(s.program_note)
    return out


def _error_json(error: ErrorInfo) -> dict[str, str]:
    return {"type": error.type, "message": error.message}


def _number(x: Optional[float]):
    """Infinity as a string, as outputs write it, so the JSON stays valid."""
    return x if x is None or math.isfinite(x) else "Infinity"
