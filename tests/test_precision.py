"""Reduced-precision matmuls are not called WRONG: an output that misses the tolerance at JAX's
default matmul precision, and agrees at "highest", is said to agree at full precision, with
both sets of figures. A GPU's TF32 is emulated (tests/fixtures/reduced_precision_model.py):
CPUs ignore the precision setting, so the fixture reads it itself."""

import json

import pytest

from jaxbatch.lab.precision import below_highest
from jaxbatch.media.json_report import report_json
from jaxbatch.media.text import render
from jaxbatch.presentation.report_document import build
from jaxbatch.results import strategy_table
from jaxbatch.results.dot_precision import dot_precisions
from jaxbatch.results.report import Eqn
from jaxbatch.results.selection import Selection

from reports import analyze

BATCHED = strategy_table.batched()


@pytest.fixture(scope="module")
def reports(fixture_ref):
    """The emulated GPU model at each precision, and the same model with a hand version really
    off (WRONG at every precision), analysed once."""
    cache = {}

    def get(attr="MODEL", precision="default"):
        if (attr, precision) not in cache:
            ref = fixture_ref("reduced_precision_model", attr)
            cache[attr, precision] = analyze(Selection(ref, (16,), precision=precision))
        return cache[attr, precision]

    return get


@pytest.fixture(scope="module")
def fixture_ref():
    from pathlib import Path

    folder = Path(__file__).parent / "fixtures"
    return lambda name, attr="MODEL": f"{folder / name}.py:{attr}"


def test_at_default_precision_the_batched_outputs_agree_at_full_precision_not_wrong(reports):
    report = reports()
    for key in BATCHED:
        a = report.strategies[key].agreement
        assert a.kind == "precision" and a.agrees is True, key
        check = a.precision
        assert check.ran_at == "default" and check.cause == "matmul_precision" and check.platform == "cpu"
        assert check.default.kind == "wrong" and check.default.max_abs > 1e-3  # what it was called before
        assert check.default.vs_float64 > 100 * check.default.loop_vs_float64  # float64 agrees it's off
        assert check.highest.agrees is True and check.highest.max_abs < 1e-5
        assert a.max_abs == check.default.max_abs  # the figures shown are the run's own


def test_the_verdict_names_the_cause_with_both_sets_of_figures(reports):
    text = " ".join(render(reports()).split())  # the words, wherever the width wraps them
    assert "WRONG" not in text
    assert ("at full float32 precision; at JAX's default matmul precision the model computes "
            "matmuls in reduced precision (XLA:CPU itself ignores the setting): 0.00") in text
    assert "at default: max |diff| 0.00" in text and "; at highest: " in text
    assert build(reports()).title.endswith("matmul precision default (JAX's)")  # the report's first line


def test_the_json_carries_both_precisions_and_the_cause(reports):
    data = json.loads(json.dumps(report_json(reports()), allow_nan=False))
    assert data["precision"] == "default"
    a = data["strategies"]["vmap"]["agreement"]
    assert a["kind"] == "precision" and a["agrees"] is True
    assert set(a["precision"]) == {"default", "highest", "cause"}
    assert a["precision"]["default"]["agrees"] is False and a["precision"]["highest"]["agrees"] is True
    assert a["precision"]["default"]["max_abs"] == a["max_abs"] and a["precision"]["highest"]["max_abs"] < 1e-5
    assert "reduced precision" in a["precision"]["cause"]


def test_at_highest_everything_agrees_and_nothing_is_run_again(reports):
    report = reports(precision="highest")
    for key in BATCHED:
        a = report.strategies[key].agreement
        assert a.kind == "agrees" and a.max_abs < 1e-5 and a.precision is None
        assert report.strategies[key].hlo.precision == {"highest": 1}  # the compiled dot says so


def test_at_high_the_verdict_says_high(reports):
    a = reports(precision="high").strategies["vmap"].agreement
    assert a.kind == "precision" and a.precision.ran_at == "high"
    assert "at matmul precision high the model computes" in " ".join(render(reports(precision="high")).split())


def test_a_real_difference_stays_wrong_with_the_rerun_beside_it(reports):
    a = reports("OFF").strategies["manual"].agreement
    assert a.kind == "wrong" and a.agrees is False
    assert a.precision is not None and a.precision.cause == "" and a.precision.highest.kind == "wrong"
    data = report_json(reports("OFF"))["strategies"]["manual"]["agreement"]
    assert data["precision"]["cause"] is None and data["verdict"].startswith("WRONG")
    assert reports("OFF").strategies["vmap"].agreement.kind == "precision"  # vmap's own is still precision


def test_the_compiled_programs_name_their_matmul_precision(reports):
    hlo = reports().strategies["vmap"].hlo
    assert hlo.stablehlo_precision == {"default": 1} and hlo.precision == {"default": 1}
    assert report_json(reports())["hlo"]["vmap"]["matmul_precision"] == {"stablehlo": {"default": 1},
                                                                        "hlo": {"default": 1}}
    assert "matmuls         1 at default precision" in render(reports())


def test_a_wrong_output_without_matmuls_is_not_run_again(fixture_ref):
    report = analyze(Selection(fixture_ref("rounding_model", "WRONG"), (2,)))
    a = report.strategies["manual"].agreement
    assert a.kind == "wrong" and a.precision is None


@pytest.mark.parametrize("line, found", [
    ("%0 = stablehlo.dot_general %a, %b, contracting_dims = [1] x [0], precision = [DEFAULT, DEFAULT] : (t)",
     {"default": 1}),
    ("%0 = stablehlo.dot_general %a, %b, contracting_dims = [1] x [0] : (t)", {"default": 1}),
    ("%0 = stablehlo.convolution(%a, %b) dim_numbers = [b, 0, f], precision_config = [#stablehlo<precision HIGH>, "
     "#stablehlo<precision HIGH>] : (t)", {"high": 1}),
    ("%0 = stablehlo.dot_general %a, %b, algorithm = #stablehlo.dot_algorithm<lhs_precision_type = tf32, "
     "rhs_precision_type = tf32, accumulation_type = f32, lhs_component_count = 1> : (t)",
     {"algorithm dot_tf32_tf32_f32": 1}),
    ("ROOT %d = f32[8,4]{1,0} dot(%p0, %p1), lhs_contracting_dims={1}, rhs_contracting_dims={0}", {"default": 1}),
    ("%d = f32[8,4]{1,0} dot(%p0, %p1), lhs_contracting_dims={1}, operand_precision={highest,highest}",
     {"highest": 1}),
    ("%d = f32[8,4]{1,0} dot(%p0, %p1), lhs_contracting_dims={1}, algorithm=dot_tf32_tf32_f32",
     {"algorithm dot_tf32_tf32_f32": 1}),
    ('%g = (f32[8,4]{1,0}, s8[0]{0}) custom-call(%a, %b), custom_call_target="__cublas$gemm", backend_config='
     '{"gemm_backend_config":{"precision_config":{"operand_precision":["DEFAULT","DEFAULT"],"algorithm":"ALG_UNSET"}}}',
     {"default": 1}),
    ("%f = f32[8,4]{1,0} fusion(%a, %b), kind=kLoop, metadata={op_name=\"jit(f)/dot_general\"}", {}),
], ids=["stablehlo-default", "stablehlo-unset", "stablehlo-conv-high", "stablehlo-algorithm", "hlo-default",
        "hlo-highest", "hlo-algorithm", "cublas", "only-a-name"])
def test_each_spelling_of_a_products_precision_is_read(line, found):
    assert dot_precisions(line) == found


def _dot(precision: str) -> Eqn:
    return Eqn("dot_general", {"precision": precision}, [], [], 0, "", "")


def test_only_products_below_highest_are_run_again():
    assert below_highest([_dot("None")]) and below_highest([_dot("(Precision.DEFAULT, Precision.DEFAULT)")])
    assert below_highest([_dot("(Precision.HIGH, Precision.HIGH)")])
    assert not below_highest([_dot("(Precision.HIGHEST, Precision.HIGHEST)")])
    assert not below_highest([_dot("DotAlgorithmPreset.F32_F32_F32")])  # the program's own choice
    assert not below_highest([Eqn("add", {}, [], [], 0, "", "")])


async def test_the_outputs_pane_says_precision_and_the_palette_changes_it(fixture_ref):
    from jaxbatch.commands import commands
    from jaxbatch.widgets.outputs_view import OutputsView

    from app_helpers import make_test_app, settle, shown_text

    app = make_test_app(Selection(fixture_ref("reduced_precision_model"), (16,)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = shown_text(app.query_one("#outputs-view", OutputsView))
        assert "WRONG" not in text and "✓ agrees" in text and "at full float32 precision" in text
        assert "at default: max |diff|" in text
        offered = [c.title for c in commands(app)]
        assert "Matmul precision: highest" in offered and "Matmul precision: default" not in offered
        next(c for c in commands(app) if c.title == "Matmul precision: highest").callback()
        await settle(pilot)
        assert app.report.precision == "highest"
        assert app.helper.commands[-1][2].precision == "highest"  # the timings follow
        text = shown_text(app.query_one("#outputs-view", OutputsView))
        assert "matmul precision highest" in text and "reduced precision" not in text
