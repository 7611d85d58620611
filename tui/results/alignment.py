"""Line two programs up equation by equation and say exactly what matches and what does not.

Equations are matched by primitive with Myers' O(ND) diff (a longest common subsequence, so
insertions show as gaps rather than shifting every later row), then each matched pair is
compared up to variable names: parameters, operand order, shapes and wiring. Past the diff,
the work is linear: each pair is compared once, mostly by cached look-ups.
"""

from __future__ import annotations

import difflib
import functools
import weakref
from collections import Counter
from typing import Optional, Sequence, Union

from jaxbatch.results import hlo
from jaxbatch.results.report import Alignment, Diff, Eqn, Report, Row, TextAlignment

# Past this many edits Myers costs more than it's worth; difflib then gives a quick, approximate
# alignment (`Alignment.exact` False) and the verdict says so.
MAX_EDITS = 1500

# The two ways a pair's operands differ that carry no values: shared by every row that has one.
OPERANDS, WIRING = Diff("operands"), Diff("wiring")


def align(left: Sequence[Eqn], right: Sequence[Eqn], left_key: str = "left", right_key: str = "right") -> Alignment:
    a = [e.primitive for e in left]
    b = [e.primitive for e in right]
    pairs, exact = _match(a, b)
    rows = _rows(left, right, pairs)
    return Alignment(left_key, right_key, list(left), list(right), rows, exact)


def pair_alignment(report: Report, level: str, pair: tuple[str, str]) -> Union[Alignment, TextAlignment, None]:
    """`pair`'s programs at `level` ("jaxpr", "stablehlo" or "hlo") lined up row by row, worked
    out once per report and kept while it lives: the programs pane, its verdicts and the testing
    guards read the same rows. The report's own jaxpr alignment where it is of this pair; None
    where a side has no program at the level. Pure Python, but tens of ms for 5,000 equations:
    the app calls it in a worker."""
    kept = _kept(report)
    key = (level, pair)
    if key not in kept:
        left, right = (report.strategies[k] for k in pair)
        if level != "jaxpr":
            kept[key] = hlo.aligned(left.hlo, right.hlo, level)
        elif report.alignment is not None and (report.alignment.left, report.alignment.right) == pair:
            kept[key] = report.alignment
        else:
            kept[key] = align(left.eqns, right.eqns, *pair)
    return kept[key]


# Each live report's alignments, by its id; beside the report, not in it: a report stays the
# plain data it was made as (pickled, compared, serialized alike before and after).
_KEPT: dict[int, dict[tuple[str, tuple[str, str]], Union[Alignment, TextAlignment, None]]] = {}


def _kept(report: Report) -> dict:
    found = _KEPT.get(id(report))
    if found is None:
        found = _KEPT[id(report)] = {}
        weakref.finalize(report, _KEPT.pop, id(report), None)  # gone with the report
    return found


def _match(a: list[str], b: list[str]) -> tuple[list[tuple[int, int]], bool]:
    """Matched index pairs. Computed in one canonical orientation so that swapping the two
    programs swaps the sides of the result and changes nothing else."""
    if a > b:
        pairs, exact = _match(b, a)
        return [(i, j) for j, i in pairs], exact
    pairs = _myers(a, b)
    if pairs is not None:
        return pairs, True
    blocks = difflib.SequenceMatcher(None, a, b, autojunk=True).get_matching_blocks()
    return [(blk.a + k, blk.b + k) for blk in blocks for k in range(blk.size)], False


def _myers(a: list[str], b: list[str]) -> Optional[list[tuple[int, int]]]:
    n, m = len(a), len(b)
    width = n + m + 2
    v = [0] * (2 * width + 1)  # v[k + width]: furthest x on diagonal k
    trace: list[list[int]] = []
    for d in range(min(n + m, MAX_EDITS) + 1):
        trace.append(v[width - d - 1: width + d + 2])  # what step d reads
        for k in range(-d, d + 1, 2):
            if k == -d or (k != d and v[width + k - 1] < v[width + k + 1]):
                x = v[width + k + 1]
            else:
                x = v[width + k - 1] + 1
            y = x - k
            while x < n and y < m and a[x] == b[y]:
                x, y = x + 1, y + 1
            v[width + k] = x
            if x >= n and y >= m:
                return _backtrack(trace, n, m)
    return None


def _backtrack(trace: list[list[int]], n: int, m: int) -> list[tuple[int, int]]:
    pairs: list[tuple[int, int]] = []
    x, y = n, m
    for d in range(len(trace) - 1, -1, -1):
        snap = trace[d]  # snap[k + d + 1] is v[k] before step d
        k = x - y
        if k == -d or (k != d and snap[k - 1 + d + 1] < snap[k + 1 + d + 1]):
            prev_k = k + 1
        else:
            prev_k = k - 1
        prev_x = snap[prev_k + d + 1] if d > 0 else 0
        prev_y = prev_x - prev_k if d > 0 else 0
        while x > prev_x and y > prev_y:
            x, y = x - 1, y - 1
            pairs.append((x, y))
        x, y = prev_x, prev_y
    pairs.reverse()
    return pairs


def _rows(left: Sequence[Eqn], right: Sequence[Eqn], pairs: list[tuple[int, int]]) -> list[Row]:
    """Every equation once, in order: matched pairs compared, the rest as gaps. Each pair costs
    the same whatever the programs' length: its wiring is judged through look-ups built once."""
    rows: list[Row] = []
    to_right, right_only = _counterparts(left, right, pairs)
    n, m = len(left), len(right)
    i = j = 0
    for pi, pj in [*pairs, (n, m)]:
        if i < pi:
            rows += [Row(k, None, "only_left") for k in range(i, pi)]
        if j < pj:
            rows += [Row(None, k, "only_right") for k in range(j, pj)]
        if pi < n and pj < m:
            a, b = left[pi], right[pj]
            diffs = compare_eqns(a, b)
            wiring = _wiring(a.sources, b.sources, to_right, right_only)
            if wiring and OPERANDS not in diffs:  # swapped operands are said once
                diffs.append(wiring)
            rows.append(Row(pi, pj, "differ" if diffs else "same", diffs))
        i, j = pi + 1, pj + 1
    return rows


def _counterparts(left: Sequence[Eqn], right: Sequence[Eqn],
                  pairs: list[tuple[int, int]]) -> tuple[dict[str, str], frozenset[str]]:
    """What judging wiring looks up, built once per alignment: each left output's name on the
    right (`eq3.0` is `eq4.0` when left equation 3 is matched with right equation 4, "?" when it
    is on the left only), and the outputs of the equations on the right only. A name that keeps
    its index is left out (it is looked up with itself as the default), so two programs that
    line up without gaps cost nothing here."""
    to_right = {f"eq{i}.{o}": f"eq{j}.{o}" for i, j in pairs if i != j for o in range(len(left[i].outputs))}
    left_only = set(range(len(left))).difference(i for i, _ in pairs)
    right_only = set(range(len(right))).difference(j for _, j in pairs)
    to_right.update((f"eq{i}.{o}", "?") for i in left_only for o in range(len(left[i].outputs)))
    return to_right, frozenset(f"eq{j}.{o}" for j in right_only for o in range(len(right[j].outputs)))


def _wiring(left: tuple[str, ...], right: tuple[str, ...], to_right: dict[str, str],
            right_only: frozenset[str]) -> Optional[Diff]:
    """Whether the operands come from matching places: `x - y` against `y - x` has the same
    avals, but not the same program. An operand made by an equation that exists on one side
    only is not judged here: that equation's own row already differs."""
    if len(left) != len(right):
        return None
    lefts = tuple(map(to_right.get, left, left)) if to_right else left
    if lefts == right or all(a == b or a == "?" or b == "?" or b in right_only for a, b in zip(lefts, right)):
        return None
    return OPERANDS if sorted(lefts) == sorted(right) else WIRING


def compare_eqns(left: Eqn, right: Eqn) -> list[Diff]:
    """What differs between two equations of the same primitive; [] if nothing."""
    diffs = [] if left.params == right.params else list(_params(tuple(left.params.items()),
                                                                tuple(right.params.items())))
    if left.inputs != right.inputs or left.outputs != right.outputs:
        diffs += _avals(tuple(left.inputs), tuple(right.inputs), tuple(left.outputs), tuple(right.outputs))
    return diffs


# A program repeats few parameter sets and avals: the two below make most pairs one look-up.

@functools.lru_cache(maxsize=4096)
def _params(left: tuple[tuple[str, str], ...], right: tuple[tuple[str, str], ...]) -> tuple[Diff, ...]:
    a, b = dict(left), dict(right)
    return tuple(Diff("param", key, a.get(key), b.get(key)) for key in sorted(a.keys() | b.keys())
                 if a.get(key) != b.get(key) and "{...}" not in (a.get(key, ""), b.get(key, "")))


@functools.lru_cache(maxsize=4096)
def _avals(left_in: tuple[str, ...], right_in: tuple[str, ...],
           left_out: tuple[str, ...], right_out: tuple[str, ...]) -> tuple[Diff, ...]:
    """The inputs (the same ones in another order: operands swapped) and output that differ,
    each marked when it is the same dimensions in another order, a layout difference only."""
    diffs = []
    if left_in != right_in:
        diffs.append(OPERANDS if sorted(left_in) == sorted(right_in) else _shapes("inputs", left_in, right_in))
    if left_out != right_out:
        diffs.append(_shapes("output", left_out, right_out))
    return tuple(diffs)


def _shapes(kind: str, left: tuple[str, ...], right: tuple[str, ...]) -> Diff:
    transposed = len(left) == len(right) and all(map(_same_or_transposed, left, right))
    return Diff(kind, None, " ".join(left), " ".join(right), transposed)


def _same_or_transposed(a: str, b: str) -> bool:
    """`f32[5,2]` against `f32[2,5]`: the same dtype and the same dimensions in another order."""
    if a == b:
        return True
    da, _, sa = a.partition("[")
    db, _, sb = b.partition("[")
    return da == db and ":" not in a + b and Counter(sa.rstrip("]").split(",")) == Counter(sb.rstrip("]").split(","))


def is_layout_only(diffs: list[Diff]) -> bool:
    return bool(diffs) and all(d.transposed for d in diffs)
