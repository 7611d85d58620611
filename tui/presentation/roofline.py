"""The roofline in words: the device's limits, and for each strategy how close its call came.

jaxbatch.lab.roofline measures with JAX, which the presentation must not import (not even
through the lab), so its `Roof` and `Point` are read here by their fields alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional, Protocol

from jaxbatch.presentation.units import rate

# What bounds a call, as every view says it.
BOUNDS = {"dispatch": "dispatch-bound", "memory": "memory-bound", "compute": "compute-bound",
          "unknown": "bound unknown"}
SOURCES = {"measured": "measured", "cache": "cached"}


class RoofFields(Protocol):
    platform: str
    bandwidth_bytes_s: float
    peak_flops_s: float
    source: str


class PointFields(Protocol):
    intensity: Optional[float]
    flops_s: Optional[float]
    bytes_s: Optional[float]
    fraction: Optional[float]
    bound: str


@dataclass(frozen=True)
class RooflineRow:
    key: str
    label: str
    intensity: str  # `0.25 flop/B`; "-" where unknown, as every unknown cell
    bytes_s: str
    flops_s: str
    fraction: str  # `41% of roofline`, or "-"
    bound: str  # a value of BOUNDS


def roof_text(roof: RoofFields) -> str:
    """`roofline on cpu: 25 GB/s, 150 Gflop/s (measured)`."""
    return (f"roofline on {roof.platform}: {rate(roof.bandwidth_bytes_s, 'B')}, "
            f"{rate(roof.peak_flops_s, 'flop')} ({SOURCES.get(roof.source, roof.source)})")


def fraction_text(fraction: float) -> str:
    """`41%`, `0.32%` (two digits below 10%, where a round 0% would hide the figure)."""
    percent = 100 * fraction
    return f"{percent:.0f}%" if percent >= 10 else f"{percent:.2g}%"


def roofline_rows(points: Mapping[str, PointFields], labels: Mapping[str, str]) -> list[RooflineRow]:
    def cell(value: Optional[float], unit: str) -> str:
        return "-" if value is None else rate(value, unit)

    return [RooflineRow(key, labels.get(key, key),
                        "-" if p.intensity is None else f"{p.intensity:.3g} flop/B",
                        cell(p.bytes_s, "B"), cell(p.flops_s, "flop"),
                        "-" if p.fraction is None else f"{fraction_text(p.fraction)} of roofline",
                        BOUNDS.get(p.bound, p.bound))
            for key, p in points.items()]


def roofline_line(row: RooflineRow, width: int = 0) -> str:
    """`vmap  intensity 0.25 flop/B  3.1 GB/s  12.4 Gflop/s  41% of roofline  memory-bound`,
    the label padded to `width` so that rows line up."""
    return "  ".join((row.label.ljust(width), f"intensity {row.intensity}", row.bytes_s, row.flops_s,
                      row.fraction, row.bound))
