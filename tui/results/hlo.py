"""The level below the jaxpr: StableHLO as lowered, and the HLO XLA ends with after optimizing.

Both come from the same `jit(f).lower(...).compile()` whose executable produces the outputs the
app shows, so the program on screen is the program that ran. Comparisons at both levels are
read off the same line-by-line alignment the programs pane shows (`align_text`); the words for
them are the presentation's (jaxbatch.presentation.hlo).
"""

from __future__ import annotations

from typing import Any, Optional

from jaxbatch.results import hlo_cost, hlo_text, stablehlo_text
from jaxbatch.results.dot_precision import dot_precisions
from jaxbatch.results.report import Alignment, Cost, Hlo, HloComparison, SameProgram, Strategy, TextAlignment
from jaxbatch.results.text_align import align_text

LEVELS = ("stablehlo", "hlo")


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
        xla_only=costs.xla_only,
        memory=_memory(compiled),
        stablehlo_precision=dot_precisions(stablehlo),
        precision=dot_precisions(optimized),
    )


def program_text(hlo: Hlo, level: str) -> str:
    return hlo.stablehlo if level == "stablehlo" else hlo.optimized


def aligned(left: Optional[Hlo], right: Optional[Hlo], level: str) -> Optional[TextAlignment]:
    """The two programs at `level` lined up; None when a side has none."""
    if left is None or right is None:
        return None
    return align_text(program_text(left, level), program_text(right, level), level)


def same_program(left: Strategy, right: Strategy, alignment: Optional[Alignment]) -> SameProgram:
    """Whether the pair is one program at each level, as the rows at that level say; None where
    a side has no program there (jaxbatch.presentation.notes.unknown_reasons says why)."""
    rows = {level: aligned(left.hlo, right.hlo, level) for level in LEVELS}
    same = {level: r.identical if r is not None else None for level, r in rows.items()}
    return SameProgram((left.key, right.key), alignment.identical if alignment is not None else None, **same)


def compare(left: Optional[Hlo], right: Optional[Hlo], left_label: str, right_label: str,
            level: str = "hlo", rows: Optional[TextAlignment] = None) -> HloComparison:
    """Are the programs one program at `level`? Read off the aligned rows (`rows`, where the
    caller has them already): the same program exactly when every row is the same, else what
    differs: ops, flops or bytes, ops inside fusions, or (none of these) only shapes, layout and
    operand order."""
    rows = rows if rows is not None else aligned(left, right, level)
    if rows is None:
        return HloComparison(level, left_label, right_label, None)
    differing = sum(r.status != "same" for r in rows.rows)
    facts = dict(level=level, left_label=left_label, right_label=right_label, same=rows.identical,
                 differing=differing, lines=len(rows.rows))
    if rows.identical:
        return HloComparison(**facts)
    if level == "stablehlo":
        return HloComparison(**facts, left_ops=_stable_ops(left), right_ops=_stable_ops(right))
    costs = tuple((key, left.costs[key], right.costs[key]) for key in ("flops", "bytes")
                  if left.costs[key] != right.costs[key])
    inner: tuple[dict[str, int], ...] = ({}, {})
    if left.ops == right.ops and not costs:
        inner = tuple(hlo_text.all_op_counts(hlo_text.parse(h.optimized)) for h in (left, right))
    return HloComparison(**facts, left_ops=left.ops, right_ops=right.ops, costs=costs,
                         left_inner=inner[0], right_inner=inner[1])


def _stable_ops(h: Hlo) -> dict[str, int]:
    return {**h.stablehlo_ops, **{f"{k} (in regions)": v for k, v in h.stablehlo_region_ops.items()}}


def cost(h: Hlo, key: str) -> Cost:
    """The flops or bytes figure every view shows (read from `Hlo.costs`, which keeps it): loops
    counted in full, or XLA's own figure flagged (`xla_only`: per iteration, or each loop body
    once); never a bare number that is off by a trip count. Whole flops and bytes, so that two figures differ
    exactly when they read differently."""
    full, xla = getattr(h, key), getattr(h, f"{key}_xla")
    if full is not None:  # XLA counts a library call (LAPACK, a callback) as nothing
        return Cost(float(round(full)), h.ops.get("custom-call", 0))
    if xla is not None and h.xla_only:
        return Cost(float(round(xla)), xla_only=h.xla_only)
    return Cost(None)


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


def compiled_peak_bytes(compiled) -> Optional[int]:
    """`peak_bytes` of a compiled executable, for callers that keep no `Hlo` (the sweep)."""
    return peak_bytes(_memory(compiled))


def peak_bytes(memory: Optional[dict[str, int]]) -> Optional[int]:
    """The most memory one call holds at once, as XLA planned it (`_memory`): its temporaries,
    arguments and outputs, less what an output reuses of an argument (aliased). Not XLA's own
    `peak_memory_in_bytes`, which counts arguments and outputs only (issue 14: it stayed near
    4 KB where vmap's temporaries took 41 MB). None where XLA gave no plan."""
    if not memory or any(k not in memory for k in ("temp", "argument", "output")):
        return None
    return memory["temp"] + memory["argument"] + memory["output"] - memory.get("alias", 0)


def _memory(compiled) -> Optional[dict[str, int]]:
    try:
        stats = compiled.memory_analysis()
    except Exception:
        return None
    if stats is None:
        return None
    keys = ("argument_size_in_bytes", "output_size_in_bytes", "temp_size_in_bytes", "alias_size_in_bytes",
            "generated_code_size_in_bytes")
    return {k.removesuffix("_size_in_bytes"): int(getattr(stats, k)) for k in keys if hasattr(stats, k)}
