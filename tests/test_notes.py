"""The lab gives warnings and notes as flags and figures; the presentation words them, the same
words in every medium and in the JSON."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import numpy as np

from jaxbatch.lab.judging import compiling_warning, no_manual, nonfinite_warnings
from jaxbatch.media.html_report import report_html
from jaxbatch.media.json_report import report_json
from jaxbatch.media.text import render
from jaxbatch.presentation.hlo import XLA_ONLY, cost_note, cost_notes, figure_text
from jaxbatch.presentation.memory import fit_how, unknown_text
from jaxbatch.presentation.notes import (
    manual_missing_text,
    program_note_text,
    sharded_note_text,
    unknown_reasons,
    warning_text,
)
from jaxbatch.presentation.programs import alignment_rows, diff_text
from jaxbatch.presentation.verdicts import NO_FLOAT64, agreement_verdict, mismatch_text, no_float64_text
from jaxbatch.results import hlo, hlo_cost
from jaxbatch.results.report import (
    Agreement,
    AutoAxes,
    CompilingLoop,
    Cost,
    Diff,
    Fit,
    FitUnknown,
    LoopNotTraced,
    Mismatch,
    NoFloat64,
    NoManual,
    NonFinite,
    NotSharded,
    Report,
    SameProgram,
    Untraceable,
    Worded,
)
from jaxbatch.results.spec import Aval, Model

import scripted

NAN, INF = float("nan"), float("inf")


def test_outputs_with_nan_or_infinities_are_flagged_with_their_counts():
    outputs = {"loop": np.array([NAN, 1.0]), "vmap": np.array([NAN, NAN, INF]), "manual": np.array([NAN, 2.0]),
               "on_batch": np.array([INF, INF])}
    found = nonfinite_warnings(outputs, {"loop": "loop", "vmap": "vmap", "manual": "einsum"})
    assert found == [NonFinite("loop", "loop", 1, 0), NonFinite("vmap", "vmap", 2, 1, 1, 0),
                     NonFinite("on_batch", "", 0, 2, 1, 0)]  # einsum holds no more than the loop
    assert [warning_text(w) for w in found] == [
        "the loop's output holds 1 NaN value: NaN counts as equal to NaN",
        "vmap: its output holds 2 NaN and 1 infinite values (the loop's holds 1 NaN value)",
        "the model called on the whole batch: its output holds 2 infinite values (the loop's holds 1 NaN value)",
    ]
    assert warning_text(NonFinite("vmap", "vmap", 3, 0)) == "vmap: its output holds 3 NaN values (the loop's has none)"
    assert nonfinite_warnings({"loop": np.ones(3), "vmap": np.ones(3)}, {}) == []


def test_a_loop_that_compiles_on_every_call_is_flagged_with_its_sample():
    assert compiling_warning(0, 300) is None
    flag = compiling_warning(2, 300)
    assert flag == CompilingLoop(2, 4)
    assert warning_text(flag) == (
        "each eager call of the model compiles 2 new executables (a function defined inside it is traced anew): "
        "the loop's time, timed on 4 instances, is mostly compiling; the reference outputs come from one jitted "
        "copy of the model")
    assert "1 new executable (" in warning_text(CompilingLoop(1, 1)) and "on 1 instance," in warning_text(
        CompilingLoop(1, 1))


def test_program_and_sharded_notes_in_words():
    assert program_note_text(LoopNotTraced(4096, 64)) == (
        "not traced at 4,096 instances: its jaxpr repeats the model once per instance, so it is shown for "
        "batches of up to 64")
    assert program_note_text(Untraceable("TypeError: no")) == "could not be traced: TypeError: no"
    assert program_note_text(AutoAxes("ValueError: while")) == (
        "Explicit mesh axes raised ValueError: while: this is the Auto-axes program (no @batch in its types)")
    assert program_note_text(None) == "" and sharded_note_text(None) == ""
    assert sharded_note_text(NotSharded(5, 4, "cpu")) == (
        "not run: batch dimension 5 does not divide over 4 cpu devices (not padded: that would change the "
        "program); try a multiple of 4")


def test_every_medium_words_the_flags_alike_and_the_json_keeps_its_texts():
    loop = scripted.strategy("loop")  # not traced at 4,096 instances, and no compiled program
    same = SameProgram(("loop", "vmap"), jaxpr=None, stablehlo=None, hlo=None)
    report = scripted.report({"loop": loop, "vmap": scripted.strategy("vmap")}, same_program=same,
                             warnings=[NonFinite("loop", "loop", 2, 0)], sharded_note=NotSharded(5, 4, "cpu"),
                             devices=4)
    why_not_traced = "loop " + program_note_text(loop.program_note)
    not_compiled = "the loop is not one compiled program: it calls the model once per instance"
    assert unknown_reasons(report) == {"jaxpr": why_not_traced, "stablehlo": not_compiled, "hlo": not_compiled}
    data = report_json(report)
    assert data["warnings"] == ["the loop's output holds 2 NaN values: NaN counts as equal to NaN"]
    assert data["sharded_note"] == sharded_note_text(report.sharded_note)
    assert data["strategies"]["loop"]["program_note"] == program_note_text(loop.program_note)
    assert data["same_program"] == {**same.to_json(), "unknown": unknown_reasons(report)}
    text = render(report)
    assert "warning: the loop's output holds 2 NaN values" in text and "not run: batch dimension 5" in text
    assert "StableHLO and HLO unknown: the loop is not one compiled program" in text


def test_each_difference_of_an_aligned_row_is_worded():
    assert [diff_text(d) for d in (Diff("operands"), Diff("wiring"), Diff("param", "axes", "(1,)", None),
                                   Diff("output", None, "f32[5,2]", "f32[2,5]", transposed=True),
                                   Diff("inputs", None, "f32[3]", "f32[5]"))] == [
        "operands swapped", "operands come from other equations", "axes (1,) vs -",
        "output f32[5,2] vs f32[2,5] (transposed)", "inputs f32[3] vs f32[5]"]


def test_every_medium_words_an_aligned_rows_differences_alike():
    report = scripted.report()  # the seed's einsum and vmap: operands swapped, shapes transposed
    rows = [r for r in report.alignment.rows if r.diffs]
    words = ["; ".join(map(diff_text, r.diffs)) for r in rows]
    assert words and any("(transposed)" in w for w in words)
    assert [list(r.diffs) for r in alignment_rows(report.alignment) if r.diffs] == [w.split("; ") for w in words]
    assert [d for r in report_json(report)["alignment"]["rows"] for d in r["diffs"]] == [
        diff_text(d) for r in rows for d in r.diffs]
    text, html = render(report, width=200), report_html(report)
    assert all(f"↳ {w}" in text and w in html for w in words)


def test_why_a_figure_is_only_xla_s_own_is_worded_for_each_flag():
    assert set(XLA_ONLY) == {hlo_cost.TRIP_COUNT_UNKNOWN, hlo_cost.NOT_SPLIT}
    assert figure_text(Cost(229.0, xla_only=hlo_cost.NOT_SPLIT)) == "229 with each loop body counted once"
    h = scripted.hlo("", "", flops=300.0, bytes=None, flops_xla=100.0, bytes_xla=50.0, loops=[4],
                     xla_only=hlo_cost.NOT_SPLIT)
    assert cost_notes(h) == {"flops": "", "bytes": "with each loop body counted once"}
    assert cost_note(h) == "bytes: with each loop body counted once"
    assert figure_text(hlo.cost(h, "bytes")) == "50 with each loop body counted once"
    unknown = dataclasses.replace(h, flops=None, loops=[None], xla_only=hlo_cost.TRIP_COUNT_UNKNOWN)
    assert cost_note(unknown) == "flops and bytes: per iteration; trip count unknown"
    counted = dataclasses.replace(h, bytes=80.0, xla_only="")
    assert cost_note(counted) == "" and cost_notes(counted) == {"flops": "", "bytes": ""}


def test_the_json_words_the_cost_flag_beside_the_figures():
    vmap = scripted.strategy("vmap", hlo=scripted.hlo("", "", flops=None, flops_xla=100.0, loops=[None],
                                                        xla_only=hlo_cost.TRIP_COUNT_UNKNOWN))
    data = report_json(scripted.report({"loop": scripted.strategy("loop"), "vmap": vmap}))["hlo"]["vmap"]
    assert data["cost_note"] == "flops: per iteration; trip count unknown"
    assert data["cost_notes"] == {"flops": "per iteration; trip count unknown", "bytes": ""}


def test_why_a_fit_is_unknown_is_worded_for_each_reason():
    def words(why: FitUnknown, compiles: int = 2) -> str:
        return unknown_text(Fit(None, batches=(8, 16), compiles=compiles, unknown=why))

    assert words(FitUnknown("no_limit")) == "the memory limit is unknown"
    assert words(FitUnknown("compile_failed", 16_384, "ValueError: no")) == (
        "compiling at batch 16,384 failed: ValueError: no")
    assert words(FitUnknown("no_plan", 16)) == "XLA gave no memory plan at batch 16"
    assert words(FitUnknown("no_convergence"), 20) == (
        "XLA's plan, read at 20 batch sizes, did not close in on the limit")
    assert unknown_text(Fit(5, method="linear")) == ""
    unknown = Fit(None, batches=(8,), unknown=FitUnknown("no_plan", 16))
    assert fit_how(unknown) == "XLA gave no memory plan at batch 16"
    data = report_json(scripted.report(fits={"vmap": unknown}))["fits_up_to"]["vmap"]
    assert data["note"] == data["how"] == "XLA gave no memory plan at batch 16"


def test_why_there_is_no_hand_batched_version_is_worded_with_where_to_pass_one():
    assert [manual_missing_text(NoManual("not_given", how)) for how in ("cli", "api", "")] == [
        "none given: pass --batched path/to/file.py:fn_batched", "none given: pass batched=your_batched_function",
        "none given"]
    assert manual_missing_text(NoManual("in_axes", written_for=(0, None), asked=(0, 0))) == (
        "not run: written for in_axes 0,None, not 0,0")
    assert manual_missing_text(NoManual("model", said="none: jax.random takes a single key")) == (
        "none: jax.random takes a single key")
    assert manual_missing_text(None) == ""


def test_the_lab_reads_why_from_the_model_and_every_medium_says_it():
    def model(why) -> Model:
        return Model("m", "m", lambda rng: (None, None), (Aval((3,)),), manual_missing=why)

    assert no_manual(model("")) == NoManual("not_given")
    assert no_manual(model("none: its author's words")) == NoManual("model", said="none: its author's words")
    assert no_manual(model(NoManual("not_given", "api"))) == NoManual("not_given", "api")
    why = NoManual("not_given", "cli")
    report = scripted.report({k: scripted.strategy(k) for k in ("loop", "vmap")}, manual_missing=why)
    words = manual_missing_text(why)
    assert report_json(report)["manual_missing"] == words
    assert words in render(report, width=200) and words in report_html(report)


def test_why_there_is_no_float64_reference_is_worded_for_each_reason():
    """The words the report JSON has always had under `float64_note`, now said from the flag."""
    said = {
        NoFloat64("random", primitives=("random_bits", "random_wrap")):
            "the model draws random numbers (random_bits, random_wrap), which float64 draws differently",
        NoFloat64("python_object"):
            "the model was given as a Python object, which the float64 helper process can't load",
        NoFloat64("did_not_start", error="[Errno 11] no"): "the float64 helper did not start: [Errno 11] no",
        NoFloat64("timeout", seconds=60.0): "the float64 reference took over 60 s",
        NoFloat64("timeout", seconds=0.5): "the float64 reference took over 0.5 s",
        NoFloat64("exited", status=-9): "the float64 helper exited with status -9",
        NoFloat64("exited", error="MemoryError", status=1): "MemoryError",  # what it said last
        NoFloat64("failed", error="ValueError: bad {shape}"): "ValueError: bad {shape}",
        NoFloat64("narrow", dtypes=("bfloat16", "float32")):
            "the model computes in bfloat16 and float32 even with float64 inputs",
        NoFloat64("structure"): "the model's output has another structure with float64",
    }
    assert {why.reason for why in said} == set(NO_FLOAT64)
    assert {no_float64_text(why): why for why in said} == {words: why for why, words in said.items()}
    assert no_float64_text(None) == "" and no_float64_text(Worded("as saved")) == "as saved"


def test_how_an_output_s_make_up_differs_is_worded():
    assert mismatch_text(Mismatch("shape", (), (4,))) == "shape () differs from the loop's (4,)"
    assert mismatch_text(Mismatch("structure", "PyTreeDef({'a': *})", "PyTreeDef((*,))")) == (
        "structure PyTreeDef({'a': *}) differs from the loop's PyTreeDef((*,))")
    assert mismatch_text(None) == "" and mismatch_text(Worded("as saved")) == "as saved"


def test_the_json_words_both_flags_and_a_saved_report_reads_the_words_back():
    shape = Agreement(None, None, None, {}, False, "wrong", reason=Mismatch("shape", (), (4,)))
    differs = dataclasses.replace(scripted.wrong(), kind="differs", beyond=["float32"],
                                  float64_note=NoFloat64("timeout", seconds=60.0))
    report = scripted.report({"loop": scripted.strategy("loop"), "vmap": scripted.strategy("vmap", shape),
                              "manual": scripted.strategy("manual", differs)})
    data = report_json(report)
    vmap, manual = data["strategies"]["vmap"], data["strategies"]["manual"]
    assert vmap["reason"] == vmap["agreement"]["reason"] == "shape () differs from the loop's (4,)"
    assert manual["agreement"]["float64_note"] == "the float64 reference took over 60 s"
    assert manual["agreement"]["verdict"] == agreement_verdict(differs)
    saved = Report.from_json(data)
    assert saved.strategies["vmap"].reason == Worded("shape () differs from the loop's (4,)")
    assert saved.strategies["manual"].agreement.float64_note == Worded("the float64 reference took over 60 s")
    assert report_json(saved)["strategies"] == data["strategies"]
    text = render(report, width=200)
    assert "shape () differs from the loop's (4,)" in text and "the float64 reference took over 60 s" in text


# Keyword arguments whose values are flags and figures: the lab and the results pass no words.
FLAGS = {"manual_missing", "xla_only", "unknown", "reason", "float64_note", "why_not"}


def test_the_lab_and_the_results_pass_no_sentence_where_a_flag_is_due():
    """A guard, not a proof: no call in the lab, the results or the API gives one of FLAGS a
    value holding a string with a space in it (a sentence) or an f-string, however nested
    (`x or ("words" if y else None)`)."""
    root = Path(__file__).resolve().parent.parent / "tui"
    found = []
    for path in [*root.glob("lab/*.py"), *root.glob("results/*.py"), root / "api.py"]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.keyword) and node.arg in FLAGS and any(map(_sentence, ast.walk(node.value))):
                found.append(f"{path.name}:{node.lineno} {node.arg}")
    assert not found


def _sentence(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str)
                                               and " " in node.value)
