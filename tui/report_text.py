"""The text report: the same facts as the app, for a terminal, a log or a bug report. The words
are the presentation's (jaxbatch.presentation), the ones the panes style; here they are only laid out in lines."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Optional, Union

from jaxbatch.lab.chunk_sweep_state import ChunkSweepState
from jaxbatch.lab.results import OnBatch, Report
from jaxbatch.lab.roof import points
from jaxbatch.lab.selection import DEFAULT_PRECISION
from jaxbatch.lab.strategy_table import spec
from jaxbatch.lab.sweep_state import SweepState
from jaxbatch.presentation.chunk_sweep import chunk_sweep_lines
from jaxbatch.presentation.hlo import hlo_verdict
from jaxbatch.presentation.memory import HEAD as MEMORY_HEAD, disagreement, fits_line, growth_text, memory_rows
from jaxbatch.presentation.notes import program_note_text, sharded_note_text, unknown_reasons, warnings_text
from jaxbatch.presentation.outputs import (
    figures_text,
    loop_text,
    on_batch_head,
    precision_text,
    primitives_text,
    strategy_figures,
    strategy_verdict,
)
from jaxbatch.presentation.programs import (
    MARKERS,
    alignment_rows,
    hlo_summary,
    jaxpr_text,
    levels_text,
    unknown_levels_text,
)
from jaxbatch.presentation.roofline import ROOF_CAVEAT, latency_note, roof_text, roofline_table
from jaxbatch.presentation.sweep import sweep_lines
from jaxbatch.presentation.timings import HEADS, flags_text, floor_text, ratio_head, scaling_text, timing_rows
from jaxbatch.presentation.units import device_text
from jaxbatch.presentation.verdicts import alignment_verdict


@dataclass(frozen=True)
class Program:
    """A program's text among the report's lines: the terminal's Rich view highlights it."""

    text: str

    def __str__(self) -> str:
        return self.text


def render(report: Report, sweep: Optional[SweepState] = None, chunk_sweep: Optional[ChunkSweepState] = None) -> str:
    return "\n".join(map(str, blocks(report, sweep, chunk_sweep))) + "\n"


def blocks(report: Report, sweep: Optional[SweepState] = None,
           chunk_sweep: Optional[ChunkSweepState] = None) -> list[Union[str, Program]]:
    """The report's lines, each program's jaxpr one `Program`."""
    lines: list[Union[str, Program]] = [
        f"jaxbatch-tui report: {report.model} at batch shape {report.batch_shape} "
        f"on {device_text(report.device)}, jax {report.jax_version}, "
        f"{precision_text(report.selection.get('precision', DEFAULT_PRECISION))}",
        f"  {report.summary}",
        *_wrapped(report.note, "  "),
        *_wrapped(f"Source: {report.source}" if report.source else "", "  "),
        *(line for w in warnings_text(report) for line in _wrapped(f"warning: {w}", "  ")),
        "",
        f"One instance  model({', '.join(report.single.arg_avals)})",
        *_indented(report.single.text),
        f"Whole batch   model({', '.join(report.single.batch_avals)})",
        *_on_batch(report.single.on_batch),
        "",
        "Strategies (compared with the loop, the reference)",
    ]
    width = label_width(report)
    for s in report.strategies.values():
        headline = [loop_text(report.vmap_loop)] if s.key == "vmap" and report.vmap_loop else []
        verdict = [f"  {label:<{width}} {line}" for label, line in zip([s.label, ""], [*headline, strategy_verdict(s)])]
        figures = strategy_figures(s)
        lines += [*verdict, *([f"  {'':<{width}} {figures}"] if figures else []), *_indented(s.text or "", "    ")]
    if report.manual_missing:
        lines += [f"  {spec('manual').role:<{width}} {report.manual_missing}"]
    if report.sharded_note:
        lines += [f"  {'sharded':<{width}} {sharded_note_text(report.sharded_note)}"]
    programs = [s for s in report.strategies.values() if s.jaxpr]
    for s in programs:
        lines += ["", f"Jaxpr: {s.label}", Program(jaxpr_text(s.jaxpr))]
    notes = [f"Jaxpr: {s.label}: {program_note_text(s.program_note)}" for s in report.strategies.values()
             if s.program_note]
    lines += ["", *notes] if notes else []
    if programs:
        lines += ["", "Primitives"]
        lines += [f"  {s.label:<{width}} {primitives_text(s.eqns)}" for s in programs]
    if report.alignment is not None:
        lines += ["", *_aligned(report)]
    lines += _below(report)
    lines += _memory(report, width)
    lines += _timings(report)
    lines += _backends(report)
    if sweep is not None:
        lines += sweep_lines(sweep)
    if chunk_sweep is not None:
        lines += chunk_sweep_lines(chunk_sweep)
    return lines


def _memory(report: Report, width: int) -> list[str]:
    rows = memory_rows(report)
    if not rows:
        return []
    growth = [growth_text(r) for r in rows]
    grown = max(map(len, growth))
    return ["", *_wrapped(MEMORY_HEAD, ""),
            *(f"  {r.label:<{width}} {r.per_call:>9} per {r.per:<6} · {r.per_instance:>9} per instance"
              + (f" ({g})" + " " * (grown - len(g)) if grown else "") + f" · roofline {r.roofline}"
              for r, g in zip(rows, growth)),
            *_wrapped(disagreement(report), "  "), *_wrapped(fits_line(report), "  ")]


def _backends(report: Report) -> list[str]:
    if not report.backends:
        return []
    b = report.backends
    found = ", ".join(f"{spec} ({d.kind})" for spec, d in b.devices)
    return ["", f"Devices: {found}",
            *(f"  no {p}: {why} (pip install '{b.install[p]}')" for p, why in b.missing.items())]


def label_width(report: Report) -> int:
    """The strategy-name column: 12 wide, or as wide as the longest label (a user's
    `model_batched`), so that no label runs into the column beside it."""
    return max([12, *(len(s.label) for s in report.strategies.values()),
                *([len(spec("manual").role)] if report.manual_missing else [])])


def _timings(report: Report) -> list[str]:
    """Per call and per instance, compile apart; the numbers of the device this ran on."""
    if report.timings is None:
        return []
    labels = {k: s.label for k, s in report.strategies.items()}
    width, head = label_width(report), ratio_head(labels)
    ratio_width = max(10, len(head) + 1)  # `vs model_batched` is wider than the figures under it
    lines = ["", f"Timings on {device_text(report.device)}: median per call over rounds, IQR as a share of it, "
             f"{floor_text(report.dispatch_floor_s)}",
             "  " + " ".join([f"{'':<{width}}", *(f"{h:>10}" for h in HEADS.values()), f"{head:>{ratio_width}}"])]
    for r in timing_rows(report.timings, labels):
        lines.append(f"  {r.label:<{width}} {r.compile:>10} {r.per_call:>10} {r.iqr:>10} {r.per_instance:>10} "
                     f"{r.ratio:>{ratio_width}}  {flags_text(r)}")
    spread = scaling_text(report.timings, report.devices, report.device.platform)
    return lines + ([f"  {spread}"] if spread else []) + _roofline(report, labels)


def _roofline(report: Report, labels: dict[str, str]) -> list[str]:
    """Each timed call against what the device can do, when its roofline was measured: its peak
    at the matmul precision the calls ran at."""
    if report.roof is None:
        return []
    roof = report.roof.at(report.selection.get("precision", DEFAULT_PRECISION))
    judged = points(report.strategies, report.timings, report.dispatch_floor_s, roof)
    note = latency_note(judged)
    return ["", roof_text(roof), *(f"  {line}" for line in roofline_table(judged, labels)),
            *(_wrapped(note, "  ") if note else []), *_wrapped(ROOF_CAVEAT, "  ")]


def _aligned(report: Report) -> list[str]:
    """The aligned table: a marker per row (= same, ≠ differs, < > only on one side)."""
    a = report.alignment
    left, right = report.strategies[a.left].label, report.strategies[a.right].label
    rows = alignment_rows(a)
    width = max([len(left)] + [len(r.left) for r in rows if r.left]) + 2
    lines = [f"Aligned jaxprs: {left} vs {right}", *_wrapped(alignment_verdict(a), "  "),
             f"    {left:<{width}}│ {right}"]
    for r in rows:
        lines.append(f"  {MARKERS[r.status]} {r.left or '':<{width}}│ {r.right or ''}")
        if r.diffs:
            lines.append(f"      ↳ {'; '.join(r.diffs)}")
    return lines


def _below(report: Report) -> list[str]:
    a = report.alignment
    keys = report.same_program.get("pair") or ((a.left, a.right) if a else ("manual", "vmap"))
    left, right = (report.strategies.get(k) for k in keys)
    if left is None or right is None:
        return []
    lines = ["", "Below the jaxpr: what XLA compiled", f"  {hlo_verdict(report.hlo_comparison)}"]
    if report.same_program:
        lines += [f"  one program? {levels_text(report.same_program)}",
                  *(line for why in unknown_levels_text(unknown_reasons(report)) for line in _wrapped(why, "    "))]
    if left.hlo is None or right.hlo is None:
        return lines
    rows = hlo_summary(left.hlo, right.hlo, "hlo")
    width = max([len(left.label)] + [len(r[1]) for r in rows]) + 2
    lines.append(f"    {'':<16}{left.label:<{width}}{right.label}")
    return lines + [f"    {name:<16}{x:<{width}}{y}" for name, x, y in rows]


def _on_batch(on_batch: OnBatch) -> list[str]:
    if on_batch.error is not None:
        return [f"  {on_batch_head(on_batch)}:", *_indented(on_batch.error.message, "    ")]
    figures = figures_text(on_batch.agreement)
    return [f"  {on_batch_head(on_batch)}", *([f"    {figures}"] if figures else []), *_indented(on_batch.text, "    ")]


def _indented(text: str, pad: str = "  ") -> list[str]:
    return [pad + line for line in text.splitlines()]


def _wrapped(text: str, pad: str) -> list[str]:
    return textwrap.wrap(text, 96, initial_indent=pad, subsequent_indent=pad, break_on_hyphens=False) if text else []
