"""The `Report` the app renders, as the Python API returns it: the same facts, which show
themselves in a terminal through Rich and in Jupyter as HTML, in the app's words."""

from __future__ import annotations

import dataclasses

from jaxbatch.lab.results import Report


class Result(Report):
    """A Report (every field, every check that takes one) that knows how to show itself."""

    @classmethod
    def of(cls, report: Report) -> "Result":
        return cls(**{f.name: getattr(report, f.name) for f in dataclasses.fields(report)})

    def __str__(self) -> str:
        from jaxbatch.report_text import render

        return render(self)

    def __rich__(self):
        """The text report, its jaxprs highlighted by the app's own lexer."""
        from rich.console import Group
        from rich.syntax import Syntax
        from rich.text import Text

        from jaxbatch.jaxpr_lexer import JaxprLexer
        from jaxbatch.report_text import Program, blocks

        parts, lines = [], []
        for block in blocks(self):
            if isinstance(block, Program):
                parts.append(Text("\n".join(lines), no_wrap=True, overflow="ellipsis"))
                parts.append(Syntax(block.text, JaxprLexer(), background_color="default", word_wrap=True))
                lines = []
            else:
                lines.append(block)
        return Group(*parts, Text("\n".join(lines), no_wrap=True, overflow="ellipsis"))

    def _repr_html_(self) -> str:
        from jaxbatch.report_html import report_html

        return report_html(self)
