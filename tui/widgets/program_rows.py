"""Rows for the side-by-side program view, built from an alignment or from two plain texts.

Kept apart from the widget so the text report and tests use the same rows the screen shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import zip_longest
from typing import Optional

from jaxbatch.lab.results import Alignment, Eqn, Hlo

Span = tuple[int, int]


@dataclass(frozen=True)
class ViewRow:
    left: Optional[str]  # None: a gap on this side
    right: Optional[str]
    status: str = ""  # "same", "differ", "only_left", "only_right"; "" for plain text rows
    left_marks: tuple[Span, ...] = field(default=())
    right_marks: tuple[Span, ...] = field(default=())
    diffs: tuple[str, ...] = field(default=())


def alignment_rows(alignment: Alignment) -> list[ViewRow]:
    rows = []
    for r in alignment.rows:
        left = alignment.left_eqns[r.left] if r.left is not None else None
        right = alignment.right_eqns[r.right] if r.right is not None else None
        rows.append(
            ViewRow(
                _line(left),
                _line(right),
                r.status,
                _marks(left, r.diffs) if left else (),
                _marks(right, r.diffs) if right else (),
                tuple(r.diffs),
            )
        )
    return rows


def text_rows(left: str, right: str) -> list[ViewRow]:
    """Two texts line by line (StableHLO, HLO): no alignment claimed, so no status."""
    return [ViewRow(a, b) for a, b in zip_longest(left.splitlines(), right.splitlines())]


def _line(eqn: Optional[Eqn]) -> Optional[str]:
    return None if eqn is None else "  " * eqn.depth + eqn.text


def _marks(eqn: Eqn, diffs: list[str]) -> tuple[Span, ...]:
    """Where, in the displayed line, the differences are: the parameter, the operands, or the
    output type that differs."""
    indent = 2 * eqn.depth
    text = eqn.text
    lhs_end = text.find(" = ")
    rhs_start = _operands_start(text, eqn.primitive, lhs_end)
    spans: list[Span] = []
    for diff in diffs:
        key = diff.split(" ", 1)[0]
        if key == "output" and lhs_end > 0:
            spans.append((0, lhs_end))
        elif key in ("operands", "inputs") and rhs_start < len(text):
            spans.append((rhs_start, len(text)))
        elif key in eqn.params:
            shown = f"{key}={eqn.params[key]}"
            at = text.find(shown)
            if at >= 0:
                spans.append((at, at + len(shown)))
    return tuple((a + indent, b + indent) for a, b in spans)


def _operands_start(text: str, primitive: str, lhs_end: int) -> int:
    """Index just past `prim` or `prim[...]` (brackets in parameter values balanced)."""
    i = lhs_end + 3 + len(primitive)
    if i < len(text) and text[i] == "[":
        depth = 0
        for j in range(i, len(text)):
            depth += {"[": 1, "]": -1}.get(text[j], 0)
            if depth == 0:
                i = j + 1
                break
    return i + 1


def hlo_summary(left: Hlo, right: Hlo, level: str) -> list[tuple[str, str, str]]:
    """(what, left, right) rows: ops, fusions, flops, bytes and memory of two compiled programs."""
    if level == "stablehlo":
        rows = [("ops", _ops(left.stablehlo_ops), _ops(right.stablehlo_ops))]
    else:
        rows = [("ops (entry)", _ops(left.ops), _ops(right.ops)), ("fusions", str(left.fusions), str(right.fusions))]
    return rows + [
        ("flops", _num(left.flops), _num(right.flops)),
        ("bytes accessed", _num(left.bytes), _num(right.bytes)),
        ("memory", _memory(left.memory), _memory(right.memory)),
    ]


def _ops(ops: dict[str, int]) -> str:
    shown = {k: v for k, v in sorted(ops.items()) if k not in ("parameter", "constant", "return")}
    return ", ".join(f"{v} {k}" for k, v in shown.items()) or "none"


def _num(value: Optional[float]) -> str:
    return "unknown" if value is None else f"{value:,.0f}"


def _memory(memory: Optional[dict[str, int]]) -> str:
    if not memory:
        return "unknown"
    names = {"argument": "args", "output": "out", "temp": "temp"}
    return " · ".join(f"{names[k]} {v:,} B" for k, v in memory.items() if k in names)
