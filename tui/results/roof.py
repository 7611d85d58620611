"""Where a call lies under the device's roofline (`results.Roof`, measured by
jaxbatch.lab.roofline), as plain data: free of JAX, so the words and the app can judge live
timings without importing it."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any, Literal, Mapping, Optional, Sequence

from jaxbatch.results.report import Roof
from jaxbatch.results.timing import DISPATCH_BOUND

Bound = Literal["dispatch", "latency", "memory", "compute", "unknown"]
# What a program may wait on besides its work (`waits_on`): a host callback, several devices
# launched and synchronized together, a loop's sequential steps; "" for none of these.
Wait = Literal["callback", "devices", "loop", ""]
# Below this fraction of the roofline a call is "latency"-bound: its time is waiting, not the
# work. On a 2-core CPU a host callback's call ran at 0.0003-0.005%, sharded calls of small
# models at 0.008-0.04%, while the slowest kernels for their bytes and flops, with nothing to
# wait on (XLA:CPU's grouped convolution, sort, an einsum that lays the batch out badly), stayed
# at 0.13-0.6%: at 1%, those would be called latency too.
LATENCY_FRACTION = 0.001
_CALLBACK = re.compile(r'custom_call_target="xla_(?:ffi_)?python_\w*callback"')  # pure_callback, io_callback
_PARTITIONS = re.compile(r"\bnum_partitions=(\d+)")


@dataclass(frozen=True)
class Point:
    """One strategy's call on the roofline. None where an input it needs is unknown."""

    intensity: Optional[float]  # flops per byte accessed
    flops_s: Optional[float]  # achieved
    bytes_s: Optional[float]  # achieved
    fraction: Optional[float]  # of the attainable rate at this intensity; above 1 when caches beat DRAM
    bound: Bound
    waits_on: Wait = ""  # what its program waits on besides the work, if anything: a "latency" bound's cause

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def waits_on(optimized: str, loops: Sequence[Optional[int]]) -> Wait:
    """What a program waits on besides its work, read off its optimized HLO and loop trip
    counts (results.Hlo): a Python callback (the device waits while the host runs it), SPMD
    partitions over several devices, or a loop of more than one step (or an unknown number)."""
    if _CALLBACK.search(optimized):
        return "callback"
    partitions = _PARTITIONS.search(optimized)
    if partitions and int(partitions.group(1)) > 1:
        return "devices"
    return "loop" if any(n is None or n > 1 for n in loops) else ""


def judge(flops: Optional[float], bytes_accessed: Optional[float], seconds: Optional[float],
          floor_s: Optional[float], roof: Optional[Roof], waits: Wait = "") -> Point:
    """Where a call of `seconds` doing `flops` over `bytes_accessed` lies under `roof`.

    The attainable rate at intensity I is min(peak, I x bandwidth); with no flops to count
    (a copy, a gather) or none known, the fraction is of the bandwidth instead (for unknown
    flops, the least the fraction of the roofline can be). A call within DISPATCH_BOUND of
    the dispatch floor is "dispatch"-bound, as the timings flag it: its time says little about
    the work. One under LATENCY_FRACTION of the roofline is "latency"-bound: its time is
    waiting, not the work; `waits` (`waits_on` of its program) says on what, where the program
    shows it. Otherwise it is "memory"-bound below the ridge and "compute"-bound above it."""
    timed = seconds is not None and seconds > 0
    intensity = flops / bytes_accessed if flops is not None and bytes_accessed else None
    flops_s = flops / seconds if timed and flops is not None else None
    bytes_s = bytes_accessed / seconds if timed and bytes_accessed is not None else None
    fraction = None
    if roof is not None:
        if flops_s and intensity is not None:
            fraction = flops_s / min(roof.peak_flops_s, intensity * roof.bandwidth_bytes_s)
        elif not flops and bytes_s is not None:
            fraction = bytes_s / roof.bandwidth_bytes_s
    if timed and floor_s is not None and seconds < DISPATCH_BOUND * floor_s:
        bound: Bound = "dispatch"
    elif intensity is None or roof is None or not timed:
        bound = "unknown"
    elif fraction is not None and fraction < LATENCY_FRACTION:
        bound = "latency"
    else:
        bound = "memory" if intensity < roof.ridge else "compute"
    return Point(intensity, flops_s, bytes_s, fraction, bound, waits)


def roofline_json(roof: Roof, points: Mapping[str, Point]) -> dict[str, Any]:
    """The report JSON's `roofline`: the device's limits (the peak at `roof.precision`, the one
    the strategies ran at, and every precision's) and each strategy's point."""
    return {"bandwidth_bytes_s": roof.bandwidth_bytes_s, "peak_flops_s": roof.peak_flops_s,
            "precision": roof.precision, "peak_flops_by_precision": roof.peak_flops_by_precision,
            "ignores_precision": roof.ignores_precision, "latency_fraction": LATENCY_FRACTION,
            "strategies": {key: p.to_json() for key, p in points.items()}}


def roof_from_json(data: Mapping[str, Any], platform: str, kind: str) -> Roof:
    """The roof a report's `roofline` (`roofline_json`) was judged against, on the device
    (`platform`, `kind`) the report names: its peak at the precision the report ran at."""
    return Roof(platform, kind, data["bandwidth_bytes_s"], data["peak_flops_s"], "saved", None,
                data.get("precision", "default"), dict(data.get("peak_flops_by_precision", {})),
                data.get("ignores_precision", False))


def points(strategies: Mapping[str, Any], timings: Mapping[str, Any], floor_s: Optional[float],
           roof: Optional[Roof]) -> dict[str, Point]:
    """Each timed, compiled strategy's point: its program's flops and bytes (corrected for loop
    trip counts) over its median time per call, and what it waits on; the eager loop has no one
    program to judge. `strategies` are results.Strategy, `timings` results.timing.Timing."""
    out = {}
    for key, t in timings.items():
        hlo = getattr(strategies.get(key), "hlo", None)
        if hlo is not None:
            out[key] = judge(hlo.flops, hlo.bytes, t.median_s, floor_s, roof, waits_on(hlo.optimized, hlo.loops))
    return out
