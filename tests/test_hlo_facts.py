"""What the HLO levels report: op counts read robustly (tuples of six or more carry
`/*index=5*/`), StableHLO ops apart from attributes and region code, flops and bytes with each
loop counted as often as it runs, and verdicts that never call different work the same."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import jax
import jax.numpy as jnp
from jax import lax

from jaxbatch.presentation.hlo import figure_text, hlo_verdict
from jaxbatch.presentation.programs import hlo_summary
from jaxbatch.results import hlo, hlo_text, stablehlo_text
from jaxbatch.results.report import SameProgram, Strategy

HLO_DIR = Path(__file__).parent / "fixtures" / "hlo"


def fixture(name: str) -> str:
    return (HLO_DIR / name).read_text()


def describe(fn, *args) -> hlo.Hlo:
    lowered = jax.jit(fn).lower(*args)
    return hlo.describe(lowered, lowered.compile())


def one(x, w):  # the README's model, on one instance
    return jnp.tanh(x @ w).sum()


@functools.cache
def map_and_vmap(batch: int = 256) -> tuple[hlo.Hlo, hlo.Hlo]:
    xs, w = jnp.ones((batch, 3)), jnp.ones((3, 2))
    by_map = describe(lambda xs, w: lax.map(lambda x: one(x, w), xs), xs, w)
    return by_map, describe(jax.vmap(one, in_axes=(0, None)), xs, w)


# ---- reading the text ----------------------------------------------------------------------

def test_a_loop_state_of_seven_counts_its_while_and_tuples():
    text = fixture("rnn_scan.hlo")  # lax.scan RNN: the loop state is a 7-tuple, printed with /*index=5*/
    assert "/*index=5*/" in text
    ops = hlo_text.op_counts(hlo_text.parse(text))
    assert ops["while"] == 1 and ops["call"] == 1
    assert ops["tuple"] == 2  # the loop's initial state and the body's result, both 7-tuples
    line = next(line for line in text.splitlines() if " tuple(" in line and "/*index=5*/%" in line)
    instruction = hlo_text.parse_instruction(line)
    assert instruction.opcode == "tuple" and len(instruction.operands) == 7
    assert len(instruction.shape.parts) == 7


def test_the_scan_is_in_the_hlo_verdict():
    rnn = describe(_rnn, jnp.ones((7, 3)), jnp.ones((4, 4)), jnp.ones((4, 3)), jnp.ones(4))
    flat = describe(lambda xs, W, U, b: jnp.tanh(xs @ U.T + b) @ W, jnp.ones((7, 3)), jnp.ones((4, 4)),
                    jnp.ones((4, 3)), jnp.ones(4))
    words = hlo_verdict(hlo.compare(rnn, flat, "scan", "flat"))
    assert "scan has" in words and "1 while" in words and "tuple" in words
    assert rnn.ops["while"] == 1 and rnn.loops == [7]


def _rnn(xs, W, U, b):
    def step(carry, x):
        h, n = carry
        h = jnp.tanh(W @ h + U @ x + b)
        return (h, n + 1), h

    return lax.scan(step, (jnp.zeros(4), 0), xs)[1]


def test_stablehlo_counts_ops_not_attributes():
    counts = stablehlo_text.op_counts(fixture("random_vmap.stablehlo.mlir"))
    assert "sdy.mesh @empty_mesh = <[]> {stablehlo.mesh" in fixture("random_vmap.stablehlo.mlir")
    assert not any("mesh" in op for op in {**counts.top, **counts.regions})


def test_stablehlo_keeps_a_reducers_add_apart_from_the_programs():
    counts = stablehlo_text.op_counts(fixture("seed_einsum.stablehlo.mlir"))  # bias add, then reduce(add)
    assert counts.top["add"] == 1 and counts.top["reduce"] == 1 and counts.regions == {"add": 1}
    sort = stablehlo_text.op_counts(fixture("sort_topk.stablehlo.mlir"))
    assert sort.top == {"call": 1, "top_k": 1, "sort": 1}  # "stablehlo.sort"(...) in generic form counts
    assert sort.regions["compare"] == 5 and "return" not in sort.regions


def test_loop_bodies_are_region_ops():
    counts = stablehlo_text.op_counts(fixture("while_vmap.stablehlo.mlir"))
    assert counts.top == {"constant": 1, "while": 1}
    assert counts.regions["multiply"] == 1


# ---- flops and bytes with loops counted in full -------------------------------------------

def test_lax_map_flops_count_every_instance():
    by_map, by_vmap = map_and_vmap()
    assert by_map.loops == [256] and by_vmap.loops == []
    assert by_map.flops_xla * 100 < by_vmap.flops  # XLA counts the body once
    assert by_vmap.flops <= by_map.flops <= 1.5 * by_vmap.flops  # the same work, plus a loop counter:
    assert by_map.flops - by_vmap.flops == 256 + 257  # an add per iteration, a compare per test of the condition
    assert by_map.bytes > 10 * by_map.bytes_xla
    assert by_vmap.flops == by_vmap.flops_xla  # no loop: XLA's figure as it is
    json = by_map.to_json()
    assert json["flops"] == by_map.flops and json["flops_xla"] == by_map.flops_xla
    assert json["loops"] == [{"trip_count": 256}]


def test_scan_flops_grow_with_the_scan_length():
    def scanned(n):
        return describe(lambda x: lax.scan(lambda c, _: (jnp.sin(c) * 2.0 + 1.0, None), x, None, length=n)[0],
                        jnp.ones(100))

    two, four, eight = (scanned(n) for n in (2, 4, 8))
    assert two.flops_xla == four.flops_xla == eight.flops_xla  # XLA's figure ignores the length
    step = four.flops - two.flops
    assert step >= 2 * 200 and eight.flops - four.flops == 2 * step  # two flops an element, per iteration


def test_nested_loops_multiply():
    def nested(x):
        def outer(c, _):
            return lax.scan(lambda d, _: (d * 1.5 + 1.0, None), c, None, length=3)[0], None
        return lax.scan(outer, x, None, length=4)[0]

    h = describe(nested, jnp.ones(1000))
    assert sorted(h.loops) == [3, 4]
    assert 4 * 3 * 2000 <= h.flops <= 1.1 * 4 * 3 * 2000


def test_an_unknown_trip_count_is_said_never_hidden():
    h = describe(lambda x, n: lax.while_loop(lambda c: c[0] < n, lambda c: (c[0] + 1, jnp.sin(c[1]) * 2), (0, x))[1],
                 jnp.ones(10), 5)
    assert h.loops == [None] and h.flops is None and h.bytes is None
    assert h.to_json()["flops"] is None and h.to_json()["flops_xla"] > 0
    assert figure_text(hlo.cost(h, "flops")) == f"{h.flops_xla:,.0f} per iteration; trip count unknown"
    rows = {name: (a, b) for name, a, b in hlo_summary(h, h, "hlo")}
    assert rows["flops"][0].endswith("per iteration; trip count unknown")
    assert rows["bytes accessed"][0].endswith("per iteration; trip count unknown")
    assert rows["loops"][0] == "1 loop, trip count unknown"


def test_the_summary_keeps_xlas_own_figure_beside_the_full_one():
    by_map, by_vmap = map_and_vmap()
    rows = {name: (a, b) for name, a, b in hlo_summary(by_map, by_vmap, "hlo")}
    assert rows["flops"] == (f"{by_map.flops:,.0f} (XLA: {by_map.flops_xla:,.0f}, each loop once)",
                             f"{by_vmap.flops:,.0f}")
    assert rows["loops"] == ("1 loop, trip count 256", "none")
    assert "while" in rows["ops"][0]


# ---- verdicts ----------------------------------------------------------------------------

def test_never_same_ops_where_flops_differ():
    xs, w = jnp.ones((5, 3)), jnp.ones((3, 2))
    rows_first = describe(lambda xs, w: jnp.tanh(xs @ w).sum(axis=1), xs, w)
    columns_first = describe(lambda xs, w: jnp.tanh(w.T @ xs.T).sum(axis=0), xs, w)
    assert hlo_verdict(hlo.compare(rows_first, columns_first, "a", "b")).startswith(
        "XLA's programs differ in shapes, layout or operand order")
    more = dataclasses.replace(columns_first, flops=columns_first.flops + 20)  # as per-example grads had: 480 vs 500
    text = hlo_verdict(hlo.compare(rows_first, more, "a", "b"))
    assert "same ops" not in text and f"flops {rows_first.flops:,.0f} vs {more.flops:,.0f}" in text


def test_differing_programs_name_what_differs():
    by_map, by_vmap = map_and_vmap()
    text = hlo_verdict(hlo.compare(by_map, by_vmap, "map", "vmap"))
    assert text.startswith("XLA's programs differ: map has ") and "1 while" in text and "no while" in text
    assert f"flops {by_map.flops:,.0f} vs {by_vmap.flops:,.0f}" in text


def test_same_program_facts_per_level():
    by_map, by_vmap = map_and_vmap()
    a, b = Strategy("manual", "map", hlo=by_map), Strategy("vmap", "vmap", hlo=by_vmap)
    assert hlo.same_program(a, b, None) == SameProgram(("manual", "vmap"), jaxpr=None, stablehlo=False,
                                                       hlo=False)  # why a level is unknown: presentation.notes
    assert hlo.same_program(b, b, None).hlo is True
    with_loop = hlo.same_program(a, Strategy("loop", "loop"), None)
    assert with_loop.stablehlo is None and with_loop.hlo is None


def test_the_report_says_whether_the_pair_is_one_program():
    from jaxbatch.media.json_report import report_json
    from jaxbatch.results.selection import Selection

    from reports import analyze

    report = analyze(Selection(model="elementwise"))  # runs on the batch as it is: one program everywhere
    assert report_json(report)["same_program"] == {"pair": ["manual", "vmap"], "jaxpr": True, "stablehlo": True,
                                                "hlo": True, "unknown": {}}
    assert report.same_program.jaxpr == report.alignment.identical
