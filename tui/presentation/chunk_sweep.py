"""The chunk sweep in words: time per call (with the spread of its rounds) and peak memory at each
chunk size, each over vmap's, and the best trade-off in a sentence (the lab's `Best`) under the
rule it follows, so it can be checked on the rows printed above it."""

from __future__ import annotations

import textwrap
from typing import Optional

from jaxbatch.presentation.sweep import spread_text, time_text
from jaxbatch.presentation.units import byte_size, device_text, ratio
from jaxbatch.results.chunk_sweep_state import NEAR, ChunkSweepState
from jaxbatch.results.sweep_state import shown

# ChunkSweepState.best, for a reader of the table.
BEST_RULE = (f"The best trade-off: the least peak memory among the rows whose time per call is at most "
             f"{float(NEAR):g}x the fastest; a tie goes to the faster, then to vmap.")


def chunk_sweep_lines(sweep: ChunkSweepState) -> list[str]:
    """The table for `report --chunk-sweep`: k, time per call and the middle half of its rounds,
    x vmap, peak memory, x vmap; vmap's row last, then the rule and the best trade-off."""
    lines = ["", f"Chunk sweep on {device_text(sweep.device)}: chunked (lax.map, batch_size=k) on a batch of "
             f"{sweep.batch:,} instances ({sweep.stopped or 'running'})",
             f"  {'k':>9}{'per call':>11}{'middle half':>17}{'x vmap':>10}{'peak memory':>14}{'x vmap':>10}"]
    rows = [(f"{k:,}", t, q, p) for k, t, q, p in zip(sweep.ks, sweep.per_call_s, sweep.quartiles_s, sweep.peak_bytes)]
    for name, t, q, p in rows + [("vmap", sweep.vmap_s, sweep.vmap_quartiles_s, sweep.vmap_peak_bytes)]:
        lines.append(f"  {name:>9}{time_text(t):>11}{spread_text(q):>17}{_over(t, sweep.vmap_s):>10}"
                     f"{peak_text(p):>14}{_over(p, sweep.vmap_peak_bytes):>10}")
    return lines + ["  " + line for line in textwrap.wrap(BEST_RULE, 76)] + [f"  {best_text(sweep)}"]


def peak_text(value: Optional[int]) -> str:
    """Peak bytes as the best trade-off is judged on them (sweep_state.shown): `41.9 MB`, `-` for none."""
    return "-" if value is None else byte_size(float(shown(value)))


def _over(value: Optional[float], vmap: Optional[float]) -> str:
    return ratio(value / vmap) if value and vmap else "-"


def best_text(sweep: ChunkSweepState) -> str:
    """The best trade-off (ChunkSweepState.best's rule) in a sentence, its figures those of its
    row: `k=256: 1.1x vmap's time at 0.0247x its memory`, or why vmap stays the best."""
    best = sweep.best()
    if best is None:
        return "No trade-off yet: it needs vmap and a chunk size measured."
    near = f"{float(NEAR):g}x the fastest time"
    if best.k is None:
        if not sweep.saves_memory:
            return "vmap is the best trade-off: no chunk size uses less memory."
        return f"vmap is the best trade-off: every chunk size that uses less memory takes more than {near}."
    said = f"k={best.k:,}: {ratio(best.time_ratio)} vmap's time at {ratio(best.memory_ratio)} its memory"
    if best.memory_ratio >= 1:
        return said + f"; no chunk size within {near} uses less memory than vmap."
    return said + "."
