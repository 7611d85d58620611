"""Each strategy's peak memory, in words: per call and per instance of the batch."""

from __future__ import annotations

import math
from typing import Optional

from jaxbatch.lab.results import Fit, Report, Strategy
from jaxbatch.presentation.units import byte_size, count

HEAD = ("Memory (peak per call as XLA plans it: temporaries + arguments + outputs - aliased; "
        "beside it jax.experimental.roofline's peak)")


def memory_rows(report: Report) -> list[tuple[str, str, str, str]]:
    """(label, per call, per instance, roofline's cross-check) for each strategy XLA compiled;
    the loop runs eagerly, op by op, and has no one plan to read. The cross-check is roofline's
    own peak, marked ✓ within CROSS_CHECK of XLA's plan and ≠ beyond, "-" where it doesn't apply."""
    instances = math.prod(report.batch_shape)
    return [(s.label, byte_size(s.hlo.peak_bytes), byte_size(s.hlo.peak_bytes / instances), _checked(s))
            for s in report.strategies.values() if s.hlo is not None and s.hlo.peak_bytes is not None]


def _checked(s: Strategy) -> str:
    agrees = cross_check(s.hlo.peak_bytes, s.roofline_peak_bytes)
    return "-" if agrees is None else f"{byte_size(s.roofline_peak_bytes)} {'✓' if agrees else '≠'}"


def disagreement(report: Report) -> str:
    """Where roofline's peak and XLA's plan part by more than CROSS_CHECK, which and why they may."""
    parted = [f"{s.label} ({byte_size(s.hlo.peak_bytes)} vs {byte_size(s.roofline_peak_bytes)})"
              for s in report.strategies.values()
              if s.hlo is not None and cross_check(s.hlo.peak_bytes, s.roofline_peak_bytes) is False]
    if not parted:
        return ""
    return (f"XLA's plan and jax.experimental.roofline's peak disagree for {', '.join(parted)}: roofline "
            "counts the jaxpr's values op by op before fusion, the model's constants too, frees arguments "
            "after their last use and counts a loop's body once; XLA plans the fused program it runs")


def fit_text(fit: Fit) -> str:
    """The batch from which a strategy runs out: `≈ 2.1M`, an extrapolation from the plan at
    this batch (hence the ≈); `never`, `not one instance`, or `unknown`."""
    if fit.never:
        return "never"
    if fit.up_to is None:
        return "unknown"
    if fit.up_to == 0:
        return "not one instance"
    return f"≈ {count(fit.up_to + 1)}"


def limit_text(report: Report) -> str:
    """The memory the batch is measured against, named by where the figure comes from:
    `JAX's allocator limit on gpu, 113 GB` (its `bytes_limit`) or `the 22.1 GB available on
    this host` (RAM, on CPU)."""
    if report.memory_limit_source == "allocator":
        return f"JAX's allocator limit on {report.device.platform}, {byte_size(report.memory_limit_bytes)}"
    if report.memory_limit_source == "host":
        return f"the {byte_size(report.memory_limit_bytes)} available on this host"
    return f"the memory of {report.device.platform} is unknown"


def fits_line(report: Report) -> str:
    """`Out of memory (the 22.1 GB available on this host) from batch: vmap ≈ 2.1M · chunked
    k=64 never`; "" when nothing was compiled."""
    parts = [f"{report.strategies[k].label} {fit_text(f)}" for k, f in report.fits.items() if k in report.strategies]
    return f"Out of memory ({limit_text(report)}) from batch: {' · '.join(parts)}" if parts else ""


# XLA's plan and roofline's count differ by design (fusion, arguments kept live, loop bodies): past
# this factor either way, the two are said to disagree.
CROSS_CHECK = 2.0


def cross_check(plan: Optional[int], roofline: Optional[int]) -> Optional[bool]:
    """Whether jax.experimental.roofline's jaxpr-level peak is within CROSS_CHECK of XLA's plan;
    None where either is unknown (roofline lacks a rule for some primitive, say)."""
    if plan is None or roofline is None or plan <= 0 or roofline <= 0:
        return None
    return max(plan, roofline) / min(plan, roofline) <= CROSS_CHECK
