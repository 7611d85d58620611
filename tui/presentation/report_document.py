"""A Report (with the live timings, a sweep and a chunk sweep where there are) made into the one
Document every medium lays out: the words are chosen here, once, from the presentation's
modules. The order is the text report's: what was asked, the outputs, what to notice, the programs, what XLA
compiled, memory, timings and the roofline, the devices, the sweeps."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Optional

from jaxbatch.presentation.chunk_sweep import chunk_sweep_lines
from jaxbatch.presentation.document import (
    Aligned,
    AlignedRow,
    Block,
    Document,
    Heading,
    Output,
    Program,
    Prose,
    Section,
    Table,
    Verdict,
    Warning,
)
from jaxbatch.presentation.hlo import hlo_verdict
from jaxbatch.presentation.memory import (
    HEAD as MEMORY_HEAD,
    ROOFLINE_COLUMN,
    disagreement,
    fits_line,
    growth_text,
    memory_rows,
)
from jaxbatch.presentation.notes import (
    manual_missing_text,
    program_note_text,
    sharded_note_text,
    unknown_reasons,
    warnings_text,
)
from jaxbatch.presentation.outputs import (
    figures_text,
    in_axes_text,
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
    fold_instances,
    fold_note,
    fold_primitives,
    hlo_summary,
    jaxpr_text,
    levels_text,
    unknown_levels_text,
)
from jaxbatch.presentation.roofline import ROOF_CAVEAT, latency_note, roof_text, roofline_cells
from jaxbatch.presentation.sweep import sweep_lines
from jaxbatch.presentation.timings import HEADS, flags_text, floor_text, ratio_head, scaling_text, timing_rows
from jaxbatch.presentation.units import device_text
from jaxbatch.presentation.verdicts import alignment_verdict
from jaxbatch.results.chunk_sweep_state import ChunkSweepState
from jaxbatch.results.report import FirstOutputs, Report, Roof, Strategy
from jaxbatch.results.roof import Point, points
from jaxbatch.results.strategy_table import roles
from jaxbatch.results.sweep_state import SweepState
from jaxbatch.results.timing import Timings


@dataclass(frozen=True)
class RooflineFacts:
    """Each timed call under the device's roofline at the precision the calls ran at: judged
    once (results.roof.points), for the document, the JSON and the timings pane."""

    roof: Roof
    points: Mapping[str, Point]


# The keys of the sections about outputs (`outputs`): the summary, one instance and the whole
# batch, each strategy, what to notice.
OUTPUTS = ("summary", "single", "strategies", "notice")


def roofline_facts(report: Report, timings: Optional[Timings] = None) -> Optional[RooflineFacts]:
    """The roofline of `report`'s calls, timed by `timings` (the report's own where not given);
    None where no roofline was measured with them."""
    timings = report.timings if timings is None else timings
    if timings is None or timings.roof is None:
        return None
    at = timings.roof.at(report.precision)
    return RooflineFacts(at, points(report.strategies, timings, timings.floor_s, at))


def build(report: Report, sweep: Optional[SweepState] = None,
          chunk_sweep: Optional[ChunkSweepState] = None) -> Document:
    facts = roofline_facts(report)
    sections = [*outputs(report), _programs(report),
                _alignment(report), _below(report), _memory(report), _timings(report), _roofline(report, facts),
                _devices(report),
                *([_lines("sweep", sweep_lines(sweep))] if sweep is not None else []),
                *([_lines("chunk_sweep", chunk_sweep_lines(chunk_sweep))] if chunk_sweep is not None else [])]
    title = (f"jaxbatch-tui report: {report.model} at batch shape {report.batch_shape} on "
             f"{device_text(report.device)}, jax {report.jax_version}, {precision_text(report.precision)}")
    return Document(title, tuple(s for s in sections if s is not None), facts.points if facts else {})


def outputs(report: Report) -> tuple[Section, ...]:
    """The sections about outputs, OUTPUTS, in the document's order: what the outputs pane shows,
    built alone, as it redraws on the UI thread (the programs' sections are the costly part)."""
    return tuple(s for s in (_head(report), _single(report), _strategies(report), _notice(report)) if s is not None)


def _section(key: str, title: str, *blocks: Optional[Block]) -> Section:
    return Section(key, title, tuple(b for b in blocks if b is not None))


def _prose(text: str, tone: str = "") -> Optional[Prose]:
    return Prose(text, tone) if text else None


def _head(report: Report) -> Section:
    return _section("summary", "", Prose(report.summary), *(Warning(w) for w in warnings_text(report)))


def _notice(report: Report) -> Optional[Section]:
    """The model's note on its outputs and programs, and where the model comes from. A note
    quotes shapes from the default batch, 5: said when another batch is shown."""
    if not (report.note or report.source):
        return None
    shapes = "" if tuple(report.batch_shape) == (5,) else "  (shapes in it as at batch 5)"
    return _section("notice", "What to notice" + shapes * bool(report.note), _prose(report.note),
                    _prose(f"Source: {report.source}" if report.source else "", "muted"))


def first_outputs(first: FirstOutputs) -> tuple[Section, ...]:
    """The sections about outputs while the strategies are judged: the loop's outputs, the
    reference, that the model on one instance and every strategy still running (`pending`) will
    be checked against; laid out as `outputs` lays out the whole report's."""
    running = "⟳ compiling and running {}, each to be checked against the loop…"
    calling = Prose("⟳ calling it…", "muted")
    return (_section("summary", "", Prose(first.summary)),
            _section("single", "", *_heads(first.arg_avals, first.batch_avals, first.in_axes, calling), calling),
            _section("strategies", STRATEGIES, *_strategy(first.loop),
                     Prose(running.format(", ".join(first.pending)), "muted") if first.pending else None))


def _heads(arg_avals: list[str], batch_avals: list[str], in_axes: list, single: Block) -> tuple[Block, ...]:
    """The model on one instance, its output (`single`) under it, and the head of its call on the whole batch."""
    return (Heading(f"One instance  model({', '.join(arg_avals)})"), single,
            Heading(f"Whole batch   model({', '.join(batch_avals)}){in_axes_text(in_axes)}"))


def _single(report: Report) -> Section:
    single, on_batch = report.single, report.single.on_batch
    mark = "raised" if on_batch.error is not None else _mark(on_batch.agreement)
    return _section("single", "", *_heads(single.arg_avals, single.batch_avals, report.in_axes,
                                                Output(single.text, array=True)),
                    Verdict("", on_batch_head(on_batch) + (":" if on_batch.error else ""), mark,
                            figures=figures_text(on_batch.agreement)),
                    Output(on_batch.error.message, 2, tone="error") if on_batch.error is not None
                    else Output(on_batch.text, 2, array=True))


def _mark(agreement) -> str:
    if agreement is None or agreement.agrees is None:
        return "unknown"
    if agreement.kind == "precision":
        return "precision"
    return "agrees" if agreement.agrees else "wrong"


def strategy_mark(s: Strategy) -> str:
    return "raised" if s.error is not None else "reference" if s.key == "loop" else _mark(s.agreement)


STRATEGIES = "Strategies (compared with the loop, the reference)"


def _strategies(report: Report) -> Section:
    blocks: list[Block] = []
    for s in report.strategies.values():
        blocks += _strategy(s, loop_text(report.vmap_loop) if s.key == "vmap" and report.vmap_loop else "")
    if report.manual_missing:
        blocks.append(Verdict(roles()["manual"], manual_missing_text(report.manual_missing), "none"))
    if report.sharded_note:
        blocks.append(Verdict("sharded", sharded_note_text(report.sharded_note), "none"))
    return _section("strategies", STRATEGIES, *blocks)


def _strategy(s: Strategy, headline: str = "") -> list[Block]:
    """A strategy's verdict, under the loop vmap adds (its `headline`) where it adds one, and its output."""
    role = "" if s.key == "loop" else roles().get(s.key, "")  # the loop's verdict says it is the reference
    return [Verdict(s.label, strategy_verdict(s), strategy_mark(s), role, headline, strategy_figures(s)),
            *([Output(s.text, 2, array=True)] if s.text else [])]


def _programs(report: Report) -> Section:
    instances = math.prod(report.batch_shape)
    programs = [s for s in report.strategies.values() if s.jaxpr]
    blocks: list[Block] = []
    for s in programs:
        folded = fold_instances(jaxpr_text(s.jaxpr), instances) if s.key == "loop" else None
        title = f"Jaxpr: {s.label}" + (f" ({fold_note(folded.count, folded.equations)})" if folded else "")
        blocks.append(Program(title, folded.text if folded else jaxpr_text(s.jaxpr)))
    blocks += [Prose(f"Jaxpr: {s.label}: {program_note_text(s.program_note)}") for s in report.strategies.values()
               if s.program_note]
    if programs:
        rows = tuple((s.label, fold_primitives(primitives_text(s.eqns), instances) if s.key == "loop"
                      else primitives_text(s.eqns)) for s in programs)
        blocks += [Heading("Primitives"), Table((), rows)]
    return _section("programs", "", *blocks)


def _alignment(report: Report) -> Optional[Section]:
    a = report.alignment
    if a is None:
        return None
    left, right = report.strategies[a.left].label, report.strategies[a.right].label
    rows = [AlignedRow(MARKERS[r.status], r.status, r.left or "", r.right or "", "; ".join(r.diffs))
            for r in alignment_rows(a)]
    return _section("alignment", f"Aligned jaxprs: {left} vs {right}", Prose(alignment_verdict(a)),
                    Aligned(left, right, rows))


def _below(report: Report) -> Optional[Section]:
    a = report.alignment
    keys = report.same_program.pair if report.same_program else ((a.left, a.right) if a else ("manual", "vmap"))
    left, right = (report.strategies.get(k) for k in keys)
    if left is None or right is None:
        return None
    blocks: list[Optional[Block]] = [Prose(hlo_verdict(report.hlo_comparison))]
    if report.same_program:
        blocks += [Prose(f"one program? {levels_text(report.same_program)}"),
                   *(Prose(why, "muted") for why in unknown_levels_text(unknown_reasons(report)))]
    if left.hlo is not None and right.hlo is not None:
        blocks.append(Table(("", left.label, right.label), tuple(hlo_summary(left.hlo, right.hlo, "hlo")), depth=2))
    return _section("hlo", "Below the jaxpr: what XLA compiled", *blocks)


def _memory(report: Report) -> Optional[Section]:
    rows = memory_rows(report)
    if not rows:
        return None
    cells = tuple((r.label, f"{r.per_call:>9} per {r.per}",  # the figures right-aligned, their units after
                   f"{r.per_instance} per instance" + (f" ({growth_text(r)})" if growth_text(r) else ""),
                   f"roofline {r.roofline}") for r in rows)
    return _section("memory", MEMORY_HEAD, Table((), cells, sep=" · "), Prose(ROOFLINE_COLUMN, "muted"),
                    _prose(disagreement(report)), _prose(fits_line(report)))


def _timings(report: Report) -> Optional[Section]:
    if report.timings is None:
        return None
    labels = {k: s.label for k, s in report.strategies.items()}
    head = ("", *HEADS.values(), ratio_head(labels), "")
    rows = tuple((r.label, r.compile, r.per_call, r.iqr, r.per_instance, r.ratio, flags_text(r))
                 for r in timing_rows(report.timings, labels))
    title = (f"Timings on {device_text(report.device)}: median per call over rounds, IQR as a share of it, "
             f"{floor_text(report.timings.floor_s)}")
    return _section("timings", title, Table(head, rows, "lrrrrrl"),
                    _prose(scaling_text(report.timings, report.devices, report.device.platform)))


def _roofline(report: Report, facts: Optional[RooflineFacts]) -> Optional[Section]:
    """Each timed call against what the device can do, when its roofline was measured."""
    if facts is None or report.timings is None:
        return None
    labels = {k: s.label for k, s in report.strategies.items()}
    head, rows = roofline_cells(facts.points, labels)
    return _section("roofline", roof_text(facts.roof), Table(head, rows, "lrrrrl"),
                    _prose(latency_note(facts.points) or "", "muted"), Prose(ROOF_CAVEAT, "muted"))


def _devices(report: Report) -> Optional[Section]:
    b = report.backends
    if not b:
        return None
    found = ", ".join(f"{spec} ({d.kind})" for spec, d in b.devices)
    return _section("devices", f"Devices: {found}",
                    *(Prose(f"no {p}: {why} (pip install '{b.install[p]}')", "muted") for p, why in b.missing.items()))


def _lines(key: str, lines: list[str]) -> Section:
    """A sweep's table as its presentation module lays it out (`sweep_lines`): shown as it is."""
    body = [line[2:] if line.startswith("  ") else line for line in lines[2:]]
    return _section(key, lines[1], Output("\n".join(body)))
