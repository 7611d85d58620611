"""The one place that touches JAX's program internals, through `jax.extend.core` only.

`jax.core` moves between releases (0.6 removed `jax.core.ClosedJaxpr`); keeping every such
use here means a new JAX release is fixed in one file.
"""

from __future__ import annotations

from typing import Callable

import jax
from jax.extend import core as jcore

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
