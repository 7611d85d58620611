"""The text report: the report's document (jaxbatch.presentation.report_document) laid out in
lines for a terminal, a log or a bug report, to the terminal's width: prose wrapped at words,
tables in columns that fit (cells wrapped in them, or a row per line where the columns can't
fit), programs side by side where they fit. Each line keeps the kind of block it came from, so
that the Rich view (jaxbatch.media.rich_render) can style it."""

from __future__ import annotations

import shutil
import textwrap
from dataclasses import dataclass
from typing import Optional

from jaxbatch.presentation.document import (
    Aligned,
    Block,
    Document,
    Heading,
    Output,
    Program,
    Prose,
    Table,
    Verdict,
    Warning,
)
from jaxbatch.presentation.outputs import fit_array
from jaxbatch.presentation.report_document import build
from jaxbatch.results.chunk_sweep_state import ChunkSweepState
from jaxbatch.results.report import Report
from jaxbatch.results.sweep_state import SweepState

PIPED_WIDTH = 100  # the width when the output is no terminal and COLUMNS says nothing
LABEL = 12  # the strategy-name column, wider for a longer label (a user's `model_batched`)
NARROWEST = 40  # below this the layout would say nothing: lines may pass a narrower width


@dataclass(frozen=True)
class Line:
    """One line of the report; `style` the kind of block it came from ("program" lines are a jaxpr)."""

    text: str
    style: str = ""

    def __str__(self) -> str:
        return self.text


def terminal_width() -> int:
    """The terminal's columns (COLUMNS first); PIPED_WIDTH when the output is no terminal."""
    return shutil.get_terminal_size((PIPED_WIDTH, 24)).columns


def render(report: Report, sweep: Optional[SweepState] = None, chunk_sweep: Optional[ChunkSweepState] = None,
           width: Optional[int] = None) -> str:
    return document_text(build(report, sweep, chunk_sweep), width)


def document_text(doc: Document, width: Optional[int] = None) -> str:
    return "\n".join(line.text for line in lay_out(doc, width or terminal_width())) + "\n"


def lay_out(doc: Document, width: int) -> list[Line]:
    """The document's lines at `width`: its title, then each section after a blank line, its
    verdicts' labels in one column (LABEL wide, or the longest label's)."""
    width = max(width, NARROWEST)
    lines = _wrap(doc.title, width, "", "  ", "title")
    for section in doc.sections:
        if section.title or section.blocks:
            lines.append(Line(""))
        if section.title:
            lines += _wrap(section.title, width, "", "  ", "heading")
        label = max([LABEL, *(len(b.label) for b in section.blocks if isinstance(b, Verdict))])
        previous: Optional[Block] = None
        for block in section.blocks:
            if _apart(block, previous, lines):
                lines.append(Line(""))
            lines += _block(block, width, label)
            previous = block
    return lines


def _apart(block: Block, previous: Optional[Block], lines: list[Line]) -> bool:
    """A blank line before a program, and before a heading that follows anything but an output."""
    if not lines or not lines[-1].text:
        return False
    return isinstance(block, Program) or (isinstance(block, Heading) and not isinstance(previous, (Output, type(None))))


def _block(block: Block, width: int, label: int) -> list[Line]:
    return LAYOUTS[type(block)](block, width, label)


def block_lines(block: Block, width: int) -> list[Line]:
    """One block as the text report lays it out at `width`: for a view that lays out the others itself."""
    return _block(block, max(width, NARROWEST), LABEL)


def _heading(block: Heading, width: int, label: int) -> list[Line]:
    return _wrap(block.text, width, "", "  ", "heading")


def _prose(block: Prose, width: int, label: int) -> list[Line]:
    return _wrap(block.text, width, "  ", "  ", block.tone)


def _warning(block: Warning, width: int, label: int) -> list[Line]:
    return _wrap(f"warning: {block.text}", width, "  ", "    ", "warning")


def _verdict(block: Verdict, width: int, label: int) -> list[Line]:
    """`  vmap         agrees exactly (jax.vmap)`, the headline above it and the figures under it."""
    pad = "  " + " " * (label + 1) if block.label else "  "
    said = [(block.headline, "warning"), (block.text + (f" ({block.role})" if block.role else ""), block.mark),
            (block.figures, "muted")]
    lines: list[Line] = []
    for i, (text, style) in enumerate((t, style) for t, style in said if t):
        first = f"  {block.label:<{label}} " if block.label and i == 0 else pad
        lines += _wrap(text, width, first, pad, style)
    return lines


def _output(block: Output, width: int, label: int) -> list[Line]:
    pad = "  " * block.depth
    if block.array:
        return [Line(pad + line) for line in fit_array(block.text, width - len(pad))]
    return [wrapped for line in block.text.splitlines()
            for wrapped in _wrap(line, width, pad + _lead(line), pad + _lead(line) + "  ", block.tone, strip=True)]


def _table(block: Table, width: int, label: int) -> list[Line]:
    """Columns that fit: each as wide as its widest cell, the widest narrowed (its cells wrapped
    at words) until the row fits; where no narrowing will do, a row per label, its cells under it."""
    pad = "  " * block.depth
    rows = [r for r in ((block.head,) if any(block.head) else ()) + block.rows]
    count = max(map(len, rows))
    widths = [max(len(r[i]) if i < len(r) else 0 for r in rows) for i in range(count)]
    widths[0] = max(widths[0], LABEL if block.depth == 1 else 0)
    seps = ["  "] + [block.sep] * (count - 2)

    def total() -> int:
        return len(pad) + sum(widths) + sum(map(len, seps))

    floor = [max([6, *(len(w) for r in rows if i < len(r) for w in r[i].split())]) for i in range(count)]
    # with a head, any column may narrow; without, only the last (its rows read on as one line of text)
    narrowing = range(1, count) if any(block.head) else range(count - 1, count)
    while total() > width:
        widest = max(narrowing, key=lambda i: widths[i] - floor[i])
        if widths[widest] <= floor[widest]:
            return _records(block, width)
        widths[widest] -= 1
    lines = []
    for r in rows:
        cells = [textwrap.wrap(r[i], max(widths[i], 1), break_on_hyphens=False) or [""] if i < len(r) else [""]
                 for i in range(count)]
        for k in range(max(map(len, cells))):
            parts = [_cell(c[k] if k < len(c) else "", widths[i], block.align[i:i + 1] or "l", i == count - 1)
                     for i, c in enumerate(cells)]
            between = seps if k == 0 else [" " * len(s) for s in seps]
            text = pad + parts[0] + "".join(s + p for s, p in zip(between, parts[1:]))
            lines.append(Line(text.rstrip(), "muted" if r is block.head else ""))
    return lines


def _cell(text: str, width: int, align: str, last: bool) -> str:
    return f"{text:>{width}}" if align == "r" else text if last else f"{text:<{width}}"


def _records(block: Table, width: int) -> list[Line]:
    """A table too wide for its columns: each row's label, then its cells, each after its head."""
    pad = "  " * block.depth
    lines: list[Line] = []
    for r in block.rows:
        cells = [f"{h}: {c.strip()}" if h else c.strip() for h, c in zip(block.head[1:] or ("",) * len(r), r[1:]) if c]
        lines += [Line(pad + r[0]), *_wrap(" · ".join(cells), width, pad + "  ", pad + "  ", "")]
    return lines


def _program(block: Program, width: int, label: int) -> list[Line]:
    """A jaxpr under its title, a line too long wrapped under itself, further in."""
    out = _wrap(block.title, width, "", "  ", "heading")
    for line in block.text.splitlines():
        lead = _lead(line)
        out += _wrap(line, width, lead, lead + "    ", "program", strip=True, cut=True)
    return out


def _aligned(block: Aligned, width: int, label: int) -> list[Line]:
    """Two programs side by side (= same, ≠ differs, < > only on one side) where their lines fit
    beside each other; else one under the other, each row's left line above its right one."""
    left_width = max([len(block.left), *(len(r.left) for r in block.rows)]) + 2
    right_width = max([len(block.right), *(len(r.right) for r in block.rows)])
    if 4 + left_width + 2 + right_width > width:
        return _stacked(block, width)
    lines = [Line(f"    {block.left:<{left_width}}│ {block.right}", "muted")]
    for r in block.rows:
        lines.append(Line(f"  {r.marker} {r.left:<{left_width}}│ {r.right}".rstrip(), r.status))
        if r.diffs:
            lines += _wrap(f"↳ {r.diffs}", width, "      ", "        ", "muted")
    return lines


def _stacked(block: Aligned, width: int) -> list[Line]:
    """Each aligned row as two lines, the left program's above the right one's."""
    name = max(len(block.left), len(block.right))
    pad = " " * (4 + name + 1 + 2)
    lines: list[Line] = [Line(f"    {block.left} above, {block.right} below", "muted")]
    for r in block.rows:
        for i, (side, text) in enumerate(((block.left, r.left), (block.right, r.right))):
            if text:
                first = f"  {r.marker if i == 0 or not r.left else ' '} {side:<{name}} "
                lines += _wrap(text, width, first, pad, r.status, strip=True, cut=True)
        if r.diffs:
            lines += _wrap(f"↳ {r.diffs}", width, "      ", "        ", "muted")
    return lines


def _lead(line: str) -> str:
    return line[:len(line) - len(line.lstrip())]


def _wrap(text: str, width: int, first: str, rest: str, style: str, strip: bool = False,
          cut: bool = False) -> list[Line]:
    """`text` wrapped at words, first line after `first`, the others after `rest`. A word longer
    than a line (a URL) stays whole on a line of its own; `cut` (a program's line) cuts it."""
    if not text:
        return []
    if strip:
        text = text[len(_lead(text)):]
    wrapped = textwrap.wrap(text, max(width, len(rest) + 10), initial_indent=first, subsequent_indent=rest,
                            break_on_hyphens=False, break_long_words=cut) or [first.rstrip()]
    return [Line(line, style) for line in wrapped]


LAYOUTS = {Heading: _heading, Prose: _prose, Warning: _warning, Verdict: _verdict, Output: _output,
           Table: _table, Program: _program, Aligned: _aligned}

