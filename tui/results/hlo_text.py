"""Optimized HLO text read as a program: computations, instructions, shapes and attributes.

A line-by-line reading, robust to what XLA's printer puts inside a line: `/*index=5*/` comments
in tuples of six or more, nested braces in attributes, quoted strings. Counting ops or costing
loops on a regex over whole lines silently drops exactly the loops that matter.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from math import prod
from typing import Optional

_COMMENT = re.compile(r"/\*.*?\*/")
_INSTRUCTION = re.compile(r"^\s*(ROOT\s+)?%?([\w.\-]+)\s*=\s*")
_HEADER = re.compile(r"^(ENTRY\s+)?%?([\w.\-]+)\s*[({]")
_OPCODE = re.compile(r"\s*([a-z][\w\-]*)\(")
_ARRAY = re.compile(r"([a-z][a-z0-9]*)\[([^\]]*)\]")
DEBUG_TABLE = re.compile(r"^(FileNames|FunctionNames|FileLocations|StackFrames)$")  # source tables' headings
_METADATA = re.compile(r",?\s*metadata=\{")
_CLOSE = {"(": ")", "[": "]", "{": "}"}

# Bytes per element as XLA lays them out; a tuple is its table of 8-byte pointers.
DTYPE_BYTES = {
    "pred": 1, "s8": 1, "u8": 1, "f8e4m3fn": 1, "f8e5m2": 1, "s16": 2, "u16": 2, "f16": 2, "bf16": 2,
    "s32": 4, "u32": 4, "f32": 4, "s64": 8, "u64": 8, "f64": 8, "c64": 8, "c128": 16, "token": 0,
}
POINTER_BYTES = 8


@dataclass(frozen=True)
class Shape:
    """An array (`dtype`, `dims`) or a tuple (`parts`)."""

    dtype: str = ""
    dims: tuple[int, ...] = ()
    parts: Optional[tuple["Shape", ...]] = None

    @property
    def elements(self) -> int:
        return prod(self.dims) if self.parts is None else 0

    @property
    def size(self) -> Optional[int]:
        """XLA's byte size: elements times width, or the pointer table of a tuple; None for a
        type XLA's figure can't be matched on."""
        if self.parts is not None:
            return POINTER_BYTES * len(self.parts)
        width = DTYPE_BYTES.get(self.dtype)
        return None if width is None else width * self.elements

    def arrays(self) -> list["Shape"]:
        """Every array inside, depth first (ShapeUtil::ForEachSubshape's arrays)."""
        if self.parts is None:
            return [self]
        return [a for p in self.parts for a in p.arrays()]


@dataclass(frozen=True)
class Instruction:
    name: str
    shape: Shape
    opcode: str
    operands: list[str]
    attrs: dict[str, str]
    root: bool = False
    literal: str = ""  # what a constant holds, or a parameter's number, as printed

    def called(self, key: str) -> list[str]:
        """Computations named in attribute `key` (`calls=%f`, `branch_computations={%a, %b}`)."""
        return re.findall(r"%?([\w.\-]+)", self.attrs.get(key, ""))


@dataclass
class Computation:
    name: str
    entry: bool
    instructions: list[Instruction] = field(default_factory=list)

    @cached_property
    def by_name(self) -> dict[str, Instruction]:
        return {i.name: i for i in self.instructions}

    @cached_property
    def users(self) -> dict[str, list[Instruction]]:
        """Each instruction's users, each once, in text order."""
        found: dict[str, list[Instruction]] = {}
        for instruction in self.instructions:
            for operand in dict.fromkeys(instruction.operands):
                found.setdefault(operand, []).append(instruction)
        return found

    def parameter(self, number: int) -> Optional[Instruction]:
        return next((i for i in self.instructions if i.opcode == "parameter" and i.literal == str(number)), None)

    @property
    def root(self) -> Instruction:
        return next((i for i in self.instructions if i.root), self.instructions[-1])


@dataclass
class Module:
    computations: dict[str, Computation]

    @property
    def entry(self) -> Optional[Computation]:
        return next((c for c in self.computations.values() if c.entry), None)


def parse(text: str) -> Module:
    """Every computation of an HLO module, in text order; lines that are no instruction (the
    module line, debug tables, blank lines) are skipped."""
    computations: dict[str, Computation] = {}
    current: Optional[Computation] = None
    for raw in text.splitlines():
        line = _COMMENT.sub("", raw).rstrip()
        if current is None:
            header = _HEADER.match(line) if line.endswith("{") else None
            if header:
                current = computations.setdefault(header.group(2), Computation(header.group(2), bool(header.group(1))))
        elif line.startswith("}"):
            current = None
        elif (instruction := parse_instruction(line)) is not None:
            current.instructions.append(instruction)
    return Module(computations)


def parse_instruction(line: str) -> Optional[Instruction]:
    """One instruction line, or None when the line is not one."""
    head = _INSTRUCTION.match(line)
    if head is None:
        return None
    start = head.end()
    end = _type_end(line, start)
    opcode = _OPCODE.match(line, end)
    if opcode is None:
        return None
    open_at = opcode.end() - 1
    close_at = closing(line, open_at)
    inside = line[open_at + 1:close_at]
    operands = [m.group(1) for part in _split(inside) if (m := re.search(r"%?([\w.\-]+)\s*$", part.strip()))]
    leaf = opcode.group(1) in ("constant", "parameter")  # parentheses hold a value, not operands
    return Instruction(
        name=head.group(2),
        shape=parse_shape(line[start:end]),
        opcode=opcode.group(1),
        operands=[] if leaf else operands,
        attrs=_attrs(line[close_at + 1:]),
        root=bool(head.group(1)),
        literal=inside if leaf else "",
    )


def parse_shape(text: str) -> Shape:
    text = text.strip()
    if text.startswith("("):
        return Shape(parts=tuple(parse_shape(p) for p in _split(text[1:closing(text, 0)]) if p.strip()))
    match = _ARRAY.match(text)
    if match is None:
        return Shape(dtype=text)
    dims = tuple(int(d.strip().lstrip("<=")) for d in match.group(2).split(",") if d.strip())
    return Shape(match.group(1), dims)


def clean_hlo(text: str) -> str:
    """Optimized HLO without source locations (file paths, stack frames, op metadata): the
    program itself, the same on every machine."""
    lines, skipping = [], False
    for line in text.splitlines():
        if DEBUG_TABLE.match(line):
            skipping = True
            continue
        if skipping:
            if line.startswith("%") or line.startswith("ENTRY") or line.startswith("HloModule"):
                skipping = False
            else:
                continue
        lines.append(strip_metadata(line).rstrip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def strip_metadata(line: str) -> str:
    """The line without its `metadata={...}` attribute (braces and quotes inside respected)."""
    match = _METADATA.search(line)
    while match:
        end = closing(line, match.end() - 1)
        line = line[:match.start()] + line[end + 1:]
        match = _METADATA.search(line)
    return line


def control_flow(module: Module) -> list[Computation]:
    """The computations XLA runs as code of their own: the entry and whatever it reaches through
    call, while and conditional. Fused computations and reducers are parts of one op."""
    entry = module.entry
    if entry is None:
        return []
    seen, order, todo = {entry.name}, [], [entry]
    while todo:
        computation = todo.pop(0)
        order.append(computation)
        for instruction in computation.instructions:
            for name in _control_targets(instruction):
                if name in module.computations and name not in seen:
                    seen.add(name)
                    todo.append(module.computations[name])
    return order


def op_counts(module: Module) -> dict[str, int]:
    """Opcode counts over the control-flow computations: what XLA schedules, a fusion one op,
    a loop's body counted once (however many times it runs)."""
    return dict(Counter(i.opcode for c in control_flow(module) for i in c.instructions))


def all_op_counts(module: Module) -> dict[str, int]:
    """Opcode counts over every computation, fused and reducer code included."""
    return dict(Counter(i.opcode for c in module.computations.values() for i in c.instructions))


def _control_targets(instruction: Instruction) -> list[str]:
    keys = {"call": ("to_apply", "calls"), "while": ("condition", "body"), "async-start": ("calls",),
            "conditional": ("branch_computations", "true_computation", "false_computation")}
    return [name for key in keys.get(instruction.opcode, ()) for name in instruction.called(key)]


def _type_end(line: str, start: int) -> int:
    """Where the result type that starts at `start` ends (a tuple type holds spaces)."""
    if line.startswith("(", start):
        return closing(line, start) + 1
    end = start
    depth = 0
    while end < len(line) and (depth or not line[end].isspace()):
        depth += {"[": 1, "{": 1, "]": -1, "}": -1}.get(line[end], 0)
        end += 1
    return end


def closing(text: str, at: int) -> int:
    """Index of the bracket closing the one at `at`, skipping nested brackets and strings."""
    stack = [_CLOSE[text[at]]]
    i = at + 1
    while i < len(text):
        ch = text[i]
        if ch == '"':
            i += 1
            while i < len(text) and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif ch in "([{":
            stack.append(_CLOSE[ch])
        elif ch == stack[-1]:
            stack.pop()
            if not stack:
                return i
        i += 1
    return len(text)


def _split(text: str) -> list[str]:
    """`text` cut at the commas outside brackets and strings."""
    parts, depth, start, quoted = [], 0, 0, False
    for i, ch in enumerate(text):
        if ch == '"' and (i == 0 or text[i - 1] != "\\"):
            quoted = not quoted
        elif quoted:
            continue
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _attrs(rest: str) -> dict[str, str]:
    attrs = {}
    for part in _split(rest):
        key, eq, value = part.strip().partition("=")
        if eq:
            attrs[key.strip()] = value.strip()
    return attrs
