"""Timing rows: per call and per instance, compile apart, with their flags, and the scaling
of the sharded strategy. The report lays the cells out in columns; the pane adds a bar."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional

from jaxbatch.presentation.units import ratio, seconds
from jaxbatch.results.strategy_table import scaled, spec
from jaxbatch.results.timing import Timing, scaling

# The column heads, in every view: the IQR is a share of the median per call.
HEADS = {"compile": "compile", "per_call": "per call", "iqr": "± IQR", "per_instance": "per inst."}

# A flag beside a row, most telling first: near the dispatch floor (its time says more about
# dispatch than about the work), or scaled from a sample of instances.
FLAGS = {"dispatch_bound": "≈floor", "estimated": "~est."}


@dataclass(frozen=True)
class TimingRow:
    key: str
    label: str
    compile: str
    per_call: str
    iqr: str
    per_instance: str
    ratio: str  # to the hand-batched version; "" where there is none
    flags: tuple[str, ...]  # keys of FLAGS


def ratio_head(labels: dict[str, str]) -> str:
    return f"vs {labels['manual']}" if "manual" in labels else ""


def iqr_text(t: Timing) -> str:
    """The interquartile range as a share of the median: `3%`; nothing until two rounds."""
    return "" if t.iqr_s is None else f"{100 * t.iqr_s / t.median_s:.0f}%"


def timing_rows(timings: Mapping[str, Timing], labels: dict[str, str]) -> list[TimingRow]:
    return [TimingRow(key, labels.get(key, key), seconds(t.compile_s), seconds(t.median_s), iqr_text(t),
                      seconds(t.per_instance_s), "" if t.ratio_to_manual is None else ratio(t.ratio_to_manual),
                      tuple(f for f in FLAGS if getattr(t, f)))
            for key, t in timings.items()]


def flags_text(row: TimingRow) -> str:
    return " ".join(FLAGS[f] for f in row.flags)


def floor_text(floor_s: Optional[float]) -> str:
    return f"dispatch floor {seconds(floor_s)}"


def scaling_text(timings: Mapping[str, Timing], devices: int, platform: str) -> str:
    """The strategy spread over the devices against the one it spreads, on one device
    (strategy_table.scaled), in words: speed-up and efficiency."""
    found = scaling(timings, devices)
    if found is None:
        return ""
    speedup, efficiency = found
    spread, one = scaled()
    shared = " (simulated devices share this machine's cores)" if platform == "cpu" else ""
    return (f"{spec(spread).label} over {devices} {platform} devices: {speedup:.2f}x {spec(one).label} on one, "
            f"{efficiency:.0%} scaling efficiency, {seconds(timings[spread].median_s)} per device per call{shared}")
