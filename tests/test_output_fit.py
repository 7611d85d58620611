"""Outputs fitted to where they are shown: NumPy's printing rewrapped to a narrower column as NumPy
would wrap it there (no element left alone on a line), and a large output summarised as NumPy
summarises a large array, in the text report and the outputs pane alike."""

import numpy as np
from textual.app import App
from textual.containers import Vertical

from jaxbatch.presentation.outputs import MAX_LINES, fit_array
from jaxbatch.widgets.outputs_view import Array

# Rows NumPy prints up to 75 wide (its default line width), as at-set-large's outputs are.
WIDE = str(np.random.default_rng(0).normal(65211.496, 2.0, 70).astype(np.float32))


def test_numpy_rows_rewrap_to_a_narrower_column_with_no_element_alone():
    assert max(map(len, WIDE.splitlines())) > 68
    lines = fit_array(WIDE, 68)
    assert max(map(len, lines)) <= 68
    assert packed(lines, 70)  # no row of NumPy's broken in two, with one element alone on a line
    assert " ".join(lines).split() == " ".join(WIDE.splitlines()).split()  # every element, in order


def packed(lines: list[str], elements: int) -> bool:
    """Each line holds as many elements as the first, but the last: the row rewrapped, not each line cut."""
    per = len(lines[0].strip("[] ").split())
    return len(lines) == -(-elements // per) and all(len(line.strip("[] ").split()) == per for line in lines[:-1])


def test_a_column_as_wide_as_numpy_keeps_its_lines():
    assert fit_array(WIDE, 75) == fit_array(WIDE, 120) == WIDE.splitlines()


def test_a_large_output_is_summarised_with_its_head_tail_and_how_much_lies_between():
    text = str(np.arange(900, dtype=np.float32).reshape(90, 10))  # under NumPy's threshold: 90 lines
    lines = fit_array(text, 75)
    assert len(text.splitlines()) == 90 and len(lines) <= MAX_LINES
    assert lines[0] == text.splitlines()[0] and lines[-1] == text.splitlines()[-1]
    said = next(line for line in lines if "more lines" in line)
    assert said == f"... {90 - (len(lines) - 1):,} more lines (the report JSON has every value) ..."


class _Column(App):
    def compose(self):
        with Vertical(id="column"):
            yield Array(WIDE)


async def test_the_pane_fits_an_array_to_its_width():
    app = _Column()
    async with app.run_test(size=(60, 30)) as pilot:
        await pilot.pause()
        array = app.query_one(Array)
        shown = str(array.render()).splitlines()
        assert max(map(len, shown)) <= 60 and len(shown) == array.size.height
        assert packed(shown, 70)
        assert str(array.content) == WIDE  # `c` copies every value, as NumPy printed them
