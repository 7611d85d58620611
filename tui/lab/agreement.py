"""Does an output agree with the loop's? Figures a reader can check, and the verdict as a flag
(`Agreement.kind`; jaxbatch.presentation.verdicts words it).

Per dtype: floats agree when |out - loop| <= tol + tol * |loop| with tol ten times the dtype's
resolution (float32: 1e-5), integers and bools exactly, NaN with NaN at the same place. Beyond
that a float difference may still be rounding: `judge` then weighs each output's distance from
a float64 reference against the float32 loop's own distance from it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Optional

import jax
import jax.numpy as jnp
import numpy as np

from jaxbatch.results.report import Agreement, Mismatch, NoFloat64

# "About as close to float64 as the float32 loop is": at most this many times as far (float32
# programs that order the same work differently land within a few times of each other).
ROUNDING_FACTOR = 4.0


def tolerance(dtype) -> float:
    """rtol = atol for this dtype: ten times its decimal resolution (float32: 1e-5), 0 (exact)
    for the rest."""
    if jnp.issubdtype(dtype, jnp.inexact):
        return 10.0 ** (1 - jnp.finfo(dtype).precision)
    return 0.0


def compare(out: Any, ref: Any) -> Agreement:
    """The worst absolute, relative and ULP difference from `ref` over every leaf, and whether
    each leaf is within its dtype's tolerance. Structure or shape mismatches have no figures."""
    out_leaves, out_def = jax.tree_util.tree_flatten(out)
    ref_leaves, ref_def = jax.tree_util.tree_flatten(ref)
    if out_def != ref_def:
        return _mismatch("structure", str(out_def), str(ref_def))
    pairs = list(zip(map(np.asarray, out_leaves), map(np.asarray, ref_leaves)))
    for a, b in pairs:
        if a.shape != b.shape:
            return _mismatch("shape", a.shape, b.shape)
    worst_abs = worst_rel = worst_ulp = 0.0
    agrees, tol, beyond = True, {}, set()
    for a, b in pairs:
        dtype = np.result_type(a.dtype, b.dtype)
        t = tolerance(dtype)
        tol[dtype.name] = {"rtol": t, "atol": t}
        if a.size == 0:
            continue
        diff = abs_diff(a, b)
        scale = np.abs(b.astype(np.complex128 if np.iscomplexobj(b) else np.float64))
        within = bool(np.all(diff <= t + t * np.where(np.isfinite(scale), scale, 0.0)))
        if not within:
            beyond.add(dtype.name)
        agrees &= within
        worst_abs = max(worst_abs, float(diff.max()))
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.where((diff == 0) | (scale == 0), 0.0, diff / scale)  # where the loop is nonzero
        worst_rel = max(worst_rel, float(np.where(np.isnan(rel), np.inf, rel).max()))
        worst_ulp = max(worst_ulp, float(_ulps(a, b, diff).max()))
    return Agreement(worst_abs, worst_rel, worst_ulp, tol, agrees, kind="agrees" if agrees else "",
                     beyond=sorted(beyond))


def needs_float64(a: Agreement) -> bool:
    """Beyond the float32 tolerance by a finite amount, in floats only: rounding or not, only a
    more precise reference can tell."""
    return (a.agrees is False and a.max_abs is not None and np.isfinite(a.max_abs) and bool(a.beyond)
            and all(jnp.issubdtype(jnp.dtype(name), jnp.inexact) for name in a.beyond))


def judge(a: Agreement, out: Any, float64: Any, loop_error: Optional[float],
          why: Optional[NoFloat64] = None) -> Agreement:
    """The verdict on an output beyond the tolerance. With a float64 reference (`float64`, and
    the float32 loop's distance from it, `loop_error`): rounding when this output is about as
    close to it as the loop is (within ROUNDING_FACTOR), WRONG when not. Without one (`why`
    says why): it DIFFERS, and whether by rounding is unknown; `agrees` stays False, as it is
    True only within the tolerance or where float64 shows rounding."""
    if a.agrees is not False:
        return a
    if not needs_float64(a):  # a structure or shape mismatch, an exact dtype, NaN or infinity
        return replace(a, kind="wrong")
    if float64 is None or loop_error is None:
        return replace(a, kind="differs", float64_note=why)
    error = max_abs(out, float64)
    rounding = error <= ROUNDING_FACTOR * loop_error
    return replace(a, agrees=rounding, kind="rounding" if rounding else "wrong", vs_float64=error,
                   loop_vs_float64=loop_error)


class Outputs:
    """Outputs compared with the loop's as they come in. The first float one beyond the
    tolerance starts the float64 reference (`float64.start()`, a helper process), so that it is
    computed while the other strategies compile; `verdicts` waits for it (`float64.result`) and
    keeps it (`f64`, or why there is none, `f64_why`) for a rerun at another precision.

    Each output comes with how to compute it again (`again`: a call that traces and compiles
    afresh, so it honours the matmul precision it is called under) and whether its program has
    matrix products at JAX's default precision (`matmuls`): lab.precision reruns those."""

    def __init__(self, reference: Any, float64, again: Optional[Callable[[], Any]] = None) -> None:
        self.reference, self.float64 = reference, float64
        self.outs: dict[str, Any] = {"loop": reference}
        self.agreements: dict[str, Agreement] = {"loop": compare(reference, reference)}
        self.again: dict[str, Callable[[], Any]] = {} if again is None else {"loop": again}
        self.matmuls: dict[str, bool] = {}
        self.f64: Any = None
        self.f64_why: Optional[NoFloat64] = None

    def add(self, key: str, out: Any, again: Optional[Callable[[], Any]] = None, matmuls: bool = False) -> None:
        self.outs[key] = out
        self.agreements[key] = compare(out, self.reference)
        if again is not None:
            self.again[key] = again
        self.matmuls[key] = matmuls
        if needs_float64(self.agreements[key]):
            self.float64.start()

    def verdicts(self) -> dict[str, Agreement]:
        loop_error = None
        if any(needs_float64(a) for a in self.agreements.values()):
            self.f64, self.f64_why = self.float64.result(self.reference)
            loop_error = None if self.f64 is None else max_abs(self.reference, self.f64)
        return {k: judge(a, self.outs[k], self.f64, loop_error, self.f64_why) for k, a in self.agreements.items()}


def max_abs(out: Any, ref: Any) -> float:
    """The largest |out - ref| over every leaf (both the same structure and shapes)."""
    pairs = zip(jax.tree_util.tree_leaves(out), jax.tree_util.tree_leaves(ref))
    return max((float(abs_diff(np.asarray(a), np.asarray(b)).max(initial=0.0)) for a, b in pairs), default=0.0)


def abs_diff(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|a - b| in float64, where NaN against NaN (and equal infinities) count as equal."""
    wide = np.complex128 if (np.iscomplexobj(a) or np.iscomplexobj(b)) else np.float64
    a, b = a.astype(wide), b.astype(wide)
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.abs(a - b)
    return np.where(same, 0.0, np.where(np.isnan(diff), np.inf, diff))


def _ulps(a: np.ndarray, b: np.ndarray, diff: np.ndarray) -> np.ndarray:
    """Representable values between a and b in the loop's float dtype, as numpy.testing's
    nulp_diff counts them (real and imaginary parts apart); for integers and bools, |a - b|."""
    dtype = b.dtype if jnp.issubdtype(b.dtype, jnp.inexact) else None
    if dtype is None:
        return diff
    if jnp.issubdtype(dtype, jnp.complexfloating):
        a = a.astype(dtype)
        return np.maximum(*(_ulps(x, y, abs_diff(x, y)) for x, y in ((a.real, b.real), (a.imag, b.imag))))
    count = np.abs(_ordered(a.astype(dtype)) - _ordered(b))
    return np.where(diff == 0, 0.0, np.where(np.isfinite(diff), count, np.inf))


def _ordered(x: np.ndarray) -> np.ndarray:
    """A float's bits as an integer that grows with its value (sign-magnitude made monotonic),
    in float64 so differences never overflow."""
    bits = x.view(np.dtype(f"i{x.dtype.itemsize}")).astype(np.int64)
    low = -(2 ** (8 * x.dtype.itemsize - 1))
    return np.where(bits < 0, low - bits, bits).astype(np.float64)


def _mismatch(kind: str, got: Any, loop: Any) -> Agreement:
    """No figures: the output's structure or a shape (`kind`) differs from the loop's."""
    return Agreement(None, None, None, {}, False, reason=Mismatch(kind, got, loop))
