"""Robustness of the lab thread: a storm of changes, and a model that doesn't come back."""

import asyncio
import math
import re
import threading
import time
from pathlib import Path
from typing import Callable

from textual.widgets import Input, Select

from jaxbatch.lab_runner import LabRunner
from jaxbatch.messages import LabDone
from jaxbatch.models import CATALOG
from jaxbatch.results.selection import Selection
from jaxbatch.widgets.outputs_view import OutputsView

import reports
from app_helpers import make_test_app, settle, shown_text, widget_text

SLOW = f"{Path(__file__).parent / 'fixtures' / 'user_functions.py'}:slow"
CHANGES = 20  # in the app; the lab thread itself takes 500


def test_500_changes_while_the_lab_is_held_analyse_only_the_last_selection():
    """The lab is held in its analysis of the first change while the other 499 land: when it is
    let go, it analyses the latest selection and nothing in between, however fast the machine."""
    held, calls, answers = threading.Event(), [], []

    def gated(selection, first=None):
        calls.append(selection)
        held.wait()  # the test lets it go, passing or failing: however long the 500 changes take
        return selection  # the answer stands for the report

    lab = LabRunner(answers.append, time_limit_s=math.inf, switch_grace_s=math.inf, analyze=gated)  # never abandons
    names = list(CATALOG)
    selections = [Selection(names[i % len(names)], (2 + i % 5,), "cpu") for i in range(500)]
    try:
        for request, selection in enumerate(selections, 1):
            lab.request(request, selection)
            if request == 1:  # the lab takes the first change, and is held there
                deadline = time.monotonic() + 120
                while not calls and time.monotonic() < deadline:
                    time.sleep(0.01)
        assert calls == [selections[0]]
    finally:
        held.set()
    deadline = time.monotonic() + 120
    while lab.running_s() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert calls == [selections[0], selections[-1]]
    assert [(m.request, m.report) for m in answers if isinstance(m, LabDone)] == [(1, selections[0]),
                                                                                  (500, selections[-1])]


async def test_changes_while_the_lab_is_held_analyse_only_the_last_selection_in_the_app():
    """Quick changes of model and batch in the app while the lab is held: the app shows the last
    selection, analysed, and nothing in between was."""
    held, entered, calls = threading.Event(), threading.Event(), []

    def gated(selection, **kwargs):
        calls.append(selection)
        entered.set()
        held.wait()  # the test lets it go, passing or failing: however long the changes take
        return reports.analyze(selection, **kwargs)

    names = [n for n in CATALOG if n != "random-keys"]
    app = make_test_app(analyze=gated)
    held.set()  # until the app has its first answer
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        held.clear()
        entered.clear()
        app.lab.switch_grace_s = app.lab.time_limit_s = math.inf  # never abandon the held analysis
        calls.clear()
        picker, batch = app.query_one("#model", Select), app.query_one("#batch", Input)
        try:
            for i in range(CHANGES):
                if i % 2:
                    picker.value = names[i % len(names)]
                else:
                    batch.value = str(2 + i % 5)
                    await batch.action_submit()
                if i == 0:  # the lab takes the first change, and is held there
                    assert await asyncio.to_thread(entered.wait, 120)
                await pilot.pause()
            first = Selection("tanh-dense", (2,), "cpu")
            last = Selection(names[(CHANGES - 1) % len(names)], (2 + (CHANGES - 2) % 5,), "cpu")
            deadline = time.monotonic() + 60  # the last change's message may take a few hops to the app
            while app.selection != last and time.monotonic() < deadline:
                await pilot.pause()
            assert app.selection == last and calls == [first]
        finally:
            held.set()
        await settle(pilot)
        assert calls == [first, last]
        assert app.report.model == last.model and app.report.batch_shape == last.batch_shape
        assert app.helper.commands[-1] == ("time", app.requests.helper, last)
        await pilot.press("1")
        text = shown_text(app.query_one("#outputs-view", OutputsView))
        assert text.startswith(last.model) and f"· batch {last.batch_shape}" in widget_text(app.query_one("#status"))


def _tracked() -> tuple[list[str], Callable]:
    """The models in the lab's hands right now, and the analysis that keeps that list."""
    analysing = []

    def tracked(selection, *args, **kwargs):
        analysing.append(selection.model)
        try:
            return reports.analyze(selection, *args, **kwargs)
        finally:
            analysing.remove(selection.model)

    return analysing, tracked


async def _finished(analysing: list[str]) -> None:
    """Wait until the abandoned analysis, released, has ended: no thread of a test still runs
    JAX work when the next test (or the interpreter's exit) comes."""
    deadline = time.monotonic() + 120
    while analysing and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert not analysing, analysing


async def test_a_model_past_the_time_limit_is_named_and_the_next_selection_runs(tmp_path, monkeypatch):
    release = tmp_path / "release"
    monkeypatch.setenv("JAXBATCH_TEST_RELEASE", str(release))
    analysing, tracked = _tracked()
    app = make_test_app(analyze=tracked)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.lab.time_limit_s = 0.5
        app.request(Selection(SLOW, (2,), "cpu", ("f32[2]",)))
        status = app.query_one("#status")
        for _ in range(200):  # the watch runs once a second
            await pilot.pause(0.05)
            if "without an answer" in widget_text(status):
                break
        assert re.search(r"slow has run \d+ s without an answer: it goes on in the background", widget_text(status))
        app.request(Selection("elementwise", (3,), "cpu"))
        await settle(pilot)
        assert app.report.model == "elementwise"
        release.touch()  # the abandoned thread finishes now: its answer is dropped
        await _finished(analysing)
        await pilot.pause(0.2)
        assert app.report.model == "elementwise" and "elementwise" in widget_text(status)


async def test_switching_away_from_a_slow_model_does_not_wait_for_it(tmp_path, monkeypatch):
    release = tmp_path / "release"
    monkeypatch.setenv("JAXBATCH_TEST_RELEASE", str(release))
    analysing, tracked = _tracked()
    app = make_test_app(analyze=tracked)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.lab.switch_grace_s = 0.2
        app.request(Selection(SLOW, (2,), "cpu", ("f32[2]",)))
        await pilot.pause(0.4)
        app.request(Selection("elementwise", (3,), "cpu"))
        await settle(pilot)
        assert app.report.model == "elementwise"
        assert analysing == [SLOW]  # answered while the slow one still runs, abandoned to its thread
        release.touch()
        await _finished(analysing)


def test_the_first_analysis_freezes_the_heap_jax_brought_out_of_the_collector_s_sight():
    """Once the lab has imported JAX, what is on the heap is frozen, so a full collection in the
    middle of the first answer scans only what came after (a 40 ms stall of the UI otherwise)."""
    import gc

    served = threading.Event()
    gc.unfreeze()
    before = gc.get_freeze_count()
    lab = LabRunner(lambda message: served.set(), analyze=lambda selection, first=None: selection)
    lab.request(1, Selection())
    assert served.wait(120)
    assert gc.get_freeze_count() > before + 10_000  # JAX's modules hold hundreds of thousands
