"""Facts computed directly with plain JAX and NumPy: the other side of every cross-check.

Nothing here imports the lab's comparison, program or cost code; only the model definitions
and, for the seeded inputs, `jaxbatch.lab.workload.prepare`.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Optional

import jax
import numpy as np
from jax.extend import core as jcore

from jaxbatch.models import CATALOG

BATCH = 8  # divisible by the 4 simulated devices: the sharded strategies run too


# --- models and inputs -------------------------------------------------------------------------

def model_definition(ref: str):
    """The `Model` a built-in name or a `path/to/file.py:ATTR` names, imported here."""
    if ref in CATALOG:
        return importlib.import_module(f"jaxbatch.models.{CATALOG[ref][0]}").MODEL
    path, _, attr = ref.rpartition(":")
    spec = importlib.util.spec_from_file_location(f"truth_fixture_{Path(path).stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, attr)


def inputs(ref: str, batch: int) -> tuple[tuple, tuple]:
    """The seeded inputs the lab draws: (one instance, the batch). Inputs are not a claim."""
    from jaxbatch.lab.workload import prepare
    from jaxbatch.results.selection import Selection

    w = prepare(Selection(ref, (batch,), "cpu"))
    return w.one, w.batch


# --- outputs -----------------------------------------------------------------------------------

def my_loop(single: Callable, in_axes, batch: tuple):
    """A Python loop: `jax.jit(single)` on each instance's rows (jax.Array rows), stacked."""
    f = jax.jit(single)
    n = next(jax.tree_util.tree_leaves(a)[0].shape[0] for a, ax in zip(batch, in_axes) if ax == 0)
    outs = []
    for i in range(n):
        inst = [a if ax is None else jax.tree_util.tree_map(lambda x: x[i], a) for a, ax in zip(batch, in_axes)]
        outs.append(jax.tree_util.tree_map(np.asarray, f(*inst)))
    return jax.tree_util.tree_map(lambda *xs: np.stack(xs), *outs)


_SPECIAL = {"NaN": np.nan, "Infinity": np.inf, "-Infinity": -np.inf}


def _from_json(value):
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    return _SPECIAL.get(value, value) if isinstance(value, str) else value


def pairs(app_json, mine) -> list[tuple[Optional[np.ndarray], np.ndarray]]:
    """(the report's leaf as an array of my leaf's dtype, my leaf), walking MY tree's structure;
    the report's leaf is None where its structure has no such leaf."""
    if isinstance(mine, dict):
        if not isinstance(app_json, dict):
            return [(None, leaf) for leaf in jax.tree_util.tree_leaves(mine)]
        return [p for k, v in mine.items() for p in pairs(app_json.get(str(k)), v)]
    if isinstance(mine, (list, tuple)):
        if not isinstance(app_json, list) or len(app_json) != len(mine):
            return [(None, leaf) for leaf in jax.tree_util.tree_leaves(mine)]
        return [p for a, m in zip(app_json, mine) for p in pairs(a, m)]
    mine = np.asarray(mine)
    if app_json is None:
        return [(None, mine)]
    try:
        theirs = np.asarray(_from_json(app_json), dtype=np.float64 if mine.dtype.kind == "f" else None)
    except (ValueError, TypeError):  # ragged or not numbers: not the same structure
        return [(None, mine)]
    return [(theirs.astype(mine.dtype) if theirs.dtype != object else None, mine)]


def ulp_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """How many representable floats lie between a and b, from their bit patterns (sign and
    magnitude mapped onto one ordered integer line; +0 and -0 are the same point). NaN against
    NaN is 0, NaN against a number is infinite."""
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype and a.dtype.kind == "f", (a.dtype, b.dtype)
    bits = {2: np.int16, 4: np.int32, 8: np.int64}[a.dtype.itemsize]
    magnitude = np.iinfo(bits).max

    def line(x):
        i = x.view(bits).astype(object if bits is np.int64 else np.int64)
        return np.where(i < 0, -(i & magnitude), i)

    dist = np.abs(line(a) - line(b)).astype(np.float64)
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    return np.where(nan_a & nan_b, 0.0, np.where(nan_a | nan_b, np.inf, dist))


@dataclass(frozen=True)
class Agreement:
    """A strategy's output against my loop, computed here."""

    comparable: bool  # same structure and shapes
    max_abs: Optional[float]
    max_rel: Optional[float]  # max |a - b| / |b|, where a != b (infinite where b == 0)
    max_ulp: Optional[float]
    agrees: bool  # float leaves within rtol = atol = 10 x the dtype's resolution; others exact
    margin: float  # how far the worst element is from the agree/disagree line (1.0 = on it)


def tolerance(dtype) -> float:
    return 10 * float(np.finfo(dtype).resolution) if np.dtype(dtype).kind in "fc" else 0.0


def tree_pairs(theirs, mine) -> list[tuple[Optional[np.ndarray], np.ndarray]]:
    """Like `pairs`, for two pytrees of arrays (my own strategies against my loop)."""
    if jax.tree_util.tree_structure(theirs) != jax.tree_util.tree_structure(mine):
        return [(None, np.asarray(leaf)) for leaf in jax.tree_util.tree_leaves(mine)]
    return [(np.asarray(a), np.asarray(b)) for a, b in zip(jax.tree_util.tree_leaves(theirs),
                                                           jax.tree_util.tree_leaves(mine))]


def agreement(leaves: list[tuple[Optional[np.ndarray], np.ndarray]]) -> Agreement:
    """Compare each (output, reference) leaf pair, in float64."""
    if any(a is None or a.shape != b.shape for a, b in leaves):
        return Agreement(False, None, None, None, False, np.inf)
    max_abs = max_rel = max_ulp = 0.0
    worst = 0.0  # max over elements of |a - b| / (tol + tol |b|): <= 1 agrees
    for a, b in leaves:
        if a.size == 0:
            continue
        a64, b64 = a.astype(np.float64), b.astype(np.float64)
        same = (a64 == b64) | (np.isnan(a64) & np.isnan(b64))
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            diff = np.where(same, 0.0, np.abs(a64 - b64))
            diff = np.where(np.isnan(diff), np.inf, diff)
            max_abs = max(max_abs, float(diff.max()))
            rel = np.where(diff == 0, 0.0, diff / np.abs(b64))  # |a - b| / |loop|: infinite where loop is 0
            max_rel = max(max_rel, float(np.where(np.isnan(rel), np.inf, rel).max()))
        if a.dtype.kind == "f":
            max_ulp = max(max_ulp, float(ulp_distance(a, b).max()))
            tol = tolerance(a.dtype)
            scale = np.where(np.isfinite(b64), np.abs(b64), 0.0)
            worst = max(worst, float((diff / (tol + tol * scale)).max()))
        else:
            max_ulp = max(max_ulp, float(diff.max()))
            worst = max(worst, np.inf if diff.max() > 0 else 0.0)
    return Agreement(True, max_abs, max_rel, max_ulp, worst <= 1.0, worst)


# --- jaxprs ------------------------------------------------------------------------------------

# Primitives that only name or wrap a sub-program; the report lists their bodies instead
# (documented in the report's `primitives`: "looking through wrappers (jit, custom_jvp, ...)").
WRAPPERS = frozenset({"jit", "pjit", "xla_call", "closed_call", "core_call", "custom_jvp_call", "custom_vjp_call",
                      "custom_vjp_call_jaxpr", "remat", "checkpoint", "named_call"})


def _subs(params: dict) -> list:
    found = []
    for value in params.values():
        items = value if isinstance(value, (tuple, list)) else (value,)
        found += [v for v in items if isinstance(v, (jcore.ClosedJaxpr, jcore.Jaxpr))]
    return found


def _open(j):
    return j.jaxpr if isinstance(j, jcore.ClosedJaxpr) else j


def listed_primitives(closed) -> list[str]:
    """Every primitive that runs, in program order: a wrapper replaced by its body (a custom
    rule beside it does not run), control flow followed by what runs in each of its bodies."""
    names: list[str] = []

    def walk(jaxpr):
        for eqn in jaxpr.eqns:
            subs = _subs(eqn.params)
            if eqn.primitive.name in WRAPPERS and subs:
                walk(_open(subs[0]))
                continue
            names.append(eqn.primitive.name)
            for sub in subs:
                walk(_open(sub))

    walk(_open(closed))
    return names


def every_primitive(closed) -> set[str]:
    """Every primitive anywhere in the program: wrappers, control flow and all their bodies."""
    names: set[str] = set()

    def walk(jaxpr):
        for eqn in jaxpr.eqns:
            names.add(eqn.primitive.name)
            for sub in _subs(eqn.params):
                walk(_open(sub))

    walk(_open(closed))
    return names


def loop_equations(closed) -> list[tuple[str, dict]]:
    """Every scan and while anywhere in the program, with its parameters."""
    found = []

    def walk(jaxpr):
        for eqn in jaxpr.eqns:
            if eqn.primitive.name in ("scan", "while"):
                found.append((eqn.primitive.name, dict(eqn.params)))
            for sub in _subs(eqn.params):
                walk(_open(sub))

    walk(_open(closed))
    return found


_ADDRESS = re.compile(r" at 0x[0-9a-f]+")


def _param(value):
    if isinstance(value, (jcore.ClosedJaxpr, jcore.Jaxpr)):
        return canonical_jaxpr(value)
    if isinstance(value, (tuple, list)):
        return tuple(_param(v) for v in value)
    if isinstance(value, np.generic):  # np.int64(1) and 1 are the same axis
        return repr(value.item())
    if callable(value) and not isinstance(value, type):
        return "<function>"  # rule thunks (custom_jvp's jvp_jaxpr_fun, ...): not part of the program text
    return _ADDRESS.sub("", repr(value))


def _literal(value) -> tuple:
    array = np.asarray(value)
    return ("literal", str(array.dtype), array.tolist())


def canonical_jaxpr(closed) -> tuple:
    """The program up to variable names: each variable is the index of its first binding, each
    equation (primitive, parameters, operands by index or literal value, output types), each
    sub-program canonicalised on its own. Function names (`name=` of jit) are names too."""
    consts = [str(v.aval) for v in getattr(closed, "jaxpr", closed).constvars]
    jaxpr = _open(closed)
    ids: dict[int, int] = {}
    keep = []  # vars stay alive while we hold them, so their ids stay unique

    def ref(v):
        if isinstance(v, jcore.Literal):
            return _literal(v.val) + (str(v.aval),)
        if isinstance(v, jcore.DropVar):
            return "_"
        keep.append(v)
        return ids.setdefault(id(v), len(ids))

    head = ([(ref(v), str(v.aval)) for v in jaxpr.constvars], [(ref(v), str(v.aval)) for v in jaxpr.invars])
    eqns = []
    for eqn in jaxpr.eqns:
        params = tuple(sorted((k, _param(v)) for k, v in eqn.params.items() if k != "name"))
        eqns.append((eqn.primitive.name, params, tuple(ref(v) for v in eqn.invars),
                     tuple((ref(v), str(v.aval)) for v in eqn.outvars)))
    return (tuple(consts), head, tuple(eqns), tuple(ref(v) for v in jaxpr.outvars))


def my_loop_program(single: Callable, in_axes, n: int) -> Callable:
    """The loop written with jax.numpy so it can be traced: one copy of the model per instance."""
    import jax.numpy as jnp

    def run(*args):
        outs = [single(*[a if ax is None else jax.tree_util.tree_map(lambda x: x[i], a)
                         for a, ax in zip(args, in_axes)]) for i in range(n)]
        return jax.tree_util.tree_map(lambda *xs: jnp.stack(xs), *outs)

    return run


# --- StableHLO and optimized HLO ---------------------------------------------------------------

_MLIR_LOC = re.compile(r"\s*loc\((?:[^()]|\([^()]*\))*\)")
_MLIR_INFO = re.compile(r"jax\.(?:result|arg)_info = \"[^\"]*\",?\s*")
_PERCENT = re.compile(r"%[\w.$\-]+")
_AT = re.compile(r"@[\w.$\-]+")


def _number(pattern: re.Pattern, prefix: str, text: str) -> str:
    seen: dict[str, str] = {}
    return pattern.sub(lambda m: seen.setdefault(m.group(0), f"{prefix}{len(seen)}"), text)


def canonical_stablehlo(text: str) -> str:
    """StableHLO with every SSA value (%0, %arg0, %cst_1) and symbol (@jit_f, @main, @_where)
    numbered by first appearance; source locations and JAX's result/argument labels dropped."""
    lines = [line for line in text.splitlines() if not line.startswith("#loc")]
    body = "\n".join(_MLIR_LOC.sub("", line).rstrip() for line in lines)
    body = _MLIR_INFO.sub("", body).replace(" {}", "")
    return _number(_AT, "@s", _number(_PERCENT, "%v", body)).strip()


_DEBUG_HEADERS = frozenset({"FileNames", "FunctionNames", "FileLocations", "StackFrames"})
_COMPUTATION = re.compile(r"^(?:ENTRY )?%[\w.\-]+ \(")
_PARAM_NAME = re.compile(r"[A-Za-z_][\w.\-]*(?=: )")
_MODULE = re.compile(r"^HloModule [\w.\-]+")


def header_param_spans(line: str) -> list[tuple[int, int]]:
    """Where the bare parameter names of a computation header sit: in
    `%fused (param_0: f32[3], p.1: (f32[2], s32[])) -> f32[3] {`, `param_0` and `p.1` (the
    types may nest parentheses)."""
    m = _COMPUTATION.match(line)
    if not m:
        return []
    spans, depth, i, start_of_param = [], 1, m.end(), True
    while i < len(line) and depth:
        c = line[i]
        if depth == 1 and start_of_param and (name := _PARAM_NAME.match(line, i)):
            spans.append((i, name.end()))
            i, start_of_param = name.end(), False
            continue
        depth += (c == "(") - (c == ")")
        if depth == 1 and c == ",":
            start_of_param = True
        elif c != " ":
            start_of_param = start_of_param and c == ","
        i += 1
    return spans


def _drop_braced(line: str, key: str) -> str:
    """`line` without `, key={...}` (braces matched, quotes respected)."""
    while (start := line.find(f"{key}={{")) >= 0:
        i, depth, quoted = start + len(key) + 1, 0, False
        while i < len(line):
            c = line[i]
            if c == '"' and line[i - 1] != "\\":
                quoted = not quoted
            elif not quoted and c == "{":
                depth += 1
            elif not quoted and c == "}":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        cut = start
        while cut > 0 and line[cut - 1] in ", ":
            cut -= 1
        line = line[:cut] + line[i + 1:]
    return line


def canonical_hlo(text: str) -> str:
    """Optimized HLO up to names: the module name, every instruction and computation name and
    every parameter name (in computation signatures too) numbered by first appearance; op
    metadata and the debug tables (FileNames, StackFrames, ...) dropped."""
    out, in_table = [], False
    for line in text.splitlines():
        if line.strip() in _DEBUG_HEADERS:
            in_table = True
            continue
        if in_table:
            if not line.strip() or re.match(r"^\d+ ", line):
                continue
            in_table = False
        line = _drop_braced(line, "metadata").rstrip()
        line = _MODULE.sub("HloModule m", line)
        for start, _ in reversed(header_param_spans(line)):  # bare parameter names are names too
            line = f"{line[:start]}%{line[start:]}"
        if line.strip():
            out.append(line)
    return _number(_PERCENT, "%n", "\n".join(out))


_INSTRUCTION = re.compile(r"^\s*(?:ROOT )?%[\w.\-]+ = ")


def _opcode_after_shape(rest: str) -> str:
    """`f32[8]{0} add(...)` or `(f32[], s32[]) tuple(...)` -> the opcode."""
    if rest.startswith("("):
        depth = 0
        for i, c in enumerate(rest):
            depth += c == "("
            depth -= c == ")"
            if depth == 0:
                rest = rest[i + 1:]
                break
    else:
        rest = rest.split(" ", 1)[1]
    return rest.strip().split("(", 1)[0]


def computations(text: str) -> tuple[Optional[str], dict[str, list[tuple[str, str]]]]:
    """Optimized HLO as (the ENTRY computation's name, {computation name: [(opcode, line)]})."""
    comps: dict[str, list[tuple[str, str]]] = {}
    current = entry = None
    for line in text.splitlines():
        if _COMPUTATION.match(line) and line.rstrip().endswith("{"):
            current = line.removeprefix("ENTRY ").split(" ", 1)[0]
            entry = current if line.startswith("ENTRY ") else entry
            comps[current] = []
        elif line.startswith("}"):
            current = None
        elif current is not None and (m := _INSTRUCTION.match(line)):
            comps[current].append((_opcode_after_shape(line[m.end():]), line))
    return entry, comps


# Where control goes: the computations a call, while, conditional or async op runs as code of
# their own (a fusion's or a reduce's computation is part of that one op).
_CONTROL = {"call": ("to_apply", "calls"), "while": ("condition", "body"), "async-start": ("calls",),
            "conditional": ("branch_computations", "true_computation", "false_computation")}


def _targets(opcode: str, line: str) -> list[str]:
    names = []
    for key in _CONTROL.get(opcode, ()):
        m = re.search(rf"\b{key}=(\{{[^}}]*\}}|%[\w.\-]+)", line)
        if m:
            names += re.findall(r"%[\w.\-]+", m.group(1))
    return names


def scheduled_opcodes(text: str) -> dict[str, int]:
    """Opcode counts over what XLA schedules: ENTRY and every computation control reaches from
    it (call, while, conditional), each counted once; a fusion is one op."""
    entry, comps = computations(text)
    seen, todo, counts = {entry}, [entry], {}
    while todo:
        for op, line in comps.get(todo.pop(), []):
            counts[op] = counts.get(op, 0) + 1
            for name in _targets(op, line):
                if name in comps and name not in seen:
                    seen.add(name)
                    todo.append(name)
    return counts


_TRIP = re.compile(r'"known_trip_count":\{"n":"(\d+)"\}')


def while_loops(text: str) -> list[Optional[int]]:
    """XLA's trip count of every while in the optimized program (None where XLA knows none)."""
    trips = []
    for instrs in computations(text)[1].values():
        for op, line in instrs:
            if op == "while":
                m = _TRIP.search(line)
                trips.append(int(m.group(1)) if m else None)
    return trips


# --- one model's facts, computed once ----------------------------------------------------------

@dataclass
class Facts:
    """Everything this suite knows about one model at one batch size, computed here."""

    ref: str
    batch_size: int
    model: Any = None
    single: Callable = None
    manual: Optional[Callable] = None
    one: tuple = ()
    batch: tuple = ()
    _lowered: dict = field(default_factory=dict)
    _compiled: dict = field(default_factory=dict)

    def __post_init__(self):
        self.model = model_definition(self.ref)
        self.single, self.manual = self.model.build(np.random.default_rng(self.model.seed))
        self.one, self.batch = inputs(self.ref, self.batch_size)

    @property
    def in_axes(self):
        return tuple(self.model.in_axes)

    def fn(self, key: str) -> Callable:
        if key == "vmap":
            return jax.vmap(self.single, in_axes=self.in_axes)
        if key == "manual":
            assert self.manual is not None
            return self.manual
        if key == "loop":
            return my_loop_program(self.single, self.in_axes, self.batch_size)
        raise KeyError(key)

    @cached_property
    def loop(self):
        return my_loop(self.single, self.in_axes, self.batch)

    @cached_property
    def single_output(self):
        return jax.tree_util.tree_map(np.asarray, jax.jit(self.single)(*self.one))

    def output(self, key: str):
        return jax.tree_util.tree_map(np.asarray, self.compiled(key)(*self.batch))

    def jaxpr(self, key: str):
        return jax.make_jaxpr(self.fn(key))(*self.batch)

    def lowered(self, key: str):
        if key not in self._lowered:
            self._lowered[key] = jax.jit(self.fn(key)).lower(*self.batch)
        return self._lowered[key]

    def compiled(self, key: str):
        if key not in self._compiled:
            self._compiled[key] = self.lowered(key).compile()
        return self._compiled[key]

    def cost(self, key: str) -> dict:
        cost = self.compiled(key).cost_analysis()
        return dict(cost[0] if isinstance(cost, (list, tuple)) else cost)

    def same(self, left: str, right: str, level: str) -> Optional[bool]:
        """Are the two strategies the same program at `level`? None where one side has none
        (the loop is never compiled by the lab; at the jaxpr level it is traced)."""
        if level == "jaxpr":
            return canonical_jaxpr(self.jaxpr(left)) == canonical_jaxpr(self.jaxpr(right))
        if "loop" in (left, right):
            return None
        if level == "stablehlo":
            left_text, right_text = self.lowered(left).as_text(), self.lowered(right).as_text()
            return canonical_stablehlo(left_text) == canonical_stablehlo(right_text)
        assert level == "hlo", level
        return canonical_hlo(self.compiled(left).as_text()) == canonical_hlo(self.compiled(right).as_text())
