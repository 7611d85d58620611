"""Every kind of block the report's document holds, through every medium: the text report, HTML,
Rich, the export, the JSON's `document` and the app's outputs pane. A kind added to
presentation.document.Block fails here until it has a sample below and every medium shows
every word it carries."""

import dataclasses
import html
import io
import json
import re

import pytest
from rich.console import Console
from textual.app import App
from textual.geometry import Region

from jaxbatch.media.export import write
from jaxbatch.media.html_report import document_html
from jaxbatch.media.json_report import report_json
from jaxbatch.media.rich_render import rich_lines
from jaxbatch.media.text import document_text
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
from jaxbatch.presentation.report_document import OUTPUTS, build
from jaxbatch.results.report import Backends, CompilingLoop, HloComparison, Loop, NotSharded, Roof
from jaxbatch.results.timing import Timings
from jaxbatch.widgets.outputs_view import OutputsView, section_widgets

import scripted

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


class PaneOf(App):
    """The outputs pane laying out a document's sections, all of them, at WIDTH."""

    def __init__(self, doc: Document) -> None:
        super().__init__()
        self.doc = doc

    def compose(self):
        with OutputsView():
            yield from section_widgets(self.doc.sections)


def drawn(pane: OutputsView) -> str:
    """Every line the pane's widgets draw, as a reader sees them (wrapped, fitted, cut or not)."""
    return "\n".join(strip.text.rstrip() for w in pane.children
                     for strip in w.render_lines(Region(0, 0, w.outer_size.width, w.outer_size.height)))


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
async def test_the_outputs_pane_shows_every_word_of_every_kind_within_its_width(kind):
    """The pane as one more medium: a block of any kind, in any section it shows, reaches the screen."""
    block = SAMPLES[kind]()
    app = PaneOf(Document("Titleword", (Section("key", "Sectionword", (block,)),)))
    async with app.run_test(size=(WIDTH, 60)) as pilot:
        await pilot.pause()
        shown = drawn(app.query_one(OutputsView))
    flat = " ".join(shown.split())
    assert not [w for w in [*words(block), "Sectionword"] if " ".join(w.split()) not in flat]
    assert all(len(line) <= WIDTH for line in shown.splitlines()) and "…" not in shown


def full_report():
    """A scripted report with every section: warnings, vmap's loop, no sharding, timings, roofline, devices."""
    roof = Roof("cpu", "cpu", 10e9, 100e9, "cache", 0.0, "default", {"default": 100e9}, ignores_precision=True)
    timings = {"loop": scripted.timing_of(0.155, None, estimated=True), "manual": scripted.timing_of(171e-6),
               "vmap": scripted.timing_of(9e-6)}
    backends = Backends((("cpu:0", scripted.CPU),), {"gpu": "no gpu here"}, {"gpu": "jax[cuda12]"})
    return dataclasses.replace(
        scripted.report(), warnings=[CompilingLoop(3, 4)], sharded_note=NotSharded(5, 4, "cpu"),
        vmap_loop=Loop(6, "scan", "jaxpr"), timings=Timings(timings, 1e-6, roof), backends=backends,
        hlo_comparison=HloComparison("hlo", "einsum", "vmap", True))


def test_every_section_of_a_report_reaches_every_medium(tmp_path):
    """What the HTML and the export once left out (warnings, vmap's loop, the sharded note, the
    HLO verdict, the roofline): every section's title and blocks, in every medium."""
    doc = build(full_report(), scripted.sweep({"loop": (1e-3, 1e-3), "manual": (2e-6, 1e-6), "vmap": (3e-6, 2e-6)}))
    keys = [s.key for s in doc.sections]
    assert {"summary", "strategies", "hlo", "memory", "timings", "roofline", "devices", "sweep"} <= set(keys)
    shown = media(doc, tmp_path)
    for section in doc.sections:
        said = [section.title, *(w for b in section.blocks for w in words(b))]
        for medium, text in shown.items():
            if medium.endswith("json"):
                text = "\n".join(strings(json.loads(text)))
            flat = " ".join(text.split())
            assert all(" ".join(w.split()) in flat for w in said), (section.key, medium)
    assert "vmap runs your function as a loop of 6 steps" in shown["html"]


def test_the_html_style_sheet_touches_only_the_report():
    page = document_html(build(full_report()))
    sheet = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    rules = [r.strip() for r in re.findall(r"([^{}]+)\{[^}]*\}", re.sub(r"/\*.*?\*/", "", sheet))]
    assert rules and all(sel.strip().startswith(".jaxbatch") for rule in rules for sel in rule.split(","))


def test_the_json_carries_the_document_and_vmap_s_loop_in_words():
    data = report_json(full_report())
    assert data["vmap_loop"] == {"steps": 6, "where": "scan", "level": "jaxpr"}  # the contract's keys, as they were
    assert data["vmap_loop_text"].startswith("vmap runs your function as a loop of 6 steps")
    assert [s["key"] for s in data["document"]["sections"]] == [s.key for s in build(full_report()).sections]
    assert set(data["roofline"]["strategies"]) == set(build(full_report()).points) == {"manual", "vmap"}


async def test_the_outputs_pane_shows_every_block_of_the_report_s_outputs_sections():
    """Pane 1 lays out the document's outputs sections: each of their titles and blocks reaches it."""
    report = full_report()
    app = PaneOf(Document("", ()))
    async with app.run_test(size=(WIDTH, 80)) as pilot:
        pane = app.query_one(OutputsView)
        pane.report = report
        await pilot.pause()
        flat = " ".join(drawn(pane).split())
    sections = [s for s in build(report).sections if s.key in OUTPUTS]
    assert [s.key for s in sections] == list(OUTPUTS)
    said = [w for s in sections for w in (s.title, *(w for b in s.blocks for w in words(b))) if w]
    assert any("vmap runs your function as a loop" in w for w in said)
    assert not [w for w in said if " ".join(w.split()) not in flat]
