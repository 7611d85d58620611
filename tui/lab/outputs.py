"""Outputs as the views need them: to host, printed as NumPy prints them, as JSON.
(Whether they agree with the loop's is `agreement`'s business.)"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np


def to_host(tree):
    return jax.tree_util.tree_map(np.asarray, tree)


def format_tree(tree, indent: str = "") -> str:
    """NumPy's own printing for each array, so digits read as in a Python session."""
    if isinstance(tree, dict):
        return "\n".join(_labelled(f"{k!s}: ", format_tree(v, indent), indent) for k, v in tree.items())
    if isinstance(tree, (list, tuple)):
        return "\n".join(_labelled(f"[{i}] ", format_tree(v, indent), indent) for i, v in enumerate(tree))
    return str(np.asarray(tree))


def _labelled(label: str, text: str, indent: str) -> str:
    pad = " " * len(label)
    lines = text.splitlines() or [""]
    return "\n".join([indent + label + lines[0]] + [indent + pad + line for line in lines[1:]])


def to_json(tree):
    """Nested lists (dicts and lists for pytrees) at full precision; NaN and infinities as
    strings so the JSON stays valid; complex numbers as [re, im]."""
    if isinstance(tree, dict):
        return {str(k): to_json(v) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return [to_json(v) for v in tree]
    array = np.asarray(tree)
    if jnp.issubdtype(array.dtype, jnp.complexfloating):
        return _finite(np.stack([array.real, array.imag], axis=-1).astype(np.float64).tolist())
    if jnp.issubdtype(array.dtype, jnp.floating):
        array = array.astype(np.float64)  # bfloat16 and float16 scalars are not JSON numbers
    return _finite(array.tolist())


def _finite(value):
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value
