""""vmap became a loop": found in the jaxpr or only in XLA's HLO, with its steps, and said first."""

import jax
import numpy as np
import pytest

from jaxbatch.media.json_report import report_json
from jaxbatch.media.text import render
from jaxbatch.presentation.outputs import loop_text
from jaxbatch.results.hlo_text import clean_hlo
from jaxbatch.results.loops import added_loop, hlo_loops
from jaxbatch.results.report import Eqn, Loop
from jaxbatch.results.selection import Selection

from reports import analyze


def eqn(primitive, depth=0, **params):
    return Eqn(primitive, {k: str(v) for k, v in params.items()}, [], [], depth, "", primitive)


def test_a_scan_vmap_adds_is_the_loop_with_its_length():
    single = [eqn("sin"), eqn("pure_callback")]
    vmap = [eqn("sin"), eqn("scan", length=5), eqn("pure_callback", depth=1)]
    assert added_loop(single, "", vmap, "") == Loop(steps=5, where="scan", level="jaxpr")


def test_loops_the_model_has_itself_are_not_vmaps():
    own = [eqn("while"), eqn("add", depth=1), eqn("scan", length=3), eqn("mul", depth=1)]
    assert added_loop(own, "", own, "") is None
    # the model's own scan of 5 stays; the second scan of 5 is vmap's, nested in it
    vmap = [eqn("scan", length=5), eqn("scan", depth=1, length=5), eqn("pure_callback", depth=2)]
    assert added_loop([eqn("scan", length=5), eqn("pure_callback", depth=1)], "", vmap, "").steps == 5


def test_nested_added_loops_multiply_and_an_unknown_one_makes_the_count_unknown():
    vmap = [eqn("scan", length=3), eqn("scan", depth=1, length=2), eqn("pure_callback", depth=2), eqn("add")]
    assert added_loop([], "", vmap, "") == Loop(steps=6, where="scan", level="jaxpr")
    with_while = [eqn("scan", length=3), eqn("while", depth=1), eqn("add", depth=2)]
    assert added_loop([], "", with_while, "") == Loop(steps=None, where="scan", level="jaxpr")
    assert added_loop([], "", [eqn("while"), eqn("add", depth=1)], "").steps is None


def test_side_by_side_loops_are_not_multiplied():
    vmap = [eqn("scan", length=3), eqn("add", depth=1), eqn("scan", length=4), eqn("add", depth=1)]
    assert added_loop([], "", vmap, "").steps == 3


# Real optimized HLO, cut to what matters: a while only XLA made, nested in another.
NESTED_HLO = """\
HloModule jit_f, entry_computation_layout={(f32[3,2,4]{2,1,0})->f32[3,2,4]{2,1,0}}

%inner_body (p: (s32[], f32[2,4])) -> (s32[], f32[2,4]) {
  %p = (s32[], f32[2,4]{1,0}) parameter(0)
  ROOT %t = (s32[], f32[2,4]{1,0}) tuple(%a, %b)
}

%outer_body (q: (s32[], f32[3,2,4])) -> (s32[], f32[3,2,4]) {
  %q = (s32[], f32[3,2,4]{2,1,0}) parameter(0)
  %while.1 = (s32[], f32[2,4]{1,0}) while(%tuple), condition=%inner_cond, body=%inner_body, backend_config={"known_induction_variable":{"tuple_index":"0"},"known_trip_count":{"n":"2"}}
  ROOT %u = (s32[], f32[3,2,4]{2,1,0}) tuple(%c, %d)
}

ENTRY %main.11 (Arg_0.1: f32[3,2,4]) -> f32[3,2,4] {
  %Arg_0.1 = f32[3,2,4]{2,1,0} parameter(0)
  %while.13 = (s32[], f32[3,2,4]{2,1,0}) while(%tuple.2), condition=%outer_cond, body=%outer_body, backend_config={"known_trip_count":{"n":"3"}}
  %while.14 = (s32[], f32[4]{0}) while(%tuple.3), condition=%third_cond, body=%third_body
  ROOT %r = f32[3,2,4]{2,1,0} get-tuple-element(%while.13), index=1
}
"""  # noqa: E501 (XLA's own lines, kept whole)


def test_hlo_whiles_with_xlas_trip_counts_and_nesting():
    assert hlo_loops(NESTED_HLO) == [("while", 3, None), ("while", None, None), ("while", 2, 0)]  # entry first


def test_a_loop_only_in_xlas_program_is_found_there():
    assert added_loop([], "", [], NESTED_HLO) == Loop(steps=6, where="while", level="hlo")
    single = NESTED_HLO.replace('"n":"2"', '"n":"9"').replace('"n":"3"', '"n":"2"')  # has loops of 2 and 9
    assert added_loop([], single, [], NESTED_HLO) == Loop(steps=3, where="while", level="hlo")


def test_a_loop_xla_unrolled_in_one_instances_program_is_still_its_own():
    """One instance's scan of 3 may be unrolled by XLA while vmap's is kept: not vmap's loop."""
    single = [eqn("scan", length=3), eqn("add", depth=1), eqn("scan", length=2), eqn("while")]
    assert added_loop(single, "", [], NESTED_HLO) is None


def test_real_programs_a_sequential_callback_loops_and_the_others_do_not():
    """Compiled here, not written by hand: XLA keeps vmap's loop with its trip count."""

    def on_host(x):
        return np.cos(x)

    def model(x):
        return jax.pure_callback(on_host, jax.ShapeDtypeStruct(x.shape, x.dtype), x, vmap_method="sequential")

    def optimized(fn, x):
        return clean_hlo(jax.jit(fn).lower(x).compile().as_text())

    xs = np.ones((7, 3), np.float32)
    one, batched = optimized(model, xs[0]), optimized(jax.vmap(model), xs)
    assert hlo_loops(one) == [] and hlo_loops(batched) == [("while", 7, None)]
    assert added_loop([], one, [], batched) == Loop(steps=7, where="while", level="hlo")
    expand = optimized(jax.vmap(lambda x: jax.pure_callback(
        on_host, jax.ShapeDtypeStruct(x.shape, x.dtype), x, vmap_method="expand_dims")), xs)
    assert added_loop([], one, [], expand) is None


@pytest.fixture(scope="module")
def callback_report():
    return analyze(Selection("callback-sequential", (2, 3), "cpu"))


def test_the_report_holds_vmaps_loop_and_its_json(callback_report):
    assert callback_report.vmap_loop == Loop(steps=6, where="scan", level="jaxpr")  # two batch dims, nested
    assert report_json(callback_report)["vmap_loop"] == {"steps": 6, "where": "scan", "level": "jaxpr"}
    assert report_json(analyze(Selection("tanh-dense", (5,), "cpu")))["vmap_loop"] is None


def test_the_loop_is_the_first_line_of_vmaps_verdict_in_the_text_report(callback_report):
    lines = render(callback_report, width=120).splitlines()  # a terminal wide enough for the headline
    at = lines.index("  vmap         vmap runs your function as a loop of 6 steps (a scan in its jaxpr that one "
                     "instance's lacks)")
    assert lines[at + 1].startswith(f"  {'':<12} agrees")  # then the verdict it heads


def test_the_words_for_each_kind_of_loop():
    assert loop_text(Loop(1, "while", "hlo")) == ("vmap runs your function as a loop of 1 step (a while in XLA's "
                                                  "optimized HLO that one instance's lacks)")
    unknown = loop_text(Loop(None, "while", "jaxpr"))
    assert unknown.startswith("vmap runs your function as a loop, its steps unknown (a while in its jaxpr")
    assert "of 1,024 steps" in loop_text(Loop(1024, "scan", "jaxpr"))


async def test_the_outputs_pane_puts_the_loop_above_vmaps_title():
    from jaxbatch.widgets.outputs_view import OutputsView

    from app_helpers import make_test_app, settle, shown_text

    app = make_test_app(Selection("callback-sequential", (5,), "cpu"))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("1")
        lines = shown_text(app.query_one("#outputs-view", OutputsView)).splitlines()
    headline = "↻ vmap runs your function as a loop of 5 steps"
    at = next(i for i, line in enumerate(lines) if line.startswith(headline))
    assert lines[at + 1].startswith("vmap  jax.vmap  ✓ agrees")  # then vmap's title and verdict
