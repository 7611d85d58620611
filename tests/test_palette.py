"""The command palette offers what fits the state, and its commands do what they say."""

from textual.widgets import TabbedContent

from jaxbatch.commands import commands
from jaxbatch.widgets.programs_view import ProgramsView

from app_helpers import make_test_app, settle


def titles(app) -> list[str]:
    return [c.title for c in commands(app)]


async def test_commands_fit_the_state():
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        offered = titles(app)
        assert "Model: tanh-dense" not in offered and "Model: per-example-grad" in offered
        assert "Set in_axes…" not in offered  # tanh-dense has one argument
        assert "Compare loop with vmap" in offered and "Compare einsum with vmap" not in offered  # shown now
        assert "Pause timings" in offered and "Cancel the sweep" not in offered
        await pilot.press("3", "space")
        assert "Resume timings" in titles(app)
        await pilot.press("s")
        await pilot.pause()
        assert "Cancel the sweep" not in titles(app)  # the scripted sweep is done at once
        app.sweep = None  # as before its first size came back: running
        assert "Cancel the sweep" in titles(app) and "Run the batch-size sweep" not in titles(app)


async def test_a_compare_command_shows_that_pair_in_pane_2():
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        command = next(c for c in commands(app) if c.title == "Compare loop with vmap")
        command.callback()
        await settle(pilot)
        assert app.query_one(TabbedContent).active == "programs"
        assert app.query_one(ProgramsView).pair == ("loop", "vmap")


async def test_the_palette_opens_and_runs_a_model_command():
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Model: elementwise")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert app.report.model == "elementwise"


async def test_the_chunk_size_and_the_chunk_sweep_are_in_the_palette():
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        offered = titles(app)
        assert "Chunk size… (now 64)" in offered and "Run the chunk sweep" in offered
        assert "Cancel the chunk sweep" not in offered
        next(c for c in commands(app) if c.title == "Run the chunk sweep").callback()
        await settle(pilot)
        assert app.query_one(TabbedContent).active == "chunks" and app.helper.commands[-1][0] == "chunk_sweep"
        app.chunk_sweep = None  # as before its first k came back: running
        assert "Cancel the chunk sweep" in titles(app) and "Run the chunk sweep" not in titles(app)
