"""The report as HTML, for Jupyter (`Result._repr_html_`): the outputs table, the aligned
jaxprs highlighted by Pygments' HTML formatter with the app's jaxpr lexer, memory and timings.
The words are the presentation's, as in the app and the text report."""

from __future__ import annotations

import html
import math

from pygments import highlight
from pygments.formatters import HtmlFormatter

from jaxbatch.jaxpr_lexer import JaxprLexer
from jaxbatch.lab.results import Report
from jaxbatch.lab.selection import DEFAULT_PRECISION
from jaxbatch.lab.strategy_table import roles
from jaxbatch.presentation.memory import fits_line, memory_rows, row_label
from jaxbatch.presentation.outputs import on_batch_head, precision_text, strategy_figures, strategy_verdict
from jaxbatch.presentation.programs import MARKERS, alignment_rows
from jaxbatch.presentation.timings import HEADS, floor_text, ratio_head, timing_rows
from jaxbatch.presentation.units import device_text
from jaxbatch.presentation.verdicts import alignment_verdict

CSS_SCOPE = ".jaxbatch"
STYLE = f"""
{CSS_SCOPE} table {{ border-collapse: collapse; margin: 0.4em 0; }}
{CSS_SCOPE} td, {CSS_SCOPE} th {{ padding: 0.1em 0.6em; text-align: left; vertical-align: top; }}
{CSS_SCOPE} pre {{ margin: 0; white-space: pre; }}
{CSS_SCOPE} .differ {{ background: rgba(255, 170, 0, 0.15); }}
{CSS_SCOPE} .only_left, {CSS_SCOPE} .only_right {{ background: rgba(120, 120, 255, 0.12); }}
"""


def _e(text: object) -> str:
    return html.escape(str(text))


def _code(text: str) -> str:
    return highlight(text, JaxprLexer(stripnl=False, ensurenl=False), HtmlFormatter(nowrap=True))


def _table(head: list[str], rows: list[list[str]]) -> str:
    """A table of cells already HTML; the head's cells are escaped here."""
    cells = "".join(f"<th>{_e(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


def report_html(report: Report) -> str:
    parts = [f"<style>{STYLE}{HtmlFormatter().get_style_defs(CSS_SCOPE + ' pre')}</style>",
             f"<h4>{_e(report.model)} at batch {_e(report.batch_shape)} on {_e(device_text(report.device))}, "
             f"jax {_e(report.jax_version)}, {_e(precision_text(report.selection.get('precision', DEFAULT_PRECISION)))}"
             "</h4>",
             f"<p>{_e(report.summary)}</p>" + (f"<p>{_e(report.note)}</p>" if report.note else ""),
             _outputs(report), _programs(report), _memory(report), _timings(report)]
    return f'<div class="{CSS_SCOPE[1:]}">{"".join(parts)}</div>'


def _outputs(report: Report) -> str:
    single = report.single
    rows = [["model on one instance", "", f"<pre>{_e(single.text)}</pre>"],
            ["model on the whole batch", _e(on_batch_head(single.on_batch)),
             f"<pre>{_e(single.on_batch.error.message if single.on_batch.error else single.on_batch.text)}</pre>"]]
    for s in report.strategies.values():
        verdict = strategy_verdict(s)
        figures = strategy_figures(s)
        said = _e(verdict) + (f"<br><small>{_e(figures)}</small>" if figures else "")
        rows.append([f"<b>{_e(s.label)}</b> {_e(roles().get(s.key, ''))}", said, f"<pre>{_e(s.text)}</pre>"])
    return "<h5>Outputs, against the loop</h5>" + _table(["", "verdict", "output"], rows)


def _programs(report: Report) -> str:
    a = report.alignment
    if a is None:
        return ""
    left, right = report.strategies[a.left].label, report.strategies[a.right].label
    rows = [[_e(MARKERS[r.status]), f'<pre class="{r.status}">{_code(r.left) if r.left else ""}</pre>',
             f'<pre class="{r.status}">{_code(r.right) if r.right else ""}</pre>'] for r in alignment_rows(a)]
    return (f"<h5>Jaxprs, aligned: {_e(left)} vs {_e(right)}</h5><p>{_e(alignment_verdict(a))}</p>"
            + _table(["", left, right], rows))


def _memory(report: Report) -> str:
    rows = memory_rows(report)
    if not rows:
        return ""
    fits = fits_line(report)
    return ("<h5>Peak memory (XLA's plan)</h5>"
            + _table(["", "per call", "per instance", "more each", "fixed", "roofline"],
                     [[_e(c) for c in (row_label(row), *row[1:6])] for row in rows])
            + (f"<p>{_e(fits)}</p>" if fits else ""))


def _timings(report: Report) -> str:
    if report.timings is None:
        return ""
    labels = {k: s.label for k, s in report.strategies.items()}
    head = ["", *HEADS.values(), ratio_head(labels)]
    rows = [[f"<b>{_e(r.label)}</b>", _e(r.compile), _e(r.per_call), _e(r.iqr), _e(r.per_instance), _e(r.ratio)]
            for r in timing_rows(report.timings, labels)]
    instances = math.prod(report.batch_shape)
    return (f"<h5>Timings on {_e(device_text(report.device))}, {instances:,} instances, "
            f"{_e(floor_text(report.dispatch_floor_s))}</h5>" + _table(head, rows))
