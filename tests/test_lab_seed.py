"""The seed's question, answered by the lab: its numbers, its error, its programs."""

import numpy as np
import pytest

from jaxbatch.media.json_report import report_json
from jaxbatch.results.selection import Selection

from reports import analyze

SEED_BATCH = [-0.14736587, 0.47015858, 1.8918197, 0.21948916, 1.0849661]


@pytest.fixture(scope="module")
def report():
    return analyze(Selection("tanh-dense", (5,), "cpu"))


def test_one_instance_matches_the_seed(report):
    assert report.single.output == pytest.approx(1.7771413, abs=1e-7)
    assert report.single.text == "1.7771413"  # printed as NumPy prints it


def test_calling_on_the_batch_raises_the_seeds_error_verbatim(report):
    error = report.single.on_batch.error
    assert error.type == "TypeError"
    assert error.message == (
        "dot_general requires contracting dimensions to have the same shape, got (3,) and (5,)."
    )


@pytest.mark.parametrize("key", ["loop", "manual", "vmap"])
def test_every_strategy_prints_the_seeds_five_numbers(report, key):
    s = report.strategies[key]
    np.testing.assert_allclose(s.output, SEED_BATCH, rtol=1e-6)
    assert s.text == "[-0.14736587  0.47015858  1.8918197   0.21948916  1.0849661 ]"
    assert s.agrees is True and s.max_abs_diff == pytest.approx(0.0, abs=1e-6)


def test_hand_batched_is_named_by_its_technique(report):
    assert report.strategies["manual"].label == "einsum"


def test_same_primitives_in_a_different_layout(report):
    manual, vmap = report.strategies["manual"], report.strategies["vmap"]
    assert manual.primitives == vmap.primitives == ["dot_general", "add", "tanh", "reduce_sum"]
    # The seed calls the programs identical; today the einsum puts the batch axis first.
    assert "c:f32[5,2] = dot_general" in manual.jaxpr
    assert "c:f32[2,5] = dot_general" in vmap.jaxpr
    assert "\x1b" not in manual.jaxpr + vmap.jaxpr  # no terminal colours leak into the text


def test_json_follows_the_contract(report):
    data = report_json(report)
    assert data["model"] == "tanh-dense" and data["batch_shape"] == [5]
    assert data["device"]["platform"] == "cpu"
    # the device is a value that names itself; its JSON form is the contract's {platform, kind, id}
    assert report.device.text == f"cpu ({report.device.kind})"
    assert data["device"] == {"platform": "cpu", "kind": report.device.kind, "id": report.device.id}
    assert data["single"]["on_batch"]["error"]["type"] == "TypeError"
    assert set(data["strategies"]) == {"loop", "manual", "vmap", "chunked"}
    assert data["strategies"]["manual"]["label"] == "einsum"
    assert data["primitives"]["vmap"] == ["dot_general", "add", "tanh", "reduce_sum"]
    assert set(data["jaxpr"]) == {"loop", "manual", "vmap", "chunked"}
