"""`c` copies the focused pane by OSC 52, `e` exports text, JSON and SVG, each with a notification."""

import json
from pathlib import Path

from jaxbatch.media.export import base_name
from jaxbatch.presentation.units import byte_size
from jaxbatch.results.selection import Selection

from app_helpers import make_test_app, notifications, settle


async def test_c_copies_the_programs_shown_whole():
    app = make_test_app()
    said = notifications(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2", "c")
        assert app.clipboard.startswith("# same 4 primitives in order")
        assert app.report.strategies["manual"].jaxpr in app.clipboard
        assert app.report.strategies["vmap"].jaxpr in app.clipboard
        assert any(m.startswith("Copied the jaxpr of einsum and vmap") for m in said)


async def test_c_copies_the_outputs_and_timings_panes_as_shown():
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        assert "1.7771413" in app.clipboard and "agrees" in app.clipboard
        await pilot.press("3", "c")
        assert "0.228x" in app.clipboard and "floor 6 µs" in app.clipboard


async def test_c_while_typing_a_batch_shape_types_it():
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("b", "c")
        assert app.query_one("#batch").value.endswith("c") and app.clipboard == ""


async def test_e_exports_text_json_and_svg_with_the_live_timings(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_test_app(Selection(batch_shape=(4, 2)))
    said = notifications(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        base = tmp_path / base_name(app.report)
        assert base.name == "jaxbatch-tanh-dense-4x2"
        data = json.loads(base.with_suffix(".json").read_text())
        assert data["batch_shape"] == [4, 2] and data["timings"]["vmap"]["median_s"] == 39e-6
        assert "Timings" in base.with_suffix(".txt").read_text()
        assert base.with_suffix(".svg").read_text().startswith("<svg")
        assert any("jaxbatch-tanh-dense-4x2.txt" in m and str(tmp_path) in m for m in said)


async def test_an_export_that_cannot_be_written_says_why(tmp_path, monkeypatch):
    gone = tmp_path / "removed"
    monkeypatch.setattr(Path, "cwd", classmethod(lambda cls: gone))
    app = make_test_app()
    said = notifications(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        assert any(m.startswith("Export failed: No such file or directory") for m in said)


async def test_e_exports_the_chunk_sweep_the_pane_shows_and_says_each_file_s_size(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_test_app()
    said = notifications(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("S")  # the chunk sweep, scripted: answered at once
        await settle(pilot)
        await pilot.press("e")
        base = tmp_path / base_name(app.report)
        data = json.loads(base.with_suffix(".json").read_text())
        assert data["chunk_sweep"]["ks"] and "chunk_sweep" in [s["key"] for s in data["document"]["sections"]]
        assert "Chunk sweep on cpu" in base.with_suffix(".txt").read_text()
        size = byte_size(base.with_suffix(".json").stat().st_size)
        assert any(f"{base.name}.json ({size})" in m for m in said)
