"""What each strategy's output says: verdicts, the figures behind them, the on-batch result,
vmap's loop headline, and the primitives that run."""

from __future__ import annotations

import re
from typing import Optional

from jaxbatch.presentation.verdicts import agreement_verdict, mismatch_text, on_batch_verdict
from jaxbatch.results.report import Agreement, Eqn, Loop, OnBatch, Strategy
from jaxbatch.results.selection import DEFAULT_PRECISION


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
        return mismatch_text(a.reason)
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


def in_axes_text(axes: list) -> str:
    """`  in_axes 0,None`, said where there is a choice: a model of several arguments (`a` changes it)."""
    return f"  in_axes {','.join(map(str, axes))}" if len(axes) > 1 else ""


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


# A printed output longer than this many lines is shown as its first and last SHOWN_LINES, as
# NumPy summarises a large array (the JSON keeps every value).
MAX_LINES = 40
SHOWN_LINES = 12
_ROW_END = re.compile(r"\]+,?$")


def fit_array(text: str, width: int, max_lines: int = MAX_LINES) -> list[str]:
    """NumPy's printing of an output refitted to `width` columns, as NumPy would have wrapped it
    there (each row's elements in columns, their decimal points aligned, continued under its
    first element), then, past `max_lines` lines, summarised: its head and tail, and how many
    lines lie between."""
    lines = text.splitlines()
    if any(len(line) > width for line in lines):  # else NumPy's own lines, as they are
        rows = [_split(row) for row in _rows(lines)]
        fields = _fields([e for head, elements, _ in rows if head for e in elements])
        lines = [wrapped for head, elements, tail in rows
                 for wrapped in (_wrap_row(head, [fields(e) for e in elements], tail, width) if head
                                 else [" ".join(elements)])]
    if len(lines) <= max_lines:
        return lines
    shown = max(1, min(SHOWN_LINES, (max_lines - 1) // 2))
    cut = len(lines) - 2 * shown
    return [*lines[:shown], f"... {cut:,} more lines (the report JSON has every value) ...", *lines[-shown:]]


def _rows(lines: list[str]) -> list[str]:
    """NumPy's continuation lines joined back to their row: a row ends at its closing bracket."""
    rows: list[str] = []
    depth = 0
    for line in lines:
        if depth > 0 and rows:
            rows[-1] += " " + line.strip()
        else:
            rows.append(line.rstrip())
            depth = 0
        stripped = line.rstrip()
        depth = 0 if _ROW_END.search(stripped) else depth + stripped.count("[") - stripped.count("]")
    return rows


def _split(row: str) -> tuple[str, list[str], str]:
    """A row as its head (a pytree's label, the brackets), its elements and its closing brackets."""
    head = re.match(r"^[^\[]*\[+", row)
    start = head.end() if head else 0
    tail = _ROW_END.search(row) if head else None
    end = tail.start() if tail else len(row)
    return row[:start], row[start:end].split(), row[end:]


def _fields(elements: list[str]):
    """Each element padded as NumPy pads them: numbers aligned at their decimal points."""
    numbers = [e.partition(".") for e in elements if e != "..."]
    whole = max((len(a) for a, _, _ in numbers), default=0)
    part = max((len(dot + b) for _, dot, b in numbers), default=0)

    def field(element: str) -> str:
        if element == "...":
            return element.rjust(whole + part)
        a, dot, b = element.partition(".")
        return a.rjust(whole) + (dot + b).ljust(part)

    return field


def _wrap_row(head: str, fields: list[str], tail: str, width: int) -> list[str]:
    """A row's fields, a space apart, broken to fit `width`, each piece indented past its head."""
    indent = " " * len(head) if len(head) <= width // 2 else ""
    out, line = [], head
    for i, f in enumerate(fields):
        piece = f + (tail if i == len(fields) - 1 else "")
        gap = "" if line == head or not line.strip() else " "
        if line.strip() and line != head and len(line) + len(gap) + len(piece) > width:
            out.append(line.rstrip())
            line, gap = indent, ""
        line += gap + piece
    return out + [line.rstrip() if fields else (head + tail).rstrip()]
