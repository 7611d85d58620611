"""Line two programs up equation by equation and say exactly what matches and what does not.

Equations are matched by primitive with Myers' O(ND) diff (a longest common subsequence, so
insertions show as gaps rather than shifting every later row), then each matched pair is
compared up to variable names: parameters, operand order and shapes.
"""

from __future__ import annotations

import difflib
import functools
from collections import Counter
from typing import Optional, Sequence

from jaxbatch.lab.results import Alignment, Diff, Eqn, Row

# Past this many edits Myers costs more than it's worth; difflib then gives a quick, approximate
# alignment (`Alignment.exact` False) and the verdict says so.
MAX_EDITS = 1500


def align(left: Sequence[Eqn], right: Sequence[Eqn], left_key: str = "left", right_key: str = "right") -> Alignment:
    a = [e.primitive for e in left]
    b = [e.primitive for e in right]
    pairs, exact = _match(a, b)
    rows = _rows(left, right, pairs)
    return Alignment(left_key, right_key, list(left), list(right), rows, exact)


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
    rows: list[Row] = []
    matched = dict(pairs)
    right_matched = set(matched.values())  # once: per row it made aligning quadratic
    i = j = 0
    for pi, pj in [*pairs, (len(left), len(right))]:
        rows += [Row(k, None, "only_left") for k in range(i, pi)]
        rows += [Row(None, k, "only_right") for k in range(j, pj)]
        if pi < len(left) and pj < len(right):
            diffs = compare_eqns(left[pi], right[pj])
            wiring = _wiring(left[pi], right[pj], matched, right_matched)
            if wiring and not any(d.kind == "operands" for d in diffs):
                diffs.append(wiring)
            rows.append(Row(pi, pj, "differ" if diffs else "same", diffs))
        i, j = pi + 1, pj + 1
    return rows


def _wiring(left: Eqn, right: Eqn, matched: dict[int, int], right_matched: set[int]) -> Optional[Diff]:
    """Whether the operands come from matching places: `x - y` against `y - x` has the same
    avals, but not the same program. An operand made by an equation that exists on one side
    only is not judged here: that equation's own row already differs."""
    def mapped(source: str) -> str:
        if not source.startswith("eq"):
            return source
        index, _, out = source[2:].partition(".")
        return f"eq{matched[int(index)]}.{out}" if int(index) in matched else "?"

    def judged(source: str) -> bool:
        return source != "?" and not (
            source.startswith("eq") and int(source[2:].partition(".")[0]) not in right_matched)

    if len(left.sources) != len(right.sources):
        return None
    lefts = [mapped(s) for s in left.sources]
    pairs = [(a, b) for a, b in zip(lefts, right.sources) if judged(a) and judged(b)]
    if all(a == b for a, b in pairs):
        return None
    return Diff("operands" if sorted(lefts) == sorted(right.sources) else "wiring")


def compare_eqns(left: Eqn, right: Eqn) -> list[Diff]:
    """What differs between two equations of the same primitive; [] if nothing."""
    diffs = [
        Diff("param", key, left.params.get(key), right.params.get(key))
        for key in sorted(set(left.params) | set(right.params))
        if left.params.get(key) != right.params.get(key)
        and "{...}" not in (left.params.get(key, ""), right.params.get(key, ""))
    ]
    if left.inputs != right.inputs:
        if sorted(left.inputs) == sorted(right.inputs):
            diffs.append(Diff("operands"))
        else:
            diffs.append(Diff("inputs", None, " ".join(left.inputs), " ".join(right.inputs),
                              _transposed(left.inputs, right.inputs)))
    if left.outputs != right.outputs:
        diffs.append(Diff("output", None, " ".join(left.outputs), " ".join(right.outputs),
                          _transposed(left.outputs, right.outputs)))
    return diffs


def _transposed(left: list[str], right: list[str]) -> bool:
    return len(left) == len(right) and all(map(_same_or_transposed, left, right))


@functools.lru_cache(maxsize=4096)  # a program repeats few avals, each pair is compared many times
def _same_or_transposed(a: str, b: str) -> bool:
    """`f32[5,2]` against `f32[2,5]`: the same dtype and the same dimensions in another order."""
    if a == b:
        return True
    da, _, sa = a.partition("[")
    db, _, sb = b.partition("[")
    return da == db and ":" not in a + b and Counter(sa.rstrip("]").split(",")) == Counter(sb.rstrip("]").split(","))


def is_layout_only(diffs: list[Diff]) -> bool:
    return bool(diffs) and all(d.transposed for d in diffs)
