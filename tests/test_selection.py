"""Batch shapes typed by the user: every accepted spelling, every rejection one clear error."""

import math

import pytest
from hypothesis import given, strategies as st

from jaxbatch.results.errors import LabError
from jaxbatch.results.selection import MAX_INSTANCES, format_batch_shape, parse_batch_shape


@pytest.mark.parametrize(
    "text, shape",
    [("5", (5,)), ("4,8", (4, 8)), ("(4, 8)", (4, 8)), ("[4, 8]", (4, 8)), (" (5,) ", (5,)), ("2,3,4", (2, 3, 4))],
)
def test_accepts_the_usual_spellings(text, shape):
    assert parse_batch_shape(text) == shape


@pytest.mark.parametrize(
    "text, words",
    [
        ("abc", "'abc' is not a positive integer"),
        ("0", "dimension of 0"),
        ("-3", "'-3' is not a positive integer"),
        ("1e12", "'1e12' is not a positive integer"),
        ("", "is not a shape"),
        ("((4,8))", "has brackets inside brackets"),
        ("4,,8", "'' is not a positive integer"),
        ("٣", "is not a positive integer"),
        ("1000000000000", "the limit is 65,536"),
        ("300,300", "90,000 instances"),
    ],
)
def test_rejects_with_a_message_that_names_the_problem(text, words):
    with pytest.raises(LabError, match=None) as info:
        parse_batch_shape(text)
    assert words in str(info.value)


@given(st.text(max_size=30))
def test_any_text_parses_or_raises_lab_error(text):
    try:
        shape = parse_batch_shape(text)
    except LabError as exc:
        assert "\n" not in str(exc)
    else:
        assert shape and all(d > 0 for d in shape) and math.prod(shape) <= MAX_INSTANCES


@given(st.lists(st.integers(1, 16), min_size=1, max_size=4))
def test_format_round_trips(dims):
    assert parse_batch_shape(format_batch_shape(tuple(dims))) == tuple(dims)
