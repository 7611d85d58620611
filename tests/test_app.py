"""The app driven by keys through Pilot: panes, batch input, bad input, help, stale results."""

import dataclasses
import threading

import pytest
from textual.widgets import Input, TabbedContent

from jaxbatch.app import help_sections
from jaxbatch.messages import LabDone
from jaxbatch.results.selection import Selection
from jaxbatch.screens.help_screen import HelpScreen
from jaxbatch.widgets.outputs_view import OutputsView
from jaxbatch.widgets.programs_view import ProgramsView
from jaxbatch.widgets.side_by_side import SideBySide

import reports
from app_helpers import make_test_app, settle, shown_text, widget_text

SEED_LINE = "[-0.14736587  0.47015858  1.8918197   0.21948916  1.0849661 ]"


async def test_opens_on_the_seed_with_outputs_first():
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.query_one(TabbedContent).active == "outputs"
        text = shown_text(app.query_one("#outputs-view", OutputsView))
        assert "1.7771413" in text
        assert "dot_general requires contracting dimensions to have the same shape, got (3,) and (5,)." in text
        assert text.count(SEED_LINE) == 4  # loop, einsum, vmap, chunked
        assert "● tanh-dense · batch (5,) · cpu" in widget_text(app.screen.query_one("#status"))


async def test_number_keys_switch_panes_even_from_the_model_list():
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        assert app.query_one(TabbedContent).active == "programs"
        side = app.query_one(SideBySide)
        assert app.focused is side  # its keys (j, k, n) work at once
        assert side.rows[0].right.startswith("c:f32[2,5] = dot_general")
        await pilot.press("m", "1")  # the model list has focus: 1 still switches panes
        assert app.query_one(TabbedContent).active == "outputs"


async def test_typing_a_batch_shape_reruns_everything():
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("b")
        assert isinstance(app.focused, Input)
        app.focused.value = ""
        await pilot.press(*"(4, 8)", "enter")
        await settle(pilot)
        assert app.report.batch_shape == (4, 8)
        assert app.query_one("#batch", Input).value == "4,8"  # normalised to what one would type
        text = shown_text(app.query_one("#outputs-view", OutputsView))
        assert "model(f32[4,8,3])" in text and "got (3,) and (8,)." in text
        await pilot.press("escape", "2")  # escape leaves the input, so 2 is a key again
        assert app.query_one(TabbedContent).active == "programs"


@pytest.mark.parametrize("bad", ["abc", "0", "-3", "1e12"])
async def test_bad_batch_shapes_say_why_and_keep_the_last_results(bad):
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        good = app.report
        await pilot.press("b")
        app.focused.value = ""
        await pilot.press(*bad, "enter")
        await settle(pilot)
        status = widget_text(app.screen.query_one("#status"))
        assert f"batch shape {bad!r}" in status and "last results kept" in status
        assert app.query_one("#batch").has_class("-invalid")
        assert app.report is good and SEED_LINE in shown_text(app.query_one("#outputs-view", OutputsView))


async def test_panes_show_loading_while_the_lab_works():
    release = threading.Event()

    def slow(selection, **kwargs):
        release.wait(30)
        return reports.analyze(selection, **kwargs)

    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.lab.analyze = slow
        app.request(Selection("tanh-dense", (6,), "cpu"))
        await pilot.pause()
        assert app.query_one("#outputs-view", OutputsView).loading
        assert "computing tanh-dense at batch (6,)" in widget_text(app.screen.query_one("#status"))
        release.set()
        await settle(pilot)
        assert not app.query_one("#outputs-view", OutputsView).loading and app.report.batch_shape == (6,)


async def test_a_result_for_an_older_selection_is_dropped():
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        stale = dataclasses.replace(app.report, model="stale-model")
        app.post_message(LabDone(app.requests.lab - 1, stale))
        await pilot.pause()
        assert app.report.model == "tanh-dense"
        assert "stale-model" not in shown_text(app.screen)


async def test_a_lab_error_is_shown_in_the_app():
    app = make_test_app(Selection("tanh-dense", (5,), "gpu"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "no gpu device: JAX found only cpu" in widget_text(app.screen.query_one("#status"))
        assert app.report is None


@pytest.mark.parametrize("key", ["question_mark", "f1"])
async def test_help_lists_every_binding_and_closes(key):
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(key)
        assert isinstance(app.screen, HelpScreen)
        text = shown_text(app.screen)
        words = " ".join(text.split())
        for _, bindings in help_sections():
            for binding in bindings:
                assert (binding.tooltip or binding.description) in words
        # a description too long for 80 columns goes on in its own column, under itself
        rows = text.splitlines()
        wrapped = next(i for i, row in enumerate(rows) if row.endswith("the chunked strategy across"))
        column = rows[wrapped].index("Time and memory")
        assert rows[wrapped + 1] == " " * column + "chunk sizes"
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_q_quits():
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_programs_pane_cycles_levels_and_pairs():
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        view, side = app.query_one(ProgramsView), app.query_one(SideBySide)

        def verdict():
            return widget_text(view.query_one(".verdict"))

        assert view.pair == ("manual", "vmap") and "2 differ: dot_general" in verdict()
        await pilot.press("l")
        assert view.level == "stablehlo" and any("stablehlo.dot_general" in (r.left or "") for r in side.rows)
        await pilot.press("l")
        assert view.level == "hlo" and "XLA's programs differ" in verdict()
        assert "1 dot, 1 fusion" in shown_text(view.query_one(".summary"))
        await pilot.press("p")  # the compiled pairs only: the loop runs eagerly
        await settle(pilot)
        assert view.pair == ("vmap", "chunked")
        await pilot.press("p")
        assert view.pair == ("manual", "vmap")
        await pilot.press("l", "p")  # back at the jaxpr: loop vs vmap, aligned in a worker
        await settle(pilot)
        assert view.pair == ("loop", "vmap")
        statuses = [r.status for r in side.rows]
        assert statuses.count("only_left") > 0 and "only_right" not in statuses


async def test_j_and_k_scroll_the_outputs_pane():
    app = make_test_app(Selection(batch_shape=(64,)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        view = app.query_one("#outputs-view", OutputsView)
        await pilot.press("j", "j", "j")
        await pilot.pause()
        assert view.scroll_y == 3
        await pilot.press("k")
        await pilot.pause()
        assert view.scroll_y == 2


async def test_a_long_error_in_the_status_wraps_and_one_too_long_for_it_is_notified_whole():
    from jaxbatch.app import STATUS_LINES
    from jaxbatch.messages import LabFailed

    from app_helpers import notifications

    app = make_test_app()
    said = notifications(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        error = "tanh-dense raised on one instance: ValueError: boom from the user's model, " + "and on " * 12 + "END"
        app.post_message(LabFailed(app.requests.lab, error))  # as if the last request had failed
        await pilot.pause()
        status = app.query_one("#status")
        assert error in " ".join(widget_text(status).split()) and 1 < status.size.height <= STATUS_LINES and not said
        longer = error + " and more" * 30
        app.post_message(LabFailed(app.requests.lab, longer))
        await pilot.pause()
        assert status.size.height == STATUS_LINES and any(longer in " ".join(s.split()) for s in said)


async def test_a_stat_too_long_for_its_column_wraps_with_its_row_and_is_not_cut():
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2", "l", "l", "i")
        await pilot.pause()
        view = app.query_one(ProgramsView)
        columns = [widget_text(view.query_one(f".summary-{name}")).split("\n") for name in ("names", "left", "right")]
        assert len({len(c) for c in columns}) == 1  # as many lines in each: the rows line up
        names, left, right = columns
        memory = names.index("memory")
        assert left[memory].startswith("args") and left[memory + 1].strip()  # it goes on, under itself
        assert "temp" in " ".join(left[memory:]) and "…" not in "".join(left + right)
        width = max(s.size.width for s in view.query(".summary-column"))
        assert all(len(line) <= width for line in left + right)
