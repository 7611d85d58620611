"""`jaxbatch-tui diff A.json B.json`: what changed between two saved reports of one model, across
two JAX versions, two devices, or before and after a change. It compares the two Reports the
files hold (Report.from_json), with no JAX, so a report saved on a GPU box can be compared on a
laptop, and the app compares a saved report with its own run the same way.

`diff` returns plain data (what `--json` prints); `diff_lines` words it for a terminal. A
strategy whose program one side lacks (the loop past the batch it is traced up to, a strategy
that failed) is said to have none there, not to have lost every primitive.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Optional

from jaxbatch.presentation.hlo import hlo_verdict
from jaxbatch.presentation.notes import program_note_text
from jaxbatch.presentation.units import byte_size, count, ratio, seconds
from jaxbatch.presentation.verdicts import agreement_verdict, alignment_verdict
from jaxbatch.results.report import Report, Strategy
from jaxbatch.results.timing import Timing

# What says which run a report is of, compared field by field (`selection.chunk`, `device.kind`).
IDENTITY = ("jax_version", "jaxlib_version", "device", "source_hash", "selection")


class NotComparable(ValueError):
    """The two files are not two reports of one model."""


def check_report(data: Any, name: str) -> Report:
    """The report `data` holds, if it is a report's JSON (`jaxbatch-tui report --json`, or the app's export)."""
    try:
        return Report.from_json(data)
    except ValueError as exc:
        raise NotComparable(f"{name} is {exc}") from None


def diff(a: Report, b: Report) -> dict[str, Any]:
    """What changed from report `a` to report `b`, strategy by strategy: its label on each side
    (`chunked k=64` and `chunked k=16`), outputs and verdicts, primitives that appeared or
    vanished, the alignment verdict, HLO op counts, loop trip counts, flops, bytes, peak memory,
    the batch each fits up to and timings (with the ratio b / a and whether it is noise)."""
    if a.model != b.model:
        raise NotComparable(f"the reports are of two models, {a.model} and {b.model}: diff compares two "
                            "reports of one model")
    keys = [k for k in a.strategies if k in b.strategies]
    pairs = {k: (a.strategies[k], b.strategies[k]) for k in keys}
    timed = [r.timings is not None for r in (a, b)]
    return {
        "model": a.model,
        "labels": {k: [sa.label, sb.label] for k, (sa, sb) in pairs.items()},
        "identity": {**_identity(a, b), **({"timed": timed} if timed[0] != timed[1] else {})},
        "same_code": a.source_hash == b.source_hash if a.source_hash and b.source_hash else None,
        "strategies": {"only_a": [k for k in a.strategies if k not in b.strategies],
                       "only_b": [k for k in b.strategies if k not in a.strategies]},
        "outputs": {k: d for k, pair in pairs.items() if (d := _outputs(*pair))},
        "primitives": {k: d for k, pair in pairs.items() if (d := _primitives(*pair))},
        "alignment": _changed(*(alignment_verdict(r.alignment) if r.alignment else None for r in (a, b))),
        "hlo_verdict": _changed(hlo_verdict(a.hlo_comparison), hlo_verdict(b.hlo_comparison)),
        "hlo": {k: d for k, pair in pairs.items() if (d := _hlo(*pair))},
        "memory": {k: d for k, (sa, sb) in pairs.items() if (d := _figure(_peak(sa), _peak(sb)))},
        "fits_up_to": {k: d for k in keys if (d := _fits(a, b, k))},
        "timings": {k: d for k in keys if (d := _timing(a, b, k))},
    }


def _identity(a: Report, b: Report) -> dict[str, list]:
    """Each identity field that differs, a dict's (device, selection) key by key."""
    out = {}
    for key in IDENTITY:
        x, y = (_identity_value(r, key) for r in (a, b))
        if isinstance(x, dict) and isinstance(y, dict):
            out.update({f"{key}.{k}": [x.get(k), y.get(k)] for k in {**x, **y} if x.get(k) != y.get(k)})
        elif x != y:
            out[key] = [x, y]
    return out


def _identity_value(report: Report, key: str) -> Any:
    """As the report JSON writes it: the device and selection as dicts (no selection: empty)."""
    if key == "device":
        return report.device.to_json()
    if key == "selection":
        return report.selection.to_json() if report.selection else {}
    return getattr(report, key)


def _changed(x: Any, y: Any) -> Optional[list]:
    return None if x == y else [x, y]


def _outputs(sa: Strategy, sb: Strategy) -> dict[str, Any]:
    out = {}
    if sa.output != sb.output:
        out["output"] = "changed"
    verdict = _changed(*(agreement_verdict(s.agreement) if s.agreement else None for s in (sa, sb)))
    if verdict:
        out["verdict"] = verdict
    return out


def _primitives(sa: Strategy, sb: Strategy) -> dict[str, Any]:
    """The primitives that appeared or vanished; where only one side has a program (the report
    lists primitives only for a strategy it traced), `no_program` instead: each side's reason
    for having none, None on the side that has one."""
    if not sa.jaxpr and not sb.jaxpr:
        return {}
    if not sa.jaxpr or not sb.jaxpr:
        return {"no_program": [None if s.jaxpr else _no_program(s) for s in (sa, sb)]}
    pa, pb = Counter(sa.primitives), Counter(sb.primitives)
    appeared, vanished = pb - pa, pa - pb
    return {k: dict(v) for k, v in (("appeared", appeared), ("vanished", vanished)) if v}


def _no_program(s: Strategy) -> str:
    """Why strategy `s` has no jaxpr, as its report says (`program_note`)."""
    if s.error is not None:
        return f"it failed ({s.error.type})"
    return program_note_text(s.program_note) or "not traced"


def _hlo(sa: Strategy, sb: Strategy) -> dict[str, Any]:
    out = {}
    ops_a, ops_b = (s.hlo.ops if s.hlo else {} for s in (sa, sb))
    ops = {op: [ops_a.get(op, 0), ops_b.get(op, 0)] for op in sorted({*ops_a, *ops_b})
           if ops_a.get(op, 0) != ops_b.get(op, 0)}
    if ops:
        out["ops"] = ops
    trips = [list(s.hlo.loops) if s.hlo else [] for s in (sa, sb)]
    if trips[0] != trips[1]:
        out["loops"] = trips
    for figure in ("flops", "bytes"):
        if d := _cost(sa, sb, figure):
            out[figure] = d
    return out


def _cost(sa: Strategy, sb: Strategy, figure: str) -> Optional[dict[str, Any]]:
    """Flops or bytes counting every loop in full; where a side's trip count is unknown, XLA's
    own per-iteration figure on that side, flagged in `per_iteration` and with no ratio (a count
    per iteration and one in full don't divide into a change)."""
    def value(s: Strategy) -> tuple[Any, bool]:
        full = getattr(s.hlo, figure, None)
        if full is not None or not getattr(s.hlo, "xla_only", ""):
            return full, False
        return getattr(s.hlo, f"{figure}_xla"), True

    (x, per_a), (y, per_b) = value(sa), value(sb)
    if x is None or y is None or (x == y and per_a == per_b):
        return None
    per = {"per_iteration": [per_a, per_b]} if per_a or per_b else {}
    return {"a": x, "b": y, "ratio": y / x if x and per_a == per_b else None, **per}


def _peak(s: Strategy) -> Optional[int]:
    return s.hlo.peak_bytes if s.hlo else None


def _fits(a: Report, b: Report, key: str) -> Optional[list]:
    """Each side's fits_up_to (`up_to`, `never`) where the two read differently: figures that
    round to the same words moved only with the memory free when each report was made."""
    fa, fb = a.fits.get(key), b.fits.get(key)
    if fa is None or fb is None:
        return None
    fa, fb = ({"up_to": f.up_to, "never": f.never} for f in (fa, fb))
    return None if _fit_words(fa) == _fit_words(fb) else [fa, fb]


def within_noise(x: Timing, y: Timing) -> Optional[bool]:
    """Whether two timings are within noise of each other. The rule: their interquartile
    intervals [q1_s, q3_s], each holding the middle half of that run's rounds, overlap. Then
    typical rounds of the one are typical of the other too, and the ratio of the medians can't
    be told from noise. The noise is each run's own, so a quiet machine tells smaller changes
    apart; the sweep's crossovers judge a lead by the same overlap (results.sweep_state). None
    where a side has no spread (one round, or an older report)."""
    quartiles = [(t.q1_s, t.q3_s) for t in (x, y)]
    if any(q is None for pair in quartiles for q in pair):
        return None
    (lo_x, hi_x), (lo_y, hi_y) = quartiles
    return lo_x <= hi_y and lo_y <= hi_x


def _timing(a: Report, b: Report, key: str) -> Optional[dict[str, Any]]:
    """The per-call figure's change, and `within_noise` (see `within_noise`)."""
    ta, tb = (r.timings.get(key) if r.timings is not None else None for r in (a, b))
    d = _figure(*(t.median_s if t else None for t in (ta, tb)))
    if d is None:
        return None
    return {**d, "within_noise": within_noise(ta, tb)}


def _figure(x: Any, y: Any) -> Optional[dict[str, Any]]:
    """{a, b, ratio} where the figure differs; None where it is the same or missing on a side."""
    if x is None or y is None or x == y:
        return None
    return {"a": x, "b": y, "ratio": y / x if x else None}


# --- words ---------------------------------------------------------------------------------------

UNITS = {"memory": byte_size, "flops": lambda v: f"{v:,.0f}", "bytes": byte_size}
NOISE = "within noise: the two runs' interquartile ranges overlap"


def diff_lines(d: dict[str, Any], a_name: str = "A", b_name: str = "B") -> list[str]:
    """`diff`'s changes in words, section by section, each strategy under its label on both sides."""
    lines = [f"jaxbatch-tui diff: {d['model']}, {a_name} → {b_name}"]
    for key, (x, y) in d["identity"].items():
        lines.append(f"  {key}: {x} → {y}")
    if d["same_code"] is not None:
        lines.append("  the model's code is the same" if d["same_code"] else "  the model's code changed")
    sections = ("outputs", "primitives", "alignment", "hlo_verdict", "hlo", "memory", "fits_up_to")
    if not any(d[k] for k in sections) and all(t["within_noise"] for t in d["timings"].values()):
        lines.append("  nothing else changed: " + ("outputs, programs and memory are the same; timings differ only "
                                                   "within noise" if d["timings"] else
                                                   "outputs, programs, memory and timings are the same"))
    for side, what in (("only_a", a_name), ("only_b", b_name)):
        if d["strategies"][side]:
            lines.append(f"  only in {what}: {', '.join(d['strategies'][side])}")
    labels = {key: _label(*pair) for key, pair in d["labels"].items()}
    width = max([12, *(len(label) + 1 for label in labels.values())])
    parts = [("Outputs", d["outputs"], _output_words),
             ("Primitives", d["primitives"], lambda v: _primitive_words(v, a_name, b_name)),
             ("HLO", d["hlo"], _hlo_words), ("Peak memory", d["memory"], lambda v: _figure_words(v, "memory")),
             ("Out of memory from batch", d["fits_up_to"], lambda v: " → ".join(map(_fit_words, v))),
             (f"Timings, per call ({NOISE})", d["timings"], _timing_words)]
    for head, part, words in parts:
        if part:
            lines += ["", head, *(f"  {labels.get(key, key):<{width}} {words(value)}" for key, value in part.items())]
    for head, key in (("Alignment verdict", "alignment"), ("HLO verdict", "hlo_verdict")):
        if d[key]:
            lines += ["", head, f"  {a_name}: {d[key][0]}", f"  {b_name}: {d[key][1]}"]
    return lines


def _label(a: str, b: str) -> str:
    """One strategy's label on both sides: `vmap`, or `chunked k=64 → k=16` where they differ."""
    if a == b:
        return a
    wa, wb = a.split(" "), b.split(" ")
    same = next((i for i, (x, y) in enumerate(zip(wa, wb)) if x != y), min(len(wa), len(wb)))
    return " ".join(wa[:same] + [" ".join(wa[same:]) or "-", "→", " ".join(wb[same:]) or "-"])


def _output_words(d: dict) -> str:
    said = ["output changed"] if "output" in d else []
    if "verdict" in d:
        said.append(f"{d['verdict'][0]} → {d['verdict'][1]}")
    return "; ".join(said)


def _primitive_words(d: dict, a_name: str, b_name: str) -> str:
    if "no_program" in d:
        name, why = next((n, w) for n, w in zip((a_name, b_name), d["no_program"]) if w is not None)
        return f"not compared: no program in {name} ({why})"

    def counted(found: dict) -> str:
        return ", ".join(f"{name} ({n}×)" if n > 1 else name for name, n in found.items())

    return "; ".join(f"{what} {counted(d[what])}" for what in ("appeared", "vanished") if what in d)


def _hlo_words(d: dict) -> str:
    said = [f"{op} {x} → {y}" for op, (x, y) in d.get("ops", {}).items()]
    if "loops" in d:
        said.append("loop trip counts " + " → ".join(_trips(t) for t in d["loops"]))
    said += [_figure_words(d[f], f, f) for f in ("flops", "bytes") if f in d]
    return "; ".join(said)


def _trips(counts: list) -> str:
    return ", ".join("unknown" if n is None else f"{n:,}" for n in counts) or "none"


def _figure_words(d: dict, kind: str, name: str = "") -> str:
    """`flops 960 → 1,920 (2x)`; a per-iteration figure (trip count unknown) says so, once
    before both figures when both are."""
    unit, per = UNITS[kind], d.get("per_iteration", [False, False])
    note = " (per iteration; trip count unknown)"
    x, y = (unit(v) + (note if p and not all(per) else "") for v, p in zip((d["a"], d["b"]), per))
    change = f" ({ratio(d['ratio'])})" if d["ratio"] is not None else ""
    return f"{name}{note if all(per) else ''}{' ' if name or all(per) else ''}{x} → {y}{change}"


def _fit_words(fit: dict) -> str:
    """As the report's memory line says it (presentation.memory.fit_text), read from the JSON's
    `up_to` and `never`: the batch from which the strategy runs out of memory."""
    if fit["never"]:
        return "never"
    if fit["up_to"] is None:
        return "unknown"
    return "not one instance" if fit["up_to"] == 0 else f"≈ {count(fit['up_to'] + 1)}"


def _timing_words(d: dict) -> str:
    noise = {True: ", within noise", False: "", None: ", spread unknown"}[d["within_noise"]]
    change = f"{ratio(d['ratio'])}{noise}" if d["ratio"] is not None else noise.lstrip(", ")
    return f"{seconds(d['a'])} → {seconds(d['b'])}" + (f" ({change})" if change else "")
