"""Scripted lab results for pane snapshots: a `Report`, timings and a sweep built from literal
values, never by running JAX, so a pane's snapshot moves only when the pane does.

Each factory takes the seed's shape (tanh(M @ v + b).sum() at batch 5, on CPU) and keyword
overrides, so a test states only what it varies.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

from jaxbatch.results.alignment import align
from jaxbatch.results.report import (
    Agreement,
    Device,
    Eqn,
    ErrorInfo,
    Hlo,
    Loop,
    LoopNotTraced,
    OnBatch,
    Report,
    Single,
    Strategy,
)
from jaxbatch.results.sweep_state import SweepState
from jaxbatch.results.timing import LiveTimings, Timing, Timings

F32 = {"float32": {"rtol": 1e-05, "atol": 1e-05}}
CPU = Device("cpu", "cpu", 0)
OUTPUT = "[-0.14736587  0.47015858  1.8918197   0.21948916  1.0849661 ]"
LABELS = {"loop": "loop", "manual": "einsum", "vmap": "vmap"}


def exact() -> Agreement:
    return Agreement(0.0, 0.0, 0.0, F32, True, "agrees")


def within(max_abs: float = 2.38e-07, max_rel: float = 1.26e-07, max_ulp: float = 2.0) -> Agreement:
    return Agreement(max_abs, max_rel, max_ulp, F32, True, "agrees")


def wrong(max_abs: float = 0.51, max_rel: float = 0.47, max_ulp: float = 4.3e6) -> Agreement:
    return Agreement(max_abs, max_rel, max_ulp, F32, False, "wrong", beyond=["float32"])


def eqn(text: str, primitive: str, inputs: list[str], outputs: list[str], sources: tuple[str, ...],
        **params: str) -> Eqn:
    return Eqn(primitive, params, inputs, outputs, 0, "", text, sources=sources)


# The seed's two programs: the same four primitives, in another layout.
MANUAL_EQNS = [
    eqn("c:f32[5,2] = dot_general[dimension_numbers=(((1,), (1,)), ((), ())) preferred_element_type=float32] b a",
        "dot_general", ["f32[5,3]", "f32[2,3]"], ["f32[5,2]"], ("in1", "in0"),
        dimension_numbers="(((1,), (1,)), ((), ()))", preferred_element_type="float32"),
    eqn("d:f32[5,2] = add c 1.0:f32[]", "add", ["f32[5,2]", "1.0:f32[]"], ["f32[5,2]"], ("eq0.0", "lit")),
    eqn("e:f32[5,2] = tanh d", "tanh", ["f32[5,2]"], ["f32[5,2]"], ("eq1.0",)),
    eqn("f:f32[5] = reduce_sum[axes=(1,)] e", "reduce_sum", ["f32[5,2]"], ["f32[5]"], ("eq2.0",), axes="(1,)"),
]
VMAP_EQNS = [
    eqn("c:f32[2,5] = dot_general[dimension_numbers=(((1,), (1,)), ((), ())) preferred_element_type=float32] a b",
        "dot_general", ["f32[2,3]", "f32[5,3]"], ["f32[2,5]"], ("in0", "in1"),
        dimension_numbers="(((1,), (1,)), ((), ()))", preferred_element_type="float32"),
    eqn("d:f32[2,5] = add c 1.0:f32[]", "add", ["f32[2,5]", "1.0:f32[]"], ["f32[2,5]"], ("eq0.0", "lit")),
    eqn("e:f32[2,5] = tanh d", "tanh", ["f32[2,5]"], ["f32[2,5]"], ("eq1.0",)),
    eqn("f:f32[5] = reduce_sum[axes=(0,)] e", "reduce_sum", ["f32[2,5]"], ["f32[5]"], ("eq2.0",), axes="(0,)"),
]


def hlo(stablehlo: str, optimized: str, **overrides: Any) -> Hlo:
    facts = dict(stablehlo_ops={"constant": 2, "dot_general": 1, "add": 1, "tanh": 1, "reduce": 1},
                 ops={"parameter": 1, "constant": 1, "dot": 1, "fusion": 1}, fusions=1, flops=75.0, bytes=184.0,
                 memory={"argument": 60, "output": 20, "temp": 40}, stablehlo_region_ops={"add": 1})
    return Hlo(stablehlo, optimized, **{**facts, **overrides})


def _stablehlo(dot: str, reduced: str, dims: int) -> str:
    return (f"func.func public @main(%arg0: tensor<5x3xf32>) -> tensor<5xf32> {{\n"
            f"  %0 = stablehlo.dot_general {dot}, contracting_dims = [1] x [1] : "
            f"(tensor<...>) -> tensor<{reduced}xf32>\n"
            f"  %1 = stablehlo.tanh %0 : tensor<{reduced}xf32>\n"
            f"  %2 = stablehlo.reduce(%1 init: %cst) applies stablehlo.add across dimensions = [{dims}] : "
            f"(tensor<{reduced}xf32>, tensor<f32>) -> tensor<5xf32>\n"
            f"  return %2 : tensor<5xf32>\n}}\n")


def _optimized(dot: str, reduced: str, dims: int) -> str:
    return (f"ENTRY %main.2 (v.1: f32[5,3]) -> f32[5] {{\n"
            f"  %v.1 = f32[5,3]{{1,0}} parameter(0)\n"
            f"  %dot.1 = f32[{reduced}]{{1,0}} dot({dot}), lhs_contracting_dims={{1}}, rhs_contracting_dims={{1}}\n"
            f"  ROOT %fusion = f32[5]{{0}} fusion(%dot.1), kind=kLoop, calls=%fused_computation\n}}\n")


MANUAL_HLO = hlo(_stablehlo("%arg0, %cst", "5x2", 1), _optimized("%v.1, %constant.5", "5,2", 1))
VMAP_HLO = hlo(_stablehlo("%cst, %arg0", "2x5", 0), _optimized("%constant.5, %v.1", "2,5", 0))


def strategy(key: str, agreement: Optional[Agreement] = None, **overrides: Any) -> Strategy:
    """The seed's strategy `key`, agreeing exactly unless told otherwise."""
    programs = {"manual": (MANUAL_EQNS, MANUAL_HLO), "vmap": (VMAP_EQNS, VMAP_HLO)}
    eqns, compiled = programs.get(key, ([], None))
    fields = dict(key=key, label=LABELS[key], output=None, text=OUTPUT, agreement=agreement or exact(),
                  eqns=eqns, hlo=compiled, program_note=LoopNotTraced(4096, 64) if key == "loop" else None)
    return Strategy(**{**fields, **overrides})


def on_batch(agreement: Optional[Agreement] = None, error: Optional[ErrorInfo] = None,
             text: str = OUTPUT) -> OnBatch:
    """The model called on the whole batch: raised `error`, or ran, printed `text` and was
    judged (`agreement`, exact by default)."""
    if error is not None:
        return OnBatch(error=error)
    agreement = agreement or exact()
    return OnBatch(text=text, agreement=agreement)


def report(strategies: Optional[dict[str, Strategy]] = None, single: Optional[OnBatch] = None,
           **overrides: Any) -> Report:
    """The seed's report, everything agreeing exactly; the jaxpr alignment of the first pair
    is the lab's own (pure Python over the literal equations above)."""
    strategies = strategies or {k: strategy(k) for k in LABELS}
    fields = dict(
        model="tanh-dense", summary="the seed: tanh(M @ v + b).sum(), batched by einsum",
        note="Same four primitives either way, but not the same program.", source="scripted for a pane snapshot",
        batch_shape=(5,), device=CPU, jax_version="0.0.0",
        single=Single(None, "1.7771413", ["f32[3]"], ["f32[5,3]"], single or on_batch()),
        strategies=strategies, in_axes=[0],
    )
    out = Report(**{**fields, **overrides})
    if out.alignment is None and "manual" in strategies and "vmap" in strategies:
        out = dataclasses.replace(out, alignment=align(strategies["manual"].eqns, strategies["vmap"].eqns,
                                                       "manual", "vmap"))
    return out


def vmap_loop(steps: Optional[int] = 5, where: str = "while", level: str = "jaxpr") -> Loop:
    return Loop(steps, where, level)


# ---- timings and a sweep ---------------------------------------------------------------------

def timing_of(median_s: float, compile_s: Optional[float] = 0.03, instances: int = 4096, manual_s: float = 171e-6,
              floor_s: float = 6e-6, estimated: bool = False) -> Timing:
    """A settled timing: 2% spread, flagged dispatch-bound within 2x the floor."""
    return Timing(compile_s, median_s, median_s * 0.02, 10, 100, median_s / instances, estimated,
                  median_s / manual_s, median_s < 2 * floor_s)


def live(timings: Optional[dict[str, Timing]] = None, state: str = "settled", rounds: int = 100,
         floor_s: float = 6e-6, instances: int = 4096) -> LiveTimings:
    """Timings as the helper sends them; each history a fixed zigzag around the median."""
    timings = timings or {"loop": timing_of(0.155, None, estimated=True), "manual": timing_of(171e-6),
                          "vmap": timing_of(9e-6)}
    history = {k: tuple(t.median_s * (1 + 0.05 * ((i * 7 + j) % 5)) for i in range(20))
               for j, (k, t) in enumerate(timings.items())}
    return LiveTimings(rounds, Timings(timings, floor_s), history, CPU, instances, state, dict(LABELS))


def sweep(per_instance_s: dict[str, tuple[Optional[float], ...]], stopped: str = "done",
          floor_s: float = 1e-6) -> SweepState:
    """A finished sweep at batch 1, 2, 4, ... over as many sizes as the times given."""
    sizes = tuple(2**k for k in range(len(next(iter(per_instance_s.values())))))
    return SweepState(dict(LABELS), sizes, sizes, per_instance_s, tuple(floor_s for _ in sizes), CPU, stopped)
