"""Beyond the float32 tolerance, a float64 reference (a helper process) tells rounding from a
real difference, and says why when it can't be had."""

import collections
import json
import queue
import subprocess
import sys

import numpy as np
import pytest

from jaxbatch.lab import float64
from jaxbatch.lab.analysis import analyze as analyze_afresh
from jaxbatch.media.json_report import report_json
from jaxbatch.presentation.verdicts import agreement_verdict, no_float64_text
from jaxbatch.results.report import NoFloat64
from jaxbatch.results.selection import Selection

from reports import analyze


@pytest.fixture
def rounding(fixture_ref):
    return lambda attr: Selection(fixture_ref("rounding_model", attr), (3,), "cpu")


def test_a_more_accurate_hand_version_is_rounding_not_a_difference(rounding):
    report = analyze(rounding("MODEL"))
    manual = report.strategies["manual"].agreement
    assert manual.max_abs > 1.0  # far beyond the float32 tolerance: the loop itself loses whole units
    assert manual.agrees is True and manual.kind == "rounding"
    assert agreement_verdict(manual).startswith("agrees within float32 rounding: ")
    assert manual.vs_float64 < manual.loop_vs_float64  # the loop is the least accurate of them
    assert agreement_verdict(report.strategies["vmap"].agreement) == "agrees exactly"  # same order of additions
    data = report_json(report)["strategies"]["manual"]
    assert data["agrees"] is True and data["agreement"]["vs_float64"] == manual.vs_float64
    json.dumps(report_json(report), allow_nan=False)


def test_a_real_difference_is_wrong_against_float64_too(rounding):
    manual = analyze(rounding("WRONG")).strategies["manual"].agreement
    assert manual.agrees is False and manual.kind == "wrong" and agreement_verdict(manual).startswith("WRONG: ")
    assert manual.vs_float64 == pytest.approx(1000, rel=1e-3) and manual.loop_vs_float64 < 100


def test_a_float64_reference_that_takes_too_long_leaves_it_unknown(fixture_ref, monkeypatch):
    """The model blocks where x64 is on: in the helper, which is given up on (and killed)."""
    monkeypatch.setattr(float64, "TIMEOUT_S", 0.5)
    blocks = fixture_ref("blocking_model", "blocks_in_float64")
    selection = Selection(blocks, (3,), "cpu", inputs=("f32[3]",), batched=blocks + "_batched")
    manual = analyze_afresh(selection).strategies["manual"]
    assert manual.agrees is False and manual.agreement.float64_note == NoFloat64("timeout", seconds=0.5)
    assert agreement_verdict(manual.agreement).endswith("(the float64 reference took over 0.5 s)")
    assert manual.agreement.kind == "differs" and agreement_verdict(manual.agreement).startswith("DIFFERS: ")


def test_a_model_that_stays_in_float32_gets_no_float64_reference(rounding):
    manual = analyze(rounding("FLOAT32_ONLY")).strategies["manual"].agreement
    assert manual.agrees is False
    assert manual.float64_note == NoFloat64("narrow", dtypes=("float32",))
    assert no_float64_text(manual.float64_note) == "the model computes in float32 even with float64 inputs"


def test_random_draws_get_no_float64_reference_and_a_stream_that_differs_does_not_agree():
    vmap = analyze(Selection("rbg-keys", (5,), "cpu")).strategies["vmap"].agreement
    assert vmap.agrees is False and vmap.vs_float64 is None
    assert vmap.float64_note.reason == "random" and {"random_bits", "random_wrap"} <= set(vmap.float64_note.primitives)
    assert no_float64_text(vmap.float64_note).startswith("the model draws random numbers (random_bits, random_wrap")
    words = agreement_verdict(vmap)
    assert vmap.kind == "differs" and words.startswith("DIFFERS: ")
    assert "other random numbers: under vmap, random_bits on a batch of RBG keys draws" in words


def test_one_helper_answers_reference_after_reference_while_nothing_it_was_started_with_changes(rounding,
                                                                                                  monkeypatch):
    """A helper started for one reference answers the next (JAX started once), in the next test
    too; one started under another environment is not used: a fresh helper sees what the
    analysis sees."""
    from jaxbatch.lab.workload import prepare

    def reference(selection):
        ref = float64.Reference(selection, prepare(selection).batch)
        out, why = ref.result(np.zeros(3))
        assert why is None and out.dtype == np.float64
        return float64._idle[0].process

    first = reference(rounding("MODEL"))
    assert reference(rounding("WRONG")) is first and first.poll() is None
    monkeypatch.setenv("PYTEST_CURRENT_TEST", "the next test")  # pytest's, anew for each test
    assert reference(rounding("MODEL")) is first
    monkeypatch.setenv("JAXBATCH_TEST_ELSEWHERE", "1")
    other = reference(rounding("MODEL"))
    assert other is not first and first.poll() is not None  # the helper that didn't fit ended


class _Answering:
    """Stands in for the helper process: answers `answer` to the one request (None: it ended)."""

    def __init__(self, folder, answer):
        self.folder, self.answers = str(folder), queue.Queue()
        self.answers.put(answer)

    def ask(self, request):
        pass

    def alive(self):
        return False

    def kill(self):
        pass

    def last_words(self):
        return NoFloat64("exited", status=1)


@pytest.mark.parametrize("answer, why", [
    ({"error": "ValueError: no", "narrow": []}, NoFloat64("failed", error="ValueError: no")),
    ({"error": "", "narrow": ["bfloat16", "float32"]}, NoFloat64("narrow", dtypes=("bfloat16", "float32"))),
    (None, NoFloat64("exited", status=1)),
])
def test_why_the_helper_gave_no_reference_comes_back_as_a_flag(tmp_path, monkeypatch, answer, why):
    monkeypatch.setattr(float64, "_take", lambda: _Answering(tmp_path, answer))
    ref = float64.Reference(Selection("tanh-dense", (3,), "cpu"), (np.zeros(3, np.float32),))
    assert ref.result(np.zeros(3)) == (None, why)


def test_a_helper_that_did_not_start_or_ended_says_so_as_a_flag(monkeypatch):
    def fail():
        raise OSError("no more processes")

    monkeypatch.setattr(float64, "_take", fail)
    ref = float64.Reference(Selection("tanh-dense", (3,), "cpu"), (np.zeros(3, np.float32),))
    assert ref.result(np.zeros(3)) == (None, NoFloat64("did_not_start", error="no more processes"))
    helper = object.__new__(float64._Helper)  # its last words, without starting JAX in it
    helper.process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    helper._said = collections.deque(maxlen=1)
    assert helper.last_words() == NoFloat64("exited", status=3)
    helper._said.append("MemoryError")
    assert helper.last_words() == NoFloat64("exited", error="MemoryError", status=3)
