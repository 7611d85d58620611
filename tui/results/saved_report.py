"""A saved report read back (`Report.from_json`): what `jaxbatch-tui report --json`, or the app's
export, wrote, as the typed Report, so `diff` and the compare pane compare facts, not JSON paths.

What comes back: every fact the JSON carries, so that media.json_report writes the same JSON
again, its words (verdicts, the document) said anew from those facts. What the JSON keeps only
as words (warnings, program and sharding notes, why a fit is unknown, why there is no
hand-batched strategy, why an output has no figures or no float64 reference) comes back as
`Worded`; the jaxpr alignment as its rows' texts (each equation's text and primitive, each
difference's sides). What it does not carry stays empty: the outputs as NumPy prints them, the
flattened equations. An older file's missing fields are unknown (None, "", empty), never an error.
"""

from __future__ import annotations

import math
import re
from typing import Any, Mapping, Optional

from jaxbatch.results import hlo as hlo_facts
from jaxbatch.results.hlo_cost import NOT_SPLIT, TRIP_COUNT_UNKNOWN
from jaxbatch.results.report import (
    Agreement,
    Alignment,
    Backends,
    Device,
    Diff,
    Eqn,
    ErrorInfo,
    Fit,
    Growth,
    Hlo,
    HloComparison,
    Loop,
    OnBatch,
    PrecisionCheck,
    Report,
    Row,
    SameProgram,
    Single,
    Strategy,
    Worded,
)
from jaxbatch.results.roof import roof_from_json
from jaxbatch.results.selection import Selection
from jaxbatch.results.timing import Timings

NOT_A_REPORT = "not a jaxbatch-tui report: save one with `jaxbatch-tui report --json > FILE`"
_MALFORMED = (KeyError, TypeError, ValueError, AttributeError, IndexError)


def report_from_json(data: Any) -> Report:
    """The Report `data` (a report's JSON) holds; ValueError, one sentence, where it holds none."""
    if not isinstance(data, Mapping) or not {"model", "strategies", "batch_shape"} <= set(data):
        raise ValueError(NOT_A_REPORT)
    try:
        return _report(data)
    except _MALFORMED as exc:
        raise ValueError(f"{NOT_A_REPORT} (it could not be read: {type(exc).__name__} {exc})") from None


def _report(data: Mapping[str, Any]) -> Report:
    device = _device(data.get("device") or {})
    strategies = {k: _strategy(k, s, data, device.platform) for k, s in data["strategies"].items()}
    same = data.get("same_program")
    return Report(
        model=data["model"], summary=data.get("summary", ""), note=data.get("note", ""),
        source=data.get("source", ""), batch_shape=tuple(data["batch_shape"]), device=device,
        jax_version=data.get("jax_version", ""), single=_single(data.get("single") or {}, device.platform),
        strategies=strategies, alignment=_alignment(data.get("alignment")),
        hlo_comparison=_hlo_comparison(strategies),
        same_program=SameProgram(tuple(same["pair"]), same.get("jaxpr"), same.get("stablehlo"), same.get("hlo"))
        if same else None,
        timings=_timings(data, device), backends=_backends(data.get("backends")),
        warnings=[Worded(text) for text in data.get("warnings", [])],
        manual_missing=_worded(data.get("manual_missing")),
        in_axes=list(data.get("in_axes", [])), devices=data.get("devices", 1),
        sharded_note=_worded(data.get("sharded_note")),
        vmap_loop=Loop(**data["vmap_loop"]) if data.get("vmap_loop") else None,
        chunk=data.get("chunk"), memory_limit_bytes=data.get("memory_limit_bytes"),
        memory_limit_source=data.get("memory_limit_source") or "",
        fits={k: _fit(f, (data.get("memory") or {}).get(k) or {}) for k, f in (data.get("fits_up_to") or {}).items()},
        jaxlib_version=data.get("jaxlib_version", ""), source_hash=data.get("source_hash", ""),
        selection=Selection.from_json(data["selection"]) if data.get("selection") else None,
    )


def _device(d: Mapping[str, Any]) -> Device:
    return Device(d.get("platform", ""), d.get("kind", ""), d.get("id", 0))


def _worded(text: Optional[str]) -> Optional[Worded]:
    """A note the JSON keeps only as words, where it holds one."""
    return Worded(text) if text else None


def _number(x: Any) -> Optional[float]:
    """A figure as json_report wrote it: infinity as the string "Infinity"."""
    return math.inf if x == "Infinity" else x


def _error(e: Optional[Mapping[str, str]]) -> Optional[ErrorInfo]:
    return None if e is None else ErrorInfo(e.get("type", ""), e.get("message", ""))


def _agreement(a: Optional[Mapping[str, Any]], platform: str) -> Optional[Agreement]:
    if not a:
        return None
    return Agreement(
        max_abs=_number(a.get("max_abs")), max_rel=_number(a.get("max_rel")), max_ulp=_number(a.get("max_ulp")),
        tolerance=a.get("tolerance", {}), agrees=a.get("agrees"), kind=a.get("kind", ""),
        reason=_worded(a.get("reason")), beyond=list(a.get("beyond", [])), vs_float64=a.get("vs_float64"),
        loop_vs_float64=a.get("loop_vs_float64"), float64_note=_worded(a.get("float64_note")),
        precision=_precision(a.get("precision"), platform), cause=a.get("cause", ""))


def _precision(p: Optional[Mapping[str, Any]], platform: str) -> Optional[PrecisionCheck]:
    """The rerun at "highest": json_report keeps each run's agreement under its precision."""
    if not p:
        return None
    ran_at = next(k for k in p if k not in ("highest", "cause"))
    return PrecisionCheck(ran_at, _agreement(p[ran_at], platform), _agreement(p["highest"], platform),
                          "matmul_precision" if p.get("cause") else "", platform)


def _single(s: Mapping[str, Any], platform: str) -> Single:
    b = s.get("on_batch") or {}
    on_batch = OnBatch(_error(b.get("error")), b.get("output"), agreement=_agreement(b.get("agreement"), platform))
    return Single(s.get("output"), "", list(s.get("arg_avals", [])), list(s.get("batch_avals", [])), on_batch)


def _strategy(key: str, s: Mapping[str, Any], data: Mapping[str, Any], platform: str) -> Strategy:
    memory = (data.get("memory") or {}).get(key) or {}
    saved_hlo = (data.get("hlo") or {}).get(key)
    return Strategy(
        key, s.get("label", key), output=s.get("output"), agreement=_agreement(s.get("agreement"), platform),
        error=_error(s.get("error")), jaxpr=(data.get("jaxpr") or {}).get(key, ""),
        primitives=list((data.get("primitives") or {}).get(key, [])),
        program_note=_worded(s.get("program_note")),
        hlo=_hlo(saved_hlo) if saved_hlo else None, roofline_peak_bytes=memory.get("roofline_peak_bytes"))


def _hlo(h: Mapping[str, Any]) -> Hlo:
    precision = h.get("matmul_precision") or {}
    return Hlo(
        stablehlo=h.get("stablehlo", ""), optimized=h.get("optimized", ""), stablehlo_ops=h.get("stablehlo_ops", {}),
        ops=h.get("ops", {}), fusions=h.get("fusions", 0), flops=h.get("flops"), bytes=h.get("bytes"),
        memory=h.get("memory"), stablehlo_region_ops=h.get("stablehlo_region_ops", {}),
        flops_xla=h.get("flops_xla"), bytes_xla=h.get("bytes_xla"),
        loops=[loop.get("trip_count") for loop in h.get("loops", [])], xla_only=_xla_only(h),
        stablehlo_precision=precision.get("stablehlo", {}), precision=precision.get("hlo", {}))


def _xla_only(h: Mapping[str, Any]) -> str:
    """Why a figure is only XLA's own (hlo_cost's flag); from an older file, which kept only the
    words, read off them: a trip count unknown, else not split; "" where every figure is counted."""
    if "xla_only" in h:
        return h["xla_only"]
    note = h.get("cost_note", "")
    return "" if not note else TRIP_COUNT_UNKNOWN if "trip count" in note else NOT_SPLIT


def _hlo_comparison(strategies: Mapping[str, Strategy]) -> Optional[HloComparison]:
    """The compared pair's optimized HLO, compared again from the saved programs, as the lab
    compares them (the hand-batched strategy, else the loop, against vmap)."""
    left, vmap = strategies.get("manual") or strategies.get("loop"), strategies.get("vmap")
    if left is None or vmap is None:
        return None
    return hlo_facts.compare(left.hlo, vmap.hlo, left.label, "vmap")


def _alignment(a: Optional[Mapping[str, Any]]) -> Optional[Alignment]:
    """The jaxpr alignment from its rows: each side's equations are the texts its rows show."""
    if not a:
        return None
    left: list[Eqn] = []
    right: list[Eqn] = []
    rows = [Row(_index(left, r.get("left")), _index(right, r.get("right")), r["status"],
                [_diff(text) for text in r.get("diffs", [])]) for r in a.get("rows", [])]
    return Alignment(a["left"], a["right"], left, right, rows, a.get("exact", True))


def _index(eqns: list[Eqn], text: Optional[str]) -> Optional[int]:
    """`text` appended to `eqns` as an equation (its primitive read off it), and its index."""
    if text is None:
        return None
    rhs = text.split(" = ", 1)[-1]
    eqns.append(Eqn(re.split(r"[\s\[]", rhs, maxsplit=1)[0], {}, [], [], 0, "", text))
    return len(eqns) - 1


def _diff(text: str) -> Diff:
    """A difference from its words (presentation.programs.diff_text), which it gives again."""
    if text == "operands swapped":
        return Diff("operands")
    if text == "operands come from other equations":
        return Diff("wiring")
    what, _, rest = text.partition(" ")
    transposed = rest.endswith(" (transposed)")
    left, _, right = rest.removesuffix(" (transposed)").partition(" vs ")
    sides = [None if side == "-" else side for side in (left, right)]
    if what in ("inputs", "output"):
        return Diff(what, None, *sides, transposed=transposed)
    return Diff("param", what, *sides, transposed=transposed)


def _timings(data: Mapping[str, Any], device: Device) -> Optional[Timings]:
    if data.get("timings") is None:
        return None
    roofline = data.get("roofline")
    return Timings.from_json(data, roof_from_json(roofline, device.platform, device.kind) if roofline else None)


def _backends(b: Optional[Mapping[str, Any]]) -> Optional[Backends]:
    if not b:
        return None
    return Backends(tuple((d.get("spec", ""), _device(d)) for d in b.get("devices", [])),
                    dict(b.get("missing", {})), dict(b.get("install", {})))


def _fit(f: Mapping[str, Any], memory: Mapping[str, Any]) -> Fit:
    """A batch that fits, with how the plan grows (the report's `memory` keeps that)."""
    batches = memory.get("marginal_batches")
    growth = Growth(tuple(batches), memory.get("marginal_bytes_per_instance"), memory.get("fixed_bytes")) \
        if batches else None
    method = f.get("method", "")
    return Fit(f.get("up_to"), f.get("never", False), "" if method == "unknown" else method,
               tuple(f.get("batches", [])), f.get("compiles", 0), f.get("peak_bytes"),
               _worded(f.get("note")), growth)
