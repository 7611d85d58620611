"""Pane 2: two strategies' programs side by side, aligned row by row, at three levels.

`l` cycles the level (jaxpr, StableHLO, optimized HLO), `p` the pair compared (hand-batched
vs vmap by default; the loop too, when its program was traced). Every level is aligned row by
row, and the verdict's colour and `n`/`N` read the same row statuses. Alignments the report
doesn't hold are computed in a thread worker: pure Python, but a 5,000-equation pair takes tens
of ms. A worker that fails says so, here and as a notification.
"""

from __future__ import annotations

from typing import Optional

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from jaxbatch.lab import hlo as hlo_facts
from jaxbatch.lab.alignment import align
from jaxbatch.lab.results import ROLES, Alignment, Report, Strategy, TextAlignment
from jaxbatch.presentation.outputs import loop_text, raised
from jaxbatch.presentation.programs import alignment_rows, hlo_summary, line_rows
from jaxbatch.widgets.side_by_side import SideBySide

LEVELS = {"jaxpr": "jaxpr", "stablehlo": "StableHLO", "hlo": "optimized HLO"}
Key = tuple[str, tuple[str, str]]  # (level, pair)
Aligned = tuple[Alignment | TextAlignment, str]  # the rows, and the verdict read off them
PAIRS = (("manual", "vmap"), ("loop", "vmap"), ("loop", "manual"), ("vmap", "sharded"), ("vmap", "shard_map"),
         ("sharded", "shard_map"))


def _lexer(level: str):
    if level == "jaxpr":
        from jaxbatch.jaxpr_lexer import JaxprLexer

        return JaxprLexer(stripnl=False, ensurenl=False)
    from jaxbatch.hlo_lexers import HloLexer, StableHloLexer

    return (StableHloLexer if level == "stablehlo" else HloLexer)(stripnl=False, ensurenl=False)


def available_pairs(report: Report, level: str) -> list[tuple[str, str]]:
    def has(s: Optional[Strategy]) -> bool:
        return s is not None and s.error is None and (bool(s.eqns) if level == "jaxpr" else s.hlo is not None)

    return [p for p in PAIRS if has(report.strategies.get(p[0])) and has(report.strategies.get(p[1]))]


class ProgramsView(Vertical):
    BINDINGS = [
        Binding("l", "cycle_level", "Level", id="programs.level", tooltip="Jaxpr, StableHLO, optimized HLO"),
        Binding("p", "cycle_pair", "Pair", id="programs.pair",
                tooltip="Which two strategies: hand-batched/vmap, loop/vmap, loop/hand-batched"),
    ]

    def __init__(self, *, id: Optional[str] = None) -> None:
        super().__init__(id=id)
        self.report: Optional[Report] = None
        self.level = "jaxpr"
        self.pair: Optional[tuple[str, str]] = None
        self._alignments: dict[Key, Aligned] = {}
        self._failed: dict[Key, str] = {}  # what went wrong aligning, said in place of the rows
        self._jobs: dict[Worker, tuple[Report, Key]] = {}

    def compose(self) -> ComposeResult:
        yield Static(id="programs-title")
        yield Static(id="programs-verdict")
        with Horizontal(id="programs-summary"):  # a column per program: a long cell is cut, not wrapped
            yield Static(id="programs-summary-names")
            yield Static(id="programs-summary-left", classes="summary-column")
            yield Static(id="programs-summary-right", classes="summary-column")
        with Horizontal(id="programs-heads"):
            yield Static(id="programs-head-left", classes="program-head")
            yield Static(id="programs-head-right", classes="program-head")
        yield SideBySide(id="programs-side")

    def show(self, report: Report) -> None:
        self.report = report
        self._alignments, self._failed = {}, {}
        if report.alignment is not None:
            a = report.alignment
            self._alignments[("jaxpr", (a.left, a.right))] = (a, a.verdict)
        pairs = available_pairs(report, self.level)
        self.pair = self.pair if self.pair in pairs else (pairs[0] if pairs else None)
        self._refresh_view()

    def action_cycle_level(self) -> None:
        names = list(LEVELS)
        self.show_level(names[(names.index(self.level) + 1) % len(names)])

    def show_level(self, level: str) -> None:
        self.level = level
        if self.report is not None:
            pairs = available_pairs(self.report, self.level)
            self.pair = self.pair if self.pair in pairs else (pairs[0] if pairs else None)
        self._refresh_view()

    def show_pair(self, pair: tuple[str, str]) -> None:
        self.pair = pair
        self._refresh_view()

    def action_cycle_pair(self) -> None:
        if self.report is None:
            return
        pairs = available_pairs(self.report, self.level)
        if len(pairs) < 2:
            self.notify("no other pair of programs to compare at this level", timeout=3)
            return
        self.pair = pairs[(pairs.index(self.pair) + 1) % len(pairs)] if self.pair in pairs else pairs[0]
        self._refresh_view()

    def copy_text(self) -> tuple[str, str]:
        """The two programs shown, whole, one after the other, under the verdict."""
        if self.report is None or self.pair is None:
            return "programs", ""
        left, right = (self.report.strategies[k] for k in self.pair)
        verdict = self.query_one("#programs-verdict", Static).content
        parts = [f"# {verdict.plain if isinstance(verdict, Content) else verdict}"]
        parts += [f"# {s.label}: {LEVELS[self.level]}\n{program_text(s, self.level)}" for s in (left, right)]
        return f"the {LEVELS[self.level]} of {left.label} and {right.label}", "\n\n".join(parts) + "\n"

    # ---- rendering ------------------------------------------------------------------------

    def _refresh_view(self) -> None:
        report, pair = self.report, self.pair
        side = self.query_one(SideBySide)
        title, verdict, summary = self.query_one("#programs-title", Static), self.query_one(
            "#programs-verdict", Static), self.query_one("#programs-summary", Horizontal)
        hint = Content.styled("   l level · p pair · n next diff", "$text-muted")
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
        self._heads(f"{left.label}  {ROLES[left.key]}", f"{right.label}  {ROLES[right.key]}")
        summary.display = self.level != "jaxpr"
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
        verdict.tooltip = text
        side.show(alignment_rows(alignment) if self.level == "jaxpr" else line_rows(alignment), _lexer(self.level))

    def _summary(self, left: Strategy, right: Strategy) -> None:
        rows = hlo_summary(left.hlo, right.hlo, self.level)
        heads = ("", left.label, right.label)
        for column, (name, head, style) in enumerate(zip(("names", "left", "right"), heads, ("$text-muted", "", ""))):
            cells = [Content.styled(head, "bold"), *(Content.styled(r[column], style) for r in rows)]
            self.query_one(f"#programs-summary-{name}", Static).update(Content("\n").join(cells))

    def _heads(self, left: str, right: str) -> None:
        self.query_one("#programs-head-left", Static).update(Content.styled(left, "bold"))
        self.query_one("#programs-head-right", Static).update(Content.styled(right, "bold"))

    def _why_nothing(self, report: Report) -> str:
        notes = [f"{s.label}: {s.program_note}" for s in report.strategies.values() if s.program_note]
        notes += [f"{s.label}: {raised(s)}" for s in report.strategies.values() if s.error]
        if self.level != "jaxpr":
            notes.append("the loop runs eagerly, op by op: it has no single compiled program")
        return "no two programs to compare at this level. " + "; ".join(notes)

    @work(thread=True, exclusive=True, group="align", exit_on_error=False)
    def _align(self, report: Report, key: Key) -> None:
        level, pair = key
        left, right = report.strategies[pair[0]], report.strategies[pair[1]]
        if level == "jaxpr":
            alignment = align(left.eqns, right.eqns, pair[0], pair[1])
            found: Aligned = (alignment, alignment.verdict)
        else:
            found = (hlo_facts.aligned(left.hlo, right.hlo, level),
                     hlo_facts.verdict(left.hlo, right.hlo, left.label, right.label, level))
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
        self.notify(what, title="Background work failed", severity="error", timeout=10)
        if report is self.report:
            self._failed[key] = what
            if key == (self.level, self.pair):
                self._refresh_view()


def program_text(s: Strategy, level: str) -> str:
    if level == "jaxpr":
        return s.jaxpr
    return s.hlo.stablehlo if level == "stablehlo" else s.hlo.optimized
