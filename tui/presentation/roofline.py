"""The roofline in words: the device's limits, and for each strategy how close its call came.

The figures come from jaxbatch.lab.roof, free of JAX like every lab module the words read.
"""

from __future__ import annotations

from typing import Mapping, Optional

from jaxbatch.lab.results import Roof
from jaxbatch.lab.roof import Point
from jaxbatch.presentation.units import rate

SOURCES = {"measured": "measured", "cache": "cached"}
# Why a fraction can pass 100%, said wherever fractions are shown.
ROOF_CAVEAT = ("bytes are what XLA's ops read and write, not DRAM traffic, and the bandwidth is DRAM's: "
               "a call whose data stays in cache can pass 100%")


def roof_text(roof: Roof) -> str:
    """`roofline on cpu: 25 GB/s, 150 Gflop/s (measured)`."""
    return (f"roofline on {roof.platform}: {rate(roof.bandwidth_bytes_s, 'B')}, "
            f"{rate(roof.peak_flops_s, 'flop')} ({SOURCES.get(roof.source, roof.source)})")


def fraction_text(fraction: float) -> str:
    """`41%`, `0.32%` (two digits below 10%, where a round 0% would hide the figure)."""
    percent = 100 * fraction
    return f"{percent:.0f}%" if percent >= 10 else f"{percent:.2g}%"


def roofline_table(points: Mapping[str, Point], labels: Mapping[str, str]) -> list[str]:
    """A head and a row per strategy, the same in the report and the timings pane:
    `vmap   0.25  3.1 GB/s  12.4 Gflop/s  41%  memory`; "-" for what is unknown."""
    def cell(value: Optional[float], unit: str) -> str:
        return "-" if value is None else rate(value, unit)

    width = max([len(labels.get(k, k)) for k in points] + [len("roofline")])
    lines = [f"{'':<{width}} {'flop/B':>8} {'bytes/s':>11} {'flops/s':>13} {'roofline':>9}  bound by"]
    for key, p in points.items():
        intensity = "-" if p.intensity is None else f"{p.intensity:.3g}"
        fraction = "-" if p.fraction is None else fraction_text(p.fraction)
        lines.append(f"{labels.get(key, key):<{width}} {intensity:>8} {cell(p.bytes_s, 'B'):>11} "
                     f"{cell(p.flops_s, 'flop'):>13} {fraction:>9}  {p.bound}")
    return lines
