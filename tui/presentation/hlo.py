"""Compiled programs in words: whether two are one program at a level (StableHLO or optimized
HLO) and, if not, what differs; op counts and flops or bytes figures as every view writes them."""

from __future__ import annotations

from typing import Optional

from jaxbatch.results.hlo_cost import NOT_SPLIT, TRIP_COUNT_UNKNOWN
from jaxbatch.results.report import Cost, Hlo, HloComparison

# The verdict when every aligned row is the same, per level.
SAME = {"stablehlo": "JAX lowered both to the same StableHLO program",
        "hlo": "XLA compiled both to the same program"}
UNKNOWN = "unknown"  # no comparison was made
NO_PROGRAM = "unknown: one side has no compiled program"
# Why a flops or bytes figure is only XLA's own (Hlo.xla_only), beside the figure.
XLA_ONLY = {TRIP_COUNT_UNKNOWN: "per iteration; trip count unknown", NOT_SPLIT: "with each loop body counted once"}


def hlo_verdict(c: Optional[HloComparison]) -> str:
    """Are the two programs one program at the comparison's level? `XLA compiled both to the same
    program`, else what differs: op counts, then flops or bytes, then ops inside fusions, or
    only shapes, layout and operand order."""
    if c is None:
        return UNKNOWN
    if c.same is None:
        return NO_PROGRAM
    if c.same:
        return SAME[c.level]
    where = f"{c.differing} of {c.lines} lines differ"
    if c.level == "stablehlo":
        if c.left_ops != c.right_ops:
            return f"StableHLO differs: {has(c.left_ops, c.right_ops, c.left_label, c.right_label)}"
        return f"StableHLO differs in shapes, attributes or operand order ({where}); same ops ({ops_text(c.left_ops)})"
    costs = [f"{key} {figure_text(left)} vs {figure_text(right)}" for key, left, right in c.costs]
    if c.left_ops != c.right_ops:
        return (f"XLA's programs differ: {has(c.left_ops, c.right_ops, c.left_label, c.right_label)}"
                + "".join(f"; {text}" for text in costs))
    if costs:
        return f"XLA's programs differ ({where}): {'; '.join(costs)}; op counts match ({ops_text(c.left_ops)})"
    if c.left_inner != c.right_inner:
        return (f"XLA's programs differ inside fusions ({where}): "
                f"{has(c.left_inner, c.right_inner, c.left_label, c.right_label)}")
    return (f"XLA's programs differ in shapes, layout or operand order ({where}); same ops "
            f"({ops_text(c.left_ops)}), flops and bytes")


def has(a: dict[str, int], b: dict[str, int], left_label: str, right_label: str) -> str:
    """"L has 1 while, no select; R has no while, 2 select": the op counts that differ."""
    keys = sorted(k for k in a.keys() | b.keys() if a.get(k, 0) != b.get(k, 0))
    keys = [k for k in keys if not plumbing(k)] or keys

    def side(ops: dict[str, int]) -> str:
        return ", ".join(f"{ops[k]} {k}" if ops.get(k) else f"no {k}" for k in keys)

    return f"{left_label} has {side(a)}; {right_label} has {side(b)}"


def figure_text(cost: Cost) -> str:
    """A flops or bytes figure: `1,234`, `1,234 + 2 custom calls XLA can't count`, `229 per
    iteration; trip count unknown`, or `unknown`."""
    if cost.value is None:
        return "unknown"
    if cost.xla_only:
        return f"{cost.value:,.0f} {XLA_ONLY[cost.xla_only]}"
    calls = cost.custom_calls
    if calls:
        return f"{cost.value:,.0f} + {calls} custom call{'s' * (calls > 1)} XLA can't count"
    return f"{cost.value:,.0f}"


def cost_notes(h: Hlo) -> dict[str, str]:
    """Per figure (flops, bytes), why it is only XLA's own, in words: said only where the full
    figure is unknown; a full figure beside it needs no note."""
    note = XLA_ONLY.get(h.xla_only, "")
    return {key: note if getattr(h, key) is None else "" for key in ("flops", "bytes")}


def cost_note(h: Hlo) -> str:
    """`bytes: with each loop body counted once`: the note, naming the figures it is about."""
    about = [key for key, note in cost_notes(h).items() if note]
    return f"{' and '.join(about)}: {XLA_ONLY[h.xla_only]}" if about else ""


def ops_text(ops: dict[str, int], nothing: str = "no ops") -> str:
    """`1 dot, 2 fusion`: op counts by name, parameters and constants left out."""
    return ", ".join(f"{v} {k}" for k, v in sorted(ops.items()) if not plumbing(k)) or nothing


def plumbing(op: str) -> bool:
    """Parameters and constants: counted, but not what a reader compares."""
    return op.split(" ", 1)[0] in ("parameter", "constant")
