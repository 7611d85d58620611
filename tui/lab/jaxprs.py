"""The one place that touches JAX's program internals, through `jax.extend.core` only.

`jax.core` moves between releases (0.6 removed `jax.core.ClosedJaxpr`); keeping every such
use here means a new JAX release is fixed in one file.
"""

from __future__ import annotations

import re
from typing import Callable

import jax
from jax.extend import core as jcore

from jaxbatch.lab.results import Eqn

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
    """Primitive names in program order, looking through wrappers (jit, custom_jvp, ...);
    control flow (while, cond, scan) is kept as the primitive it is."""
    names: list[str] = []
    _walk(closed.jaxpr, names)
    return names


def _walk(jaxpr: jcore.Jaxpr, names: list[str]) -> None:
    for eqn in jaxpr.eqns:
        name = eqn.primitive.name
        subs = list(jcore.jaxprs_in_params(eqn.params)) if name in _WRAPPERS else []
        if not subs:
            names.append(name)
        for sub in subs[:1]:  # custom_jvp/vjp carry rule jaxprs beside the body: list the body
            _walk(getattr(sub, "jaxpr", sub), names)


# Parameters JAX's own printer hides or that only repeat defaults: compared, but not displayed.
_QUIET = frozenset(
    {"in_shardings", "out_shardings", "in_layouts", "out_layouts", "donated_invars", "ctx_mesh",
     "keep_unused", "inline", "compiler_options_kvs", "out_sharding", "sharding", "shape"}
)
_NP_SCALAR = re.compile(r"np\.\w+\(([^()]*)\)")


def flatten(closed: jcore.ClosedJaxpr) -> list[Eqn]:
    """Every equation in program order, sub-programs right after the equation that holds them."""
    out: list[Eqn] = []
    _flatten(closed.jaxpr, 0, "", out)
    return out


def _flatten(jaxpr: jcore.Jaxpr, depth: int, path: str, out: list[Eqn]) -> None:
    names = _Names()
    for v in [*jaxpr.constvars, *jaxpr.invars]:
        names(v)
    for eqn in jaxpr.eqns:
        name = eqn.primitive.name
        subs = list(jcore.jaxprs_in_params(eqn.params))
        params = {k: _param_text(v) for k, v in eqn.params.items()}
        inputs = [_operand(v, None) for v in eqn.invars]
        outputs = [_aval(v.aval) for v in eqn.outvars]
        shown = " ".join(f"{k}={v}" for k, v in params.items() if k not in _QUIET and v != "None")
        lhs = " ".join(f"{names(v)}:{_aval(v.aval)}" for v in eqn.outvars)
        rhs = " ".join(_operand(v, names) for v in eqn.invars)
        text = f"{lhs} = {name}{f'[{shown}]' if shown else ''} {rhs}".rstrip()
        out.append(Eqn(name, params, inputs, outputs, depth, path, text))
        label = f"{name}({eqn.params['name']})" if "name" in eqn.params else name
        for i, sub in enumerate(subs):
            where = label if len(subs) == 1 else f"{label}.{i}"
            _flatten(getattr(sub, "jaxpr", sub), depth + 1, f"{path}/{where}" if path else where, out)


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
        return f"{_plain(v.val)}:{_aval(v.aval)}"
    return names(v) if names is not None else _aval(v.aval)


def _aval(aval) -> str:
    return aval.str_short(short_dtypes=True) if hasattr(aval, "str_short") else str(aval)


def _plain(value) -> str:
    return _NP_SCALAR.sub(r"\1", str(value))


def _param_text(value) -> str:
    if isinstance(value, (jcore.Jaxpr, jcore.ClosedJaxpr)):
        return "{...}"
    if isinstance(value, (tuple, list)) and value and all(isinstance(v, (jcore.Jaxpr, jcore.ClosedJaxpr)) for v in value):
        return "(" + ", ".join("{...}" for _ in value) + ")"
    return _plain(value)
