"""Matmul precision: what it runs at, and whether a difference from the loop is only that.

Under JAX's default precision a device may compute float32 matrix products in reduced precision:
TF32 on NVIDIA GPUs, bfloat16 passes on TPUs (CPUs ignore the setting). A batched program's matrix
product can then land 1e-3 off the loop's matrix-vector products, which run at full float32: a
difference of precision, not of batching. The lab tells the two apart by running the strategy,
and the loop, again at "highest".
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import replace
from typing import ContextManager, Sequence

import jax

from jaxbatch.lab.agreement import Outputs, compare, judge, max_abs, needs_float64
from jaxbatch.results.errors import USER_ERRORS
from jaxbatch.results.report import Agreement, Eqn, PrecisionCheck
from jaxbatch.results.selection import DEFAULT_PRECISION

HIGHEST = "highest"
# The primitives whose float work the precision setting lowers: matrix products and convolutions.
MATMULS = frozenset({"dot_general", "conv_general_dilated"})


def scope(precision: str) -> ContextManager:
    """Everything traced and compiled inside runs at `precision`; JAX's own default leaves the
    user's own setting (JAX_DEFAULT_MATMUL_PRECISION, jax.config) as it is."""
    if precision == DEFAULT_PRECISION:
        return contextlib.nullcontext()
    return jax.default_matmul_precision(precision)


def below_highest(eqns: Sequence[Eqn]) -> bool:
    """Whether a program has a matrix product or convolution below "highest" precision (its
    `precision` None, DEFAULT or HIGH, as the setting leaves it): one the device may compute in
    reduced precision. An explicit algorithm is the program's own choice, not the device's."""
    for e in eqns:
        if e.primitive in MATMULS:
            text = e.params.get("precision", "None")
            if text == "None" or set(re.findall(r"Precision\.(\w+)", text)) & {"DEFAULT", "HIGH"}:
                return True
    return False


def recheck(outs: Outputs, agreements: dict[str, Agreement], ran_at: str, platform: str) -> dict[str, Agreement]:
    """The agreements, where an output missed the tolerance by a finite float amount (WRONG or
    DIFFERS) and its program has matrix products below "highest" precision, judged again: that
    output and the loop's computed anew at "highest" and compared, with the float64 reference
    as before. Agreeing there, the verdict is "precision", with both sets of figures;
    not agreeing, the verdict stands, with the rerun's figures beside it."""
    suspects = [k for k, a in agreements.items()
                if a.kind in ("wrong", "differs") and needs_float64(a) and outs.matmuls.get(k) and k in outs.again]
    if ran_at == HIGHEST or not suspects or "loop" not in outs.again:
        return agreements
    out = dict(agreements)
    with scope(HIGHEST):
        try:
            reference = outs.again["loop"]()
        except USER_ERRORS:  # it ran at the default precision: a failure now says nothing of the outputs
            return agreements
        loop_error = None if outs.f64 is None else max_abs(reference, outs.f64)
        for key in suspects:
            try:
                again = outs.again[key]()
            except USER_ERRORS:
                continue
            high = judge(compare(again, reference), again, outs.f64, loop_error, outs.f64_why)
            default = agreements[key]
            cause = "matmul_precision" if high.agrees else ""
            check = PrecisionCheck(ran_at, default, high, cause, platform)
            out[key] = (replace(default, agrees=True, kind="precision", precision=check) if cause
                        else replace(default, precision=check))
    return out
