"""Two program texts (StableHLO or optimized HLO) lined up line by line, with every name set
aside: module, function, computation, instruction and SSA names, entry parameters, op
metadata, `loc(...)` and `jax.result_info`.

A line's *skeleton* is the line with its names blanked and its debug noise dropped. Skeletons
are matched with difflib; a matched pair of lines is "same" when the skeletons are equal and
every name on them refers to the same thing on both sides: a name's definition on the left sits
on the row (and at the place on it) where its counterpart's sits on the right. So renaming a
Python argument (`x.1` to `xs.1`) or a function changes no status, while an operand swapped for
another still shows.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from jaxbatch.results.hlo_text import DEBUG_TABLE, closing, parse_instruction, strip_metadata
from jaxbatch.results.report import Row, TextAlignment
from jaxbatch.results.stablehlo_text import op_name

_NAMES = {
    "stablehlo": re.compile(r'%[\w$.\-]+|@[\w$.\-]+|@"(?:[^"\\]|\\.)*"|\^[\w$.\-]+'),
    "hlo": re.compile(r"%[\w.\-]+"),
}
_DEF_AFTER = re.compile(r"\s*(?::\d+)?\s*=(?!=)|:\s")  # `%0 =`, `%0:2 =`, `%iterArg = `, `%arg0: tensor`
_SYMBOL_DEF = re.compile(r"(?:func\.func\s+(?:public\s+|private\s+)?|module\s+|sdy\.mesh\s+)$")
_RESULTS = re.compile(r"^\s*%[\w$.\-]+(?::\d+)?(?:\s*,\s*%[\w$.\-]+(?::\d+)?)*\s*=\s*")
_HLO_HEADER = re.compile(r"^(?:ENTRY\s+)?%[\w.\-]+\s*\(")
_HLO_MODULE = re.compile(r"^(HloModule\s+)([\w.\-]+)")
_HEADER_PARAM = re.compile(r"(?<![\w.\-%])([A-Za-z_][\w.\-]*)(?=:\s)")
_LOC_LINE = re.compile(r"^\s*#loc[\w$.\-]*\s*=\s*loc\(")
_LOC = re.compile(r"\s*\bloc\(")
_INFO = re.compile(r'(jax\.(?:result|arg)_info\s*=\s*)"(?:[^"\\]|\\.)*"')

Token = tuple[int, int, bool]  # start, end, defines the name


@lru_cache(maxsize=16)
def align_text(left_text: str, right_text: str, level: str) -> TextAlignment:
    """Rows for `left_text` against `right_text`, both at `level` ("stablehlo" or "hlo").
    Lines that are only debug information (HLO's source tables, StableHLO's `#loc` lines)
    get no row."""
    left, right = _read(left_text, level), _read(right_text, level)
    pairs = _pairs([line.skeleton for line in left], [line.skeleton for line in right],
                   [line.coarse for line in left], [line.coarse for line in right])
    same = _same_names(left, right, pairs)
    rows = []
    for i, j in pairs:
        if i is None:
            rows.append(Row(None, right[j].index, "only_right"))
        elif j is None:
            rows.append(Row(left[i].index, None, "only_left"))
        else:
            status = "same" if left[i].skeleton == right[j].skeleton and same(i, j) else "differ"
            rows.append(Row(left[i].index, right[j].index, status))
    return TextAlignment(left_text.splitlines(), right_text.splitlines(), rows)


@dataclass(frozen=True)
class _Line:
    index: int  # in the text
    skeleton: str  # the line with names blanked and debug noise dropped
    coarse: str  # its op, or the skeleton
    names: list[tuple[str, bool]]  # (name, defines it) in order


def _read(text: str, level: str) -> list[_Line]:
    """The lines of `text` that are program, read."""
    out, in_table = [], False
    for index, line in enumerate(text.splitlines()):
        if DEBUG_TABLE.match(line):
            in_table = True
        elif in_table and line.startswith(("%", "ENTRY", "HloModule")):
            in_table = False
        if in_table or _LOC_LINE.match(line):
            continue
        line = _quiet(line, level)
        tokens = _tokens(line, level)
        skeleton, at = [], 0
        for a, b, _ in tokens:
            skeleton.append(line[at:a] + ("$" if line[a] not in "%@^" else line[a]))
            at = b
        skeleton.append(line[at:])
        text_ = "".join(skeleton).rstrip()
        out.append(_Line(index, text_, _coarse(line, level) or text_, [(line[a:b], d) for a, b, d in tokens]))
    return out


def _quiet(line: str, level: str) -> str:
    """The line without what says where it came from rather than what it computes."""
    if level == "hlo":
        line = strip_metadata(line)
    line = _INFO.sub(r'\1""', line)
    match = _LOC.search(line)
    while match:
        end = closing(line, match.end() - 1)
        line = line[:match.start()] + line[end + 1:]
        match = _LOC.search(line)
    return line


def _tokens(line: str, level: str) -> list[Token]:
    tokens: list[Token] = []
    results = _RESULTS.match(line) if level == "stablehlo" else None
    header = _HLO_HEADER.match(line) if level == "hlo" and line.rstrip().endswith("{") else None
    for match in _NAMES[level].finditer(line):
        a, b = match.span()
        if line[a] == "@":
            defines = bool(_SYMBOL_DEF.search(line[:a]))
        elif line[a] == "^":
            defines = not line[:a].strip()
        else:
            defines = (bool(results and b <= results.end()) or bool(_DEF_AFTER.match(line, b))
                       or bool(header and b < header.end()))  # a computation's header names it
        tokens.append((a, b, defines))
    if level == "hlo":
        tokens += _hlo_bare_names(line)
    return sorted(tokens)


def _hlo_bare_names(line: str) -> list[Token]:
    """HLO names written without `%`: the module's, and parameters in a computation's header."""
    module = _HLO_MODULE.match(line)
    if module:
        return [(module.start(2), module.end(2), True)]
    header = _HLO_HEADER.match(line)
    if not header or not line.rstrip().endswith("{"):
        return []
    start = header.end() - 1
    end = closing(line, start)
    return [(start + m.start(1), start + m.end(1), True) for m in _HEADER_PARAM.finditer(line[start:end])]


def _coarse(line: str, level: str) -> str:
    """What a line does, shapes aside: its op. Pairs lines inside a block that differs."""
    if level == "hlo":
        instruction = parse_instruction(line)
        return instruction.opcode if instruction else ""
    return op_name(line)


Pair = tuple[Optional[int], Optional[int]]


def _pairs(a: list[str], b: list[str], coarse_a: list[str], coarse_b: list[str]) -> list[Pair]:
    """Rows in display order: equal skeletons matched, then lines of a differing block paired by
    their op, the rest as gaps. Computed in one canonical orientation (difflib is not
    symmetric), so swapping the two programs swaps the sides of every row and nothing else."""
    if (a, coarse_a) > (b, coarse_b):
        return [(j, i) for i, j in _pairs(b, a, coarse_b, coarse_a)]
    out: list[Pair] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out += [(i1 + k, j1 + k) for k in range(i2 - i1)]
            continue
        inner = difflib.SequenceMatcher(None, coarse_a[i1:i2], coarse_b[j1:j2], autojunk=False)
        for tag2, p1, p2, q1, q2 in inner.get_opcodes():
            if tag2 in ("equal", "replace"):
                n = min(p2 - p1, q2 - q1)
                out += [(i1 + p1 + k, j1 + q1 + k) for k in range(n)]
                p1, q1 = p1 + n, q1 + n
            out += [(i1 + k, None) for k in range(p1, p2)] + [(None, j1 + k) for k in range(q1, q2)]
    return out


def _same_names(left, right, pairs):
    """A test of whether paired lines `i`, `j` use their names alike."""
    left_refs, right_refs = _refs(left), _refs(right)
    counterpart: dict[tuple, tuple] = {}
    for i, j in pairs:
        if i is None or j is None:
            continue
        left_defs = [k for k, (_, defines) in enumerate(left[i].names) if defines]
        right_defs = [k for k, (_, defines) in enumerate(right[j].names) if defines]
        for k, m in zip(left_defs, right_defs):
            counterpart[("def", i, k)] = ("def", j, m)

    def same(i: int, j: int) -> bool:
        a, b = left_refs[i], right_refs[j]
        return len(a) == len(b) and all(counterpart.get(x) == y if x[0] == "def" else x == y for x, y in zip(a, b))

    return same


def _refs(lines) -> list[list[tuple]]:
    """What each name on each line refers to: the definition in force there (the latest before
    it; for a symbol used before it is defined, its first definition), or the name itself when
    the text never defines it."""
    first: dict[str, tuple] = {}
    for i, line in enumerate(lines):
        for k, (name, defines) in enumerate(line.names):
            if defines:
                first.setdefault(name, ("def", i, k))
    latest: dict[str, tuple] = {}
    refs = []
    for i, line in enumerate(lines):
        row = []
        for k, (name, defines) in enumerate(line.names):
            if defines:
                latest[name] = ("def", i, k)
            row.append(latest.get(name) or first.get(name) or ("free", name))
        refs.append(row)
    return refs
