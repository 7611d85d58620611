"""The chunk sweep in words: time per call and peak memory at each chunk size, each over vmap's,
and the best trade-off in a sentence (the lab's `Best`)."""

from __future__ import annotations

from typing import Optional

from jaxbatch.lab.chunk_sweep_state import NEAR, ChunkSweepState
from jaxbatch.presentation.units import byte_size, device_text, ratio, seconds


def chunk_sweep_lines(sweep: ChunkSweepState) -> list[str]:
    """The table for `report --chunk-sweep`: k, time per call, x vmap, peak memory, x vmap;
    vmap's row last, then the best trade-off."""
    lines = ["", f"Chunk sweep on {device_text(sweep.device)}: chunked (lax.map, batch_size=k) on a batch of "
             f"{sweep.batch:,} instances ({sweep.stopped or 'running'})",
             f"  {'k':>9}{'per call':>11}{'x vmap':>9}{'peak memory':>14}{'x vmap':>9}"]
    rows = [(f"{k:,}", t, p) for k, t, p in zip(sweep.ks, sweep.per_call_s, sweep.peak_bytes)]
    for name, t, p in rows + [("vmap", sweep.vmap_s, sweep.vmap_peak_bytes)]:
        lines.append(f"  {name:>9}{seconds(t):>11}{_over(t, sweep.vmap_s):>9}"
                     f"{'-' if p is None else byte_size(p):>14}{_over(p, sweep.vmap_peak_bytes):>9}")
    return lines + [f"  {best_text(sweep)}"]


def _over(value: Optional[float], vmap: Optional[float]) -> str:
    return ratio(value / vmap) if value and vmap else "-"


def memory_share(r: float) -> str:
    """A share of vmap's memory: `1/40 of its memory` below half, `0.8x its memory` above."""
    return f"1/{1 / r:,.0f} of its memory" if r <= 0.5 else f"{ratio(r)} its memory"


def best_text(sweep: ChunkSweepState) -> str:
    """The best trade-off (ChunkSweepState.best's rule) in a sentence: `k=256: 1.1x vmap's time
    at 1/40 of its memory`, or why vmap stays the best."""
    best = sweep.best()
    if best is None:
        return "No trade-off yet: it needs vmap and a chunk size measured."
    near = f"within {NEAR:g}x of the fastest"
    if best.k is None:
        if not sweep.saves_memory:
            return "vmap is the best trade-off: no chunk size uses less memory."
        return f"vmap is the best trade-off: every chunk size that uses less memory is slower than {near}."
    said = f"k={best.k:,}: {ratio(best.time_ratio)} vmap's time at {memory_share(best.memory_ratio)}"
    if best.memory_ratio >= 1:
        return said + f"; no chunk size {near} uses less memory than vmap."
    return said + "."
