"""Aligning two programs: properties that hold for any program, and the seed's own verdict."""

import dataclasses
from collections import Counter

import jax
import jax.numpy as jnp
import pytest
from hypothesis import given, settings, strategies as st

from jaxbatch.lab import jaxprs
from jaxbatch.presentation.hlo import hlo_verdict
from jaxbatch.presentation.notes import program_note_text
from jaxbatch.presentation.programs import diff_text
from jaxbatch.presentation.verdicts import alignment_verdict
from jaxbatch.results.alignment import align, compare_eqns, is_layout_only
from jaxbatch.results.report import Diff, Eqn, LoopNotTraced

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


@given(programs, programs)
def test_swapping_sides_mirrors_the_verdict(a, b):
    ab, ba = align(a, b), align(b, a)
    assert Counter(MIRROR[r.status] for r in ba.rows) == Counter(r.status for r in ab.rows)
    assert ab.identical == ba.identical == (a == b or all(r.status == "same" for r in ab.rows))
    assert ab.exact == ba.exact


def renamed(fn, name: str):
    fn.__name__ = fn.__qualname__ = name
    return fn


def named_model(name: str):
    """One program whose helpers all carry `name`: a jitted function, a custom_jvp function and
    its rule, and a while loop's body."""
    helper = renamed(lambda x: jnp.tanh(x) * 2.0, name)
    act = jax.custom_jvp(renamed(lambda x: jnp.maximum(x, 0.0), f"{name}_act"))
    act.defjvp(renamed(lambda primals, tangents: (act(primals[0]), tangents[0]), f"{name}_jvp"))
    body = renamed(lambda c: (c[0] + 1, jax.jit(helper)(c[1])), f"{name}_body")

    def model(x):
        return jax.lax.while_loop(lambda c: c[0] < 3, body, (0, act(jax.jit(helper)(x))))[1]

    return jaxprs.flatten(jaxprs.trace(model, jnp.ones(3)))


@settings(max_examples=20, deadline=None)
@given(st.from_regex(r"[a-z_][a-z0-9_]{0,15}", fullmatch=True))
def test_renaming_helpers_never_changes_the_verdict(name):
    original, renamed_eqns = named_model("helper"), named_model(name)
    assert any(f"name={name}" in e.text for e in renamed_eqns)  # the name is shown, as JAX shows it
    result = align(original, renamed_eqns)
    assert result.identical and alignment_verdict(result) == alignment_verdict(align(original, original))
    assert align(renamed_eqns, renamed_eqns).identical


def test_literals_print_as_jax_prints_them_so_equal_constants_are_equal():
    """vmap turns the Python ints of a while loop into JAX's TypedInt: still `0:i32[]`."""
    def count_to(n):
        return jax.lax.while_loop(lambda c: c[0] < n, lambda c: (c[0] + 1, c[1]), (0, n))[1]

    batched = jaxprs.trace(jax.vmap(count_to), jnp.arange(3))
    eqns = jaxprs.flatten(batched)
    literals = [i for e in eqns for i in e.inputs if ":" in i]
    assert literals == ["0:i32[]", "1:i32[]"] and all(lit in jaxprs.text(batched) for lit in literals)

    def by_hand(ns):  # the same program, its zeros made by hand
        return jax.lax.while_loop(lambda c: jnp.any(c[0] < ns), lambda c: (c[0] + 1, c[1]), (jnp.zeros_like(ns), ns))[1]

    rows = align(eqns, jaxprs.flatten(jaxprs.trace(by_hand, jnp.arange(3)))).rows
    assert rows[0].status == "same"  # broadcast_in_dim 0:i32[] on both sides


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
    assert diffs == [Diff("param", "axes", "(1,)", "(0,)")]
    assert [diff_text(d) for d in diffs] == ["axes (1,) vs (0,)"]
    missing = compare_eqns(eqn("reduce_sum", axes=(1,)), eqn("reduce_sum"))
    assert missing == [Diff("param", "axes", "(1,)", None)] and diff_text(missing[0]) == "axes (1,) vs -"


def test_operand_order_and_layout_are_named():
    left = dataclasses.replace(eqn("dot_general"), inputs=["f32[5,3]", "f32[2,3]"], outputs=["f32[5,2]"])
    right = dataclasses.replace(eqn("dot_general"), inputs=["f32[2,3]", "f32[5,3]"], outputs=["f32[2,5]"])
    diffs = compare_eqns(left, right)
    assert diffs == [Diff("operands"), Diff("output", None, "f32[5,2]", "f32[2,5]", transposed=True)]
    assert [diff_text(d) for d in diffs] == ["operands swapped", "output f32[5,2] vs f32[2,5] (transposed)"]
    assert not is_layout_only(diffs) and is_layout_only(diffs[1:])
    bigger = dataclasses.replace(right, outputs=["f32[2,6]"])
    assert compare_eqns(left, bigger)[-1] == Diff("output", None, "f32[5,2]", "f32[2,6]")
    assert diff_text(compare_eqns(left, bigger)[-1]) == "output f32[5,2] vs f32[2,6]"
    transposed = dataclasses.replace(left, inputs=["f32[3,5]", "f32[2,3]"])
    assert [diff_text(d) for d in compare_eqns(left, transposed)] == [
        "inputs f32[5,3] f32[2,3] vs f32[3,5] f32[2,3] (transposed)"]


def test_fallback_for_very_different_long_programs_is_marked_approximate(monkeypatch):
    import jaxbatch.results.alignment as alignment

    monkeypatch.setattr(alignment, "MAX_EDITS", 3)
    a = [eqn(p) for p in ["add", "mul"] * 10]
    b = [eqn(p) for p in ["mul", "tanh"] * 10]
    result = align(a, b)
    assert result.exact is False and alignment_verdict(result).startswith("approximate alignment")
    assert [r.left for r in result.rows if r.left is not None] == list(range(len(a)))


@pytest.fixture(scope="module")
def seed_report():
    from jaxbatch.results.selection import Selection

    from reports import analyze

    return analyze(Selection())


def test_the_seeds_verdict(seed_report):
    assert alignment_verdict(seed_report.alignment) == (
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
    assert seed_report.hlo_comparison.same is False and seed_report.hlo_comparison.costs == ()
    assert hlo_verdict(seed_report.hlo_comparison).startswith(
        "XLA's programs differ in shapes, layout or operand order")


def test_loop_program_is_traced_for_small_batches_and_capped_for_large(seed_report):
    loop = seed_report.strategies["loop"]
    assert loop.primitives.count("dot_general") == 5 and "stack" in loop.primitives
    from jaxbatch.results.selection import Selection

    from reports import analyze

    big = analyze(Selection(batch_shape=(100,))).strategies["loop"]
    assert big.jaxpr == "" and big.program_note == LoopNotTraced(100, 64)
    words = program_note_text(big.program_note)
    assert "not traced at 100 instances" in words and "up to 64" in words


def _aligned(f, g, *args):
    return align(jaxprs.flatten(jaxprs.trace(f, *args)), jaxprs.flatten(jaxprs.trace(g, *args)))


def test_operands_fed_from_other_places_differ_though_their_avals_match():
    x, y = jnp.ones(3), jnp.zeros(3)
    swapped = _aligned(lambda a, b: a - b, lambda a, b: b - a, x, y)
    assert not swapped.identical and swapped.rows[0].diffs == [Diff("operands")]

    def plus_sin(a):
        s, c = jnp.sin(a), jnp.cos(a)
        return s * c + s

    def plus_cos(a):
        s, c = jnp.sin(a), jnp.cos(a)
        return s * c + c

    rewired = _aligned(plus_sin, plus_cos, x)
    assert [r.status for r in rewired.rows] == ["same", "same", "same", "differ"]
    assert rewired.rows[-1].diffs == [Diff("wiring")]
    assert diff_text(rewired.rows[-1].diffs[0]) == "operands come from other equations"


def test_the_same_wiring_under_other_names_is_identical():
    assert _aligned(lambda a, b: jnp.tanh(a @ b).sum(), lambda xs, w: jnp.tanh(xs @ w).sum(),
                    jnp.ones(3), jnp.ones((3, 2))).identical


def test_each_pair_is_compared_once_and_its_wiring_judged_by_look_ups_built_once(monkeypatch):
    """Aligning is linear in the programs' length: one comparison per matched pair, and the
    table that judges wiring built once per alignment (built per row, 5,000 equations took 0.8 s)."""
    import jaxbatch.results.alignment as alignment

    calls: Counter = Counter()

    def counting(name: str):
        real = getattr(alignment, name)

        def counted(*args):
            calls[name] += 1
            return real(*args)
        return counted

    for name in ("compare_eqns", "_wiring", "_counterparts"):
        monkeypatch.setattr(alignment, name, counting(name))

    def before(a):
        s = jnp.sin(a)
        return s * jnp.cos(a) + s

    def after(a):  # one equation more in front, so every index shifts; the last add fed from elsewhere
        s, c = jnp.sin(jnp.exp(a)), jnp.cos(a)
        return s * c + c

    result = _aligned(before, after, jnp.ones(3))
    assert [r.status for r in result.rows] == ["only_right", "same", "same", "same", "differ"]
    assert result.rows[-1].diffs == [Diff("wiring")]
    assert calls == {"compare_eqns": 4, "_wiring": 4, "_counterparts": 1}
