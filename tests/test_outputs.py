"""Outputs as every view shows them: NumPy's own printing, and JSON that stays valid."""

import json

import numpy as np

from jaxbatch.lab.outputs import format_tree, to_json


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
