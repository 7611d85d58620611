"""Each strategy's peak memory, in words: per call, what one more instance adds to it and the
part that doesn't grow, and from which batch it runs out."""

from __future__ import annotations

import math
from typing import NamedTuple, Optional

from jaxbatch.presentation.units import byte_size, count
from jaxbatch.results.report import Fit, Report, Strategy, Worded
from jaxbatch.results.strategy_table import per_device

HEAD = ("Memory (peak per call as XLA plans it: temporaries + arguments + outputs - aliased; per "
        "instance, that peak over the batch; then what one more instance adds to it, and the fixed "
        "part, which doesn't grow with the batch; beside it jax.experimental.roofline's peak)")
# The fixed part of a plan that is no line in the batch: no one figure per instance describes it.
NOT_LINEAR = "not linear"


class MemoryRow(NamedTuple):
    """One compiled strategy's memory, in words: `per_instance` is the peak over the batch (the
    fixed part shared out); `marginal` what one more instance adds to the peak and `fixed` what
    doesn't grow (`Growth`): "-" where not measured (the sharded strategies) or unknown, fixed
    NOT_LINEAR where the plan is no line in the batch. `roofline`: roofline's own peak, marked
    ✓ within CROSS_CHECK of XLA's plan and ≠ beyond, "-" where it doesn't apply. `per`: "call",
    or "device" for a strategy compiled per device of a mesh (strategy_table: not one_device), whose peak is one
    device's and whose per-instance figure is over that device's share of the batch."""

    label: str
    per_call: str
    per_instance: str
    marginal: str
    fixed: str
    roofline: str
    per: str = "call"


def memory_rows(report: Report) -> list[MemoryRow]:
    """A row for each strategy XLA compiled; the loop runs eagerly, op by op, and has no one plan to read."""
    return [MemoryRow(s.label, byte_size(s.hlo.peak_bytes), byte_size(s.hlo.peak_bytes / held(report, key)),
                      *_growth(report.fits.get(key)), _checked(s), "device" if key in per_device() else "call")
            for key, s in report.strategies.items() if s.hlo is not None and s.hlo.peak_bytes is not None]


def held(report: Report, key: str) -> float:
    """How many instances one plan holds: the batch, or one device's share of it (per_device)."""
    instances = math.prod(report.batch_shape)
    return instances / report.devices if key in per_device() else instances


def row_label(row: MemoryRow) -> str:
    """The strategy's name, `, per device` added where its figures are one device's."""
    return row.label if row.per == "call" else f"{row.label}, per device"


def growth_text(row: MemoryRow) -> str:
    """The growth in a line of text: `12 B more each, 16.8 MB fixed`, `140 B more each, not
    linear`; "" where unknown."""
    if row.marginal == "-":
        return ""
    return f"{row.marginal} more each, {row.fixed}{'' if row.fixed == NOT_LINEAR else ' fixed'}"


def _growth(fit: Optional[Fit]) -> tuple[str, str]:
    growth = fit.growth if fit is not None else None
    if growth is None:
        return "-", "-"
    return byte_size(growth.marginal_bytes), NOT_LINEAR if growth.fixed_bytes is None else byte_size(growth.fixed_bytes)


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
    """The batch from which a strategy runs out: `≈ 2.1M`, where XLA's plan is within the limit
    at the batch before and not at a few percent more (hence the ≈); `never`, `not one
    instance`, or `unknown`."""
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


def fit_how(fit: Fit) -> str:
    """How the batch was found from XLA's plan, compiled at other batch sizes: `linear, 2
    compiles` (the plan is a line in the batch, solved, and checked at the answer), `searched,
    not linear, 5 compiles` (searched over plans: the plan is no line, or, chunked, k does not
    divide the answer); where unknown, why (`unknown_text`); "" where nothing says."""
    compiles = f"{fit.compiles} compile{'s' * (fit.compiles != 1)}"
    if fit.method == "linear":
        return f"linear, {compiles}"
    if fit.method == "search":
        linear = fit.growth is not None and fit.growth.fixed_bytes is not None
        return f"searched, {'' if linear else 'not linear, '}{compiles}"
    return unknown_text(fit)


def unknown_text(fit: Fit) -> str:
    """Why the batch a strategy fits is unknown (Fit.unknown): `compiling at batch 16 failed:
    ValueError: no`, `the memory limit is unknown`; "" where it is known."""
    why = fit.unknown
    if why is None:
        return ""
    if isinstance(why, Worded):
        return why.text
    if why.reason == "no_limit":
        return "the memory limit is unknown"
    if why.reason == "compile_failed":
        return f"compiling at batch {why.batch:,} failed: {why.error}"
    if why.reason == "no_plan":
        return f"XLA gave no memory plan at batch {why.batch:,}"
    return f"XLA's plan, read at {fit.compiles} batch sizes, did not close in on the limit"


def fits_line(report: Report) -> str:
    """`Out of memory (the 22.1 GB available on this host) from batch: vmap ≈ 2.1M (linear, 2
    compiles) · einsum ≈ 76k (searched, not linear, 5 compiles)`; while the plans at other batch
    sizes are still being read (a first answer), that it is on its way; "" when nothing was compiled."""
    if report.planning:
        return f"Out of memory ({limit_text(report)}) from batch: ⟳ reading XLA's plans at other batch sizes…"
    parts = [" ".join(filter(None, [report.strategies[k].label, fit_text(f), fit_how(f) and f"({fit_how(f)})"]))
             for k, f in report.fits.items() if k in report.strategies]
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


# The "roofline" column, wherever the memory table is shown.
ROOFLINE_COLUMN = (f"roofline: jax.experimental.roofline's own peak, counted on the jaxpr before XLA fuses it; "
                   f"✓ within {CROSS_CHECK:g}x of XLA's plan, ≠ beyond (then the two disagree), - where it doesn't "
                   "apply")
