"""Agreement with the loop: figures a reader can check (absolute, relative, ULP), the tolerance
per dtype, and verdicts that call float32 rounding rounding only when float64 says so."""

import json

import numpy as np
import pytest

from jaxbatch.lab.agreement import Outputs, compare, judge, needs_float64, tolerance
from jaxbatch.media.json_report import agreement_json
from jaxbatch.presentation.outputs import figures_text, verdict_text
from jaxbatch.presentation.verdicts import agreement_verdict
from jaxbatch.results.report import Mismatch, NoFloat64, Strategy


def test_float32_within_tolerance_agrees_and_beyond_it_does_not():
    ref = np.array([1.0, 2.0], np.float32)
    assert compare(ref + np.float32(1e-6), ref).agrees is True
    far = compare(ref + np.float32(1e-3), ref)
    assert far.agrees is False and far.max_abs == pytest.approx(1e-3, rel=1e-3)


def test_tolerance_follows_the_dtype():
    assert tolerance(np.float16) > tolerance(np.float32) > tolerance(np.float64) > 0
    assert tolerance(np.float32) == 1e-5 and tolerance(np.int32) == 0.0


def test_figures_count_ulps_as_numpy_testing_does():
    ref = np.array([1.0, -2.0, 0.5], np.float32)
    out = ref.copy()
    out[0] = np.nextafter(out[0], np.float32(2))  # 1 ULP up
    out[1] = np.nextafter(np.nextafter(out[1], np.float32(0)), np.float32(0))  # 2 ULP towards zero
    a = compare(out, ref)
    assert a.max_ulp == np.testing.assert_array_max_ulp(out, ref, maxulp=2).max() == 2
    assert a.max_abs == np.max(np.abs(out.astype(np.float64) - ref))
    assert a.max_rel == pytest.approx(max(abs(float(out[i]) - float(ref[i])) / abs(float(ref[i])) for i in range(3)))
    assert a.agrees is True and a.tolerance == {"float32": {"rtol": 1e-5, "atol": 1e-5}}
    assert a.kind == "agrees" and agreement_verdict(a) == "agrees within float32 tolerance 1e-05 (max 2 ULP)"


def test_relative_difference_is_taken_where_the_loop_is_nonzero():
    a = compare(np.array([1.0, 2.2], np.float32), np.array([0.0, 2.0], np.float32))
    assert a.max_abs == 1.0 and a.max_rel == pytest.approx(0.1, rel=1e-5)


def test_an_ulp_across_zero_counts_every_float_between():
    a = compare(np.array([-0.0], np.float32), np.array([np.float32(np.finfo(np.float32).smallest_subnormal)]))
    assert a.max_ulp == 1


def test_identical_outputs_agree_exactly():
    x = np.array([1.5, np.nan], np.float32)
    assert agreement_verdict(compare(x.copy(), x)) == "agrees exactly"


def test_integers_must_match_exactly_and_need_no_float64():
    a = compare(np.array([1, 2], np.int32), np.array([1, 5], np.int32))
    assert a.agrees is False and a.max_abs == 3 and a.max_ulp == 3 and a.tolerance == {"int32": {"rtol": 0, "atol": 0}}
    assert not needs_float64(a)
    judged = judge(a, None, None, None)
    assert judged.kind == "wrong" and judged.exact_beyond == ["int32"]
    assert agreement_verdict(judged) == "WRONG: 3 off the loop (3 ULP), where int32 must match exactly"


def test_nan_where_the_loop_has_nan_agrees_but_nan_elsewhere_is_wrong_without_asking_float64():
    ref = np.array([np.nan, 1.0])
    assert compare(ref.copy(), ref).agrees is True
    other = compare(np.array([np.nan, np.nan]), ref)
    assert other.agrees is False and other.max_abs == float("inf") and not needs_float64(other)
    assert agreement_verdict(judge(other, None, None, None)) == "WRONG: NaN or infinity where the loop has a number"


def test_shape_and_structure_mismatches_have_no_figures_and_say_how_as_a_flag():
    shape = compare(np.zeros(()), np.zeros(3))
    assert shape.max_abs is None and shape.reason == Mismatch("shape", (), (3,))
    words = agreement_verdict(judge(shape, None, None, None))
    assert words == "WRONG: its output's shape () differs from the loop's (3,)"
    mismatch = compare({"a": np.zeros(2)}, (np.zeros(2),))
    assert mismatch.agrees is False and mismatch.max_abs is None and mismatch.reason.kind == "structure"
    assert judge(mismatch, None, None, None).kind == "wrong"
    assert agreement_verdict(judge(mismatch, None, None, None)) == (
        f"WRONG: its output's structure {mismatch.reason.got} differs from the loop's {mismatch.reason.loop}")
    assert "'a'" in mismatch.reason.got and "'a'" not in mismatch.reason.loop  # as JAX prints the two


LOOP_ERROR = 1.47e-4  # the float32 loop's own distance from float64, as in the RNN


@pytest.mark.parametrize("error, agrees, kind, words", [
    (1.02e-4, True, "rounding", "agrees within float32 rounding: "),  # closer to float64 than the loop
    (5.5e-4, True, "rounding", "agrees within float32 rounding: "),  # within ROUNDING_FACTOR (4) of the loop's
    (6.5e-4, False, "wrong", "WRONG: "),  # beyond it
    (0.51, False, "wrong", "WRONG: "),
])
def test_beyond_the_tolerance_float64_decides(error, agrees, kind, words):
    truth = np.linspace(-1, 1, 8)
    loop = (truth + LOOP_ERROR * np.sign(np.sin(np.arange(8)))).astype(np.float32)
    out = (truth + error * np.sign(np.cos(np.arange(8)))).astype(np.float32)
    a = compare(out, loop)
    assert a.agrees is False and needs_float64(a)
    judged = judge(a, out, truth, LOOP_ERROR)
    assert judged.agrees is agrees and judged.kind == kind and agreement_verdict(judged).startswith(words)
    assert judged.vs_float64 == pytest.approx(error, rel=0.01) and judged.loop_vs_float64 == LOOP_ERROR
    assert f"from float64 (the float32 loop: {LOOP_ERROR:.3g})" in agreement_verdict(judged)


def test_without_float64_it_differs_and_rounding_is_unknown_so_it_does_not_agree():
    a = compare(np.array([1.001], np.float32), np.array([1.0], np.float32))
    judged = judge(a, None, None, None, NoFloat64("timeout", seconds=60.0))
    assert judged.agrees is False and judged.float64_note == NoFloat64("timeout", seconds=60.0)
    assert judged.kind == "differs" and agreement_verdict(judged).startswith("DIFFERS: 0.001 off the loop (")
    assert agreement_verdict(judged).endswith("beyond float32 tolerance 1e-05; rounding or not is unknown "
                                              "(the float64 reference took over 60 s)")


class _Float64:
    def __init__(self, answer):
        self.answer, self.started = answer, 0

    def start(self):
        self.started += 1

    def result(self, like):
        return self.answer, None


def test_float64_is_asked_for_only_when_a_float_misses_the_tolerance():
    loop = np.array([1.0, 2.0], np.float32)
    f64 = _Float64(loop.astype(np.float64))
    outputs = Outputs(loop, f64)
    outputs.add("vmap", loop + np.float32(1e-7))
    assert f64.started == 0
    outputs.add("manual", loop + np.float32(1e-3))
    outputs.add("on_batch", loop + np.float32(2e-3))
    assert f64.started >= 1
    verdicts = outputs.verdicts()
    assert verdicts["vmap"].agrees and verdicts["manual"].agrees is False and verdicts["loop"].max_abs == 0


def test_the_same_figures_reach_json_and_text():
    a = judge(compare(np.array([1.001], np.float32), np.array([1.0], np.float32)), None, None, None,
              NoFloat64("structure"))
    s = Strategy("vmap", "vmap", agreement=a)
    data = agreement_json(a)
    assert set(data) >= {"max_abs", "max_rel", "max_ulp", "tolerance", "agrees"}
    assert data["agrees"] is False and s.agrees is False and s.max_abs_diff == data["max_abs"]
    json.dumps(data, allow_nan=False)
    assert verdict_text(a) == agreement_verdict(a) == data["verdict"]
    figures = figures_text(a)
    assert figures == (f"max |diff| {a.max_abs:.3g}, rel {a.max_rel:.3g}, {a.max_ulp:.3g} ULP "
                       "(float32: rtol = atol = 1e-05)")
    assert figures_text(compare(np.ones(2), np.ones(2))) == ""  # exact: nothing to check


def test_infinite_figures_stay_valid_json():
    a = compare(np.array([np.nan]), np.array([1.0]))
    assert agreement_json(a)["max_abs"] == "Infinity"
    json.dumps(agreement_json(a), allow_nan=False)
