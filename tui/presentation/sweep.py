"""The scaling sweep in words: time per instance by batch size with the spread of its rounds, the
vmap / hand-batched ratio, and the crossovers (the lab's leads, said in a sentence each under the
rule they were judged by, so every one can be checked on the rows printed above it)."""

from __future__ import annotations

import textwrap
from typing import Optional

from jaxbatch.presentation.units import byte_size, device_text, ratio, seconds
from jaxbatch.results.sweep_state import EVEN, Lead, Quartiles, Run, SweepState, shown

# SweepState.faster, for a reader of the tables.
CROSSOVER_RULE = (f"Judged at each size on the rows above: a strategy is faster than another where its q3 is "
                  f"below the other's q1 and its median times {float(EVEN):g} is below the other's median; "
                  "otherwise the two are within noise there. A spread shown '-' counts as the median alone; "
                  "a size where either has no time is not judged.")
MAX_RUNS = 4  # a pair's verdicts that change more often than this are counted, not listed


def sweep_lines(sweep: SweepState) -> list[str]:
    """Per-instance time at each batch size, the vmap / hand-batched ratio, the middle half of
    the rounds, the peak memory per call, and the crossovers under the rule they follow."""
    keys = list(sweep.labels)
    ratio_head = "vmap/" + sweep.labels.get("manual", "-")
    cells = {k: [time_text(t) for t in sweep.per_instance_s[k]] for k in keys}
    # Columns 11 and 13 wide, or wider for a long label (a user's `model_batched`) or figure, two spaces before it.
    widths = {k: max(11, len(sweep.labels[k]) + 2, *(len(c) + 2 for c in cells[k])) for k in keys}
    ratio_width = max(13, len(ratio_head) + 2)
    lines = ["", f"Sweep on {device_text(sweep.device)}: time per instance by batch size ({sweep.stopped})",
             "  " + f"{'batch':>9}" + "".join(f"{sweep.labels[k]:>{widths[k]}}" for k in keys)
             + f"{ratio_head:>{ratio_width}}"]
    for i, n in enumerate(sweep.sizes):
        r = sweep.ratio[i] if sweep.ratio else None
        lines.append("  " + f"{n:>9,}" + "".join(f"{cells[k][i]:>{widths[k]}}" for k in keys)
                     + f"{'' if r is None else ratio(r):>{ratio_width}}")
    said = crossovers(sweep)
    rule = ["  " + line for line in textwrap.wrap(CROSSOVER_RULE, 76)] if said else []
    return lines + spread_lines(sweep) + memory_lines(sweep) + rule + [f"  {c}" for c in said]


def time_text(value: Optional[float]) -> str:
    """A time as the sweeps judge it (sweep_state.shown): `1.23 µs`, `-` for none."""
    return seconds(None if value is None else float(shown(value)))


def spread_text(quartiles: Quartiles) -> str:
    """The middle half of a strategy's rounds, q1–q3, one unit where both share it: `1.21–1.45 µs`,
    `998 ns–1.02 µs`; `-` where unknown."""
    if quartiles is None:
        return "-"
    low, high = (time_text(q) for q in quartiles)
    number, unit = low.split(" ")
    return f"{number}–{high}" if high.endswith(" " + unit) else f"{low}–{high}"


def spread_lines(sweep: SweepState) -> list[str]:
    """The quartiles the crossovers were judged by, per instance, as a table of its own under the
    times (beside them it would pass 80 columns); none for a sweep without any."""
    keys = list(sweep.labels)
    if not any(q is not None for k in keys for q in sweep.quartiles_s.get(k, ())):
        return []
    cells = {k: [spread_text(q) for q in _padded(sweep.quartiles_s.get(k, ()), len(sweep.sizes))] for k in keys}
    widths = {k: max(11, len(sweep.labels[k]) + 2, *(len(c) + 2 for c in cells[k])) for k in keys}
    lines = ["  Middle half of the rounds (q1–q3), per instance",
             "  " + f"{'batch':>9}" + "".join(f"{sweep.labels[k]:>{widths[k]}}" for k in keys)]
    for i, n in enumerate(sweep.sizes):
        lines.append("  " + f"{n:>9,}" + "".join(f"{cells[k][i]:>{widths[k]}}" for k in keys))
    return lines


def _padded(quartiles: tuple[Quartiles, ...], n: int) -> tuple[Quartiles, ...]:
    return quartiles + (None,) * (n - len(quartiles))


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
    batch 256`, `vmap and einsum are within noise of each other at every size`, ..."""
    return [crossover_text(lead, sweep.labels) for lead in sweep.leads()]


def crossover_text(lead: Lead, labels: dict[str, str]) -> str:
    """A lead in words, each strategy by its label."""
    a, b = (labels[k] for k in lead.pair)
    if lead.runs:
        return _runs_text(lead.runs, lead.pair, labels)
    if lead.leader is None:
        return f"{a} and {b} are within noise of each other at every size"
    faster, slower = labels[lead.leader], labels[lead.trailer]
    if lead.until_batch is not None:
        return f"{faster} is faster than {slower} up to batch {lead.until_batch:,}, within noise beyond"
    if lead.from_batch is not None:
        return f"{faster} pulls ahead of {slower} from batch {lead.from_batch:,}"
    return f"{faster} is faster than {slower} at every size"


def _runs_text(runs: tuple[Run, ...], pair: tuple[str, str], labels: dict[str, str]) -> str:
    """Verdicts that change along the sizes, side by side in the order they first come: where
    each one holds (`at batch 1–8 and 64`), or past MAX_RUNS runs how many sizes each holds at."""
    a, b = (labels[k] for k in pair)
    sides = list(dict.fromkeys(side for side, _ in runs))
    if len(runs) > MAX_RUNS:
        def counted(side):
            n = sum(len(sizes) for s, sizes in runs if s == side)
            where = f"{n} size{'' if n == 1 else 's'}"
            return f"within noise at {where}" if side is None else f"{labels[side]} is faster at {where}"
        return f"{a} and {b} alternate: " + ", ".join(map(counted, sides))

    def where(side):
        spans = [f"{sizes[0]:,}" + ("" if len(sizes) == 1 else f"–{sizes[-1]:,}") for s, sizes in runs if s == side]
        return "batch " + (spans[0] if len(spans) == 1 else ", ".join(spans[:-1]) + " and " + spans[-1])

    clauses = []
    for side in sides:  # the first names both strategies, the others say how they differ from it
        if side is None:
            said = f"{a} and {b} are within noise" if not clauses else "within noise"
        else:
            said = f"{labels[side]} is faster" + ("" if clauses else f" than {b if side == pair[0] else a}")
        clauses.append(f"{said} at {where(side)}")
    return "; ".join(clauses)
