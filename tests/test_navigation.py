"""`n` and `N`: a visible cursor through the rows that differ, at every level, wrapping round.

Most tests feed fixed rows to the widget in a small inline app; the last ones drive the whole
app on the seed, as the issue did (pane 2, n, n, N; then StableHLO).
"""

from textual.app import App, ComposeResult
from textual.widgets import Static

from jaxbatch.presentation.programs import ViewRow, difference_stops
from jaxbatch.widgets.programs_view import ProgramsView
from jaxbatch.widgets.side_by_side import SideBySide

from app_helpers import make_test_app, settle


class OneView(App):
    def __init__(self, rows: list[ViewRow]) -> None:
        super().__init__()
        self.rows = rows
        self.said: list[str] = []

    def notify(self, message, **kwargs) -> None:
        self.said.append(message)  # kept: a toast expires, and a slow machine could miss it
        super().notify(message, **kwargs)

    def compose(self) -> ComposeResult:
        yield SideBySide()

    def on_mount(self) -> None:
        side = self.query_one(SideBySide)
        side.show(self.rows, None)
        side.focus()


def rows_of(statuses: list[str]) -> list[ViewRow]:
    return [ViewRow(None if s == "only_right" else f"left {i}", None if s == "only_left" else f"right {i}", s)
            for i, s in enumerate(statuses)]


def gutters(side: SideBySide) -> list[str]:
    """The two gutter cells of every visible row: the status marker, then `▸` on the cursor."""
    return [side.render_line(y).text[:2] for y in range(min(side.size.height, len(side.rows)))]


async def test_n_and_N_move_a_visible_cursor_through_every_differing_row():
    app = OneView(rows_of(["differ"] * 4))  # the seed's jaxprs: every row differs
    async with app.run_test(size=(60, 10)) as pilot:
        side = app.query_one(SideBySide)
        assert side.cursor is None and "≠▸" not in gutters(side)
        await pilot.press("n")
        assert side.cursor == 0 and gutters(side) == ["≠▸", "≠ ", "≠ ", "≠ "]
        await pilot.press("n")
        assert side.cursor == 1 and gutters(side) == ["≠ ", "≠▸", "≠ ", "≠ "]
        await pilot.press("N")
        assert side.cursor == 0
        assert app.said == []  # nothing claimed "no more differences"


async def test_the_ends_wrap_round_and_say_so():
    app = OneView(rows_of(["same", "differ", "same", "differ", "same"]))
    async with app.run_test(size=(60, 10)) as pilot:
        side = app.query_one(SideBySide)
        await pilot.press("N")  # no cursor yet: N starts below the screen, at the last difference
        assert side.cursor == 3 and app.said == []
        await pilot.press("n")
        assert side.cursor == 1 and app.said == ["past the last difference: back to the first"]
        await pilot.press("N")
        assert side.cursor == 3 and app.said[-1] == "before the first difference: on to the last"


async def test_a_run_of_rows_on_one_side_is_one_stop():
    statuses = ["same", "only_left", "only_left", "only_left", "differ", "only_right", "only_left", "same"]
    app = OneView(rows_of(statuses))
    async with app.run_test(size=(60, 12)) as pilot:
        side = app.query_one(SideBySide)
        visited = []
        for _ in range(4):
            await pilot.press("n")
            visited.append(side.cursor)
        assert visited == [1, 4, 5, 6]
        assert [statuses[i] for i in visited] == ["only_left", "differ", "only_right", "only_left"]


async def test_identical_programs_have_nowhere_to_go():
    app = OneView(rows_of(["same"] * 3))
    async with app.run_test(size=(60, 10)) as pilot:
        side = app.query_one(SideBySide)
        await pilot.press("n", "N")
        assert side.cursor is None and app.said == ["no differences: every row is the same"] * 2


async def test_the_cursor_is_scrolled_into_view_and_a_scrolled_away_cursor_is_left_behind():
    statuses = ["same"] * 200
    statuses[10] = statuses[150] = statuses[180] = "differ"
    app = OneView(rows_of(statuses))
    async with app.run_test(size=(60, 10)) as pilot:
        side = app.query_one(SideBySide)
        await pilot.press("n", "n")
        await pilot.pause()
        top = round(side.scroll_offset.y)
        assert side.cursor == 150 and top <= 150 < top + side.size.height
        assert "≠▸" in gutters(side)
        side.scroll_to(y=0, animate=False, immediate=True)  # the cursor is out of sight now
        await pilot.press("n")  # so n starts from the top of the screen, not from the cursor
        assert side.cursor == 10


def test_stops_are_what_n_visits():
    rows = rows_of(["only_left", "only_left", "same", "differ", "differ", "only_right", "only_left", "only_left"])
    assert difference_stops(rows) == [0, 3, 4, 5, 6]
    assert difference_stops(rows_of(["same", "same"])) == []


# ---- the whole app, on the seed -------------------------------------------------------------------

async def test_on_the_seed_n_and_N_reach_all_four_differing_jaxpr_rows():
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        side, said = app.query_one(SideBySide), []
        app.notify = lambda message, **kwargs: said.append(message)
        assert [r.status for r in side.rows] == ["differ"] * 4
        await pilot.press("n", "n", "N")
        assert side.cursor == 0
        await pilot.press("n", "n", "n")
        assert side.cursor == 3 and side.render_line(3).text.startswith("≠▸")
        assert said == []  # no "no more differences below" on the way
        await pilot.press("n")
        assert side.cursor == 0 and said == ["past the last difference: back to the first"]


async def test_every_level_has_statuses_that_the_verdict_and_n_both_read():
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        view, side = app.query_one(ProgramsView), app.query_one(SideBySide)
        for level in ("jaxpr", "stablehlo", "hlo"):
            assert view.level == level
            assert {r.status for r in side.rows} <= {"same", "differ", "only_left", "only_right"}
            colour = view.query_one(".verdict", Static).content.spans[0].style
            assert colour in ("$text-success", "$text-warning")  # the verdict: the same program, or not
            identical = colour == "$text-success"
            facts = app.report.same_program  # the lab's own word on the pair, level by level
            assert facts.pair == view.pair and identical == facts.at(level)
            assert bool(difference_stops(side.rows)) == (not identical)
            if not identical:
                await pilot.press("n")
                assert side.rows[side.cursor].status != "same"
                assert "▸" in side.render_line(side.cursor - round(side.scroll_offset.y)).text[:2]
            await pilot.press("l")
            await settle(pilot)
