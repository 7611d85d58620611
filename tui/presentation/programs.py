"""Programs as rows: the side-by-side rows of a jaxpr or line alignment, their markers, and the
summary of two compiled programs. The text report and the app's program pane show these rows."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional, Sequence

from jaxbatch.presentation.hlo import figure_text, ops_text
from jaxbatch.presentation.units import byte_count
from jaxbatch.results.np_scalars import plain_scalars
from jaxbatch.results.report import Alignment, Diff, Eqn, Hlo, Row, SameProgram, TextAlignment

Span = tuple[int, int]

# The levels a program is shown at, by their keys, in order (pane 2's `l` cycles them).
LEVELS = {"jaxpr": "jaxpr", "stablehlo": "StableHLO", "hlo": "optimized HLO"}
# A row's status as one character, the same in the app and the text report.
MARKERS = {"same": "=", "differ": "≠", "only_left": "<", "only_right": ">"}


@dataclass(frozen=True)
class ViewRow:
    left: Optional[str]  # None: a gap on this side
    right: Optional[str]
    status: str  # "same", "differ", "only_left" or "only_right": what the verdict counts
    left_marks: tuple[Span, ...] = field(default=())
    right_marks: tuple[Span, ...] = field(default=())
    diffs: tuple[str, ...] = field(default=())


def alignment_rows(alignment: Alignment) -> AlignedRows:
    return AlignedRows(alignment)


class AlignedRows(Sequence[ViewRow]):
    """A jaxpr alignment's rows, each made when first read: a screen shows 48 rows of a
    program's 5,000, and making them all (finding their marks above all) cost more than
    drawing the screen. What a view needs of every row, the statuses and the longest line, is
    read off the alignment without making any."""

    def __init__(self, alignment: Alignment) -> None:
        self._alignment = alignment
        self._made: list[Optional[ViewRow]] = [None] * len(alignment.rows)
        self.statuses = [r.status for r in alignment.rows]
        self.longest = max((2 * e.depth + len(e.text) for eqns in (alignment.left_eqns, alignment.right_eqns)
                            for e in eqns), default=0)

    def __len__(self) -> int:
        return len(self._made)

    def __getitem__(self, index: int) -> ViewRow:  # one row at a time: nothing slices them
        row = self._made[index]
        if row is None:
            row = self._made[index] = _aligned_row(self._alignment, self._alignment.rows[index])
        return row


def _aligned_row(alignment: Alignment, r: Row) -> ViewRow:
    left = alignment.left_eqns[r.left] if r.left is not None else None
    right = alignment.right_eqns[r.right] if r.right is not None else None
    return ViewRow(_line(left), _line(right), r.status, _marks(left, r.diffs) if left else (),
                   _marks(right, r.diffs) if right else (), tuple(map(diff_text, r.diffs)))


def diff_text(diff: Diff) -> str:
    """What differs in an aligned row, the one wording every view and the report JSON use:
    `operands swapped`, `axes (1,) vs (0,)`, `output f32[5,2] vs f32[2,5] (transposed)`."""
    if diff.kind == "operands":
        return "operands swapped"
    if diff.kind == "wiring":
        return "operands come from other equations"
    left = "-" if diff.left is None else diff.left
    right = "-" if diff.right is None else diff.right
    what = diff.key if diff.kind == "param" else diff.kind
    return f"{what} {left} vs {right}" + (" (transposed)" if diff.transposed else "")


def jaxpr_text(text: str) -> str:
    """A jaxpr as a person reads it: JAX's own text, but the NumPy scalars its printer shows in
    parameters as the plain numbers they are (`axes=(np.int64(0),)` reads `axes=(0,)`). The
    report JSON keeps JAX's text as it is."""
    return plain_scalars(text)


def line_rows(alignment: TextAlignment) -> list[ViewRow]:
    """StableHLO or optimized HLO aligned line by line: the rows its verdict counts."""
    def line(lines: list[str], i: Optional[int]) -> Optional[str]:
        return None if i is None else lines[i]

    return [ViewRow(line(alignment.left_lines, r.left), line(alignment.right_lines, r.right), r.status,
                    diffs=tuple(map(diff_text, r.diffs))) for r in alignment.rows]


def difference_stops(rows: Sequence[ViewRow]) -> list[int]:
    """The rows `n` and `N` visit: every row that differs, and the first of each run of rows
    found on one side only (an insertion, however long, is one difference)."""
    statuses = rows.statuses if isinstance(rows, AlignedRows) else [r.status for r in rows]
    return [i for i, s in enumerate(statuses)
            if s == "differ" or (s in ("only_left", "only_right") and (i == 0 or statuses[i - 1] != s))]


def longest_line(rows: Sequence[ViewRow]) -> int:
    """The length of the longest line, either side: how far a view scrolls sideways."""
    if isinstance(rows, AlignedRows):
        return rows.longest
    return max((len(t) for r in rows for t in (r.left, r.right) if t), default=0)


def _line(eqn: Optional[Eqn]) -> Optional[str]:
    return None if eqn is None else "  " * eqn.depth + eqn.text


def _marks(eqn: Eqn, diffs: list[Diff]) -> tuple[Span, ...]:
    """Where, in the displayed line, the differences are: the parameter, the operands, or the
    output type that differs."""
    if not diffs:
        return ()
    indent = 2 * eqn.depth
    text = eqn.text
    lhs_end = text.find(" = ")
    rhs_start = _operands_start(text, eqn.primitive, lhs_end)
    spans: list[Span] = []
    for diff in diffs:
        if diff.kind == "output" and lhs_end > 0:
            spans.append((0, lhs_end))
        elif diff.kind in ("operands", "wiring", "inputs") and rhs_start < len(text):
            spans.append((rhs_start, len(text)))
        elif diff.kind == "param" and diff.key in eqn.params:
            key = diff.key
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
    """(what, left, right) rows: ops, fusions, flops, bytes, loops and memory of two compiled
    programs. Flops and bytes count loops in full, XLA's once-per-loop figure beside them."""
    if level == "stablehlo":
        rows = [("ops", _ops(left.stablehlo_ops), _ops(right.stablehlo_ops))]
        if left.stablehlo_region_ops or right.stablehlo_region_ops:
            rows.append(("ops in regions", _ops(left.stablehlo_region_ops), _ops(right.stablehlo_region_ops)))
    else:
        rows = [("ops", _ops(left.ops), _ops(right.ops)), ("fusions", str(left.fusions), str(right.fusions))]
    rows += [("flops", _figure(left, "flops"), _figure(right, "flops")),
             ("bytes accessed", _figure(left, "bytes"), _figure(right, "bytes"))]
    if left.loops or right.loops:
        rows.append(("loops", _loops(left.loops), _loops(right.loops)))
    precisions = [h.stablehlo_precision if level == "stablehlo" else h.precision for h in (left, right)]
    if any(precisions):
        rows.append(("matmuls", *map(_precisions, precisions)))
    return rows + [("memory", _memory(left.memory), _memory(right.memory))]


def _precisions(counts: dict[str, int]) -> str:
    """`2 at default precision`, `1 at algorithm dot_tf32_tf32_f32`: how many matrix products
    and convolutions run at each precision; `none` without any."""
    return ", ".join(f"{n} at {p}" + " precision" * (not p.startswith("algorithm"))
                     for p, n in sorted(counts.items())) or "none"


def _ops(ops: dict[str, int]) -> str:
    return ops_text(ops, "none")


def _figure(h: Hlo, key: str) -> str:
    text, full, xla = figure_text(h.costs[key]), getattr(h, key), getattr(h, f"{key}_xla")
    if h.loops and full is not None and xla is not None and full != xla:
        return f"{text} (XLA: {xla:,.0f}, each loop once)"
    return text


def _loops(loops: list[Optional[int]]) -> str:
    if not loops:
        return "none"
    counts = ", ".join("unknown" if n is None else f"{n:,}" for n in loops)
    s = "s" if len(loops) > 1 else ""
    return f"{len(loops)} loop{s}, trip count{s} {counts}"


def _memory(memory: Optional[dict[str, int]]) -> str:
    if not memory:
        return "unknown"
    names = {"argument": "args", "output": "out", "temp": "temp"}
    return " · ".join(f"{names[k]} {byte_count(v)}" for k, v in memory.items() if k in names)


SAME = {True: "same", False: "differs", None: "unknown"}
LEVEL_NAMES = {**LEVELS, "hlo": "HLO"}  # in a line of all three, where "optimized" goes without saying


def levels_text(same_program: SameProgram) -> str:
    """Whether the pair is one program at each level: `jaxpr differs · StableHLO same · HLO same`."""
    return " · ".join(f"{name} {SAME[same_program.at(key)]}" for key, name in LEVEL_NAMES.items())


def unknown_levels_text(unknown: dict[str, str]) -> list[str]:
    """Why a level is unknown (presentation.notes.unknown_reasons), levels with one reason
    together: `StableHLO and HLO: the loop is no one compiled program: ...`."""
    reasons: dict[str, list[str]] = {}
    for key, why in unknown.items():
        reasons.setdefault(why or "not compared", []).append(LEVEL_NAMES[key])
    return [f"{' and '.join(names)} unknown: {why}" for why, names in reasons.items()]


@dataclass(frozen=True)
class Folded:
    """The loop's jaxpr with its instances folded: the program's text with one instance's
    equations where `count` ran, `equations` of them each."""

    text: str
    count: int
    equations: int


_EQUATION = re.compile(r"^    [^\s\]].* = ([\w.]+)")


def fold_instances(text: str, count: int) -> Optional[Folded]:
    """A jaxpr that repeats the same equations `count` times in a row (the loop traced
    instance by instance) with its first instance kept and the others said in one line; None
    where no such repeat is found."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if _EQUATION.match(line)]
    if count < 2 or len(starts) < count:
        return None
    prims = [_EQUATION.match(lines[i]).group(1) for i in starts]
    for first in range(min(len(prims), 8)):
        for period in range(1, (len(prims) - first) // count + 1):
            block = prims[first:first + period]
            if all(prims[first + k * period:first + (k + 1) * period] == block for k in range(1, count)):
                ends = starts + [_end(lines)]
                second, after = ends[first + period], ends[first + count * period]
                said = (f"    # ... the same {period} equation{'s' * (period != 1)} for each of the other "
                        f"{count - 1:,} instances")
                return Folded("\n".join([*lines[:second], said, *lines[after:]]), count, period)
    return None


def fold_note(count: int, equations: int) -> str:
    """`one instance of 5 shown; the same 6 equations run for each`."""
    return f"one instance of {count:,} shown; the same {equations} equation{'s' * (equations != 1)} run for each"


def _end(lines: list[str]) -> int:
    """The line where a jaxpr's equations end: its `in (...)`."""
    return next((i for i in range(len(lines) - 1, -1, -1) if lines[i].lstrip().startswith("in ")), len(lines))


def fold_primitives(words: str, count: int) -> str:
    """The primitives line with the loop's instances folded: `slice squeeze add (× 5 instances) stack`."""
    items = words.split(" ")
    for first in range(min(len(items), 8)):
        for period in range(1, (len(items) - first) // count + 1):
            block = items[first:first + period]
            if count > 1 and all(items[first + k * period:first + (k + 1) * period] == block for k in range(1, count)):
                rest = items[first + count * period:]
                return " ".join([*items[:first], *block, f"(× {count:,} instances)", *rest])
    return words
