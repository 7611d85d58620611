"""The lab gives warnings and notes as flags and figures; the presentation words them, the same
words in every medium and in the JSON."""

from __future__ import annotations

import numpy as np

from jaxbatch.lab.analysis import compiling_warning, nonfinite_warnings
from jaxbatch.media.json_report import report_json
from jaxbatch.media.text import render
from jaxbatch.presentation.notes import program_note_text, sharded_note_text, unknown_reasons, warning_text
from jaxbatch.results.report import (
    AutoAxes,
    CompilingLoop,
    LoopNotTraced,
    NonFinite,
    NotSharded,
    SameProgram,
    Untraceable,
)

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
