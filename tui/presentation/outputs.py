"""What each strategy's output says: verdicts, the figures behind them, the on-batch result,
vmap's loop headline, and the primitives that run."""

from __future__ import annotations

from typing import Optional

from jaxbatch.lab.results import Agreement, Eqn, Loop, OnBatch, Strategy
from jaxbatch.lab.selection import DEFAULT_PRECISION
from jaxbatch.presentation.verdicts import agreement_verdict, on_batch_verdict


def verdict_text(agreement: Optional[Agreement]) -> str:
    """The verdict on an output, the same words in every view (presentation.verdicts): `agrees
    exactly`, `agrees within float32 tolerance 1e-05 (max 2 ULP)`, ...; `unknown` unjudged."""
    return (agreement_verdict(agreement) if agreement is not None else "") or "unknown"


def strategy_verdict(s: Strategy) -> str:
    """A strategy's verdict against the loop: raised, the reference itself, or the lab's judgement."""
    if s.error is not None:
        return f"{raised(s)}: {s.error.message}"
    if s.key == "loop":
        return "reference"
    return verdict_text(s.agreement)


def raised(s: Strategy) -> str:
    return f"raised {s.error.type}"


def strategy_figures(s: Strategy) -> str:
    """The figures behind a strategy's verdict; none for the loop (the reference) or an error."""
    return figures_text(s.agreement) if s.key != "loop" and s.error is None else ""


def figures_text(agreement: Optional[Agreement]) -> str:
    """The figures behind a verdict, for a reader to check: the worst absolute, relative and ULP
    difference from the loop, and the tolerance per dtype. Nothing when it agrees exactly."""
    a = agreement
    if a is None or not a.max_abs:
        return ""
    tolerance = "; ".join(f"{name}: rtol = atol = {t['rtol']:.0e}" if t["rtol"] else f"{name}: exact"
                          for name, t in a.tolerance.items())
    if a.precision is not None:  # the rerun at "highest" beside the figures it was run for
        check = a.precision
        return f"at {check.ran_at}: {_diffs(check.default)}; at highest: {_diffs(check.highest)} ({tolerance})"
    return f"{_diffs(a)} ({tolerance})"


def _diffs(a: Agreement) -> str:
    """`max |diff| 0.00135, rel 0.002, 1.9e+09 ULP, 0.00135 from float64 (the float32 loop: 2.1e-07)`."""
    if a.max_abs is None:
        return a.reason
    if not a.max_abs:
        return "exact"
    text = f"max |diff| {a.max_abs:.3g}, rel {a.max_rel:.3g}, {a.max_ulp:.3g} ULP"
    if a.vs_float64 is not None and a.loop_vs_float64 is not None:
        text += f", {a.vs_float64:.3g} from float64 (the loop: {a.loop_vs_float64:.3g})"
    return text


def precision_text(precision: str) -> str:
    """`matmul precision highest`; JAX's own default said as such."""
    return f"matmul precision {precision}" + (" (JAX's)" if precision == DEFAULT_PRECISION else "")


def on_batch_head(on_batch: OnBatch) -> str:
    """What calling the model on the whole batch did: `raises TypeError`, or the verdict."""
    return f"raises {on_batch.error.type}" if on_batch.error is not None else on_batch_verdict(on_batch)


def loop_text(loop: Loop) -> str:
    """The headline of vmap's verdict when its program loops where one instance's doesn't."""
    steps = ", its steps unknown" if loop.steps is None else f" of {loop.steps:,} step{'s' * (loop.steps != 1)}"
    where = "its jaxpr" if loop.level == "jaxpr" else "XLA's optimized HLO"
    return f"vmap runs your function as a loop{steps} (a {loop.where} in {where} that one instance's lacks)"


def primitives_text(eqns: list[Eqn]) -> str:
    """Every primitive that runs, control flow with what runs in each body inside it:
    `broadcast_in_dim while{cond: lt reduce_or; body: add tanh}`. Wrappers (jit) show as their bodies."""
    bodies: dict[Optional[int], dict[str, list[int]]] = {}
    for i, e in enumerate(eqns):
        if not e.wrapper:
            bodies.setdefault(e.within, {}).setdefault(e.body, []).append(i)

    def words(indices: list[int]) -> str:
        return " ".join(
            eqns[i].primitive + ("{" + "; ".join(f"{b}: {words(ix)}" for b, ix in bodies[i].items()) + "}"
                                 if i in bodies else "")
            for i in indices
        )

    return words(bodies.get(None, {}).get("", []))
