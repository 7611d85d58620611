"""The roofline in words: the device's limits, and for each strategy how close its call came.

The figures come from jaxbatch.results.roof, free of JAX like everything the words read.
"""

from __future__ import annotations

from typing import Mapping, Optional

from jaxbatch.presentation.units import rate
from jaxbatch.results.report import Roof
from jaxbatch.results.roof import LATENCY_FRACTION, Point

SOURCES = {"measured": "measured", "cache": "cached", "saved": "from a saved report"}
WAITS = {"callback": "host callback", "devices": "devices", "loop": "loop steps"}  # Point.waits_on
# Why a fraction can pass 100%, said wherever fractions are shown.
ROOF_CAVEAT = ("bytes are what XLA's ops read and write, not DRAM traffic, and the bandwidth is DRAM's: "
               "a call whose data stays in cache can pass 100%")


def roof_text(roof: Roof) -> str:
    """`roofline on gpu: 3.2 TB/s, 389 Tflop/s at default matmul precision (measured)`: the peak
    at the precision the calls ran at, which on a GPU sets it (TF32 or not); `at any matmul
    precision` where the device ignores it."""
    at = "any" if roof.ignores_precision else roof.precision
    return (f"roofline on {roof.platform}: {rate(roof.bandwidth_bytes_s, 'B')}, "
            f"{rate(roof.peak_flops_s, 'flop')} at {at} matmul precision ({SOURCES.get(roof.source, roof.source)})")


def latency_note(points: Mapping[str, Point]) -> Optional[str]:
    """What "latency" means, where a call is judged so."""
    if not any(p.bound == "latency" for p in points.values()):
        return None
    return (f"latency: under {fraction_text(LATENCY_FRACTION)} of the roofline, the time is waiting, not the "
            "work: on a host callback, several devices, a loop's sequential steps or a GPU's kernel launches")


def bound_text(p: Point) -> str:
    """`memory`, `latency (host callback)`: the bound, and what a latency-bound call waits on."""
    return f"{p.bound} ({WAITS[p.waits_on]})" if p.bound == "latency" and p.waits_on in WAITS else p.bound


def fraction_text(fraction: float) -> str:
    """`41%`, `0.32%` (two digits below 10%, where a round 0% would hide the figure)."""
    percent = 100 * fraction
    return f"{percent:.0f}%" if percent >= 10 else f"{percent:.2g}%"


ROOFLINE_HEAD = ("", "flop/B", "bytes/s", "flops/s", "roofline", "bound by")


def roofline_cells(points: Mapping[str, Point], labels: Mapping[str, str]) -> tuple[tuple[str, ...], tuple]:
    """The head and a row of cells per strategy: `vmap  0.25  3.1 GB/s  12.4 Gflop/s  41%  memory`;
    "-" for what is unknown."""
    def cell(value: Optional[float], unit: str) -> str:
        return "-" if value is None else rate(value, unit)

    rows = tuple((labels.get(key, key), "-" if p.intensity is None else f"{p.intensity:.3g}", cell(p.bytes_s, "B"),
                  cell(p.flops_s, "flop"), "-" if p.fraction is None else fraction_text(p.fraction), bound_text(p))
                 for key, p in points.items())
    return ROOFLINE_HEAD, rows


def roofline_table(points: Mapping[str, Point], labels: Mapping[str, str], width: Optional[int] = None) -> list[str]:
    """The cells as lines, for the timings pane; within `width`, a label too long for the cells
    beside it goes on a line of its own above them."""
    head, rows = roofline_cells(points, labels)
    name = max([len(r[0]) for r in rows] + [len(head[4])])
    cells = max((len(f" {c[1]:>8} {c[2]:>11} {c[3]:>13} {c[4]:>9}  {c[5]}") for c in (head, *rows)), default=0)
    above = width is not None and name + cells > width
    lines = []
    for c in (head, *rows):
        if above and c[0]:
            lines.append(c[0])
        label = f"{'':<2}" if above else f"{c[0]:<{name}}"
        lines.append(f"{label} {c[1]:>8} {c[2]:>11} {c[3]:>13} {c[4]:>9}  {c[5]}")
    return lines
