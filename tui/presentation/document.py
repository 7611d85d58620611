"""The report as one typed document: sections of blocks, each block one kind of thing a reader
meets (a heading, prose, a warning, a verdict, an output, a table, a program, two programs
aligned). The words are made once, when the document is built (presentation.report_document);
every medium (the text report, HTML, Rich, the export, the JSON's `document`) only lays the
blocks out, and a test walks every kind through every medium."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Mapping, Optional, Sequence, Union, get_args

from jaxbatch.results.roof import Point


@dataclass(frozen=True)
class Heading:
    """A line that names what follows, inside a section."""

    text: str


@dataclass(frozen=True)
class Prose:
    """Sentences, wrapped at words to the medium's width. `tone`: "" or "muted" (a rule, a caveat)."""

    text: str
    tone: str = ""


@dataclass(frozen=True)
class Warning:
    """What makes the numbers less plain than they look."""

    text: str


# How a verdict is marked: its output agrees with the loop's, does not, can't be said; agrees
# only at full precision; is the reference; raised; or a strategy that did not run ("none").
MARKS = ("agrees", "wrong", "unknown", "precision", "reference", "raised", "none")


@dataclass(frozen=True)
class Verdict:
    """A strategy's (or the whole batch's) verdict against the loop: `label` the strategy's name
    ("" for the whole batch), `role` what it is, `headline` a fact that outranks the verdict
    (vmap's loop), `figures` the numbers behind it."""

    label: str
    text: str
    mark: str  # one of MARKS
    role: str = ""
    headline: str = ""
    figures: str = ""


@dataclass(frozen=True)
class Output:
    """Text shown as it is: an output (NumPy's printing: `array` True, fitted to the width as
    NumPy would), an error message, a table already laid out. `depth`: its indentation level."""

    text: str
    depth: int = 1
    array: bool = False
    tone: str = ""  # "" or "error"


@dataclass(frozen=True)
class Table:
    """Rows of cells under an optional head; the first column names the row. `align`: "l" or
    "r" per column (left where not given); `sep`: between the data columns, where a medium
    separates them with characters."""

    head: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    align: str = ""
    depth: int = 1
    sep: str = "  "


@dataclass(frozen=True)
class Program:
    """A jaxpr, under its title."""

    title: str
    text: str


@dataclass(frozen=True)
class AlignedRow:
    marker: str  # presentation.programs.MARKERS: = ≠ < >
    status: str  # "same", "differ", "only_left", "only_right"
    left: str  # "" for a gap
    right: str
    diffs: str = ""  # what differs, in words


@dataclass(frozen=True)
class Aligned:
    """Two programs' equations side by side, a row per aligned pair."""

    left: str
    right: str
    rows: Sequence[AlignedRow]


Block = Union[Heading, Prose, Warning, Verdict, Output, Table, Program, Aligned]
KINDS: tuple[type, ...] = get_args(Block)


@dataclass(frozen=True)
class Section:
    """A titled part of the report; `key` names it for a reader of the JSON (`strategies`, `timings`, ...)."""

    key: str
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Document:
    """The whole report. `points`: each timed strategy under the roofline, judged once here, for
    the JSON and every view (results.roof.points)."""

    title: str
    sections: tuple[Section, ...]
    points: Mapping[str, Point] = field(default_factory=dict)

    def section(self, key: str) -> Optional[Section]:
        return next((s for s in self.sections if s.key == key), None)


def kind(block: Block) -> str:
    """`verdict`, `aligned`: a block's kind as the JSON and the media name it."""
    return type(block).__name__.lower()


def words(block: Block) -> list[str]:
    """Every string a block carries for a reader: what each medium must show."""
    if isinstance(block, Table):
        return [c for row in (block.head, *block.rows) for c in row if c]
    if isinstance(block, Aligned):
        return [block.left, block.right, *(t for r in block.rows for t in (r.left, r.right, r.diffs) if t)]
    return [getattr(block, f.name) for f in fields(block)
            if f.type == "str" and f.name not in ("mark", "tone") and getattr(block, f.name)]


def block_json(block: Block) -> dict[str, Any]:
    data = asdict(block) if not isinstance(block, Aligned) else {
        "left": block.left, "right": block.right, "rows": [asdict(r) for r in block.rows]}
    return {"kind": kind(block), **data}


def document_json(doc: Document) -> dict[str, Any]:
    """The document as the report JSON's `document`: every word the other media show."""
    return {"title": doc.title,
            "sections": [{"key": s.key, "title": s.title, "blocks": [block_json(b) for b in s.blocks]}
                         for s in doc.sections]}
