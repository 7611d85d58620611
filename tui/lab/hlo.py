"""The level below the jaxpr: StableHLO as lowered, and the HLO XLA ends with after optimizing.

Both come from the same `jit(f).lower(...).compile()` whose executable produces the outputs the
app shows, so the program on screen is the program that ran.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Optional

from jaxbatch.lab.results import Hlo

_METADATA = re.compile(r",?\s*metadata=\{[^{}]*\}")
_DEBUG_TABLE = re.compile(r"^(FileNames|FunctionNames|FileLocations|StackFrames)$")
_OPCODE = re.compile(r"=\s+(?:\([^=]*?\)|\S+)\s+([a-z][\w\-]*)\(")
_STABLEHLO_OP = re.compile(r"\b(?:stablehlo|chlo)\.([a-z_]+)")
_NAME = re.compile(r"%[\w.\-]+")


def describe(lowered, compiled) -> Hlo:
    optimized = clean_hlo(compiled.as_text())
    cost = _cost(compiled)
    return Hlo(
        stablehlo=lowered.as_text(),
        optimized=optimized,
        stablehlo_ops=dict(Counter(_STABLEHLO_OP.findall(lowered.as_text()))),
        ops=entry_ops(optimized),
        fusions=sum(1 for line in optimized.splitlines() if _opcode(line) == "fusion"),
        flops=_number(cost, "flops"),
        bytes=_number(cost, "bytes accessed"),
        memory=_memory(compiled),
    )


def clean_hlo(text: str) -> str:
    """Optimized HLO without source locations (file paths, stack frames, op metadata): the
    program itself, the same on every machine."""
    lines, skipping = [], False
    for line in text.splitlines():
        if _DEBUG_TABLE.match(line):
            skipping = True
            continue
        if skipping:
            if line.startswith("%") or line.startswith("ENTRY") or line.startswith("HloModule"):
                skipping = False
            else:
                continue
        lines.append(_METADATA.sub("", line).rstrip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def entry_ops(optimized: str) -> dict[str, int]:
    """Opcode counts of the ENTRY computation: what XLA schedules, fusions counted as one op."""
    counts: Counter[str] = Counter()
    inside = False
    for line in optimized.splitlines():
        if line.startswith("ENTRY"):
            inside = True
        elif inside and line.startswith("}"):
            break
        elif inside and (op := _opcode(line)):
            counts[op] += 1
    return dict(counts)


def same_program(a: str, b: str) -> bool:
    """Equal up to names of modules, computations, instructions and parameters."""
    return _canonical(a) == _canonical(b)


def _canonical(text: str) -> str:
    names: dict[str, str] = {}
    body = "\n".join(line for line in text.splitlines() if not line.startswith("HloModule"))
    return _NAME.sub(lambda m: names.setdefault(m.group(0), f"%{len(names)}"), body)


def _opcode(line: str) -> Optional[str]:
    match = _OPCODE.search(line)
    return match.group(1) if match and " = " in line else None


def _cost(compiled) -> dict[str, Any]:
    try:
        cost = compiled.cost_analysis()
    except Exception:  # some backends can't say; then the app says "unknown"
        return {}
    if isinstance(cost, (list, tuple)):  # older JAX: one dict per device program
        cost = cost[0] if cost else {}
    return dict(cost or {})


def _number(cost: dict[str, Any], key: str) -> Optional[float]:
    value = cost.get(key)
    return float(value) if isinstance(value, (int, float)) and value >= 0 else None


def _memory(compiled) -> Optional[dict[str, int]]:
    try:
        stats = compiled.memory_analysis()
    except Exception:
        return None
    if stats is None:
        return None
    keys = ("argument_size_in_bytes", "output_size_in_bytes", "temp_size_in_bytes", "generated_code_size_in_bytes")
    return {k.removesuffix("_size_in_bytes"): int(getattr(stats, k)) for k in keys if hasattr(stats, k)}


def verdict(left: Optional[Hlo], right: Optional[Hlo], left_label: str, right_label: str) -> str:
    """Did XLA end with the same program? Said only from what was compiled; else "unknown"."""
    if left is None or right is None:
        return "unknown: one side has no compiled program"
    if same_program(left.optimized, right.optimized):
        return "XLA compiled both to the same program"
    if left.ops == right.ops and left.fusions == right.fusions:
        return (f"XLA's programs differ in shapes, layout or operand order; same ops "
                f"({_ops_text(left.ops)})")
    return (f"XLA's programs differ: {left_label} has {_ops_text(left.ops)}; "
            f"{right_label} has {_ops_text(right.ops)}")


def _ops_text(ops: dict[str, int]) -> str:
    shown = {k: v for k, v in sorted(ops.items()) if k not in ("parameter", "constant")}
    return ", ".join(f"{v} {k}" for k, v in shown.items()) or "no ops"
