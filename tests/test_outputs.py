"""Comparison with the loop: dtype-aware tolerances, NaN, shapes, and JSON that stays valid."""

import json

import numpy as np
import pytest

from jaxbatch.lab.outputs import compare, format_tree, to_json, tolerance


def test_float32_within_tolerance_agrees_and_beyond_it_does_not():
    ref = np.array([1.0, 2.0], np.float32)
    assert compare(ref + np.float32(1e-6), ref).agrees is True
    far = compare(ref + np.float32(1e-3), ref)
    assert far.agrees is False and far.max_abs_diff == pytest.approx(1e-3, rel=1e-3)


def test_tolerance_follows_the_dtype():
    assert tolerance(np.float16) > tolerance(np.float32) > tolerance(np.float64) > 0
    assert tolerance(np.int32) == 0.0


def test_integers_must_match_exactly():
    assert compare(np.array([1, 2]), np.array([1, 3])).agrees is False


def test_nan_where_the_loop_has_nan_agrees_but_nan_elsewhere_does_not():
    ref = np.array([np.nan, 1.0])
    assert compare(ref.copy(), ref).agrees is True
    other = compare(np.array([np.nan, np.nan]), ref)
    assert other.agrees is False and other.max_abs_diff == float("inf")


def test_shape_and_structure_mismatches_have_no_number():
    assert compare(np.zeros(()), np.zeros(3)).max_abs_diff is None
    mismatch = compare({"a": np.zeros(2)}, (np.zeros(2),))
    assert mismatch.agrees is False and mismatch.max_abs_diff is None and "structure" in mismatch.reason


def test_json_keeps_full_precision_and_stays_valid():
    tree = {"x": np.array([np.float32(0.1), np.inf, np.nan], np.float32), "c": np.array(1 + 2j, np.complex64)}
    data = to_json(tree)
    assert data["x"][0] == float(np.float32(0.1)) and data["x"][1:] == ["Infinity", "NaN"]
    assert data["c"] == [1.0, 2.0]
    json.dumps(data, allow_nan=False)


def test_text_is_numpys_own_printing():
    x = np.array([-0.14736587, 0.47015858], np.float32)
    assert format_tree(x) == str(x)
    assert format_tree({"a": x}) == "a: " + str(x)
