"""The scaling sweep in words: time per instance by batch size, the vmap / hand-batched ratio,
and the crossovers (which the lab states, claiming a lead only beyond the noise)."""

from __future__ import annotations

from jaxbatch.lab.sweep_state import SweepState
from jaxbatch.presentation.units import device_text, ratio, seconds


def sweep_lines(sweep: SweepState) -> list[str]:
    """Per-instance time at each batch size, the vmap / hand-batched ratio, the crossovers."""
    keys = list(sweep.labels)
    lines = ["", f"Sweep on {device_text(sweep.device)}: time per instance by batch size ({sweep.stopped})",
             "  " + f"{'batch':>9}" + "".join(f"{sweep.labels[k]:>11}" for k in keys)
             + f"{'vmap/' + sweep.labels.get('manual', '-'):>13}"]
    for i, n in enumerate(sweep.sizes):
        r = sweep.ratio[i] if sweep.ratio else None
        lines.append("  " + f"{n:>9,}" + "".join(f"{seconds(sweep.per_instance_s[k][i]):>11}" for k in keys)
                     + f"{'' if r is None else ratio(r):>13}")
    return lines + [f"  {c}" for c in sweep.crossovers()]
