"""The report's document as HTML, for Jupyter (`Result._repr_html_`): each block as its HTML,
programs highlighted by Pygments' HTML formatter with the app's jaxpr lexer. Every rule of the
style sheet is scoped to the report's own element, so nothing leaks into the notebook's page."""

from __future__ import annotations

import html

from pygments import highlight
from pygments.formatters import HtmlFormatter

from jaxbatch.lexers.jaxpr import JaxprLexer
from jaxbatch.presentation.document import (
    Aligned,
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
from jaxbatch.presentation.outputs import fit_array
from jaxbatch.presentation.report_document import build
from jaxbatch.results.report import Report

CSS_SCOPE = ".jaxbatch"
NUMPY_WIDTH = 75  # NumPy's own line width: its lines are kept as they are
STYLE = f"""
{CSS_SCOPE} table {{ border-collapse: collapse; margin: 0.4em 0; }}
{CSS_SCOPE} td, {CSS_SCOPE} th {{ padding: 0.1em 0.6em; text-align: left; vertical-align: top; }}
{CSS_SCOPE} pre {{ margin: 0; white-space: pre; line-height: 125%; }}
{CSS_SCOPE} .muted {{ opacity: 0.7; }}
{CSS_SCOPE} .warning {{ color: #a36a00; }}
{CSS_SCOPE} .agrees {{ color: #1a7f37; }}
{CSS_SCOPE} .wrong, {CSS_SCOPE} .raised, {CSS_SCOPE} .error {{ color: #cf222e; }}
{CSS_SCOPE} .unknown, {CSS_SCOPE} .precision {{ color: #a36a00; }}
{CSS_SCOPE} .differ {{ background: rgba(255, 170, 0, 0.15); }}
{CSS_SCOPE} .only_left, {CSS_SCOPE} .only_right {{ background: rgba(120, 120, 255, 0.12); }}
"""
# Pygments' token colours only (its full sheet also sets bare `pre` and `.linenos` rules), under the scope.
TOKENS = "\n".join(HtmlFormatter().get_token_style_defs(f"{CSS_SCOPE} pre"))


def _e(text: object) -> str:
    return html.escape(str(text))


def _code(text: str) -> str:
    return highlight(text, JaxprLexer(stripnl=False, ensurenl=False), HtmlFormatter(nowrap=True))


def report_html(report: Report) -> str:
    return document_html(build(report))


def document_html(doc: Document) -> str:
    parts = [f"<style>{STYLE}{TOKENS}</style>", f"<h4>{_e(doc.title)}</h4>", *map(_section, doc.sections)]
    return f'<div class="{CSS_SCOPE[1:]}">{"".join(parts)}</div>'


def _section(section: Section) -> str:
    title = f"<h5>{_e(section.title)}</h5>" if section.title else ""
    return title + "".join(LAYOUTS[type(b)](b) for b in section.blocks)


def _heading(b: Heading) -> str:
    return f"<h6>{_e(b.text)}</h6>"


def _prose(b: Prose) -> str:
    return f'<p class="{b.tone}">{_e(b.text)}</p>' if b.tone else f"<p>{_e(b.text)}</p>"


def _warning(b: Warning) -> str:
    return f'<p class="warning">⚠ {_e(b.text)}</p>'


def _verdict(b: Verdict) -> str:
    name = " ".join(filter(None, [f"<b>{_e(b.label)}</b>" if b.label else "",
                                  f'<span class="muted">{_e(b.role)}</span>' if b.role else ""]))
    lines = [name, f'<b class="warning">↻ {_e(b.headline)}</b>' if b.headline else "",
             f'<span class="{b.mark}">{_e(b.text)}</span>',
             f'<small class="muted">{_e(b.figures)}</small>' if b.figures else ""]
    return "<p>" + "<br>".join(line for line in lines if line) + "</p>"


def _output(b: Output) -> str:
    """An output as NumPy printed it, summarised past MAX_LINES lines as in the text (a notebook
    cell is no place for 700 lines); an error message as it is."""
    text = "\n".join(fit_array(b.text, NUMPY_WIDTH)) if b.array else b.text
    return f'<pre class="{b.tone}">{_e(text)}</pre>' if b.tone else f"<pre>{_e(text)}</pre>"


def _table(b: Table) -> str:
    head = "<thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in b.head) + "</tr></thead>" if any(b.head) else ""
    body = "".join("<tr>" + "".join(f"<td>{'<b>' + _e(c) + '</b>' if i == 0 else _e(c)}</td>"
                                    for i, c in enumerate(row)) + "</tr>" for row in b.rows)
    return f"<table>{head}<tbody>{body}</tbody></table>"


def _program(b: Program) -> str:
    return f"<h6>{_e(b.title)}</h6><pre>{_code(b.text)}</pre>"


def _aligned(b: Aligned) -> str:
    rows = "".join(f'<tr><td>{_e(r.marker)}</td><td><pre class="{r.status}">{_code(r.left) if r.left else ""}</pre>'
                   f'</td><td><pre class="{r.status}">{_code(r.right) if r.right else ""}</pre>'
                   + (f'<br><small class="muted">↳ {_e(r.diffs)}</small>' if r.diffs else "") + "</td></tr>"
                   for r in b.rows)
    head = f"<thead><tr><th></th><th>{_e(b.left)}</th><th>{_e(b.right)}</th></tr></thead>"
    return f"<table>{head}<tbody>{rows}</tbody></table>"


LAYOUTS = {Heading: _heading, Prose: _prose, Warning: _warning, Verdict: _verdict, Output: _output,
           Table: _table, Program: _program, Aligned: _aligned}
