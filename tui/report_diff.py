"""`jaxbatch-tui diff A.json B.json`: what changed between two saved reports of one model, across
two JAX versions, two devices, or before and after a change. It reads only the report JSON (no
JAX), so a report saved on a GPU box can be compared on a laptop.

`diff` returns plain data (what `--json` prints); `diff_lines` words it for a terminal.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Optional

from jaxbatch.presentation.units import byte_size, ratio, seconds

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
    """What changed from report `a` to report `b`, strategy by strategy: outputs and verdicts,
    primitives that appeared or vanished, the alignment verdict, HLO op counts, flops, bytes,
    peak memory and timings (with the ratio b / a)."""
    if a["model"] != b["model"]:
        raise NotComparable(f"the reports are of two models, {a['model']} and {b['model']}: diff compares two "
                            "reports of one model")
    keys = [k for k in a["strategies"] if k in b["strategies"]]
    return {
        "model": a["model"],
        "labels": {k: b["strategies"][k].get("label", k) for k in keys},
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
        "timings": {k: d for k in keys if (d := _figure(a, b, ("timings", k, "median_s")))},
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
    pa, pb = Counter(_get(a, ("primitives", key)) or []), Counter(_get(b, ("primitives", key)) or [])
    appeared, vanished = pb - pa, pa - pb
    return {k: dict(v) for k, v in (("appeared", appeared), ("vanished", vanished)) if v}


def _hlo(a: dict, b: dict, key: str) -> dict[str, Any]:
    out = {}
    ops_a, ops_b = _get(a, ("hlo", key, "ops")) or {}, _get(b, ("hlo", key, "ops")) or {}
    ops = {op: [ops_a.get(op, 0), ops_b.get(op, 0)] for op in sorted({*ops_a, *ops_b})
           if ops_a.get(op, 0) != ops_b.get(op, 0)}
    if ops:
        out["ops"] = ops
    for figure in ("flops", "bytes"):
        if d := _figure(a, b, ("hlo", key, figure)):
            out[figure] = d
    return out


def _figure(a: dict, b: dict, path: tuple) -> Optional[dict[str, Any]]:
    """{a, b, ratio} where the figure differs; None where it is the same or missing on a side."""
    x, y = _get(a, path), _get(b, path)
    if x is None or y is None or x == y:
        return None
    return {"a": x, "b": y, "ratio": y / x if x else None}


# --- words ---------------------------------------------------------------------------------------

UNITS = {"memory": byte_size, "timings": seconds, "flops": lambda v: f"{v:,.0f}", "bytes": byte_size}


def diff_lines(d: dict[str, Any], a_name: str = "A", b_name: str = "B") -> list[str]:
    lines = [f"jaxbatch-tui diff: {d['model']}, {a_name} → {b_name}"]
    for key, (x, y) in d["identity"].items():
        lines.append(f"  {key}: {x} → {y}")
    if d["same_code"] is not None:
        lines.append("  the model's code is the same" if d["same_code"] else "  the model's code changed")
    if not any(d[k] for k in ("outputs", "primitives", "alignment", "hlo_verdict", "hlo", "memory", "timings")):
        lines.append("  nothing else changed: outputs, programs, memory and timings are the same")
    for side, what in (("only_a", a_name), ("only_b", b_name)):
        if d["strategies"][side]:
            lines.append(f"  only in {what}: {', '.join(d['strategies'][side])}")
    width = max([12, *(len(label) + 1 for label in d["labels"].values())])
    sections = [("Outputs", d["outputs"], _output_words), ("Primitives", d["primitives"], _primitive_words),
                ("HLO", d["hlo"], _hlo_words), ("Peak memory", d["memory"], lambda v: _figure_words(v, "memory")),
                ("Timings, per call", d["timings"], lambda v: _figure_words(v, "timings"))]
    for head, part, words in sections:
        if part:
            lines += ["", head, *(f"  {d['labels'].get(key, key):<{width}} {words(value)}"
                                  for key, value in part.items())]
    for head, key in (("Alignment verdict", "alignment"), ("HLO verdict", "hlo_verdict")):
        if d[key]:
            lines += ["", head, f"  {a_name}: {d[key][0]}", f"  {b_name}: {d[key][1]}"]
    return lines


def _output_words(d: dict) -> str:
    said = ["output changed"] if "output" in d else []
    if "verdict" in d:
        said.append(f"{d['verdict'][0]} → {d['verdict'][1]}")
    return "; ".join(said)


def _primitive_words(d: dict) -> str:
    def counted(found: dict) -> str:
        return ", ".join(f"{name} ({n}×)" if n > 1 else name for name, n in found.items())

    return "; ".join(f"{what} {counted(d[what])}" for what in ("appeared", "vanished") if what in d)


def _hlo_words(d: dict) -> str:
    said = [f"{op} {x} → {y}" for op, (x, y) in d.get("ops", {}).items()]
    said += [_figure_words(d[f], f, f) for f in ("flops", "bytes") if f in d]
    return "; ".join(said)


def _figure_words(d: dict, kind: str, name: str = "") -> str:
    unit = UNITS[kind]
    change = f" ({ratio(d['ratio'])})" if d["ratio"] is not None else ""
    return f"{name + ' ' if name else ''}{unit(d['a'])} → {unit(d['b'])}{change}"
