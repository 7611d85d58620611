"""The `Report` and the sweep the Python API returns: the same facts, which show themselves in a
terminal through Rich (the report's document laid out to the console's width, its jaxprs
highlighted) and in Jupyter as HTML, in the app's words; a short repr for the REPL."""

from __future__ import annotations

import dataclasses

from jaxbatch.results.report import Report
from jaxbatch.results.sweep_state import SweepState

# Rich styles for the kinds of line the text layout gives (report_text.Line.style).
STYLES = {"title": "bold", "heading": "bold", "muted": "dim", "warning": "yellow", "agrees": "green",
          "reference": "", "wrong": "bold red", "raised": "bold red", "error": "red", "unknown": "yellow",
          "precision": "yellow", "none": "dim", "differ": "yellow", "only_left": "blue", "only_right": "blue"}


class Result(Report):
    """A Report (every field, every check that takes one) that knows how to show itself."""

    @classmethod
    def of(cls, report: Report) -> "Result":
        return cls(**{f.name: getattr(report, f.name) for f in dataclasses.fields(report)})

    def __str__(self) -> str:
        from jaxbatch.media.text import render

        return render(self)

    def __repr__(self) -> str:
        """One line: the selection and each strategy's verdict (str() or print() gives the report)."""
        from jaxbatch.presentation.report_document import strategy_mark

        said = ", ".join(f"{s.label} {strategy_mark(s)}" for s in self.strategies.values())
        return f"<Result {self.model} at batch {self.batch_shape} on {self.device.text}: {said}; print() shows it>"

    def __rich_console__(self, console, options):
        """The text report at the console's width: every line fits, none is cut."""
        from jaxbatch.presentation.report_document import build

        yield from rich_lines(build(self), options.max_width)

    def _repr_html_(self) -> str:
        from jaxbatch.media.html_report import report_html

        return report_html(self)


def rich_lines(doc, width: int):
    """The document as the text report lays it out at `width`, each line styled by its kind, a
    jaxpr's lines highlighted together by the app's lexer."""
    from rich.syntax import Syntax
    from rich.text import Text

    from jaxbatch.lexers.jaxpr import JaxprLexer
    from jaxbatch.media.text import lay_out

    program: list[str] = []
    for line in [*lay_out(doc, width), None]:
        if line is not None and line.style == "program":
            program.append(line.text)
            continue
        if program:
            yield Syntax("\n".join(program), JaxprLexer(), background_color="default", word_wrap=True)
            program = []
        if line is not None:
            yield Text(line.text, style=STYLES.get(line.style, ""), overflow="fold")


class SweepResult(SweepState):
    """The sweep `jaxbatch.sweep` returns: its table and crossovers as text when printed."""

    @classmethod
    def of(cls, state: SweepState) -> "SweepResult":
        return cls(**{f.name: getattr(state, f.name) for f in dataclasses.fields(state)})

    def __str__(self) -> str:
        from jaxbatch.presentation.sweep import sweep_lines

        return "\n".join(sweep_lines(self)).strip("\n") + "\n"

    def __repr__(self) -> str:
        return f"<SweepResult {SweepState.__repr__(self)[len('SweepState('):-1]}>"
