"""Aligning two programs: properties that hold for any program, and the seed's own verdict."""

import dataclasses

import pytest
from hypothesis import given, settings, strategies as st

from jaxbatch.lab.alignment import align, compare_eqns
from jaxbatch.lab.results import Eqn

PRIMS = ["add", "mul", "tanh", "dot_general", "reduce_sum"]


def eqn(prim: str, shape: str = "f32[5,2]", **params) -> Eqn:
    return Eqn(prim, {k: str(v) for k, v in params.items()}, [shape], [shape], 0, "", f"x:{shape} = {prim} y")


programs = st.lists(st.builds(eqn, st.sampled_from(PRIMS)), max_size=25)

MIRROR = {"only_left": "only_right", "only_right": "only_left", "same": "same", "differ": "differ"}


def lcs(a, b) -> int:
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            table[i + 1][j + 1] = table[i][j] + 1 if x == y else max(table[i][j + 1], table[i + 1][j])
    return table[-1][-1]


@given(programs)
def test_a_program_against_itself_is_all_same(p):
    result = align(p, p)
    assert [r.status for r in result.rows] == ["same"] * len(p)
    assert all(r.left == r.right for r in result.rows)


@given(programs, st.data())
def test_an_inserted_equation_is_a_gap_on_the_other_side(p, data):
    at = data.draw(st.integers(0, len(p)))
    longer = p[:at] + [eqn("custom_op_only_here")] + p[at:]
    rows = align(longer, p).rows
    assert [r.status for r in rows].count("only_left") == 1 and len(rows) == len(p) + 1
    assert [longer[r.left].primitive for r in rows if r.status == "only_left"] == ["custom_op_only_here"]
    assert [r.status for r in align(p, longer).rows].count("only_right") == 1


@given(programs, programs)
def test_swapping_sides_mirrors_the_alignment(a, b):
    ab, ba = align(a, b), align(b, a)
    mirrored = [(r.right, r.left, MIRROR[r.status]) for r in ba.rows]
    assert sorted(mirrored, key=str) == sorted(((r.left, r.right, r.status) for r in ab.rows), key=str)
    assert [(r.left, r.right) for r in ab.rows if r.left is not None and r.right is not None] == [
        (r.right, r.left) for r in ba.rows if r.left is not None and r.right is not None
    ]


@settings(max_examples=200)
@given(programs, programs)
def test_matches_as_many_equations_as_possible_in_order(a, b):
    rows = align(a, b).rows
    pairs = [(r.left, r.right) for r in rows if r.left is not None and r.right is not None]
    assert len(pairs) == lcs([e.primitive for e in a], [e.primitive for e in b])
    assert pairs == sorted(pairs) and len({i for i, _ in pairs}) == len(pairs)
    assert all(a[i].primitive == b[j].primitive for i, j in pairs)
    # every equation appears exactly once, in order, on its side
    assert [r.left for r in rows if r.left is not None] == list(range(len(a)))
    assert [r.right for r in rows if r.right is not None] == list(range(len(b)))


def test_same_primitive_different_params_says_which():
    diffs = compare_eqns(eqn("reduce_sum", axes=(1,)), eqn("reduce_sum", axes=(0,)))
    assert diffs == ["axes (1,) vs (0,)"]


def test_operand_order_and_layout_are_named():
    left = dataclasses.replace(eqn("dot_general"), inputs=["f32[5,3]", "f32[2,3]"], outputs=["f32[5,2]"])
    right = dataclasses.replace(eqn("dot_general"), inputs=["f32[2,3]", "f32[5,3]"], outputs=["f32[2,5]"])
    assert compare_eqns(left, right) == ["operands swapped", "output f32[5,2] vs f32[2,5] (transposed)"]
    bigger = dataclasses.replace(right, outputs=["f32[2,6]"])
    assert compare_eqns(left, bigger)[-1] == "output f32[5,2] vs f32[2,6]"


def test_fallback_for_very_different_long_programs_is_marked_approximate(monkeypatch):
    import jaxbatch.lab.alignment as alignment

    monkeypatch.setattr(alignment, "MAX_EDITS", 3)
    a = [eqn(p) for p in ["add", "mul"] * 10]
    b = [eqn(p) for p in ["mul", "tanh"] * 10]
    result = align(a, b)
    assert result.exact is False and result.verdict.startswith("approximate alignment")
    assert [r.left for r in result.rows if r.left is not None] == list(range(len(a)))


@pytest.fixture(scope="module")
def seed_report():
    from jaxbatch.lab.analysis import analyze
    from jaxbatch.lab.selection import Selection

    return analyze(Selection())


def test_the_seeds_verdict(seed_report):
    assert seed_report.alignment.verdict == (
        "same 4 primitives in order; 2 differ: dot_general (operands swapped, output f32[5,2] vs f32[2,5]), "
        "reduce_sum (axes (1,) vs (0,), inputs transposed); 2 differ only in layout: add, tanh"
    )
    assert [r.status for r in seed_report.alignment.rows] == ["differ"] * 4


def test_the_seeds_hlo(seed_report):
    manual, vmap = seed_report.strategies["manual"].hlo, seed_report.strategies["vmap"].hlo
    assert "stablehlo.dot_general" in manual.stablehlo and "stablehlo.dot_general" in vmap.stablehlo
    assert manual.ops.get("dot") == vmap.ops.get("dot") == 1
    assert manual.flops == vmap.flops and manual.flops > 0
    assert "metadata=" not in manual.optimized and ".py" not in manual.optimized  # no source paths
    assert seed_report.hlo_verdict.startswith("XLA's programs differ in shapes, layout or operand order")


def test_loop_program_is_traced_for_small_batches_and_capped_for_large(seed_report):
    loop = seed_report.strategies["loop"]
    assert loop.primitives.count("dot_general") == 5 and "stack" in loop.primitives
    from jaxbatch.lab.analysis import analyze
    from jaxbatch.lab.selection import Selection

    big = analyze(Selection(batch_shape=(100,))).strategies["loop"]
    assert big.jaxpr == "" and "each of 100 instances (cap 64)" in big.program_note
