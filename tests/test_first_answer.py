"""The first answer comes before the slow extras: outputs, verdicts and programs, then the plans
at other batch sizes (fits_up_to); the timing helper starts only once the lab has answered, so
its JAX import and compiles don't take the CPU the first answer needs."""

import threading
import time

from jaxbatch.lab import analysis
from jaxbatch.presentation.memory import fits_line
from jaxbatch.results.report import FirstOutputs, Report
from jaxbatch.results.selection import Selection

from app_helpers import make_test_app, settle, shown_text, widget_text


def test_the_lab_gives_the_loop_s_outputs_then_its_verdicts_then_the_other_plans():
    firsts = []
    whole = analysis.analyze(Selection(), first=firsts.append)
    loop, first = firsts
    assert isinstance(loop, FirstOutputs) and loop.loop.text == whole.strategies["loop"].text
    assert loop.loop.output == whole.strategies["loop"].output
    assert loop.pending == [s.label for k, s in whole.strategies.items() if k != "loop"]
    assert (loop.arg_avals, loop.batch_avals) == (whole.single.arg_avals, whole.single.batch_avals)
    assert first.planning and not whole.planning
    assert first.fits == {} and set(whole.fits) == {"manual", "vmap", "chunked"}
    assert first.strategies is whole.strategies and first.alignment is whole.alignment  # the same facts, shown early
    assert fits_line(first).endswith("from batch: ⟳ reading XLA's plans at other batch sizes…")
    assert "≈" in fits_line(whole)


async def test_the_app_shows_the_first_answer_then_times_it_then_the_whole():
    real = analysis.analyze
    asked, go, release, firsts = threading.Event(), threading.Event(), threading.Event(), []

    def gated(selection, first=None, **kwargs):
        asked.set()
        go.wait(30)

        def shown_then_held(answer):
            firsts.append(answer)
            first(answer)
            if isinstance(answer, Report):
                release.wait(30)

        return real(selection, first=shown_then_held, **kwargs)

    app = make_test_app(analyze=gated)
    async with app.run_test(size=(80, 24)) as pilot:
        try:
            deadline = time.monotonic() + 120  # the first request is sent after the first frame
            while not asked.is_set() and time.monotonic() < deadline:
                await pilot.pause(0.02)
            await pilot.pause()
            assert app.computing and [c for c in app.helper.commands if c[0] == "time"] == []
            assert "start once its outputs are in" in app.timings_note.text
            go.set()
            deadline = time.monotonic() + 120
            while (not firsts or app.report is None) and time.monotonic() < deadline:
                await pilot.pause(0.02)
            await pilot.pause()
            assert app.report.planning and not app.computing and app.requests.answered != app.requests.lab
            assert app.helper.commands[-1][0] == "time"
            assert "reading XLA's memory plans at other batch sizes" in widget_text(app.screen.query_one("#status"))
        finally:
            go.set()
            release.set()
        await settle(pilot)
        assert not app.report.planning and app.report.fits
        assert [c[0] for c in app.helper.commands].count("time") == 1  # the whole answer doesn't restart them
        assert "reading XLA" not in widget_text(app.screen.query_one("#status"))


async def test_the_outputs_pane_shows_the_loop_s_outputs_while_the_strategies_run():
    """Held after the loop's outputs: pane 1 shows them, and what is still running, where the
    other panes still show that the lab is working. The report then takes their place."""
    real = analysis.analyze
    shown, release = threading.Event(), threading.Event()

    def held(selection, first=None, **kwargs):
        def hold_after_the_loop(answer):
            first(answer)
            if isinstance(answer, FirstOutputs):
                shown.set()
                release.wait(30)

        return real(selection, first=hold_after_the_loop, **kwargs)

    app = make_test_app(analyze=held)
    async with app.run_test(size=(80, 24)) as pilot:
        try:
            deadline = time.monotonic() + 120
            while app.first_outputs is None and time.monotonic() < deadline:
                await pilot.pause(0.02)
            await pilot.pause()
            outputs = app.query_one("#outputs-view")
            said = shown_text(outputs)
            assert app.computing and not outputs.loading and shown.is_set()
            assert app.first_outputs.loop.text.splitlines()[0] in said
            running = "⟳ compiling and running einsum, vmap, chunked k=64, each to be checked against the loop"
            assert running in " ".join(said.split())
            assert "One instance  model(f32[3])" in said and "⟳ calling it…" in said
            await pilot.press("2")
            await pilot.pause()
            assert app.query_one("#programs-view").loading  # its programs are not known yet
        finally:
            release.set()
        await settle(pilot)
        await pilot.press("1")
        await pilot.pause()
        said = shown_text(app.query_one("#outputs-view"))
        assert app.first_outputs is None and "⟳" not in said and "einsum" in said and "agrees" in said
