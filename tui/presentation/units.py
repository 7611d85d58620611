"""Units and the device, written one way in every view."""

from __future__ import annotations

from typing import Optional

from jaxbatch.results.report import Device

# Seconds from the largest unit down: 1.23 s, 4.56 ms, 7.89 µs, 12 ns.
UNITS = ((1.0, "s"), (1e-3, "ms"), (1e-6, "µs"), (1e-9, "ns"))


def seconds(value: Optional[float]) -> str:
    if value is None:
        return "-"
    for scale, unit in UNITS[:-1]:
        if value >= scale:
            return f"{value / scale:.3g} {unit}"
    return f"{value / 1e-9:.3g} ns"


def seconds_tick(value: float) -> str:
    """A round power of ten as a plot tick: `1 ms`, `100 µs` (plotext would print 0.000001)."""
    shown = (f"{value / scale:g} {unit}" for scale, unit in UNITS if value >= scale * 0.999)
    return next(shown, f"{value / 1e-9:g} ns")  # below 1 ns: 0.1 ns


def byte_count(value: int) -> str:
    return f"{value:,} B"


def byte_size(value: float) -> str:
    """Three significant digits in decimal units: 812 B, 41.9 MB, 2.15 GB (a fraction of a byte
    per instance too: 0.5 B)."""
    for scale, unit in ((1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "kB")):
        if value >= scale:
            return f"{value / scale:.3g} {unit}"
    return f"{value:.3g} B"


def ratio(r: float) -> str:
    """Three significant digits, never in e-notation: 0.228x, 1x, 906x, 1,184x."""
    return f"{r:,.0f}x" if r >= 100 else f"{r:.3g}x"


def device_text(device: Device) -> str:
    """`cpu (cpu)`, `gpu (NVIDIA H200)`: the platform, then what JAX calls the device."""
    return device.text


def rate(value: float, unit: str) -> str:
    """Three significant digits per second in decimal units: `3.1 GB/s`, `12.4 Gflop/s`."""
    for scale, prefix in ((1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= scale:
            return f"{value / scale:.3g} {prefix}{unit}/s"
    return f"{value:.3g} {unit}/s"


def count(n: int) -> str:
    """A number of instances a reader takes in at a glance: 9,984 exactly below 100,000, then
    two significant digits, or whole: 2.1M, 340k, 580M, 1.2T."""
    if n < 100_000:
        return f"{n:,}"
    for scale, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if n >= scale:
            value = n / scale
            return f"{value:.2g}{suffix}" if value < 100 else f"{value:,.0f}{suffix}"
    return f"{n:,}"
