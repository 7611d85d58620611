"""Rows of the side-by-side view: gaps, statuses and where the differences are marked."""

import pytest

from jaxbatch.presentation.programs import alignment_rows, difference_stops, hlo_summary, line_rows
from jaxbatch.results.report import Row, TextAlignment
from jaxbatch.results.selection import Selection

from reports import analyze


@pytest.fixture(scope="module")
def report():
    return analyze(Selection())


def marked(text, spans):
    return sorted(text[a:b] for a, b in spans)


def test_seed_rows_mark_exactly_what_differs(report):
    rows = alignment_rows(report.alignment)
    dot, add, tanh, reduce = rows
    assert marked(dot.left, dot.left_marks) == ["b a", "c:f32[5,2]"]  # output type, swapped operands
    assert marked(dot.right, dot.right_marks) == ["a b", "c:f32[2,5]"]
    assert marked(reduce.left, reduce.left_marks) == ["axes=(1,)", "e"]
    assert marked(reduce.right, reduce.right_marks) == ["axes=(0,)", "e"]
    assert {r.status for r in rows} == {"differ"}


def test_loop_against_vmap_has_gaps_on_the_vmap_side(report):
    from jaxbatch.results.alignment import align

    loop, vmap = report.strategies["loop"], report.strategies["vmap"]
    rows = alignment_rows(align(loop.eqns, vmap.eqns, "loop", "vmap"))
    assert len(rows) == len(loop.eqns)  # every vmap equation lines up with one of the loop's
    gaps = [r for r in rows if r.status == "only_left"]
    assert len(gaps) == len(loop.eqns) - len(vmap.eqns) and all(r.right is None for r in gaps)


def test_nested_equations_are_indented():
    import jax
    import jax.numpy as jnp

    from jaxbatch.lab import jaxprs
    from jaxbatch.results.alignment import align

    eqns = jaxprs.flatten(jaxprs.trace(lambda x: jax.jit(jnp.sin)(x) * 2, jnp.ones(3)))
    rows = alignment_rows(align(eqns, eqns))
    assert rows[0].left.startswith("b:f32[3] = jit[") and rows[1].left.startswith("  b:f32[3] = sin a")


def test_line_rows_show_each_side_s_lines_with_the_alignment_s_statuses():
    alignment = TextAlignment(["a", "b", "c"], ["a", "x"],
                              [Row(0, 0, "same"), Row(1, 1, "differ"), Row(2, None, "only_left")])
    rows = line_rows(alignment)
    assert [(r.left, r.right, r.status) for r in rows] == [
        ("a", "a", "same"), ("b", "x", "differ"), ("c", None, "only_left")]


def test_seed_stablehlo_rows_have_statuses(report):
    from jaxbatch.results import hlo

    manual, vmap = report.strategies["manual"].hlo, report.strategies["vmap"].hlo
    rows = line_rows(hlo.aligned(manual, vmap, "stablehlo"))
    dot = next(r for r in rows if "stablehlo.dot_general" in (r.left or ""))
    assert dot.status == "differ"  # operands swapped, output transposed
    assert any(r.status == "same" for r in rows)  # the constants, the return
    assert difference_stops(rows) and all(rows[i].status != "same" for i in difference_stops(rows))


def test_hlo_summary_names_ops_and_unknowns(report):
    manual, vmap = report.strategies["manual"].hlo, report.strategies["vmap"].hlo
    rows = dict((name, (x, y)) for name, x, y in hlo_summary(manual, vmap, "hlo"))
    assert rows["ops"] == ("1 dot, 1 fusion", "1 dot, 1 fusion")
    assert rows["flops"][0] == rows["flops"][1] != "unknown"
    import dataclasses

    blind = dataclasses.replace(manual, flops=None, memory=None)
    rows = dict((name, (x, y)) for name, x, y in hlo_summary(blind, vmap, "stablehlo"))
    assert rows["flops"][0] == "unknown" and rows["memory"][0] == "unknown"
    assert "dot_general" in rows["ops"][0]


def test_a_pair_is_lined_up_once_per_report_and_the_reports_own_alignment_is_reused(report):
    from jaxbatch.results import hlo
    from jaxbatch.results.alignment import pair_alignment

    a = report.alignment
    assert pair_alignment(report, "jaxpr", (a.left, a.right)) is a
    loop = pair_alignment(report, "jaxpr", ("loop", "vmap"))
    assert loop is pair_alignment(report, "jaxpr", ("loop", "vmap")) and (loop.left, loop.right) == ("loop", "vmap")
    rows = pair_alignment(report, "hlo", ("manual", "vmap"))
    assert rows is pair_alignment(report, "hlo", ("manual", "vmap"))
    manual, vmap = report.strategies["manual"], report.strategies["vmap"]
    assert rows == hlo.aligned(manual.hlo, vmap.hlo, "hlo")  # the same rows the lab's verdict reads
    assert pair_alignment(report, "hlo", ("loop", "vmap")) is None  # the loop has no compiled program
