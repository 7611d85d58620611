"""What a new user meets first, at 80x24 over SSH: where focus goes, what scrolls, what the
device picker offers, what the programs and sweep panes leave out at small sizes, and text
that looks like markup. Each test failed on the main before issue 13."""

import dataclasses

from textual.widgets import Input, OptionList, Select, Static, TabbedContent

from jaxbatch.commands import commands
from jaxbatch.results.selection import Selection
from jaxbatch.screens.help_screen import HelpScreen
from jaxbatch.widgets.key_bar import KeyBar
from jaxbatch.widgets.pane import Scroll
from jaxbatch.widgets.programs_view import ProgramsView
from jaxbatch.widgets.sweep_view import SafePlot, SweepView
from jaxbatch.widgets.timings_view import table_lines

import scripted
from app_helpers import make_test_app, settle, widget_text


async def test_a_batch_applied_with_enter_gives_the_keys_back_to_the_panes():
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("b", "ctrl+u", "2", "comma", "3", "enter")
        await settle(pilot)
        assert app.report.batch_shape == (2, 3)
        await pilot.press("2")
        assert app.query_one(TabbedContent).active == "programs"
        assert app.query_one("#batch", Input).value == "2,3" and not isinstance(app.focused, Input)


async def test_help_scrolls_at_once_at_80x24():
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        body = app.screen.query_one(Scroll)
        assert app.focused is body and body.max_scroll_y > 0  # more help than fits
        await pilot.press("end")
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y
        await pilot.press("home", "j")
        await pilot.pause()
        assert body.scroll_y == 1
        await pilot.press("home", "pagedown")
        await pilot.pause()
        page = body.scroll_y
        assert page == min(body.scrollable_content_region.height, body.max_scroll_y) > 1  # a page, not a line
        await pilot.press("pageup")
        await pilot.pause()
        assert body.scroll_y == 0
        for key, at in (("space", page), ("space", 2 * page), ("b", page)):  # as in less
            await pilot.press(key)
            await pilot.wait_for_scheduled_animations()
            assert body.scroll_y == min(at, body.max_scroll_y)
        assert isinstance(app.screen, HelpScreen)  # space and b page it, they don't close it


async def test_a_device_jax_lacks_leaves_every_device_it_has_pickable():
    app = make_test_app(Selection(device="tpu"))  # no TPU here: the lab's answer is an error
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.report is None
        assert "Device: cpu:0" in [c.title for c in commands(app)]
        app.choose("#device", "cpu:0")  # refused if the picker lacked it
        await settle(pilot)
        assert app.report is not None and app.report.device.platform == "cpu"


async def test_the_device_picker_lists_each_device_once():
    app = make_test_app()  # --device cpu: the same device as cpu:0
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        picker = app.query_one("#device", Select)
        options = picker.query_one(OptionList)
        found = [spec for spec, _ in app.backends.devices]  # the tests simulate 4 CPU devices
        assert picker.value == "cpu:0"
        assert [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)] == found
        assert [c.title for c in commands(app) if c.title.startswith("Device:")] == [f"Device: {s}" for s in found[1:]]


async def test_the_programs_verdict_is_never_cut_and_the_stats_make_room_at_80x24():
    app = make_test_app(Selection(batch_shape=(4, 8)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2", "p")  # loop vs vmap: the longest verdict
        await settle(pilot)
        view = app.query_one(ProgramsView)
        verdict = view.query_one(".verdict", Static)
        assert verdict.size.height >= 4 and len(widget_text(verdict)) > 3 * 78  # more than 3 lines, all shown
        assert verdict.size.height == verdict.get_content_height(verdict.size, verdict.size, verdict.size.width)
        await pilot.press("p", "l")  # StableHLO: its stats wait for `i` at 80x24
        await settle(pilot)
        summary = view.query_one(".summary")
        assert not summary.display and "i stats" in widget_text(view.query_one(".title", Static))
        await pilot.press("i")
        await pilot.pause()
        assert summary.display
        await pilot.press("i")
        await pilot.pause()
        assert not summary.display


async def test_the_stats_show_unasked_where_there_is_room():
    app = make_test_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2", "l")
        await settle(pilot)
        assert app.query_one(ProgramsView).query_one(".summary").display


async def test_every_sweep_conclusion_is_on_screen_at_80x24():
    """Long names wrap each conclusion onto two lines: all of them still show above the key bar."""
    labels = {"loop": "a python loop over instances", "manual": "the hand-derived batched gradient",
              "vmap": "jax.vmap of the gradient"}
    times = {"loop": (4e-5,) * 9, "manual": tuple(1e-6 / 2**n for n in range(9)),
             "vmap": tuple(1e-6 / 2.2**n for n in range(9))}
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        app.sweep = dataclasses.replace(scripted.sweep(times), labels=labels)
        await pilot.pause()
        words = app.query_one(SweepView).query_one(".conclusions", Static)
        rows = words.get_content_height(words.size, words.size, words.size.width)
        assert rows >= 5 and words.region.height == rows
        assert words.region.bottom <= app.query_one(KeyBar).region.y


async def test_the_legend_is_under_the_plots_and_the_lowest_tick_clear_of_the_batch_sizes():
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        app.sweep = scripted.sweep({"loop": (4e-5,) * 9, "manual": tuple(1e-6 / 2**n for n in range(9)),
                                    "vmap": tuple(1e-6 / 2.2**n for n in range(9))})
        await pilot.pause()
        view = app.query_one(SweepView)
        plot = str(view.query_one(".per-instance", SafePlot).render()).splitlines()
        assert not any("einsum" in line for line in plot)  # no legend over the curves
        assert widget_text(view.query_one(".legend", Static)).split() == ["⣿⣿", "loop", "⣿⣿", "einsum", "⣿⣿", "vmap"]
        axis = next(line for line in plot if "└" in line)
        assert "s" not in axis.split("└")[0]  # no time label on the row above the batch sizes


def test_timing_rows_fit_the_dashboard_column_with_both_flags():
    both = scripted.live({"loop": scripted.timing_of(0.155, None, estimated=True),
                          "manual": scripted.timing_of(171e-6), "vmap": scripted.timing_of(7e-6, estimated=True)})
    for width in (58, 64, 70, 78, 120):  # the dashboard's column is 71 wide
        lines = table_lines(both, width)
        assert all(len(line.plain) <= max(width, 70) for line in lines), width  # 70: numbers and flags, no bar
        assert lines[3].plain.rstrip().endswith("≈floor ~est.")
        assert ("█" in lines[1].plain) == (width >= 70 + 4 + 2)  # a bar where there is room for one


async def test_the_palette_shows_model_text_that_looks_like_markup_as_it_is():
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"index-update")
        await pilot.pause(0.5)
        options = app.screen.query_one(OptionList)
        shown = "\n".join(str(options.get_option_at_index(i).prompt) for i in range(options.option_count))
        assert "x.at[i].set(v)" in shown
