"""The presentation's verdicts: the lab's flags and figures in words, and the report JSON that
carries those words. Built from plain results, no JAX: each test states the facts and checks
what a reader is told about them."""

import json

import pytest

from jaxbatch.media.json_report import report_json
from jaxbatch.presentation.hlo import NO_PROGRAM, SAME, figure_text, hlo_verdict, ops_text
from jaxbatch.presentation.outputs import on_batch_head, verdict_text
from jaxbatch.presentation.verdicts import agreement_verdict, alignment_verdict, on_batch_verdict
from jaxbatch.results.hlo_cost import TRIP_COUNT_UNKNOWN
from jaxbatch.results.report import (
    Agreement,
    Alignment,
    Cost,
    Diff,
    Eqn,
    HloComparison,
    Mismatch,
    NoFloat64,
    OnBatch,
    Row,
    SameProgram,
)
from jaxbatch.results.sweep_state import Lead

import scripted

F32 = {"float32": {"rtol": 1e-05, "atol": 1e-05}}
I32 = {"int32": {"rtol": 0.0, "atol": 0.0}}


def agreement(kind, agrees, max_abs=1e-3, max_ulp=8389.0, tolerance=F32, beyond=("float32",), **more):
    return Agreement(max_abs, 1e-3, max_ulp, tolerance, agrees, kind, beyond=list(beyond), **more)


# ---- agreement -------------------------------------------------------------------------------

def test_within_the_tolerance_names_the_tolerance_and_the_worst_ulp_or_says_exactly():
    assert agreement_verdict(agreement("agrees", True, max_abs=0.0, max_ulp=0.0, beyond=())) == "agrees exactly"
    both = {**F32, **I32}
    words = agreement_verdict(agreement("agrees", True, max_abs=2e-7, max_ulp=3.0, tolerance=both, beyond=()))
    assert words == "agrees within float32 tolerance 1e-05 (max 3 ULP)"  # exact dtypes have no tolerance to name


def test_an_unjudged_agreement_has_no_words_and_views_say_unknown():
    unjudged = agreement("", False)
    assert agreement_verdict(unjudged) == "" and verdict_text(unjudged) == "unknown" and verdict_text(None) == "unknown"


def test_wrong_says_how_far_off_and_which_dtypes_must_match_exactly():
    mixed = agreement("wrong", False, max_abs=3.0, max_ulp=3.0, tolerance={**F32, **I32}, beyond=("int32",))
    assert mixed.exact_beyond == ["int32"]
    assert agreement_verdict(mixed) == "WRONG: 3 off the loop (3 ULP), where int32 must match exactly"
    nan = agreement("wrong", False, max_abs=float("inf"), max_ulp=float("inf"))
    assert agreement_verdict(nan) == "WRONG: NaN or infinity where the loop has a number"
    shape = Agreement(None, None, None, {}, False, "wrong", reason=Mismatch("shape", (), (4,)))
    assert agreement_verdict(shape) == "WRONG: its output's shape () differs from the loop's (4,)"


def test_float64_decides_between_rounding_and_wrong_and_both_show_the_figures():
    figures = dict(vs_float64=1.02e-4, loop_vs_float64=1.47e-4)
    rounding = agreement_verdict(agreement("rounding", True, **figures))
    wrong = agreement_verdict(agreement("wrong", False, **figures))
    tail = "0.001 off the loop (8.39e+03 ULP), 0.000102 from float64 (the float32 loop: 0.000147)"
    assert rounding == f"agrees within float32 rounding: {tail}"
    assert wrong == f"WRONG: {tail}"


def test_without_float64_it_differs_and_says_why():
    a = agreement("differs", False, float64_note=NoFloat64("random", primitives=("random_bits",)))
    assert agreement_verdict(a) == ("DIFFERS: 0.001 off the loop (8.39e+03 ULP), beyond float32 tolerance 1e-05; "
                                    "rounding or not is unknown (the model draws random numbers (random_bits), "
                                    "which float64 draws differently)")


# ---- the model on the whole batch --------------------------------------------------------------

def test_on_the_batch_the_verdict_says_with_the_loop_or_but_is():
    exact = agreement("agrees", True, max_abs=0.0, max_ulp=0.0, beyond=())
    assert on_batch_verdict(OnBatch(agreement=exact)) == "runs on the batch and agrees with the loop exactly"
    wrong = agreement("wrong", False, max_abs=float("inf"))
    assert on_batch_verdict(OnBatch(agreement=wrong)) == (
        "runs on the batch but is WRONG: NaN or infinity where the loop has a number")
    assert on_batch_verdict(OnBatch()) == ""  # not judged: nothing to say
    assert on_batch_head(OnBatch(agreement=exact)) == on_batch_verdict(OnBatch(agreement=exact))


# ---- jaxpr alignment ---------------------------------------------------------------------------

def eqn(primitive: str) -> Eqn:
    return Eqn(primitive, {}, ["f32[3]"], ["f32[3]"], 0, "", f"b:f32[3] = {primitive} a")


def aligned(rows, exact=True, n=8):
    eqns = [eqn(p) for p in ("add", "mul", "sin", "cos", "tanh", "exp", "log", "neg")[:n]]
    return Alignment("manual", "vmap", eqns, eqns, rows, exact)


def test_an_identical_alignment_says_so_and_counts_primitives():
    one = alignment_verdict(aligned([Row(0, 0, "same")]))
    assert one == "same 1 primitive in order, identical up to variable names"
    assert alignment_verdict(aligned([Row(i, i, "same") for i in range(3)])).startswith("same 3 primitives in order")


def test_an_alignment_names_at_most_four_differences_and_layout_apart():
    axes = Diff("param", "axes", "(1,)", "(0,)")
    transposed = Diff("output", None, "f32[5,2]", "f32[2,5]", transposed=True)
    rows = [*(Row(i, i, "differ", [axes]) for i in range(6)), Row(6, 6, "differ", [transposed]),
            Row(7, None, "only_left")]
    words = alignment_verdict(aligned(rows, exact=False))
    assert words.startswith("approximate alignment (programs too different): 7 primitives line up; "
                            "1 only on the left, 0 only on the right")
    assert "6 differ: add (axes (1,) vs (0,)), mul (axes (1,) vs (0,)), sin (" in words and ", and 2 more" in words
    assert words.endswith("1 differ only in layout: log")
    inputs = Diff("inputs", None, "f32[5,3]", "f32[3,5]", transposed=True)
    assert alignment_verdict(aligned([Row(0, 0, "differ", [inputs, axes])])) == (
        "same 1 primitive in order; 1 differ: add (inputs transposed, axes (1,) vs (0,))")


# ---- compiled programs -------------------------------------------------------------------------

def compared(**facts) -> HloComparison:
    return HloComparison(**{"level": "hlo", "left_label": "einsum", "right_label": "vmap", "same": False,
                            "differing": 3, "lines": 12, **facts})


def test_hlo_verdict_when_unknown_or_the_same():
    assert hlo_verdict(None) == "unknown"
    assert hlo_verdict(compared(same=None)) == NO_PROGRAM
    for level in ("stablehlo", "hlo"):
        assert hlo_verdict(compared(level=level, same=True)) == SAME[level]


def test_hlo_verdict_names_what_differs_most_telling_first():
    ops = dict(left_ops={"parameter": 2, "while": 1, "dot": 1}, right_ops={"parameter": 3, "dot": 1})
    flops = (("flops", Cost(480.0), Cost(500.0)),)
    assert hlo_verdict(compared(**ops, costs=flops)) == (  # parameters are plumbing: not named while ops differ
        "XLA's programs differ: einsum has 1 while; vmap has no while; flops 480 vs 500")
    same_ops = dict(left_ops={"dot": 1, "fusion": 2}, right_ops={"dot": 1, "fusion": 2})
    assert hlo_verdict(compared(**same_ops, costs=flops)) == (
        "XLA's programs differ (3 of 12 lines differ): flops 480 vs 500; op counts match (1 dot, 2 fusion)")
    inner = dict(left_inner={"select": 1}, right_inner={"select": 2})
    assert hlo_verdict(compared(**same_ops, **inner)) == (
        "XLA's programs differ inside fusions (3 of 12 lines differ): einsum has 1 select; vmap has 2 select")
    assert hlo_verdict(compared(**same_ops)) == ("XLA's programs differ in shapes, layout or operand order "
                                                 "(3 of 12 lines differ); same ops (1 dot, 2 fusion), flops and bytes")


def test_stablehlo_verdict_names_ops_or_says_only_shapes_attributes_or_order_differ():
    a, b = {"add": 1, "while (in regions)": 1}, {"add": 1}
    assert hlo_verdict(compared(level="stablehlo", left_ops=a, right_ops=b)) == (
        "StableHLO differs: einsum has 1 while (in regions); vmap has no while (in regions)")
    assert hlo_verdict(compared(level="stablehlo", left_ops=b, right_ops=b)) == (
        "StableHLO differs in shapes, attributes or operand order (3 of 12 lines differ); same ops (1 add)")


def test_figures_are_never_a_bare_number_off_by_a_trip_count():
    assert figure_text(Cost(1234.0)) == "1,234"
    assert figure_text(Cost(1234.0, custom_calls=1)) == "1,234 + 1 custom call XLA can't count"
    assert figure_text(Cost(1234.0, custom_calls=2)) == "1,234 + 2 custom calls XLA can't count"
    assert figure_text(Cost(229.0, xla_only=TRIP_COUNT_UNKNOWN)) == "229 per iteration; trip count unknown"
    assert figure_text(Cost(None)) == "unknown"
    assert ops_text({"constant": 2, "parameter": 1}) == "no ops" and ops_text({}, "none") == "none"


# ---- the report JSON -----------------------------------------------------------------------------

def test_the_report_json_carries_the_same_words_as_the_views():
    wrong = scripted.wrong()
    report = scripted.report({k: scripted.strategy(k, wrong if k == "manual" else None) for k in scripted.LABELS},
                             hlo_comparison=compared(same=True))
    sweep = scripted.sweep({"loop": (1e-2, 1e-2), "manual": (1e-3, 1e-3), "vmap": (3e-3, 3e-3)})
    data = json.loads(json.dumps(report_json(report, sweep), allow_nan=False))
    assert data["strategies"]["manual"]["agreement"]["verdict"] == agreement_verdict(wrong) == verdict_text(wrong)
    assert data["strategies"]["vmap"]["agreement"]["verdict"] == "agrees exactly"
    assert data["single"]["on_batch"]["verdict"] == on_batch_verdict(report.single.on_batch)
    assert data["alignment"]["verdict"] == alignment_verdict(report.alignment)
    assert data["hlo_verdict"] == SAME["hlo"]
    assert list(data)[:3] == ["model", "summary", "note"] and list(data)[-1] == "sweep"
    assert list(data["sweep"])[-1] == "crossovers"
    assert data["sweep"]["crossovers"] == ["einsum is faster than vmap at every size",
                                           "vmap is faster than loop at every size",
                                           "einsum is faster than loop at every size"]


@pytest.mark.parametrize("leader", [None, "vmap", "manual"])
def test_a_lead_names_both_strategies_by_label(leader):
    from jaxbatch.presentation.sweep import crossover_text

    text = crossover_text(Lead(("vmap", "manual"), leader), {"vmap": "vmap", "manual": "einsum"})
    assert "vmap" in text and "einsum" in text
    assert text.startswith({None: "vmap and einsum", "vmap": "vmap is faster", "manual": "einsum is faster"}[leader])


def test_other_random_draws_are_named_instead_of_an_unknown_rounding_question():
    from jaxbatch.results.random_draws import FIRST_KEY

    random = NoFloat64("random", primitives=("random_bits",))
    a = agreement("differs", False, max_abs=2.8, max_ulp=2.13e9, float64_note=random, cause=FIRST_KEY)
    words = agreement_verdict(a)
    assert words.startswith("DIFFERS: 2.8 off the loop (2.13e+09 ULP): other random numbers")
    assert "first key" in words and "unknown" not in words
    from jaxbatch.media.json_report import agreement_json

    assert agreement_json(a)["cause"] == FIRST_KEY


def test_each_unknown_level_says_why_with_levels_of_one_reason_together():
    from jaxbatch.presentation.programs import levels_text, unknown_levels_text

    unknown = {"jaxpr": "loop not traced at 128 instances", "stablehlo": "no program", "hlo": "no program"}
    same = SameProgram(("loop", "vmap"), jaxpr=None, stablehlo=None, hlo=None)
    assert levels_text(same) == "jaxpr unknown · StableHLO unknown · HLO unknown"
    assert unknown_levels_text(unknown) == ["jaxpr unknown: loop not traced at 128 instances",
                                         "StableHLO and HLO unknown: no program"]
    assert unknown_levels_text({}) == []


def test_the_random_draw_rule_needs_random_bits_on_a_batch_of_rbg_keys():
    from jaxbatch.results.random_draws import draws_from_first_key

    def eqn(primitive, *inputs):
        return Eqn(primitive, {}, list(inputs), [], 0, "", "")

    assert draws_from_first_key([eqn("random_bits", "key<rbg>[5]")])
    assert draws_from_first_key([eqn("random_bits", "key<unsafe_rbg>[64]")])
    assert not draws_from_first_key([eqn("random_bits", "key<rbg>[]")])  # one key: lax.map's body
    assert not draws_from_first_key([eqn("random_bits", "key<fry>[5]")])  # threefry has an exact vmap
    assert not draws_from_first_key([eqn("random_wrap", "u32[5,4]")])
