"""Pane 1: the model on one instance, on the whole batch, and each strategy's output."""

from __future__ import annotations

from typing import Optional

from textual.content import Content
from textual.geometry import Size
from textual.reactive import var
from textual.widgets import Static

from jaxbatch.presentation.notes import manual_missing_text, sharded_note_text, warnings_text
from jaxbatch.presentation.outputs import (
    figures_text,
    fit_array,
    loop_text,
    on_batch_head,
    precision_text,
    raised,
    strategy_figures,
    verdict_text,
)
from jaxbatch.results.report import Agreement, OnBatch, Report, Strategy
from jaxbatch.results.selection import DEFAULT_PRECISION
from jaxbatch.results.strategy_table import roles, spec
from jaxbatch.widgets.pane import ScrollPane


class Array(Static):
    """An output as NumPy prints it, refitted to the block's width as NumPy would wrap it there,
    and summarised past presentation.outputs.MAX_LINES lines (the JSON keeps every value)."""

    def __init__(self, text: str) -> None:
        super().__init__(text, classes="block", markup=False)  # its content, which `c` copies, is every line
        self.text = text
        self._width = 0

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        self._width = width
        return len(fit_array(self.text, width)) if width else 0

    def render(self) -> Content:
        return Content("\n".join(fit_array(self.text, self._width or self.content_region.width or 75)))


class OutputsView(ScrollPane):
    """Headings and indented blocks; arrays are NumPy's own printing, fitted to the pane's width."""

    DEFAULT_CSS = """
    OutputsView { padding: 0 1; scrollbar-size-vertical: 1; }
    OutputsView > .heading.gap { margin-top: 1; }
    OutputsView > .block { padding-left: 2; }
    """
    COPY_NAME = "outputs"
    report: var[Optional[Report]] = var(None, init=False, always_update=True)

    def watch_report(self, report: Optional[Report]) -> None:
        with self.app.batch_update():
            self.remove_children()
            if report is not None:
                self.mount_all(_widgets(report))


def _widgets(report: Report) -> list[Static]:
    single = report.single
    out = [
        _heading(Content.assemble((report.model, "bold $accent"), "  ", (report.summary, "$text-muted"),
                                  (_precision(report), "$warning"))),
        *(_block(f"⚠ {w}", "$warning") for w in warnings_text(report)),
        _heading(Content.assemble(("One instance", "bold"), "  ", f"model({', '.join(single.arg_avals)})"), "gap"),
        Array(single.text),
        _heading(Content.assemble(("Whole batch", "bold"), "   ", f"model({', '.join(single.batch_avals)})",
                                  (_in_axes(report.in_axes), "$text-muted"))),
        *_on_batch(single.on_batch),
    ]
    for i, s in enumerate(report.strategies.values()):
        out.append(_heading(_loop_first(report, s, _strategy_title(s)), "gap" if i == 0 else ""))
        figures = strategy_figures(s)
        out += [_block(figures, "$text-muted")] if figures else []
        out.append(Array(s.text) if s.error is None else _block(s.error.message, "$error"))
    if "manual" not in report.strategies:
        why = manual_missing_text(report.manual_missing) or "none given"
        out.append(_heading(Content.assemble((spec("manual").role, "bold"), "  ", (why, "$text-muted"))))
    if report.sharded_note:
        why = sharded_note_text(report.sharded_note)
        out.append(_heading(Content.assemble(("sharded", "bold"), "  ", (why, "$text-muted"))))
    if report.note:
        notice = Content.assemble(("What to notice", "bold"), (_shapes_at_5(report), "$text-muted"))
        out += [_heading(notice, "gap"), _block(report.note)]
    if report.source:
        out.append(_block(f"Source: {report.source}", "$text-muted"))
    return out


# How a verdict is marked: agrees, does not, can't be said; agrees only at full precision.
MARKS = {True: ("✓ ", "$success"), False: ("✗ ", "bold $error"), None: ("? ", "$warning")}
PRECISION_MARK = ("✓ ", "$warning")


def _mark(a: Optional[Agreement]) -> tuple[str, str]:
    if a is not None and a.kind == "precision":
        return PRECISION_MARK
    return MARKS[None if a is None else a.agrees]


def _precision(report: Report) -> str:
    """The matmul precision, said where it is not JAX's default (the report always says it)."""
    precision = report.precision
    return "" if precision == DEFAULT_PRECISION else f"  · {precision_text(precision)}"


def _strategy_title(s: Strategy) -> Content:
    title = Content.assemble((s.label, "bold"), "  ", (roles().get(s.key, ""), "$text-muted"))
    if s.error is not None:
        return Content.assemble(title, "  ", ("✗ " + raised(s), "bold $error"))
    if s.key == "loop":
        return title
    mark, style = _mark(s.agreement)
    return Content.assemble(title, "  ", (mark + verdict_text(s.agreement), style))


def _loop_first(report: Report, s: Strategy, title: Content) -> Content:
    """A loop vmap adds outranks its agreement: it goes above vmap's title, as its headline."""
    if s.key != "vmap" or report.vmap_loop is None:
        return title
    return Content.assemble(("↻ " + loop_text(report.vmap_loop), "bold $warning"), "\n", title)


def _on_batch(on_batch: OnBatch) -> list[Static]:
    if on_batch.error is not None:
        return [_block("✗ " + on_batch_head(on_batch), "bold $error"), _block(on_batch.error.message, "$error")]
    mark, style = _mark(on_batch.agreement)
    figures = figures_text(on_batch.agreement)
    return [_block(mark + on_batch_head(on_batch), style), *([_block(figures, "$text-muted")] if figures else []),
            Array(on_batch.text)]


def _shapes_at_5(report: Report) -> str:
    """Notes quote shapes from the default batch, 5: said when another batch is shown."""
    return "" if tuple(report.batch_shape) == (5,) else "  (shapes in it as at batch 5)"


def _in_axes(axes: list) -> str:
    """Shown when there is a choice: for models with several arguments (`a` changes it)."""
    return f"  in_axes {','.join(map(str, axes))}" if len(axes) > 1 else ""


def _heading(content: Content, extra: str = "") -> Static:
    return Static(content, classes=f"heading {extra}".strip())


def _block(text: str, style: str = "") -> Static:
    return Static(Content.styled(text, style), classes="block")
