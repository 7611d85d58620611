"""`jaxbatch-tui diff A.json B.json`: what changed between two saved reports of one model, across
two JAX versions, two devices, or before and after a change. It reads only the report JSON (no
JAX), so a report saved on a GPU box can be compared on a laptop.

`diff` returns plain data (what `--json` prints); `diff_lines` words it for a terminal. A
strategy whose program one side lacks (the loop past the batch it is traced up to, a strategy
that failed) is said to have none there, not to have lost every primitive.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Optional

from jaxbatch.presentation.units import byte_size, count, ratio, seconds

# What says which run a report is of, compared field by field (`selection.chunk`, `device.kind`).
IDENTITY = ("jax_version", "jaxlib_version", "device", "source_hash", "selection")


class NotComparable(ValueError):
    """The two files are not two reports of one model."""


def check_report(data: Any, name: str) -> dict[str, Any]:
    """`data` if it is a report's JSON (`jaxbatch-tui report --json`, or the app's export)."""
    if not isinstance(data, dict) or not {"model", "strategies", "batch_shape"} <= set(data):
        raise NotComparable(f"{name} is not a jaxbatch-tui report: save one with `jaxbatch-tui report --json > FILE`")
    return data


def diff(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """What changed from report `a` to report `b`, strategy by strategy: its label on each side
    (`chunked k=64` and `chunked k=16`), outputs and verdicts, primitives that appeared or
    vanished, the alignment verdict, HLO op counts, loop trip counts, flops, bytes, peak memory,
    the batch each fits up to and timings (with the ratio b / a and whether it is noise)."""
    if a["model"] != b["model"]:
        raise NotComparable(f"the reports are of two models, {a['model']} and {b['model']}: diff compares two "
                            "reports of one model")
    keys = [k for k in a["strategies"] if k in b["strategies"]]
    return {
        "model": a["model"],
        "labels": {k: [a["strategies"][k].get("label", k), b["strategies"][k].get("label", k)] for k in keys},
        "identity": {**_identity(a, b), **({"timed": ["timings" in a, "timings" in b]}
                                            if ("timings" in a) != ("timings" in b) else {})},
        "same_code": None if not (a.get("source_hash") and b.get("source_hash"))
        else a["source_hash"] == b["source_hash"],
        "strategies": {"only_a": [k for k in a["strategies"] if k not in b["strategies"]],
                       "only_b": [k for k in b["strategies"] if k not in a["strategies"]]},
        "outputs": {k: d for k in keys if (d := _outputs(a["strategies"][k], b["strategies"][k]))},
        "primitives": {k: d for k in keys if (d := _primitives(a, b, k))},
        "alignment": _changed(_verdict(a), _verdict(b)),
        "hlo_verdict": _changed(a.get("hlo_verdict"), b.get("hlo_verdict")),
        "hlo": {k: d for k in keys if (d := _hlo(a, b, k))},
        "memory": {k: d for k in keys if (d := _figure(a, b, ("memory", k, "peak_bytes")))},
        "fits_up_to": {k: d for k in keys if (d := _fits(a, b, k))},
        "timings": {k: d for k in keys if (d := _timing(a, b, k))},
    }


def _identity(a: dict, b: dict) -> dict[str, list]:
    """Each identity field that differs, a dict's (device, selection) key by key."""
    out = {}
    for key in IDENTITY:
        x, y = a.get(key), b.get(key)
        if isinstance(x, dict) and isinstance(y, dict):
            out.update({f"{key}.{k}": [x.get(k), y.get(k)] for k in {**x, **y} if x.get(k) != y.get(k)})
        elif x != y:
            out[key] = [x, y]
    return out


def _get(data: dict, path: tuple) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _changed(x: Any, y: Any) -> Optional[list]:
    return None if x == y else [x, y]


def _verdict(report: dict) -> Optional[str]:
    return _get(report, ("alignment", "verdict"))


def _outputs(sa: dict, sb: dict) -> dict[str, Any]:
    out = {}
    if sa.get("output") != sb.get("output"):
        out["output"] = "changed"
    verdict = _changed(_get(sa, ("agreement", "verdict")), _get(sb, ("agreement", "verdict")))
    if verdict:
        out["verdict"] = verdict
    return out


def _primitives(a: dict, b: dict, key: str) -> dict[str, Any]:
    """The primitives that appeared or vanished; where only one side has a program (the report
    lists primitives only for a strategy it traced), `no_program` instead: each side's reason
    for having none, None on the side that has one."""
    la, lb = _get(a, ("primitives", key)), _get(b, ("primitives", key))
    if la is None and lb is None:
        return {}
    if la is None or lb is None:
        return {"no_program": [None if la is not None else _no_program(a, key),
                               None if lb is not None else _no_program(b, key)]}
    pa, pb = Counter(la), Counter(lb)
    appeared, vanished = pb - pa, pa - pb
    return {k: dict(v) for k, v in (("appeared", appeared), ("vanished", vanished)) if v}


def _no_program(report: dict, key: str) -> str:
    """Why `report` has no jaxpr of strategy `key`, as it says (`program_note`)."""
    s = report["strategies"][key]
    if "error" in s:
        return f"it failed ({s['error']['type']})"
    return s.get("program_note") or "not traced"


def _hlo(a: dict, b: dict, key: str) -> dict[str, Any]:
    out = {}
    ops_a, ops_b = _get(a, ("hlo", key, "ops")) or {}, _get(b, ("hlo", key, "ops")) or {}
    ops = {op: [ops_a.get(op, 0), ops_b.get(op, 0)] for op in sorted({*ops_a, *ops_b})
           if ops_a.get(op, 0) != ops_b.get(op, 0)}
    if ops:
        out["ops"] = ops
    trips = [[loop["trip_count"] for loop in _get(r, ("hlo", key, "loops")) or []] for r in (a, b)]
    if trips[0] != trips[1]:
        out["loops"] = trips
    for figure in ("flops", "bytes"):
        if d := _cost(a, b, key, figure):
            out[figure] = d
    return out


def _cost(a: dict, b: dict, key: str, figure: str) -> Optional[dict[str, Any]]:
    """Flops or bytes counting every loop in full; where a side's trip count is unknown, XLA's
    own per-iteration figure on that side, flagged in `per_iteration` and with no ratio (a count
    per iteration and one in full don't divide into a change)."""
    def value(r: dict) -> tuple[Any, bool]:
        full = _get(r, ("hlo", key, figure))
        if full is not None or not _get(r, ("hlo", key, "cost_note")):
            return full, False
        return _get(r, ("hlo", key, f"{figure}_xla")), True

    (x, per_a), (y, per_b) = value(a), value(b)
    if x is None or y is None or (x == y and per_a == per_b):
        return None
    per = {"per_iteration": [per_a, per_b]} if per_a or per_b else {}
    return {"a": x, "b": y, "ratio": y / x if x and per_a == per_b else None, **per}


def _fits(a: dict, b: dict, key: str) -> Optional[list]:
    """Each side's fits_up_to (`up_to`, `never`) where the two read differently: figures that
    round to the same words moved only with the memory free when each report was made."""
    fa, fb = (_get(r, ("fits_up_to", key)) for r in (a, b))
    if fa is None or fb is None:
        return None
    fa, fb = ({"up_to": f.get("up_to"), "never": f.get("never", False)} for f in (fa, fb))
    return None if _fit_words(fa) == _fit_words(fb) else [fa, fb]


def within_noise(x: dict[str, Any], y: dict[str, Any]) -> Optional[bool]:
    """Whether two timings (`Timing.to_json()`) are within noise of each other. The rule: their
    interquartile intervals [q1_s, q3_s], each holding the middle half of that run's rounds,
    overlap. Then typical rounds of the one are typical of the other too, and the ratio of the
    medians can't be told from noise. The noise is each run's own, so a quiet machine tells
    smaller changes apart; the sweep's crossovers judge a lead by the same overlap
    (results.sweep_state). None where a side has no spread (one round, or an older report)."""
    quartiles = [(t.get("q1_s"), t.get("q3_s")) for t in (x, y)]
    if any(q is None for pair in quartiles for q in pair):
        return None
    (lo_x, hi_x), (lo_y, hi_y) = quartiles
    return lo_x <= hi_y and lo_y <= hi_x


def _timing(a: dict, b: dict, key: str) -> Optional[dict[str, Any]]:
    """The per-call figure's change, and `within_noise` (see `within_noise`)."""
    d = _figure(a, b, ("timings", key, "median_s"))
    if d is None:
        return None
    return {**d, "within_noise": within_noise(a["timings"][key], b["timings"][key])}


def _figure(a: dict, b: dict, path: tuple) -> Optional[dict[str, Any]]:
    """{a, b, ratio} where the figure differs; None where it is the same or missing on a side."""
    x, y = _get(a, path), _get(b, path)
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
