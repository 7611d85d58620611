"""The user's own function: flags, in_axes, the hand-batched twin, and each way it goes wrong."""

import json
import string

import pytest
from hypothesis import given, settings, strategies as st

from jaxbatch.cli import main
from jaxbatch.lab.loader import load_selected
from jaxbatch.presentation.notes import manual_missing_text, warnings_text
from jaxbatch.presentation.verdicts import on_batch_verdict
from jaxbatch.results.errors import LabError
from jaxbatch.results.report import NoManual, NonFinite
from jaxbatch.results.selection import Selection, parse_aval, parse_in_axes

from reports import analyze


@pytest.fixture
def ref(fixture_ref):
    return lambda fn: fixture_ref("user_functions", fn)


def test_a_function_with_shared_weights_and_a_batched_twin(ref):
    s = Selection(ref("score"), (4,), "cpu", ("f32[3]", "f32[3,2]"), None, ref("score_batched"), (0, None))
    report = analyze(s)
    assert report.single.batch_avals == ["f32[4,3]", "f32[3,2]"]  # w is shared, not batched
    assert report.strategies["manual"].label == "score_batched" and report.strategies["manual"].agrees
    assert report.strategies["vmap"].agrees and report.in_axes == [0, None]
    assert "WRONG" in on_batch_verdict(report.single.on_batch)  # x @ w on the batch runs, and sums the batch too


def test_without_a_batched_twin_the_rest_works_and_says_none_was_given(ref):
    report = analyze(Selection(ref("score"), (4,), "cpu", ("f32[3]", "f32[3,2]"), fn_in_axes=(0, None)))
    assert "manual" not in report.strategies and report.manual_missing == NoManual("not_given", how="cli")
    assert manual_missing_text(report.manual_missing) == "none given: pass --batched path/to/file.py:fn_batched"
    assert report.strategies["vmap"].agrees


def test_changing_a_built_in_models_in_axes_drops_its_hand_batched_version(fixture_ref):
    report = analyze(Selection(fixture_ref("pytree_model"), (3,), "cpu", in_axes=(0, 0)))
    assert report.single.batch_avals[1] == "f32[3]"  # the scale is batched now
    assert "manual" not in report.strategies
    assert report.manual_missing == NoManual("in_axes", written_for=(0, None), asked=(0, 0))
    assert manual_missing_text(report.manual_missing) == "not run: written for in_axes 0,None, not 0,0"
    assert report.strategies["vmap"].agrees


@pytest.mark.parametrize("fn, inputs, words", [
    ("takes_two", ("f32[2]",), "--input gives 1 argument, but missing a required argument: 'y'"),
    ("returns_text", ("f32[2]",), "returned a str on one instance"),
    ("returns_nothing", ("f32[2]",), "returned nothing on one instance"),
    ("raises", ("f32[2]",), "raised on one instance: ValueError: the user's function exploded"),
    ("not_callable", ("f32[2]",), "not_callable is not a Model or a function \\(it is list\\)"),
    ("score", (), "is a function: give its inputs"),
    ("exits", ("f32[2]",), "raised on one instance: SystemExit: 3"),
    ("exhausts", ("f32[2]",), r"raised on one instance: out of memory, try a smaller batch \(RuntimeError: "
                              r"RESOURCE_EXHAUSTED: Out of memory while trying to allocate 17179869184 bytes.\)$"),
])
def test_each_failure_is_one_clear_message(ref, fn, inputs, words):
    with pytest.raises(LabError, match=words):
        analyze(Selection(ref(fn), (3,), "cpu", inputs))


def test_in_axes_of_the_wrong_length_is_a_clear_message(ref):
    with pytest.raises(LabError, match="in_axes has 1 entries for 2 arguments"):
        load_selected(Selection(ref("score"), (3,), "cpu", ("f32[3]", "f32[3,2]"), fn_in_axes=(0,)))


def test_nan_outputs_are_compared_and_flagged(ref):
    report = analyze(Selection(ref("makes_nan"), (3,), "cpu", ("f32[2]",)))
    assert report.warnings == [NonFinite("loop", "loop", 6, 0)]
    assert warnings_text(report) == ["the loop's output holds 6 NaN values: NaN counts as equal to NaN"]
    assert report.strategies["vmap"].agrees


def test_nan_is_a_fact_the_report_states_not_an_error(ref, capsys):
    assert main(["report", "--model", ref("makes_nan"), "--input", "f32[2]", "--json", "--no-timings"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["warnings"] == ["the loop's output holds 10 NaN values: NaN counts as equal to NaN"]
    assert data["strategies"]["vmap"]["agreement"]["agrees"] is True


def test_what_the_model_prints_goes_to_stderr_not_into_the_json(ref, capsys):
    assert main(["report", "--model", ref("chatty"), "--input", "f32[2]", "--json", "--no-timings"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["strategies"]["vmap"]["agrees"] and "the model says hello" in err


@pytest.mark.parametrize("argv, words", [
    (["--input", "f33[3]"], "unknown dtype 'f33'"),
    (["--input", "f32[3"], "is not a dtype and shape"),
    (["--in-axes", "1"], "axis 1 is not supported"),
    (["--in-axes", "None"], "at least one argument must be batched"),
    (["--batched", "nowhere.py:fn"], "no such file nowhere.py"),
])
def test_bad_flags_exit_2_with_one_line(capsys, argv, words):
    with pytest.raises(SystemExit) as exit_:
        main(["report", "--no-timings", *argv])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and words in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("text, shape, dtype", [
    ("f32[3]", (3,), "float32"), ("i32[]", (), "int32"), (" float64[4, 8] ", (4, 8), "float64"),
    ("bool[2]", (2,), "bool"),
])
def test_input_notation(text, shape, dtype):
    aval = parse_aval(text)
    assert aval.shape == shape and aval.dtype == dtype


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=string.printable, max_size=24))
def test_input_and_in_axes_parsers_never_raise_anything_but_a_clear_message(text):
    for parse in (parse_aval, parse_in_axes):
        try:
            parse(text)
        except LabError as exc:
            assert str(exc) and "\n" not in str(exc)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["f32", "i32", "bool", "u8", "bf16"]), st.lists(st.integers(0, 64), max_size=4))
def test_any_valid_aval_round_trips_through_its_text(dtype, dims):
    text = f"{dtype}[{','.join(map(str, dims))}]"
    assert str(parse_aval(text)) == text
