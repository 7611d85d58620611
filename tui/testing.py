"""Guards for a test suite: each runs the analysis the app shows (`jaxbatch.compare`) and fails
with the app's own words and the aligned rows that show why, e.g.

    from jaxbatch.testing import assert_no_primitive
    assert_no_primitive(model, args, "gather", strategy="vmap")
    # AssertionError: vmap's program has gather (2×); hand-batched has none ...

A guard that can't check what it is asked (a primitive JAX has no such name for, a strategy
that isn't one) raises ValueError rather than passing: a misspelt name must not pass forever.

No guard on time: a timing is too noisy for a pass or a fail in CI. `check_speed` says the ratio
and fails nothing.
"""

from __future__ import annotations

import difflib
import re
from typing import Any, Callable, Optional, Sequence, Union

from jaxbatch.api import Batch, compare
from jaxbatch.media.diff import within_noise
from jaxbatch.media.rich_render import Result
from jaxbatch.presentation.hlo import hlo_verdict
from jaxbatch.presentation.notes import manual_missing_text, program_note_text
from jaxbatch.presentation.outputs import strategy_figures, strategy_verdict
from jaxbatch.presentation.programs import LEVELS, MARKERS, ViewRow, alignment_rows, levels_text, line_rows
from jaxbatch.presentation.units import ratio, seconds
from jaxbatch.presentation.verdicts import alignment_verdict
from jaxbatch.results import strategy_table
from jaxbatch.results.alignment import pair_alignment
from jaxbatch.results.hlo import compare as compare_hlo
from jaxbatch.results.report import Strategy

Model = Union[Callable, str]


def assert_vmap_agrees(model: Model, args: Optional[Sequence[Any]] = None, batch: Batch = 8, **options) -> Result:
    """Assert that vmap's outputs match the loop's, within the tolerance the app states (float64
    telling rounding apart beyond it).

    Args:
        model: A function of one instance, a built-in model's name, or a reference to one.
        args: One instance's example arguments, or avals ("f32[3]"), as `jaxbatch.compare` takes them.
        batch: The batch shape: `8`, `(4, 8)` or "4,8".
        **options: Passed on to `jaxbatch.compare` (`batched`, `in_axes`, `device`, `chunk`, `precision`).

    Returns:
        The report, for more checks.

    Raises:
        AssertionError: vmap failed or disagrees: its verdict and figures, in the app's words.
        LabError: What is wrong with the arguments or the model.
    """
    r = compare(model, args, batch, **options)
    vmap = r.strategies["vmap"]
    if vmap.error is not None or vmap.agreement is None or not vmap.agreement.agrees:
        figures = strategy_figures(vmap)
        raise AssertionError(f"{r.model} at batch {r.batch_shape}: vmap {strategy_verdict(vmap)}"
                             + (f"\n  {figures}" if figures else ""))
    return r


def assert_no_primitive(model: Model, args: Optional[Sequence[Any]] = None, primitive: str = "gather",
                        strategy: str = "vmap", batch: Batch = 8, **options) -> Result:
    """Assert that `primitive` runs nowhere in `strategy`'s program, sub-programs of jit, while,
    scan … included.

    Args:
        model: A function of one instance, a built-in model's name, or a reference to one.
        args: One instance's example arguments, or avals ("f32[3]"), as `jaxbatch.compare` takes them.
        batch: The batch shape: `8`, `(4, 8)` or "4,8".
        **options: Passed on to `jaxbatch.compare` (`batched`, `in_axes`, `device`, `chunk`, `precision`).
        primitive: A JAX primitive's name, as the jaxpr shows it ("gather", "while").
        strategy: A strategy's key, as in the report's `strategies`: "vmap", "manual" (the
            hand-batched version), "loop", ….

    Returns:
        The report, for more checks.

    Raises:
        AssertionError: The program has it: how often, whether the other strategies have it,
            and the aligned rows where it is; or the strategy failed.
        ValueError: `primitive` is no JAX primitive's name (with the nearest names), or
            `strategy` isn't one, or has no program to look in.
        LabError: What is wrong with the arguments or the model.
    """
    keys = strategy_table.keys()
    if strategy not in keys:
        raise ValueError(f"strategy {strategy!r}: one of {', '.join(keys)}{_nearest(strategy, keys)}")
    r = compare(model, args, batch, **options)
    if strategy not in r.strategies:
        why = f" ({manual_missing_text(r.manual_missing)})" if strategy == "manual" and r.manual_missing else ""
        raise ValueError(f"{r.model} has no {strategy!r} strategy{why}: it has {', '.join(r.strategies)}")
    s = r.strategies[strategy]
    if s.error is not None:
        raise AssertionError(f"{s.label} failed, so its program can't be checked for {primitive}: "
                             f"{s.error.type}: {s.error.message}")
    if not s.jaxpr:
        why = program_note_text(s.program_note) or "not traced"
        raise ValueError(f"{s.label} has no program to check for {primitive}: {why}")
    n = _count(s, primitive)
    if n:
        raise AssertionError(f"{s.label}'s program has {primitive} ({n}×); {_others(r, strategy, primitive)}"
                             + "".join(f"\n  {row}" for row in _rows(r, rf"\b{re.escape(primitive)}\b")))
    _check_name(primitive, r)
    return r


def assert_same_program(model: Model, batched: Callable, args: Optional[Sequence[Any]] = None, level: str = "hlo",
                        batch: Batch = 8, **options) -> Result:
    """Assert that the hand-batched `batched` and vmap are one program at `level`, as the app
    judges it.

    Args:
        model: A function of one instance, a built-in model's name, or a reference to one.
        args: One instance's example arguments, or avals ("f32[3]"), as `jaxbatch.compare` takes them.
        batch: The batch shape: `8`, `(4, 8)` or "4,8".
        **options: Passed on to `jaxbatch.compare` (`batched`, `in_axes`, `device`, `chunk`, `precision`).
        batched: Your hand-batched version of `model`.
        level: "jaxpr", "stablehlo" or "hlo" (what XLA compiled, after optimizing).

    Returns:
        The report, for more checks.

    Raises:
        AssertionError: They differ, or a side has no program: the app's verdict at that
            level, and that level's rows that differ.
        ValueError: `level` is not one of the three.
        LabError: What is wrong with the arguments or the model.
    """
    if level not in LEVELS:
        raise ValueError(f"level {level!r}: one of {', '.join(LEVELS)}")
    r = compare(model, args, batch, batched=batched, **options)
    same = r.same_program.at(level) if r.same_program else None
    if same is not True:
        what = "unknown: a side has no program" if same is None else "differ"
        words, rows = _level(r, level)
        raise AssertionError(f"{r.model}: hand-batched and vmap at the {LEVELS[level]} level {what}: {words}\n"
                             f"  one program? {levels_text(r.same_program)}"
                             + "".join(f"\n  {_row_text(row)}" for row in rows if row.status != "same"))
    return r


def check_speed(model: Model, args: Optional[Sequence[Any]] = None, batch: Batch = 4096, **options) -> str:
    """vmap's time per call against the hand-batched version's (`batched=`) or, without one,
    the loop's, in words. It fails nothing: a ratio on a shared CI box moves too much to fail a
    build on.

    Args:
        model: A function of one instance, a built-in model's name, or a reference to one.
        args: One instance's example arguments, or avals ("f32[3]"), as `jaxbatch.compare` takes them.
        batch: The batch shape: `8`, `(4, 8)` or "4,8".
        **options: Passed on to `jaxbatch.compare` (`batched`, `in_axes`, `device`, `chunk`, `precision`).

    Returns:
        One line: both times and their ratio, "within noise" where the two spreads overlap
        (media.diff.within_noise), and whether the other's time was scaled up from a sample.

    Raises:
        LabError: What is wrong with the arguments or the model.
    """
    r = compare(model, args, batch, timings=True, **options)
    other = "manual" if "manual" in r.timings else "loop"
    vmap, them = r.timings["vmap"], r.timings[other]
    whose = "the loop's" if other == "loop" else f"{r.strategies[other].label}'s"
    notes = [note for note, applies in (
        ("within noise", within_noise(vmap, them)),
        (f"{whose} time scaled up from a sample of instances", them.estimated),
        ("no hand-batched version given: pass batched= to compare with one", other == "loop")) if applies]
    return (f"{r.model} at batch {r.batch_shape}: vmap {seconds(vmap.median_s)} per call, "
            f"{ratio(vmap.median_s / them.median_s)} {whose} {seconds(them.median_s)}"
            + (f" ({'; '.join(notes)})" if notes else ""))


def _count(s: Strategy, primitive: str) -> int:
    """How often `primitive` is in the program: wrappers (jit, custom_jvp_call) too, which the
    primitives list looks through."""
    return sum(e.primitive == primitive for e in s.eqns)


def _check_name(primitive: str, r: Result) -> None:
    """ValueError for a name that is no primitive JAX has loaded nor one in these programs."""
    from jaxbatch.lab.jaxprs import primitive_names

    known = {e.primitive for s in r.strategies.values() for e in s.eqns}
    if primitive in known:
        return
    known |= primitive_names()
    if primitive not in known:
        raise ValueError(f"{primitive!r} is not the name of a JAX primitive{_nearest(primitive, known)}")


def _nearest(name: str, names) -> str:
    near = difflib.get_close_matches(name, sorted(names), n=3, cutoff=0.6)
    return f": did you mean {' or '.join(near)}?" if near else ""


def _others(r: Result, strategy: str, primitive: str) -> str:
    """What the strategies compared with `strategy` (strategy_table.partners) hold of `primitive`."""
    others = [r.strategies[key] for key in strategy_table.partners(strategy) if key in r.strategies]
    said = [f"{s.label} has {f'{n}×' if (n := _count(s, primitive)) else 'none'}" for s in others]
    return "; ".join(said) or "nothing to compare it with"


def _level(r: Result, level: str) -> tuple[str, list[ViewRow]]:
    """The compared pair's verdict at `level` and its aligned rows there."""
    if level == "jaxpr":
        return alignment_verdict(r.alignment), (alignment_rows(r.alignment) if r.alignment else [])
    pair = r.same_program.pair
    left, right = (r.strategies[k] for k in pair)
    rows = pair_alignment(r, level, pair)
    return (hlo_verdict(compare_hlo(left.hlo, right.hlo, left.label, right.label, level, rows=rows)),
            line_rows(rows) if rows else [])


def _row_text(row: ViewRow) -> str:
    return f"{MARKERS[row.status]} {row.left or '':<60} │ {row.right or ''}"


def _rows(r: Result, pattern: str) -> list[str]:
    """The aligned jaxpr rows (marker, left │ right) whose text matches `pattern`."""
    if r.alignment is None:
        return []
    return [_row_text(row) for row in alignment_rows(r.alignment)
            if re.search(pattern, f"{row.left or ''} {row.right or ''}")]
