"""Flops and bytes with every loop counted as often as it runs.

XLA's `cost_analysis` walks a while loop's body and condition once, whatever the trip count,
so `lax.map` over 256 instances reports one instance's flops. XLA can't say what one iteration
costs apart from the rest, so this module re-applies XLA's own per-instruction rules
(xla/service/hlo_cost_analysis.cc) to the optimized HLO: first with each loop once, which must
reproduce XLA's figure (else the split is not trusted and the figure is unknown), then with each
body times the trip count XLA recorded (`known_trip_count`) and each condition once more.
Where a trip count is not recorded, the figure is per iteration and flagged so (`xla_only`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Callable, Optional

from jaxbatch.results.hlo_text import Computation, Instruction, Module, Shape, control_flow

TRANSCENDENTAL = {
    "erf", "exponential", "log", "logistic", "power", "sqrt", "cbrt", "rsqrt", "tanh", "sine", "cosine",
    "exponential-minus-one", "log-plus-one", "atan2", "tan",
}
ELEMENTWISE = {
    "abs", "add", "and", "ceil", "count-leading-zeros", "complex", "convert", "bitcast-convert", "divide", "floor",
    "imag", "is-finite", "maximum", "minimum", "multiply", "negate", "not", "or", "popcnt", "real", "remainder",
    "round-nearest-afz", "round-nearest-even", "select", "shift-left", "shift-right-arithmetic",
    "shift-right-logical", "sign", "subtract", "xor", "compare", "clamp", "reduce-precision", "stochastic-convert",
}
NO_MEMORY = {"parameter", "constant", "get-tuple-element", "bitcast", "after-all", "add-dependency", "domain"}
_TRIP_COUNT = re.compile(r"known_trip_count\W*n\W*(\d+)")  # {"n":"256"}, quotes escaped or not
_MATCH = 1e-4  # XLA sums in float32: agreement to this relative error is agreement
# Why a figure is only XLA's own, each loop body counted once (jaxbatch.presentation.hlo words them):
TRIP_COUNT_UNKNOWN = "trip_count_unknown"  # a loop's trip count is not recorded: the figure is per iteration
NOT_SPLIT = "not_split"  # XLA's rules could not be re-applied to reproduce its figure, so it is not split


@dataclass(frozen=True)
class Work:
    """What instructions do, as XLA counts it: "flops" and "bytes accessed" (transcendentals, which
    XLA keeps apart, aren't shown). A figure for people is a results.Cost; this is a sum."""

    flops: float = 0.0
    bytes: float = 0.0

    def __add__(self, other: "Work") -> "Work":
        return Work(self.flops + other.flops, self.bytes + other.bytes)

    def times(self, k: float, memory: bool = True) -> "Work":
        return Work(self.flops * k, self.bytes * k if memory else 0.0)

    def most(self, other: "Work") -> "Work":
        return Work(max(self.flops, other.flops), max(self.bytes, other.bytes))


@dataclass(frozen=True)
class LoopCosts:
    """Flops and bytes with loops counted in full (None: unknown, `xla_only` flags why: one of
    TRIP_COUNT_UNKNOWN, NOT_SPLIT), XLA's own figures (each loop once), and each while loop's
    trip count (None: not recorded)."""

    flops: Optional[float]
    bytes: Optional[float]
    flops_xla: Optional[float]
    bytes_xla: Optional[float]
    loops: list[Optional[int]]
    xla_only: str = ""


def trip_count(instruction: Instruction) -> Optional[int]:
    match = _TRIP_COUNT.search(instruction.attrs.get("backend_config", ""))
    return int(match.group(1)) if match else None


def loop_costs(module: Module, flops_xla: Optional[float], bytes_xla: Optional[float]) -> LoopCosts:
    loops = [trip_count(i) for c in control_flow(module) for i in c.instructions if i.opcode == "while"]
    if not loops:
        return LoopCosts(flops_xla, bytes_xla, flops_xla, bytes_xla, loops)
    if None in loops:
        return LoopCosts(None, None, flops_xla, bytes_xla, loops, TRIP_COUNT_UNKNOWN)
    try:
        once, full = (_Walker(module, scaled).computation(module.entry) for scaled in (False, True))
    except _Unknown:
        return LoopCosts(None, None, flops_xla, bytes_xla, loops, NOT_SPLIT)
    flops = _scaled(flops_xla, once.flops, full.flops)
    bytes_ = _scaled(bytes_xla, once.bytes, full.bytes)
    return LoopCosts(flops, bytes_, flops_xla, bytes_xla, loops, "" if None not in (flops, bytes_) else NOT_SPLIT)


def _scaled(xla: Optional[float], once: float, full: float) -> Optional[float]:
    """XLA's figure plus what the extra iterations add, when XLA's rules reproduce its figure."""
    if xla is None or not math.isclose(once, xla, rel_tol=_MATCH, abs_tol=1.0):
        return None
    return xla + (full - once)


class _Walker:
    """XLA's HloCostAnalysis, instruction by instruction by the RULES below; `full` counts loops by
    trip count."""

    def __init__(self, module: Module, full: bool):
        self.module, self.full = module, full

    def computation(self, computation: Optional[Computation]) -> Work:
        total = Work()
        for instruction in computation.instructions if computation else ():
            total = total + self.instruction(instruction, computation)
        return total

    def called(self, instruction: Instruction, key: str) -> Optional[Computation]:
        names = instruction.called(key)
        return self.module.computations.get(names[0]) if names else None

    def instruction(self, i: Instruction, c: Computation) -> Work:
        """The rule for `i`'s opcode in RULES; XLA's default (read every operand, write the
        output, no flops) for any other."""
        if i.opcode in NO_MEMORY:  # before any operand is sized: these move nothing
            return Work()
        operands = [_shape(c, name) for name in i.operands]
        default = _size(i.shape) + sum(_size(s) for s in operands)
        rule = RULES.get(i.opcode)
        return rule(self, i, c, operands, default) if rule else Work(bytes=default)

    def loop(self, i: Instruction) -> Work:
        body, cond = self.computation(self.called(i, "body")), self.computation(self.called(i, "condition"))
        n = trip_count(i)
        if not self.full or n is None:
            return body + cond
        return body.times(n) + cond.times(n + 1)  # the condition runs once more, to stop

    def apply(self, i: Instruction, operands: list[Shape], default: float) -> Work:
        """reduce, map, reduce-window: the applied computation's flops, once per application."""
        out = i.shape.arrays()[0]
        if i.opcode == "map":
            count = out.elements
        elif i.opcode == "reduce":
            count = operands[0].elements - out.elements
        else:
            count = _window_reductions(_window(i.attrs.get("window", "")), out)
        return self.computation(self.called(i, "to_apply")).times(count, memory=False) + Work(bytes=default)

    def fusion(self, i: Instruction, c: Computation) -> Work:
        fused = self.called(i, "calls")
        if fused is None:
            return Work(bytes=_size(i.shape))
        if i.attrs.get("kind") == "kCustom":
            for inner in fused.instructions:
                if inner.opcode in ("gather", "scatter"):
                    return self.instruction(inner, fused)
        flops = self.computation(fused).flops
        memory = _fusion_output_bytes(i, fused) + sum(
            _size(k.shape) for k in fused.instructions if k.opcode == "constant" and k.shape.elements > 1)
        for number in range(len(i.operands)):
            parameter = fused.parameter(number)
            if parameter is not None:
                memory += _parameter_reads(self.module, parameter, fused)
        return Work(flops, memory)


def _most(costs: list[Work]) -> Work:
    total = costs[0] if costs else Work()
    for cost in costs[1:]:
        total = total.most(cost)
    return total


# The rules, one per opcode, each given the walker (for the computations an instruction calls),
# the instruction, its computation, its operands' shapes and XLA's default bytes.
Rule = Callable[[_Walker, Instruction, Computation, list[Shape], float], Work]


def _dot(r: _Walker, i: Instruction, c: Computation, operands: list[Shape], default: float) -> Work:
    width = math.prod(operands[0].dims[d] for d in _ints(i.attrs.get("lhs_contracting_dims", "")))
    return Work(flops=2 * i.shape.elements * width, bytes=default)


def _select_and_scatter(r: _Walker, i: Instruction, c: Computation, operands: list[Shape], default: float) -> Work:
    window = math.prod(_window(i.attrs.get("window", "")).get("size", [1]))
    source = operands[1].elements
    rate = r.computation(r.called(i, "select")).times(source * (window - 1), memory=False)
    return rate + r.computation(r.called(i, "scatter")).times(source, memory=False) + Work(bytes=default)


def _scatter(r: _Walker, i: Instruction, c: Computation, operands: list[Shape], default: float) -> Work:
    n = (len(operands) - 1) // 2
    updates = operands[n + 1:]
    rate = r.computation(r.called(i, "to_apply")).times(updates[0].elements, memory=False)
    return rate + Work(bytes=3 * sum(_size(u) for u in updates) + _size(operands[n]))


def _sort(r: _Walker, i: Instruction, c: Computation, operands: list[Shape], default: float) -> Work:
    n = operands[0].elements
    return Work(flops=n * math.ceil(math.log2(n)) if n > 1 else 0, bytes=default)


def _all_reduce(r: _Walker, i: Instruction, c: Computation, operands: list[Shape], default: float) -> Work:
    arrays = i.shape.arrays()
    return Work(flops=sum(a.elements for a in arrays),
                bytes=sum(_size(a) for a in arrays) + sum(_size(s) for s in operands))


def _conditional(r: _Walker, i: Instruction, c: Computation, operands: list[Shape], default: float) -> Work:
    """The dearest branch."""
    branches = [r.module.computations[n] for key in ("branch_computations", "true_computation", "false_computation")
                for n in i.called(key) if n in r.module.computations]
    return _most([r.computation(b) for b in branches])


def _calls(key: str) -> Rule:
    """The called computation's work, counted as if inline (call, async-start)."""
    return lambda r, i, c, operands, default: r.computation(r.called(i, key))


def _bytes(count: Callable[[Instruction, list[Shape]], float]) -> Rule:
    """No flops, and `count` bytes."""
    return lambda r, i, c, operands, default: Work(bytes=count(i, operands))


RULES: dict[str, Rule] = {
    **dict.fromkeys(TRANSCENDENTAL, lambda r, i, c, operands, default: Work(bytes=default)),  # flops counted apart
    **dict.fromkeys(ELEMENTWISE, lambda r, i, c, operands, default: Work(flops=i.shape.elements, bytes=default)),
    "tuple": _bytes(lambda i, o: _size(i.shape)),
    "dot": _dot,
    "convolution": lambda r, i, c, operands, default: Work(
        flops=_convolution_flops(i, operands[0], operands[1]), bytes=default),
    **dict.fromkeys(("reduce", "map", "reduce-window"),
                    lambda r, i, c, operands, default: r.apply(i, operands, default)),
    "select-and-scatter": _select_and_scatter,
    "scatter": _scatter,
    "gather": _bytes(lambda i, o: 2 * _size(i.shape) + _size(o[1])),
    "slice": _bytes(lambda i, o: 2 * _size(i.shape)),
    "dynamic-slice": _bytes(lambda i, o: 2 * _size(i.shape) + _size(o[1])),
    "dynamic-update-slice": _bytes(lambda i, o: 2 * _size(o[1]) + _size(o[2])),
    "sort": _sort,
    **dict.fromkeys(("all-reduce", "all-reduce-start"), _all_reduce),
    "custom-call": lambda *_: Work(flops=-1.0, bytes=-1.0),  # XLA marks what it can't know with -1
    "while": lambda r, i, c, operands, default: r.loop(i),
    "call": _calls("to_apply"),
    "async-start": _calls("calls"),
    "conditional": _conditional,
    "fusion": lambda r, i, c, operands, default: r.fusion(i, c),
}


def _fusion_output_bytes(i: Instruction, fused: Computation) -> float:
    root = fused.root
    if i.shape.parts is None:
        return _written(root, i.shape, fused)
    total = 0.0
    for k, part in enumerate(i.shape.parts):
        element = fused.by_name.get(root.operands[k]) if root.opcode == "tuple" and k < len(root.operands) else None
        if part.parts is None:
            total += _written(element or root, part, fused)
        else:
            total += sum(_size(a) for a in part.arrays())
    return total


def _written(root: Instruction, shape: Shape, fused: Computation) -> float:
    """A fusion ending in dynamic-update-slice writes only the update, in place."""
    if root.opcode == "dynamic-update-slice":
        return _size(_shape(fused, root.operands[1]))
    return _size(shape)


def _parameter_reads(module: Module, parameter: Instruction, fused: Computation) -> float:
    if parameter.shape.parts is None:
        return _reads(module, parameter, fused)
    total = 0.0
    for index in range(len(parameter.shape.parts)):
        gte = next((u for u in fused.users.get(parameter.name, [])
                    if u.opcode == "get-tuple-element" and u.attrs.get("index") == str(index)), parameter)
        total += _reads(module, gte, fused)
    return total


def _reads(module: Module, hlo: Instruction, c: Computation) -> float:
    """FusionParameterReadBytes: what a fused parameter costs to read, from how it is used."""
    size, seen = 0.0, False
    for user in c.users.get(hlo.name, []):
        if user.opcode == "fusion":
            nested = module.computations.get((user.called("calls") or [""])[0])
            if nested is None:
                continue
            root = nested.root
            for k, operand in enumerate(user.operands):
                if operand != hlo.name:
                    continue
                inner = nested.parameter(k)
                simple = not root.operands or (inner is not None and inner.name == root.operands[0])
                nested_seen = False
                for after in c.users.get(user.name, []):
                    if simple and after.opcode == "slice":
                        size += _size(after.shape)
                    elif simple and after.opcode == "dynamic-slice":
                        if after.operands and after.operands[0] == user.name:
                            size += _size(after.shape)
                        elif not nested_seen:
                            nested_seen, size = True, size + _size(user.shape)
                    elif simple and after.opcode == "dynamic-update-slice":
                        if (not after.operands or after.operands[0] != user.name) and not nested_seen:
                            nested_seen, size = True, size + _size(user.shape)
                    elif not nested_seen and inner is not None:
                        nested_seen, size = True, size + _reads(module, inner, nested)
        elif user.opcode == "slice":
            size += _size(user.shape)
        elif user.opcode == "dynamic-slice":
            if user.operands[0] == hlo.name:
                size += _size(user.shape)
            elif not seen:
                seen, size = True, size + _size(hlo.shape)
        elif user.opcode == "dynamic-update-slice":
            if user.operands[0] != hlo.name and not seen:
                seen, size = True, size + _size(hlo.shape)
        elif user.opcode in ("broadcast", "reshape"):
            size += _size(hlo.shape)
        elif not seen:
            seen, size = True, size + _size(hlo.shape)
    return size


def _shape(c: Computation, name: str) -> Shape:
    found = c.by_name.get(name)
    return found.shape if found else Shape(dtype="?")


def _size(shape: Shape) -> float:
    size = shape.size
    if size is None:
        raise _Unknown(shape.dtype)
    return float(size)


class _Unknown(Exception):
    """A type whose byte size XLA's figure can't be matched on."""


def _ints(text: str) -> list[int]:
    return [int(x) for x in re.findall(r"-?\d+", text)]


def _window(text: str) -> dict[str, list]:
    """`size=3x3 stride=2x2 pad=1_1x1_1 lhs_dilate=... rhs_dilate=...` as lists per dimension."""
    found: dict[str, list] = {}
    for part in text.strip("{}").split():
        key, _, value = part.partition("=")
        dims = value.split("x")
        found[key] = [tuple(int(v) for v in d.split("_")) if key == "pad" else int(d) for d in dims]
    return found


def _window_reductions(window: dict[str, list], out: Shape) -> int:
    sizes = window.get("size", [])
    pads = window.get("pad", [(0, 0)] * len(sizes))
    count = (math.prod(sizes) - 1) * out.elements
    reduced = [k for k, s in enumerate(sizes) if s != 1]
    padded = [k for k, p in enumerate(pads) if p != (0, 0)]
    if len(reduced) == 1 and len(padded) == 1:  # a reduce broadcast back over one dimension
        k = reduced[0]
        low, high = pads[k]
        if low and high and low == high and sizes[k] == 2 * low + 1 and low == out.dims[k] - 1:
            width = out.dims[k]
            count = out.elements // width + width - 1
    return count


def _convolution_flops(i: Instruction, lhs: Shape, rhs: Shape) -> float:
    """GetConvolutionFlops: multiply-adds over the window positions that land inside the input."""
    labels = i.attrs.get("dim_labels", "")
    match = re.match(r"(\w+)_(\w+)->(\w+)", labels)
    if match is None:
        return 0.0
    lhs_l, rhs_l, out_l = match.groups()
    out = i.shape.arrays()[0]
    spatial = [ch for ch in lhs_l if ch.isdigit()]
    window = _window(i.attrs.get("window", ""))
    counts = []
    for k, ch in enumerate(spatial):
        kernel, output, inp = rhs.dims[rhs_l.index(ch)], out.dims[out_l.index(ch)], lhs.dims[lhs_l.index(ch)]
        stride = window.get("stride", [1] * len(spatial))[k]
        low, high = window.get("pad", [(0, 0)] * len(spatial))[k]
        base = window.get("lhs_dilate", [1] * len(spatial))[k]
        dilation = window.get("rhs_dilate", [1] * len(spatial))[k]
        counts.append(_valid_positions(kernel, output, inp, stride, low, high, base, dilation))
    groups = int(i.attrs.get("feature_group_count", "1"))
    batch_groups = int(i.attrs.get("batch_group_count", "1"))
    fma = (lhs.dims[lhs_l.index("f")] // groups) * out.dims[out_l.index("f")] \
        * (lhs.dims[lhs_l.index("b")] // batch_groups) * math.prod(counts)
    return 2.0 * fma


def _valid_positions(kernel, output, inp, stride, low, high, base, dilation) -> int:
    if (inp == output and kernel == output and inp == base and dilation == 1 and max(1, inp - 1) == stride
            and low == 0 and high == 0):
        return inp
    if inp == 1 and kernel == output and dilation == 1 and base == 1 and stride == 1 \
            and high == output - 1 and low == output - 1:
        return output
    count = 0
    for k in range(kernel):
        if stride == 1 and base == 1:
            start = low - k * dilation
            count += max(min(inp + start, output) - max(start, 0), 0)
            continue
        for o in range(output):
            undilated = o * stride - low + k * dilation
            index = undilated // base if base > 1 else undilated
            if undilated == index * base and 0 <= index < inp:
                count += 1
    return count
