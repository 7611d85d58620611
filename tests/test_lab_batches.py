"""Several batch dimensions, pytrees in and out, and a model that runs on the batch unasked."""

import json

import numpy as np
import pytest

from jaxbatch.lab.strategies import loop
from jaxbatch.media.json_report import report_json
from jaxbatch.presentation.verdicts import on_batch_verdict
from jaxbatch.results.errors import LabError
from jaxbatch.results.selection import Selection

from reports import analyze


def test_two_batch_dims_run_every_instance_and_nest_vmap():
    report = analyze(Selection("tanh-dense", (4, 8), "cpu"))
    loop_out = np.array(report.strategies["loop"].output)
    assert loop_out.shape == (4, 8)
    for key in ("manual", "vmap"):
        assert report.strategies[key].agrees is True
        np.testing.assert_allclose(report.strategies[key].output, loop_out, rtol=1e-5)
    # The first row of the (4, 8) batch is drawn first, so it starts with the seed's numbers.
    np.testing.assert_allclose(loop_out[0, :5], [-0.14736587, 0.47015858, 1.8918197, 0.21948916, 1.0849661], rtol=1e-6)
    assert "f32[4,8,3]" in report.strategies["vmap"].jaxpr
    assert "reshape" in report.strategies["manual"].primitives  # batch dims flattened by hand
    assert report.single.on_batch.error.type == "TypeError"


def test_loop_calls_the_model_once_per_instance_in_index_order():
    seen = []

    def single(x):
        seen.append(float(x))
        return x * 2

    out = loop(single, (0,), (2, 3))(np.arange(6.0).reshape(2, 3))
    assert seen == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    np.testing.assert_array_equal(out, np.arange(6.0).reshape(2, 3) * 2)


def test_pytree_inputs_and_outputs(fixture_ref):
    report = analyze(Selection(fixture_ref("pytree_model"), (3, 2), "cpu"))
    for key in ("manual", "vmap"):
        assert report.strategies[key].agrees is True, report.strategies[key]
    out = report.strategies["loop"].output
    assert isinstance(out, list) and len(out) == 2 and set(out[1]) == {"h", "n2"}
    assert np.array(out[1]["h"]).shape == (3, 2, 2)
    assert np.array(out[1]["n2"]).dtype.kind == "i"
    assert report.single.arg_avals == ["{a: f32[3], n: i32[]}", "f32[]"]
    assert report.single.batch_avals == ["{a: f32[3,2,3], n: i32[3,2]}", "f32[]"]
    assert "[0] " in report.strategies["vmap"].text and "h: " in report.strategies["vmap"].text
    json.dumps(report_json(report), allow_nan=False)


def test_a_model_that_runs_on_the_batch_but_reduces_over_it_is_called_wrong(fixture_ref):
    on_batch = analyze(Selection(fixture_ref("pytree_model"), (4,), "cpu")).single.on_batch
    assert on_batch.error is None and on_batch.agrees is False
    assert on_batch_verdict(on_batch) == \
        "runs on the batch but is WRONG: its output's shape () differs from the loop's (4,)"


def test_an_elementwise_model_runs_on_the_batch_and_matches(fixture_ref):
    report = analyze(Selection(fixture_ref("elementwise_model"), (6,), "cpu"))
    assert report.single.on_batch.agrees is True
    assert on_batch_verdict(report.single.on_batch) == "runs on the batch and agrees with the loop exactly"
    assert report.single.on_batch.agreement.max_ulp == 0
    assert "manual" not in report.strategies  # none given: the rest still works
    assert report.strategies["vmap"].agrees is True


def test_a_model_that_raises_is_one_clear_error(fixture_ref):
    with pytest.raises(LabError, match="raises-test raised on one instance: ValueError: the user's model exploded"):
        analyze(Selection(fixture_ref("raises_model"), (3,), "cpu"))


@pytest.mark.parametrize("device, words", [("gpu", "no gpu device: JAX found only cpu"), ("7", "out of range"),
                                           ("quantum", "unknown device 'quantum'")])
def test_a_missing_device_is_an_error_not_a_fallback(device, words):
    with pytest.raises(LabError, match=words):
        analyze(Selection("tanh-dense", (5,), device))
