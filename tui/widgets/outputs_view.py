"""Pane 1: the model on one instance, on the whole batch, and each strategy's output: the outputs
sections of the report's document (presentation.report_document), each block a widget."""

from __future__ import annotations

from typing import Callable, Iterable, Optional

from textual.content import Content
from textual.geometry import Size
from textual.reactive import var
from textual.widget import Widget
from textual.widgets import Static

from jaxbatch.presentation.document import (
    Aligned,
    Block,
    Heading,
    Output,
    Program,
    Prose,
    Section,
    Table,
    Verdict,
    Warning,
)
from jaxbatch.presentation.outputs import fit_array, precision_text
from jaxbatch.presentation.report_document import first_outputs, outputs
from jaxbatch.results.report import FirstOutputs, Report
from jaxbatch.results.selection import DEFAULT_PRECISION
from jaxbatch.widgets.pane import ScrollPane


class Fitted(Static):
    """Lines laid out again for each width the pane gives them; its content, which `c` copies,
    is `text`, whole."""

    def __init__(self, text: str, lines: Callable[[int], list[Content]], classes: str = "") -> None:
        super().__init__(text, classes=classes, markup=False)
        self.text = text
        self._lines = lines
        self._width = 0

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        self._width = width
        return len(self._lines(width)) if width else 0

    def render(self) -> Content:
        return Content("\n").join(self._lines(self._width or self.content_region.width or 75))


class Array(Fitted):
    """An output as NumPy prints it, refitted to the block's width as NumPy would wrap it there,
    and summarised past presentation.outputs.MAX_LINES lines (the JSON keeps every value)."""

    def __init__(self, text: str) -> None:
        super().__init__(text, lambda width: [Content(line) for line in fit_array(text, width)], "block")


class Laid(Fitted):
    """A block the text report lays out (a table, a program, two programs aligned), as it does there."""

    def __init__(self, block: Block) -> None:
        from jaxbatch.media.text import PIPED_WIDTH, block_lines  # a renderer: not on the start path

        def lines(width: int) -> list[Content]:
            return [Content.styled(line.text, LINE_STYLES.get(line.style, "")) for line in block_lines(block, width)]

        super().__init__("\n".join(line.text for line in block_lines(block, PIPED_WIDTH)), lines)


class OutputsView(ScrollPane):
    """Headings and indented blocks; arrays are NumPy's own printing, fitted to the pane's width."""

    DEFAULT_CSS = """
    OutputsView { padding: 0 1; scrollbar-size-vertical: 1; }
    OutputsView > .gap { margin-top: 1; }
    OutputsView > .block { padding-left: 2; }
    """
    COPY_NAME = "outputs"
    report: var[Optional[Report]] = var(None, init=False, always_update=True)
    # While the lab computes: the loop's outputs, when it has them (shown in place of the loading indicator)
    first_outputs: var[Optional[FirstOutputs]] = var(None, init=False)
    computing = var(False, init=False)
    _shown: object = None  # what is mounted: a report, the loop's outputs, or nothing

    def watch_report(self) -> None:
        self._show()

    def watch_first_outputs(self) -> None:
        self._show()

    def watch_computing(self) -> None:
        self._show()

    def _show(self) -> None:
        """The loop's outputs while the lab computes, else the report (the last one, under the
        loading indicator until the loop's outputs are in); each shown once, as it comes."""
        first = self.first_outputs if self.computing else None
        self.loading = self.computing and first is None
        shown = first or self.report
        if shown is self._shown:
            return
        self._shown = shown
        with self.app.batch_update():
            self.remove_children()
            if shown is not None:
                sections = outputs(shown) if isinstance(shown, Report) else first_outputs(shown)
                self.mount_all([_title(shown.model, shown.precision), *section_widgets(sections)])


def _title(model: str, precision: str) -> Static:
    """The model's name, and its matmul precision where it is not JAX's default."""
    said = "" if precision == DEFAULT_PRECISION else f"  · {precision_text(precision)}"
    return _heading(Content.assemble((model, "bold $accent"), (said, "$warning")))


def section_widgets(sections: Iterable[Section]) -> list[Widget]:
    """Each section's title and blocks, in the document's order, a blank line before every section
    but the first."""
    out: list[Widget] = []
    for i, section in enumerate(sections):
        widgets = [*([_heading(Content.styled(section.title, "bold"))] if section.title else []),
                   *(w for block in section.blocks for w in LAYOUTS[type(block)](block))]
        if i and widgets:
            widgets[0].add_class("gap")
        out += widgets
    return out


# How a verdict is marked (presentation.document.MARKS): its sign, and the style of its line.
MARKS = {"agrees": ("✓ ", "$success"), "wrong": ("✗ ", "bold $error"), "unknown": ("? ", "$warning"),
         "precision": ("✓ ", "$warning"), "reference": ("", ""), "raised": ("✗ ", "bold $error"),
         "none": ("", "$text-muted")}
# The kinds of line the text layout gives (media.text.Line.style), in theme colours.
LINE_STYLES = {"heading": "bold", "muted": "$text-muted", "warning": "$warning", "error": "$error",
               "differ": "$warning", "only_left": "$accent", "only_right": "$accent"}


def _verdict(block: Verdict) -> list[Widget]:
    """A strategy's verdict is the heading of its output, the loop vmap adds above it (its headline);
    the whole batch's is a line of its own. The figures behind it go under it."""
    mark, style = MARKS[block.mark]
    said = (mark + block.text, style)
    if block.label:
        headline = (("↻ " + block.headline, "bold $warning"), "\n") if block.headline else ()
        role = ("  ", (block.role, "$text-muted")) if block.role else ()
        verdict: Widget = _heading(Content.assemble(*headline, (block.label, "bold"), *role, "  ", said))
    else:
        verdict = _block(*said)
    return [verdict, *([_block(block.figures, "$text-muted")] if block.figures else [])]


def _output(block: Output) -> list[Widget]:
    return [Array(block.text) if block.array else _block(block.text, "$error" if block.tone == "error" else "")]


LAYOUTS: dict[type, Callable[..., list[Widget]]] = {
    Heading: lambda b: [_heading(Content.styled(b.text, "bold"))],
    Prose: lambda b: [_block(b.text, "$text-muted" if b.tone == "muted" else "")],
    Warning: lambda b: [_block(f"⚠ {b.text}", "$warning")],
    Verdict: _verdict,
    Output: _output,
    Table: lambda b: [Laid(b)],
    Program: lambda b: [Laid(b)],
    Aligned: lambda b: [Laid(b)],
}


def _heading(content: Content) -> Static:
    return Static(content, classes="heading")


def _block(text: str, style: str = "") -> Static:
    return Static(Content.styled(text, style), classes="block")
