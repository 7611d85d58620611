"""The level below the jaxpr: StableHLO as lowered, and the HLO XLA ends with after optimizing.

Both come from the same `jit(f).lower(...).compile()` whose executable produces the outputs the
app shows, so the program on screen is the program that ran. Verdicts at both levels are read
off the same line-by-line alignment the programs pane shows (`align_text`).
"""

from __future__ import annotations

from typing import Any, Optional

from jaxbatch.lab import hlo_cost, hlo_text, stablehlo_text
from jaxbatch.lab.results import Alignment, Hlo, Strategy, TextAlignment
from jaxbatch.lab.text_align import align_text

LEVELS = ("stablehlo", "hlo")
SAME = {"stablehlo": "JAX lowered both to the same StableHLO program",
        "hlo": "XLA compiled both to the same program"}


def describe(lowered, compiled) -> Hlo:
    optimized = hlo_text.clean_hlo(compiled.as_text())
    module = hlo_text.parse(optimized)
    stablehlo = lowered.as_text()
    stable_ops = stablehlo_text.op_counts(stablehlo)
    cost = _cost(compiled)
    costs = hlo_cost.loop_costs(module, _number(cost, "flops"), _number(cost, "bytes accessed"))
    ops = hlo_text.op_counts(module)
    return Hlo(
        stablehlo=stablehlo,
        optimized=optimized,
        stablehlo_ops=stable_ops.top,
        stablehlo_region_ops=stable_ops.regions,
        ops=ops,
        fusions=ops.get("fusion", 0),
        flops=costs.flops,
        bytes=costs.bytes,
        flops_xla=costs.flops_xla,
        bytes_xla=costs.bytes_xla,
        loops=costs.loops,
        cost_note=costs.note,
        memory=_memory(compiled),
    )


def program_text(hlo: Hlo, level: str) -> str:
    return hlo.stablehlo if level == "stablehlo" else hlo.optimized


def aligned(left: Optional[Hlo], right: Optional[Hlo], level: str) -> Optional[TextAlignment]:
    """The two programs at `level` lined up; None when a side has none."""
    if left is None or right is None:
        return None
    return align_text(program_text(left, level), program_text(right, level), level)


def same_program(left: Strategy, right: Strategy, alignment: Optional[Alignment]) -> dict[str, Any]:
    """Whether the pair is one program at each level, as the rows at that level say."""
    facts: dict[str, Any] = {"pair": [left.key, right.key],
                             "jaxpr": alignment.identical if alignment is not None else None}
    for level in LEVELS:
        rows = aligned(left.hlo, right.hlo, level)
        facts[level] = rows.identical if rows is not None else None
    return facts


def verdict(left: Optional[Hlo], right: Optional[Hlo], left_label: str, right_label: str,
            level: str = "hlo") -> str:
    """Are the programs one program at `level`? Said from the aligned rows: the same program
    exactly when every row is the same, else what differs: ops, flops or bytes, or only
    shapes, layout and operand order."""
    rows = aligned(left, right, level)
    if rows is None:
        return "unknown: one side has no compiled program"
    if rows.identical:
        return SAME[level]
    differing = sum(r.status != "same" for r in rows.rows)
    where = f"{differing} of {len(rows.rows)} lines differ"
    if level == "stablehlo":
        return _stablehlo_verdict(left, right, left_label, right_label, where)
    costs = _cost_differences(left, right)
    if left.ops != right.ops:
        return (f"XLA's programs differ: {_has(left.ops, right.ops, left_label, right_label)}"
                + "".join(f"; {c}" for c in costs))
    if costs:
        return f"XLA's programs differ ({where}): {'; '.join(costs)}; op counts match ({ops_text(left.ops)})"
    inner = [hlo_text.all_op_counts(hlo_text.parse(h.optimized)) for h in (left, right)]
    if inner[0] != inner[1]:
        return f"XLA's programs differ inside fusions ({where}): {_has(*inner, left_label, right_label)}"
    return (f"XLA's programs differ in shapes, layout or operand order ({where}); same ops "
            f"({ops_text(left.ops)}), flops and bytes")


def _stablehlo_verdict(left: Hlo, right: Hlo, left_label: str, right_label: str, where: str) -> str:
    a, b = _stable_ops(left), _stable_ops(right)
    if a != b:
        return f"StableHLO differs: {_has(a, b, left_label, right_label)}"
    return f"StableHLO differs in shapes, attributes or operand order ({where}); same ops ({ops_text(a)})"


def _stable_ops(h: Hlo) -> dict[str, int]:
    return {**h.stablehlo_ops, **{f"{k} (in regions)": v for k, v in h.stablehlo_region_ops.items()}}


def _has(a: dict[str, int], b: dict[str, int], left_label: str, right_label: str) -> str:
    """"L has 1 while, no select; R has no while, 2 select": the op counts that differ."""
    keys = sorted(k for k in a.keys() | b.keys() if a.get(k, 0) != b.get(k, 0))
    keys = [k for k in keys if not _plumbing(k)] or keys

    def side(ops: dict[str, int]) -> str:
        return ", ".join(f"{ops[k]} {k}" if ops.get(k) else f"no {k}" for k in keys)

    return f"{left_label} has {side(a)}; {right_label} has {side(b)}"


def _cost_differences(left: Hlo, right: Hlo) -> list[str]:
    return [f"{key} {figure(left, key)} vs {figure(right, key)}" for key in ("flops", "bytes")
            if figure(left, key) != figure(right, key)]


def figure(h: Hlo, key: str) -> str:
    """A flops or bytes figure as every view writes it: loops counted in full, or said to be
    per iteration; never a bare number that is off by a trip count."""
    full, xla = getattr(h, key), getattr(h, f"{key}_xla")
    calls = h.ops.get("custom-call", 0)
    if full is not None and calls:  # XLA counts a library call (LAPACK, a callback) as nothing
        return f"{full:,.0f} + {calls} custom call{'s' * (calls > 1)} XLA can't count"
    if full is not None:
        return f"{full:,.0f}"
    if xla is not None and h.cost_note:
        return f"{xla:,.0f} {h.cost_note}"
    return "unknown"


def ops_text(ops: dict[str, int], nothing: str = "no ops") -> str:
    return ", ".join(f"{v} {k}" for k, v in sorted(ops.items()) if not _plumbing(k)) or nothing


def _plumbing(op: str) -> bool:
    """Parameters and constants: counted, but not what a reader compares."""
    return op.split(" ", 1)[0] in ("parameter", "constant")


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
