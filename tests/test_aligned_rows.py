"""The aligned view of two long programs makes only the rows it shows: a screen of a
5,000-equation pair draws as fast as a screen of a small one, and still scrolls by keyboard."""

import pytest
from textual.app import App, ComposeResult

from jaxbatch.lexers.jaxpr import JaxprLexer
from jaxbatch.presentation import programs
from jaxbatch.presentation.programs import alignment_rows, difference_stops, longest_line
from jaxbatch.results.alignment import align
from jaxbatch.results.report import Eqn, Row
from jaxbatch.widgets.side_by_side import SideBySide

PRIMS = ["sin", "cos", "add"]


def program(n: int, axes: str, extra: int) -> list[Eqn]:
    """n equations, nested a little, whose adds sum over `axes`; an exp inserted at `extra`."""
    eqns = [Eqn(p, {"axes": axes} if p == "add" else {}, ["f32[4]"], ["f32[4]"], i % 2, "",
                f"x{i}:f32[4] = {p}[axes={axes}] x" if p == "add" else f"x{i}:f32[4] = {p} x")
            for i, p in enumerate(PRIMS * (n // 3))]
    return [*eqns[:extra], Eqn("exp", {}, ["f32[4]"], ["f32[4]"], 0, "", "e:f32[4] = exp x"), *eqns[extra:]]


LONG = align(program(5001, "(0,)", extra=10), program(5001, "(1,)", extra=4000))


@pytest.fixture
def made(monkeypatch) -> list[Row]:
    """The alignment's rows made into view rows, in the order they were made."""
    made: list[Row] = []
    real = programs._aligned_row
    monkeypatch.setattr(programs, "_aligned_row", lambda alignment, row: made.append(row) or real(alignment, row))
    return made


def test_what_the_view_needs_of_every_row_is_read_without_making_them(made):
    rows = alignment_rows(LONG)
    stops, longest = difference_stops(rows), longest_line(rows)
    assert made == []
    every = list(rows)
    assert made == LONG.rows and [r.status for r in every] == [r.status for r in LONG.rows]
    assert stops == difference_stops(every)
    assert longest == longest_line(every) == len("  x4997:f32[4] = add[axes=(0,)] x")
    assert {r.status for r in every} == {"same", "differ", "only_left", "only_right"}
    assert every[2].left_marks == every[2].right_marks == ((16, 25),)  # a differing row still marks where


class OneView(App):
    def compose(self) -> ComposeResult:
        yield SideBySide()


async def test_a_screen_makes_only_the_rows_it_shows_and_keys_scroll_on(made):
    app = OneView()
    app.animation_level = "none"  # scrolled in one step: no rows made on the way
    async with app.run_test(size=(100, 20)) as pilot:
        side = app.query_one(SideBySide)
        side.show(alignment_rows(LONG), JaxprLexer(stripnl=False, ensurenl=False))
        side.focus()
        await pilot.pause()
        height = side.scrollable_content_region.height
        assert made == LONG.rows[:len(made)] and height <= len(made) <= side.size.height
        made.clear()
        await pilot.press("end")
        await pilot.pause()
        assert side.scroll_offset.y == len(LONG.rows) - height
        assert made == LONG.rows[-len(made):] and len(made) <= side.size.height
        assert "x5000:f32[4] = add[axes=(1,)] x" in "".join(s.text for s in side.render_line(height - 1))
        made.clear()
        await pilot.press("k")
        await pilot.pause()
        assert side.scroll_offset.y == len(LONG.rows) - height - 1 and made == [LONG.rows[-height - 1]]
