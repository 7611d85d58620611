"""The scaling sweep in words: time per instance by batch size, the vmap / hand-batched ratio,
and the crossovers (the lab's leads, claimed only beyond the noise, said in a sentence)."""

from __future__ import annotations

from jaxbatch.lab.sweep_state import Lead, SweepState
from jaxbatch.presentation.units import byte_size, device_text, ratio, seconds


def sweep_lines(sweep: SweepState) -> list[str]:
    """Per-instance time at each batch size, the vmap / hand-batched ratio, the peak memory per
    call, the crossovers."""
    keys = list(sweep.labels)
    ratio_head = "vmap/" + sweep.labels.get("manual", "-")
    # Columns 11 and 13 wide, or wider for a long label (a user's `model_batched`), two spaces before it.
    widths = {k: max(11, len(sweep.labels[k]) + 2) for k in keys}
    ratio_width = max(13, len(ratio_head) + 2)
    lines = ["", f"Sweep on {device_text(sweep.device)}: time per instance by batch size ({sweep.stopped})",
             "  " + f"{'batch':>9}" + "".join(f"{sweep.labels[k]:>{widths[k]}}" for k in keys)
             + f"{ratio_head:>{ratio_width}}"]
    for i, n in enumerate(sweep.sizes):
        r = sweep.ratio[i] if sweep.ratio else None
        lines.append("  " + f"{n:>9,}" + "".join(f"{seconds(sweep.per_instance_s[k][i]):>{widths[k]}}" for k in keys)
                     + f"{'' if r is None else ratio(r):>{ratio_width}}")
    return lines + memory_lines(sweep) + [f"  {c}" for c in crossovers(sweep)]


def memory_lines(sweep: SweepState) -> list[str]:
    """XLA's planned peak per call of each compiled strategy at each batch size, as a table of its
    own under the times (beside them it would pass 80 columns); none for a sweep that holds no
    peaks (one from before issue 14). The loop has no one executable: no column."""
    keys = [k for k in sweep.labels if any(b is not None for b in sweep.peak_bytes.get(k, ()))]
    if not keys:
        return []
    widths = {k: max(11, len(sweep.labels[k]) + 2) for k in keys}
    lines = ["  Peak memory per call (XLA's plan: temporaries, arguments and outputs)",
             "  " + f"{'batch':>9}" + "".join(f"{sweep.labels[k]:>{widths[k]}}" for k in keys)]
    for i, n in enumerate(sweep.sizes):
        peaks = [sweep.peak_bytes[k][i] if i < len(sweep.peak_bytes[k]) else None for k in keys]
        lines.append("  " + f"{n:>9,}" + "".join(f"{'-' if b is None else byte_size(b):>{widths[k]}}"
                                                  for k, b in zip(keys, peaks)))
    return lines


def crossovers(sweep: SweepState) -> list[str]:
    """One sentence per pair of strategies the sweep measured: `vmap pulls ahead of einsum from
    batch 256`, `vmap and einsum are within noise of each other`, ..."""
    return [crossover_text(lead, sweep.labels) for lead in sweep.leads()]


def crossover_text(lead: Lead, labels: dict[str, str]) -> str:
    """A lead in words, each strategy by its label."""
    if lead.leader is None:
        a, b = (labels[k] for k in lead.pair)
        return f"{a} and {b} are within noise of each other"
    faster, slower = labels[lead.leader], labels[lead.trailer]
    if lead.until_batch is not None:
        return f"{faster} is faster than {slower} up to batch {lead.until_batch:,}, within noise beyond"
    if lead.from_batch is not None:
        return f"{faster} pulls ahead of {slower} from batch {lead.from_batch:,}"
    return f"{faster} is faster than {slower} at every size"
