"""Every kind of block the report's document holds, through every medium: the text report, HTML,
Rich, the export and the JSON's `document`. A kind added to presentation.document.Block fails
here until it has a sample below and every medium shows every word it carries."""

import html
import io
import json
import re

import pytest
from rich.console import Console

from jaxbatch.export import write
from jaxbatch.presentation.document import (
    KINDS,
    Aligned,
    AlignedRow,
    Document,
    Heading,
    Output,
    Program,
    Prose,
    Section,
    Table,
    Verdict,
    Warning,
    document_json,
    words,
)
from jaxbatch.report_html import document_html
from jaxbatch.report_text import document_text
from jaxbatch.result import rich_lines

WIDTH = 80
# Words long enough to wrap at WIDTH: a medium must show them, wrapped or not.
LONG = " ".join(["padding"] * 14)
JAXPR = "{ lambda ; a:f32[5]. let\n    b:f32[5] = tanh a\n  in (b,) }"

SAMPLES = {
    Heading: lambda: Heading(f"headingword {LONG}"),
    Prose: lambda: Prose(f"proseword {LONG}"),
    Warning: lambda: Warning(f"warningword {LONG}"),
    Verdict: lambda: Verdict("labelword", f"verdictword {LONG}", "wrong", "roleword", f"headlineword {LONG}",
                             f"figuresword {LONG}"),
    Output: lambda: Output("outputword\n[ 1.  2.  3.]"),
    Table: lambda: Table(("", "headword"), (("rowword", f"cellword {LONG}"),), "ll"),
    Program: lambda: Program("programtitleword", JAXPR.replace("tanh", "programword")),
    Aligned: lambda: Aligned("leftname", "rightname", (AlignedRow("≠", "differ", "b:f32[5] = tanh a",
                                                                  "b:f32[5] = sin a", f"diffword {LONG}"),)),
}


def media(doc: Document, tmp_path) -> dict[str, str]:
    console = Console(record=True, width=WIDTH, color_system=None, file=io.StringIO())
    for renderable in rich_lines(doc, WIDTH):
        console.print(renderable)
    text_path, json_path = write(tmp_path / "exported", doc, {"document": document_json(doc)}, WIDTH)
    page = html.unescape(re.sub(r"<[^>]+>", "", document_html(doc)))
    return {"text": document_text(doc, WIDTH), "html": page, "rich": console.export_text(),
            "export text": text_path.read_text(), "export json": json_path.read_text(),
            "json": json.dumps(document_json(doc), ensure_ascii=False)}


def strings(data) -> list[str]:
    """Every string in JSON data, keys left out."""
    if isinstance(data, dict):
        return [s for v in data.values() for s in strings(v)]
    if isinstance(data, list):
        return [s for v in data for s in strings(v)]
    return [data] if isinstance(data, str) else []


def test_every_kind_of_block_has_a_sample():
    assert set(SAMPLES) == set(KINDS)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_every_medium_shows_every_word_of_every_kind(kind, tmp_path):
    block = SAMPLES[kind]()
    said = words(block)
    assert said and any("word" in w for w in said)
    doc = Document("Titleword", (Section("key", "Sectionword", (block,)),))
    for medium, shown in media(doc, tmp_path).items():
        if medium.endswith("json"):
            shown = "\n".join(strings(json.loads(shown)))
        flat = " ".join(shown.split())
        missing = [w for w in said + ["Titleword", "Sectionword"] if " ".join(w.split()) not in flat]
        assert not missing, (medium, missing)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_the_text_and_rich_views_keep_every_kind_within_the_width(kind, tmp_path):
    doc = Document("Titleword", (Section("key", "Sectionword", (SAMPLES[kind](),)),))
    shown = media(doc, tmp_path)
    for medium in ("text", "rich", "export text"):
        assert all(len(line) <= WIDTH for line in shown[medium].splitlines()), medium
        assert "…" not in shown[medium]
