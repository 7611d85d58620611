"""The bad-input catalogue: whatever is typed for a model, a device, a batch, an input or in_axes,
the answer is one clear line (a LabError, or exit status 2 from the CLI), never a traceback."""

import string

import pytest
from hypothesis import given, settings, strategies as st

from jaxbatch.cli import main
from jaxbatch.lab.devices import resolve_device
from jaxbatch.lab.loader import check_reference, load_model
from jaxbatch.results.errors import LabError
from jaxbatch.results.selection import parse_aval, parse_batch_shape, parse_in_axes

TEXT = st.text(alphabet=string.printable + "٣éµ∞", max_size=30)


def one_clear_line(fn, text):
    try:
        fn(text)
    except LabError as exc:
        assert str(exc) and "\n" not in str(exc) and "Traceback" not in str(exc)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_parsers_and_references_never_fail_otherwise(text):
    for fn in (parse_batch_shape, parse_aval, parse_in_axes, check_reference):
        one_clear_line(fn, text)


@settings(max_examples=150, deadline=None)
@given(TEXT)
def test_device_names_never_fail_otherwise(text):
    one_clear_line(resolve_device, text)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=string.ascii_letters + "/._:-", min_size=1, max_size=30))
def test_model_references_load_or_say_why(text):
    one_clear_line(load_model, text)


@pytest.mark.parametrize("flag, value", [("--batch", "2**40"), ("--device", "gpu:7"), ("--model", "../../etc:passwd"),
                                         ("--input", "f32[3]]"), ("--in-axes", "0,,None"), ("--port", "99999")])
def test_the_cli_exits_2_with_one_line(capsys, flag, value):
    with pytest.raises(SystemExit) as exit_:
        main(["report", "--no-timings", flag, value] if flag != "--port" else [flag, value])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.count("\n") == 1 and err.startswith("jaxbatch-tui: ")
