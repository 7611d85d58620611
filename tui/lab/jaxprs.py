"""The one place that touches JAX's program internals, through `jax.extend.core` only.

`jax.core` moves between releases (0.6 removed `jax.core.ClosedJaxpr`); keeping every such
use here means a new JAX release is fixed in one file.
"""

from __future__ import annotations

import functools
import inspect
import re
from typing import Callable

import jax
import numpy as np
from jax.extend import core as jcore

from jaxbatch.results.np_scalars import plain_scalars
from jaxbatch.results.report import Eqn

# Primitives that only name or wrap a sub-program: the seed's answer looks through `xla_call`
# the same way ("essentially a way of naming an operation"), so their bodies are listed instead.
_WRAPPERS = frozenset(
    {"jit", "pjit", "xla_call", "closed_call", "core_call", "custom_jvp_call", "custom_vjp_call",
     "custom_vjp_call_jaxpr", "remat", "checkpoint", "named_call"}
)


def trace(fn: Callable, *args) -> jcore.ClosedJaxpr:
    return jax.make_jaxpr(fn)(*args)


def text(closed: jcore.ClosedJaxpr) -> str:
    """The jaxpr as `print` shows it, minus the ANSI colours JAX adds when stdout is a TTY."""
    return closed.pretty_print(use_color=False)


def primitives(closed: jcore.ClosedJaxpr) -> list[str]:
    """Every primitive that runs, in program order: wrappers (jit, custom_jvp, ...) are looked
    through, and control flow (while, cond, scan) is followed by what runs in its bodies, so
    "X is in one program and not the other" can be read off two lists."""
    return [e.primitive for e in flatten(closed) if not e.wrapper]


# Parameters JAX's own printer hides or that only repeat defaults: not displayed, but compared
# (out_trees, a function, only names).
_QUIET = frozenset(
    {"in_shardings", "out_shardings", "in_layouts", "out_layouts", "donated_invars", "ctx_mesh",
     "keep_unused", "inline", "compiler_options_kvs", "out_sharding", "sharding", "shape", "out_trees"}
)
_TYPED_SCALAR = re.compile(r"Typed(?:Int|Float|Complex)\(([^,()]*), dtype=\w+\)")  # JAX's weakly typed Python scalars


def flatten(closed: jcore.ClosedJaxpr) -> list[Eqn]:
    """Every equation in program order, sub-programs right after the equation that holds them."""
    out: list[Eqn] = []
    _flatten(closed.jaxpr, 0, "", None, "", out)
    return out


def _flatten(jaxpr: jcore.Jaxpr, depth: int, path: str, within: int | None, body: str, out: list[Eqn]) -> None:
    names = _Names()
    sources = {}
    for k, v in enumerate([*jaxpr.constvars, *jaxpr.invars]):
        names(v)
        sources[id(v)] = f"in{k}"
    for eqn in jaxpr.eqns:
        name = eqn.primitive.name
        subs = _bodies(eqn.params)
        wrapper = name in _WRAPPERS and bool(subs)
        params = {k: _param_text(v) for k, v in eqn.params.items() if not _is_name(k, v)}
        labels = {k: _name_text(v) for k, v in eqn.params.items() if _is_name(k, v)}
        inputs = [_operand(v, None) for v in eqn.invars]
        outputs = [_aval(v.aval) for v in eqn.outvars]
        shown = " ".join(f"{k}={params[k] if k in params else labels[k]}" for k in eqn.params
                         if k not in _QUIET and params.get(k) != "None")
        lhs = " ".join(f"{names(v)}:{_aval(v.aval)}" for v in eqn.outvars)
        rhs = " ".join(_operand(v, names) for v in eqn.invars)
        text = f"{lhs} = {name}{f'[{shown}]' if shown else ''} {rhs}".rstrip()
        wiring = tuple("lit" if isinstance(v, jcore.Literal) else sources.get(id(v), "?") for v in eqn.invars)
        out.append(Eqn(name, params, inputs, outputs, depth, path, text, wrapper, within, body, wiring))
        sources.update((id(v), f"eq{len(out) - 1}.{k}") for k, v in enumerate(eqn.outvars))
        label = f"{name}({labels['name']})" if "name" in labels else name
        if wrapper:  # its body runs in its place; custom_jvp/vjp rule jaxprs beside it do not run
            where = f"{path}/{label}" if path else label
            _flatten(subs[0][1], depth + 1, where, within, body, out)
            continue
        holder = len(out) - 1
        for part, sub in subs:
            where = f"{label}.{part}"
            _flatten(sub, depth + 1, f"{path}/{where}" if path else where, holder, part, out)


def _bodies(params: dict) -> list[tuple[str, jcore.Jaxpr]]:
    """The sub-programs in an equation's parameters, each named for what it is to its holder:
    `cond` and `body` of a while, `branch 0`, `branch 1` of a cond, `body` of a scan or a jit."""
    found = []
    for key, value in params.items():
        many = isinstance(value, (tuple, list))
        for i, sub in enumerate(value if many else [value]):
            if isinstance(sub, (jcore.Jaxpr, jcore.ClosedJaxpr)):
                base = ({"branches": "branch", "jaxpr": "body", "call_jaxpr": "body"}
                        .get(key, key.removesuffix("_jaxpr")))
                found.append((f"{base} {i}" if many else base, getattr(sub, "jaxpr", sub)))
    return found


def _is_name(key: str, value) -> bool:
    """A parameter that only names something: a jit's `name=`, a custom rule's Python function."""
    if isinstance(value, (jcore.Jaxpr, jcore.ClosedJaxpr)):
        return False
    return (key == "name" or inspect.isroutine(value) or isinstance(value, functools.partial)
            or hasattr(value, "debug_info"))


def _name_text(value) -> str:
    """What JAX's printer shows for a named thing: the function's name, never its address."""
    if isinstance(value, str):
        return value
    info = getattr(value, "debug_info", None)
    return getattr(info, "func_name", None) or getattr(value, "__name__", None) or type(value).__name__


class _Names:
    """a, b, ..., z, ba, bb, ...: the names JAX's printer gives, restarted per sub-program."""

    def __init__(self) -> None:
        self._seen: dict[int, str] = {}

    def __call__(self, var) -> str:
        if isinstance(var, jcore.DropVar):
            return "_"
        key = id(var)
        if key not in self._seen:
            n, digits = len(self._seen), ""
            while True:
                digits = "abcdefghijklmnopqrstuvwxyz"[n % 26] + digits
                n //= 26
                if n == 0:
                    break
            self._seen[key] = digits
        return self._seen[key]


def _operand(v, names) -> str:
    if isinstance(v, jcore.Literal):
        return f"{_value(v.val)}:{_aval(v.aval)}"
    return names(v) if names is not None else _aval(v.aval)


def _value(value) -> str:
    """A literal as JAX prints it: `0`, `1.0`, `True`, whatever Python type holds it (NumPy
    scalars, JAX's TypedInt)."""
    return str(np.asarray(value).tolist())


def _aval(aval) -> str:
    return aval.str_short(short_dtypes=True) if hasattr(aval, "str_short") else str(aval)


def _plain(value) -> str:
    """A parameter's value as text, NumPy and JAX scalars as the plain numbers (and bools) they are:
    `(np.int64(0),)` is `(0,)`."""
    return _TYPED_SCALAR.sub(r"\1", plain_scalars(str(value)))


def _param_text(value) -> str:
    if isinstance(value, (jcore.Jaxpr, jcore.ClosedJaxpr)):
        return "{...}"
    if isinstance(value, (tuple, list)) and value and all(
            isinstance(v, (jcore.Jaxpr, jcore.ClosedJaxpr)) for v in value):
        return "(" + ", ".join("{...}" for _ in value) + ")"
    return _plain(value)


def primitive_names() -> frozenset[str]:
    """The name of every primitive JAX has loaded in this process, for telling a misspelt name
    from a real one. JAX keeps no public registry of names: `jax.extend.core.primitives` is the
    public catalog of lax's, and the rest (callbacks, shard_map, random_wrap, ...) are the
    `jax.extend.core.Primitive` instances JAX's loaded modules hold, found among the objects
    Python's garbage collector tracks."""
    import gc

    from jax.extend.core import primitives as catalog

    listed = (p for p in vars(catalog).values() if isinstance(p, jcore.Primitive))
    alive = (o for o in gc.get_objects() if isinstance(o, jcore.Primitive))
    return frozenset(p.name for found in (listed, alive) for p in found)
