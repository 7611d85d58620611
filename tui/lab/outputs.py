"""Outputs as the views need them: to host, printed as NumPy prints them, as JSON, compared.

Agreement is judged per dtype: floats within rtol = atol = 10x the dtype's resolution
(float32: 1e-5), integers and bools exactly. A claim that can't be made is None ("unknown").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Optional

import jax
import jax.numpy as jnp
import numpy as np


def to_host(tree):
    return jax.tree_util.tree_map(np.asarray, tree)


def tolerance(dtype) -> float:
    if jnp.issubdtype(dtype, jnp.inexact):
        return 10 * float(jnp.finfo(dtype).resolution)
    return 0.0


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


@dataclass(frozen=True)
class Comparison:
    """How an output compares with the reference. `agrees` is None when it can't be said."""

    max_abs_diff: Optional[float]
    agrees: Optional[bool]
    reason: str = ""


def compare(out: Any, ref: Any) -> Comparison:
    out_leaves, out_def = jax.tree_util.tree_flatten(out)
    ref_leaves, ref_def = jax.tree_util.tree_flatten(ref)
    if out_def != ref_def:
        return Comparison(None, False, f"structure {out_def} differs from the loop's {ref_def}")
    worst, agrees = 0.0, True
    for a, b in zip(map(np.asarray, out_leaves), map(np.asarray, ref_leaves)):
        if a.shape != b.shape:
            return Comparison(None, False, f"shape {a.shape} differs from the loop's {b.shape}")
        if a.size == 0:
            continue
        diff = _abs_diff(a, b)
        worst = max(worst, float(diff.max()))
        tol = max(tolerance(a.dtype), tolerance(b.dtype))
        scale = np.abs(b.astype(np.complex128 if np.iscomplexobj(b) else np.float64))
        agrees &= bool(np.all(diff <= tol + tol * np.where(np.isfinite(scale), scale, 0.0)))
    return Comparison(worst, agrees)


def _abs_diff(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|a - b| in float64, where NaN against NaN (and equal infinities) count as equal."""
    wide = np.complex128 if (np.iscomplexobj(a) or np.iscomplexobj(b)) else np.float64
    a, b = a.astype(wide), b.astype(wide)
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.abs(a - b)
    return np.where(same, 0.0, np.where(np.isnan(diff), np.inf, diff))
