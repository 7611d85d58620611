"""The app with other models: the user's own function in the model list, in_axes set by key."""

from pathlib import Path

from textual.widgets import Select

from jaxbatch.results.selection import Selection
from jaxbatch.screens.ask_screen import AskScreen
from jaxbatch.widgets.outputs_view import OutputsView

from app_helpers import make_test_app, notifications, settle, shown_text

USER = f"{Path(__file__).parent / 'fixtures' / 'user_functions.py'}:score"
USER_SELECTION = Selection(USER, (4,), "cpu", ("f32[3]", "f32[3,2]"), None, USER + "_batched", (0, None))


async def test_the_users_function_is_in_the_model_list_and_keeps_its_inputs():
    app = make_test_app(USER_SELECTION)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = shown_text(app.query_one("#outputs-view", OutputsView))
        assert "score_batched" in text and "in_axes 0,None" in text and "model(f32[4,3], f32[3,2])" in text
        picker = app.query_one("#model", Select)
        picker.value = "tanh-dense"
        await settle(pilot)
        assert app.report.model == "tanh-dense"
        picker.value = USER
        await settle(pilot)
        assert app.report.model == USER and app.report.strategies["manual"].label == "score_batched"


async def test_another_model_keeps_the_chunk_size_and_precision():
    app = make_test_app(Selection(batch_shape=(8,), chunk=3, precision="highest"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.query_one("#model", Select).value = "elementwise"
        await settle(pilot)
        assert app.report.model == "elementwise" and app.report.strategies["chunked"].label == "chunked k=3"
        assert app.selection.chunk == 3 and app.selection.precision == "highest"


async def test_a_sets_the_in_axes_a_bad_entry_keeps_the_dialog_open_and_escape_cancels():
    app = make_test_app(USER_SELECTION)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        assert isinstance(app.screen, AskScreen)
        await pilot.press("ctrl+a", "ctrl+k", *"0,1", "enter")
        assert isinstance(app.screen, AskScreen)
        assert "axis 1 is not supported" in shown_text(app.screen)
        await pilot.press("escape")
        assert not isinstance(app.screen, AskScreen) and app.selection.in_axes is None
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("ctrl+a", "ctrl+k", *"0,0", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, AskScreen)
        assert app.selection.in_axes == (0, 0) and app.report.in_axes == [0, 0]
        text = shown_text(app.query_one("#outputs-view", OutputsView))
        assert "model(f32[4,3], f32[4,3,2])" in text and "written for in_axes 0,None" in text


async def test_a_on_a_one_argument_model_says_why_not():
    app = make_test_app()
    said = notifications(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        assert not isinstance(app.screen, AskScreen)
        assert any("one argument" in m for m in said)


async def test_shift_k_sets_the_chunk_a_bad_one_keeps_the_dialog_open():
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.report.strategies["chunked"].label == "chunked k=64"
        await pilot.press("K")
        assert isinstance(app.screen, AskScreen)
        await pilot.press("ctrl+a", "ctrl+k", *"0", "enter")
        assert isinstance(app.screen, AskScreen) and "chunk 0 has no instances" in shown_text(app.screen)
        await pilot.press("ctrl+a", "ctrl+k", *"2", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, AskScreen)
        assert app.selection.chunk == 2 and app.report.chunk == 2
        chunked = app.report.strategies["chunked"]
        assert chunked.label == "chunked k=2" and "scan" in chunked.primitives  # 5 = 2 chunks of 2, and 1 more
        assert "concatenate" in chunked.primitives
