"""StableHLO text read for its ops: which op each line holds, and whether it sits in a function
body or inside another op's region (a reducer, a loop body, a comparator).

Only the op in op position counts: `%0 = stablehlo.add ...` or `"stablehlo.sort"(...)`, never a
dialect name inside an attribute (`{stablehlo.mesh = ...}`) or a type (`!stablehlo.token`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

_RESULTS = re.compile(r"^\s*%[\w$.\-]+(?::\d+)?(?:\s*,\s*%[\w$.\-]+(?::\d+)?)*\s*=\s*")
_OP = re.compile(r'"?([A-Za-z_][\w$]*(?:\.[\w$]+)*)"?')
_APPLIES = re.compile(r"\bapplies\s+([\w$]+(?:\.[\w$]+)+)")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_PREFIXES = ("stablehlo.", "chlo.", "func.")


@dataclass(frozen=True)
class OpCounts:
    top: dict[str, int]  # ops in function bodies
    regions: dict[str, int]  # ops inside another op's region, inline reducers (`applies stablehlo.add`) too


def op_counts(text: str) -> OpCounts:
    top: Counter[str] = Counter()
    regions: Counter[str] = Counter()
    depth, body = 0, None  # body: the depth of the current function's body
    for line in text.splitlines():
        bare = _STRING.sub('""', line)
        stripped = bare.strip()
        if stripped.startswith("func.func"):
            body = depth + 1
        elif body is not None and depth >= body and (op := op_name(line)):
            (top if depth == body else regions)[op] += 1
            regions.update(_name(m) for m in _APPLIES.findall(bare))
        depth += bare.count("{") - bare.count("}")
        if body is not None and depth < body:
            body = None
    return OpCounts({k: v for k, v in top.items() if not _terminator(k)},
                    {k: v for k, v in regions.items() if not _terminator(k)})


def op_name(line: str) -> str:
    """The op a line holds, "" when it holds none (a block label, a closing brace, `cond {`)."""
    results = _RESULTS.match(line)
    rest = line[results.end():] if results else line.lstrip()
    match = _OP.match(rest)
    if match is None or (results is None and "." not in match.group(1)):
        return ""
    return _name(match.group(1))


def _name(op: str) -> str:
    for prefix in _PREFIXES:
        if op.startswith(prefix):
            return op[len(prefix):]
    return op


def _terminator(op: str) -> bool:
    return op == "return" or op.endswith(".return") or op.endswith("yield")
