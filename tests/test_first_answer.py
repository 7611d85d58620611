"""The first answer comes before the slow extras: outputs, verdicts and programs, then the plans
at other batch sizes (fits_up_to); the timing helper starts only once the lab has answered, so
its JAX import and compiles don't take the CPU the first answer needs."""

import threading
import time

from jaxbatch.lab import analysis
from jaxbatch.presentation.memory import fits_line
from jaxbatch.results.selection import Selection

from app_helpers import make_test_app, settle, widget_text


def test_the_lab_gives_its_outputs_before_it_reads_the_other_plans():
    firsts = []
    whole = analysis.analyze(Selection(), first=firsts.append)
    [first] = firsts
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

        def shown_then_held(report):
            firsts.append(report)
            first(report)
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
