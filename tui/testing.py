"""Guards for a test suite: each runs the analysis the app shows (`jaxbatch.compare`) and fails
with the app's own words and the aligned rows that show why, e.g.

    from jaxbatch.testing import assert_no_primitive
    assert_no_primitive(model, args, "gather", strategy="vmap")
    # AssertionError: vmap's program has gather (2×); hand-batched has none ...

No guard on time: a timing is too noisy for a pass or a fail in CI. `check_speed` says the ratio
and fails nothing.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Optional, Sequence, Union

from jaxbatch.api import Batch, compare
from jaxbatch.presentation.hlo import hlo_verdict
from jaxbatch.presentation.outputs import strategy_figures, strategy_verdict
from jaxbatch.presentation.programs import MARKERS, alignment_rows, levels_text
from jaxbatch.presentation.timings import timing_rows
from jaxbatch.presentation.verdicts import alignment_verdict
from jaxbatch.result import Result

Model = Union[Callable, str]
LEVELS = {"jaxpr": "jaxpr", "stablehlo": "StableHLO", "hlo": "optimized HLO"}


def assert_vmap_agrees(model: Model, args: Optional[Sequence[Any]] = None, batch: Batch = 8, **options) -> Result:
    """vmap's outputs match the loop's within the tolerance the app states (float64 telling
    rounding apart beyond it); returns the report for more checks."""
    r = compare(model, args, batch, **options)
    vmap = r.strategies["vmap"]
    if vmap.error is not None or vmap.agreement is None or not vmap.agreement.agrees:
        figures = strategy_figures(vmap)
        raise AssertionError(f"{r.model} at batch {r.batch_shape}: vmap {strategy_verdict(vmap)}"
                             + (f"\n  {figures}" if figures else ""))
    return r


def assert_no_primitive(model: Model, args: Optional[Sequence[Any]] = None, primitive: str = "gather",
                        strategy: str = "vmap", batch: Batch = 8, **options) -> Result:
    """`primitive` runs nowhere in `strategy`'s program (sub-programs of jit, while, scan ...
    included); on failure, how often, whether the other side of the comparison has it, and
    the aligned rows where it is."""
    r = compare(model, args, batch, **options)
    if strategy not in r.strategies:
        raise AssertionError(f"{r.model} has no strategy {strategy!r}: it has {', '.join(r.strategies)}")
    s = r.strategies[strategy]
    n = s.primitives.count(primitive)
    if n:
        raise AssertionError(f"{s.label}'s program has {primitive} ({n}×); {_others(r, strategy, primitive)}"
                             + "".join(f"\n  {row}" for row in _rows(r, rf"\b{re.escape(primitive)}\b")))
    return r


def assert_same_program(model: Model, batched: Callable, args: Optional[Sequence[Any]] = None, level: str = "hlo",
                        batch: Batch = 8, **options) -> Result:
    """The hand-batched `batched` and vmap are one program at `level` ("jaxpr", "stablehlo" or
    "hlo": what XLA compiled), as the app judges it; on failure its verdict and the rows that differ."""
    if level not in LEVELS:
        raise ValueError(f"level {level!r}: one of {', '.join(LEVELS)}")
    r = compare(model, args, batch, batched=batched, **options)
    same = r.same_program.get(level)
    if same is not True:
        words = hlo_verdict(r.hlo_comparison) if level != "jaxpr" else alignment_verdict(r.alignment)
        what = "unknown: a side has no program" if same is None else "differ"
        raise AssertionError(f"{r.model}: hand-batched and vmap at the {LEVELS[level]} level {what}: {words}\n"
                             f"  one program? {levels_text(r.same_program)}"
                             + "".join(f"\n  {row}" for row in _rows(r, None) if not row.startswith("=")))
    return r


def check_speed(model: Model, args: Optional[Sequence[Any]] = None, batch: Batch = 4096, **options) -> str:
    """vmap's time per call against the hand-batched version's, as words, failing nothing: a
    ratio on a shared CI box moves too much to fail a build on."""
    r = compare(model, args, batch, timings=True, **options)
    rows = {row.key: row for row in timing_rows(r.timings, {k: s.label for k, s in r.strategies.items()})}
    vmap = rows["vmap"]
    if "manual" not in rows:
        return f"{r.model} at batch {r.batch_shape}: vmap {vmap.per_call} per call (no hand-batched version to compare)"
    return (f"{r.model} at batch {r.batch_shape}: vmap {vmap.per_call} per call, {vmap.ratio} "
            f"{rows['manual'].label}'s {rows['manual'].per_call}")


def _others(r: Result, strategy: str, primitive: str) -> str:
    """What the compared strategies other than `strategy` hold of `primitive`."""
    others = [s for key, s in r.strategies.items() if key != strategy and key in ("manual", "vmap", "loop")]
    said = [f"{s.label} has {'none' if not s.primitives.count(primitive) else f'{s.primitives.count(primitive)}×'}"
            for s in others]
    return "; ".join(said) or "nothing to compare it with"


def _rows(r: Result, pattern: Optional[str]) -> list[str]:
    """The aligned jaxpr rows (marker, left │ right) whose text matches `pattern` (None: all)."""
    if r.alignment is None:
        return []
    rows = []
    for row in alignment_rows(r.alignment):
        text = f"{MARKERS[row.status]} {row.left or '':<60} │ {row.right or ''}"
        if pattern is None or re.search(pattern, f"{row.left or ''} {row.right or ''}"):
            rows.append(text)
    return rows
