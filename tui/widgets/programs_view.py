"""Pane 2: two strategies' programs side by side, aligned row by row, at three levels.

`l` cycles the level (jaxpr, StableHLO, optimized HLO), `p` the pair compared (hand-batched
vs vmap by default; the loop too, when its program was traced). Every level is aligned row by
row, and the verdict's colour and `n`/`N` read the same row statuses. The lab lines a pair up
once per report (alignment.pair_alignment), asked in a thread worker: pure Python, but a
5,000-equation pair takes tens of ms. A worker that fails says so, here and as a notification.
"""

from __future__ import annotations

from typing import Optional

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.reactive import var
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from jaxbatch.presentation.hlo import hlo_verdict
from jaxbatch.presentation.notes import program_note_text
from jaxbatch.presentation.outputs import loop_text, raised
from jaxbatch.presentation.programs import LEVELS, alignment_rows, hlo_summary, line_rows
from jaxbatch.presentation.verdicts import alignment_verdict
from jaxbatch.results import hlo as hlo_facts
from jaxbatch.results.alignment import pair_alignment
from jaxbatch.results.report import Alignment, Report, Strategy, TextAlignment
from jaxbatch.results.strategy_table import program_pairs, spec
from jaxbatch.widgets.pane import Pane
from jaxbatch.widgets.side_by_side import SideBySide

SUMMARY_NAMES = 16  # the width of the stats' names column
STATS_ROOM = 24  # pane rows from which the compiled programs' summary shows unasked: a terminal 29 rows tall
Key = tuple[str, tuple[str, str]]  # (level, pair)
Aligned = tuple[Alignment | TextAlignment, str]  # the rows, and the verdict read off them


def _lexer(level: str):
    if level == "jaxpr":
        from jaxbatch.lexers.jaxpr import JaxprLexer

        return JaxprLexer(stripnl=False, ensurenl=False)
    from jaxbatch.lexers.hlo import HloLexer, StableHloLexer

    return (StableHloLexer if level == "stablehlo" else HloLexer)(stripnl=False, ensurenl=False)


def available_pairs(report: Report, level: str) -> list[tuple[str, str]]:
    def has(s: Optional[Strategy]) -> bool:
        return s is not None and s.error is None and (bool(s.eqns) if level == "jaxpr" else s.hlo is not None)

    return [p for p in program_pairs() if has(report.strategies.get(p[0])) and has(report.strategies.get(p[1]))]


class ProgramsView(Vertical, Pane):
    """The `report`'s programs at one `level`, one `pair` of strategies at a time."""

    DEFAULT_CSS = """
    ProgramsView { height: 1fr; }
    ProgramsView > .title, ProgramsView > .verdict, ProgramsView > .summary { height: auto; padding: 0 1; }
    ProgramsView > .summary { margin-top: 1; }
    ProgramsView .summary-column { width: 1fr; padding-right: 2; text-wrap: nowrap; }
    ProgramsView > .heads { height: 1; margin-top: 1; padding-left: 3; }
    ProgramsView .program-head { width: 1fr; padding-left: 1; }
    ProgramsView > SideBySide { height: 1fr; }
    """
    BINDINGS = [
        Binding("l", "cycle_level", "Level", id="programs.level", tooltip="Jaxpr, StableHLO, optimized HLO"),
        Binding("p", "cycle_pair", "Pair", id="programs.pair",
                tooltip="Which two strategies: hand-batched/vmap, loop/vmap, loop/hand-batched"),
        Binding("i", "toggle_stats", "Stats", id="programs.stats",
                tooltip="Show or hide both compiled programs' ops, flops, bytes and memory"),
    ]
    COPY_NAME = "programs"
    report: var[Optional[Report]] = var(None, init=False, always_update=True)
    level: var[str] = var("jaxpr", init=False)  # a key of LEVELS
    pair: var[Optional[tuple[str, str]]] = var(None, init=False)  # None: no two programs at this level
    stats: var[Optional[bool]] = var(None, init=False)  # the compiled programs' summary; None: if there is room

    def compose(self) -> ComposeResult:
        self._alignments: dict[Key, Aligned] = {}
        self._failed: dict[Key, str] = {}  # what went wrong aligning, said in place of the rows
        self._jobs: dict[Worker, tuple[Report, Key]] = {}
        yield Static(classes="title")
        yield Static(classes="verdict")
        with Horizontal(classes="summary"):  # a column per program: a long cell wraps in it (_summary)
            names = Static(classes="summary-names")
            names.styles.width = SUMMARY_NAMES
            yield names
            yield Static(classes="summary-column summary-left")
            yield Static(classes="summary-column summary-right")
        with Horizontal(classes="heads"):
            yield Static(classes="program-head head-left")
            yield Static(classes="program-head head-right")
        yield SideBySide()

    def watch_report(self, report: Optional[Report]) -> None:
        self._alignments, self._failed = {}, {}
        if report is not None and report.alignment is not None:
            a = report.alignment
            self._alignments[("jaxpr", (a.left, a.right))] = (a, alignment_verdict(a))
        self._keep_pair()
        self._refresh_view()

    def watch_level(self) -> None:
        self._keep_pair()
        self._refresh_view()

    def on_resize(self) -> None:
        summary = self.query_one(".summary")
        if summary.display and not self._stats_shown() or self._wants_stats() and not summary.display:
            self._refresh_view()
        elif summary.display and self.report is not None and self.pair is not None:
            self._summary(*(self.report.strategies[k] for k in self.pair))  # wrapped anew for the width

    def action_toggle_stats(self) -> None:
        if self.level == "jaxpr":
            self.notify("The jaxpr has no compiled stats: l shows StableHLO, then optimized HLO", timeout=4)
            return
        self.stats = not self._stats_shown()

    def _stats_shown(self) -> bool:
        """Whether the summary of the compiled programs shows: as `i` left it, or, until it is
        pressed, when the pane is STATS_ROOM rows tall or more."""
        return self.stats if self.stats is not None else self.size.height >= STATS_ROOM

    def _wants_stats(self) -> bool:
        return self.level != "jaxpr" and self.pair is not None and self._stats_shown()

    def _keep_pair(self) -> None:
        """The pair shown stays while the level and report have it; else the first they have."""
        pairs = available_pairs(self.report, self.level) if self.report is not None else []
        self.set_reactive(ProgramsView.pair, self.pair if self.pair in pairs else (pairs[0] if pairs else None))

    def action_cycle_level(self) -> None:
        names = list(LEVELS)
        self.level = names[(names.index(self.level) + 1) % len(names)]

    def action_cycle_pair(self) -> None:
        if self.report is None:
            return
        pairs = available_pairs(self.report, self.level)
        if len(pairs) < 2:
            self.notify("no other pair of programs to compare at this level", timeout=3)
            return
        self.pair = pairs[(pairs.index(self.pair) + 1) % len(pairs)] if self.pair in pairs else pairs[0]

    def copy_text(self) -> tuple[str, str]:
        """The two programs shown, whole, one after the other, under the verdict."""
        if self.report is None or self.pair is None:
            return self.COPY_NAME, ""
        left, right = (self.report.strategies[k] for k in self.pair)
        verdict = self.query_one(".verdict", Static).content
        parts = [f"# {verdict.plain if isinstance(verdict, Content) else verdict}"]
        parts += [f"# {s.label}: {LEVELS[self.level]}\n{program_text(s, self.level)}" for s in (left, right)]
        return f"the {LEVELS[self.level]} of {left.label} and {right.label}", "\n\n".join(parts) + "\n"

    # ---- rendering ------------------------------------------------------------------------

    def _refresh_view(self) -> None:
        """The pane from its report, level, pair and stats; run when one of them changes."""
        report, pair = self.report, self.pair
        side = self.query_one(SideBySide)
        title, verdict = self.query_one(".title", Static), self.query_one(".verdict", Static)
        summary = self.query_one(".summary", Horizontal)
        hint = Content.styled("   l level · p pair · n next diff" + (" · i stats" if self.level != "jaxpr" else ""),
                              "$text-muted")
        if report is None:
            return
        if pair is None:
            title.update(Content.assemble((LEVELS[self.level], "bold"), hint))
            verdict.update(Content.styled(self._why_nothing(report), "$text-muted"))
            summary.display = False
            self._heads("", "")
            side.show([], None)
            return
        left, right = report.strategies[pair[0]], report.strategies[pair[1]]
        title.update(Content.assemble((left.label, "bold $accent"), " vs ", (right.label, "bold $accent"),
                                      " · ", (LEVELS[self.level], "bold"), hint))
        self._heads(f"{left.label}  {spec(left.key).role}", f"{right.label}  {spec(right.key).role}")
        summary.display = self._wants_stats()
        if summary.display:
            self._summary(left, right)
        key = (self.level, pair)
        found = self._alignments.get(key)
        if found is None:
            failed = self._failed.get(key)
            verdict.update(Content.styled(f"✗ {failed}", "$text-error") if failed
                           else Content.styled("aligning…", "$text-muted"))
            side.show([], None)
            if not failed:
                self._jobs[self._align(report, key)] = (report, key)
            return
        alignment, text = found
        style = "$text-success" if alignment.identical else "$text-warning"
        if report.vmap_loop is not None and "vmap" in pair:  # the headline: vmap became a loop
            text = f"↻ {loop_text(report.vmap_loop)}. {text}"
            style = "$text-warning"
        verdict.update(Content.styled(text, style))
        verdict.tooltip = Content(text)
        side.show(alignment_rows(alignment) if self.level == "jaxpr" else line_rows(alignment), _lexer(self.level))

    watch_pair = watch_stats = _refresh_view

    def _summary(self, left: Strategy, right: Strategy) -> None:
        """The compiled programs' stats, a row per figure across three columns; a cell too long
        for its column wraps in it, and its row's other cells are as tall (nothing cut)."""
        rows = [("", left.label, right.label), *hlo_summary(left.hlo, right.hlo, self.level)]
        room = max((self.size.width - 2 - SUMMARY_NAMES) // 2 - 2, 8)  # a program column's, less its padding
        columns: list[list[Content]] = [[], [], []]
        for number, row in enumerate(rows):
            styles = ("bold",) * 3 if number == 0 else ("$text-muted", "", "")
            cells = [Content.styled(text, style).wrap(room if k else SUMMARY_NAMES)
                     for k, (text, style) in enumerate(zip(row, styles))]
            height = max(len(c) for c in cells)
            for column, cell in zip(columns, cells):
                column += [*cell, *[Content("")] * (height - len(cell))]
        for name, column in zip(("names", "left", "right"), columns):
            self.query_one(f".summary-{name}", Static).update(Content("\n").join(column))

    def _heads(self, left: str, right: str) -> None:
        self.query_one(".head-left", Static).update(Content.styled(left, "bold"))
        self.query_one(".head-right", Static).update(Content.styled(right, "bold"))

    def _why_nothing(self, report: Report) -> str:
        notes = [f"{s.label}: {program_note_text(s.program_note)}"
                 for s in report.strategies.values() if s.program_note]
        notes += [f"{s.label}: {raised(s)}" for s in report.strategies.values() if s.error]
        if self.level != "jaxpr":
            notes.append("the loop runs eagerly, op by op: it has no single compiled program")
        return "no two programs to compare at this level. " + "; ".join(notes)

    @work(thread=True, exclusive=True, group="align", exit_on_error=False)
    def _align(self, report: Report, key: Key) -> None:
        """The lab's alignment of the pair (worked out once per report, pair_alignment), and its
        verdict in words."""
        level, pair = key
        alignment = pair_alignment(report, level, pair)
        if level == "jaxpr":
            found: Aligned = (alignment, alignment_verdict(alignment))
        else:
            left, right = report.strategies[pair[0]], report.strategies[pair[1]]
            found = (alignment, hlo_verdict(hlo_facts.compare(left.hlo, right.hlo, left.label, right.label, level,
                                                              rows=alignment)))
        self.app.call_from_thread(self._aligned, report, key, found)

    def _aligned(self, report: Report, key: Key, found: Aligned) -> None:
        if report is not self.report:
            return  # a newer selection arrived meanwhile
        self._alignments[key] = found
        if key == (self.level, self.pair):
            self._refresh_view()

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        """An alignment that raised ends in a message naming it, never in "aligning…" forever."""
        if event.state not in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        report, key = self._jobs.pop(event.worker, (None, None))
        if event.state != WorkerState.ERROR or key is None:
            return
        error = event.worker.error
        left, right = (report.strategies[k].label for k in key[1])
        what = f"aligning the {LEVELS[key[0]]} of {left} and {right} failed: {type(error).__name__}: {error}"
        self.notify(what, title="Background work failed", severity="error", timeout=10, markup=False)
        if report is self.report:
            self._failed[key] = what
            if key == (self.level, self.pair):
                self._refresh_view()


def program_text(s: Strategy, level: str) -> str:
    if level == "jaxpr":
        return s.jaxpr
    return s.hlo.stablehlo if level == "stablehlo" else s.hlo.optimized
