"""The report's warnings and notes in words: what makes the numbers less plain than they look,
why a program is not shown (or not as asked), why the sharded strategies did not run, and why
a level of the one-program verdict is unknown. The lab gives these as flags and figures
(results.report); every medium, the report JSON included, words them here."""

from __future__ import annotations

from jaxbatch.results.report import (
    AutoAxes,
    Caution,
    CompilingLoop,
    LoopNotTraced,
    NoManual,
    NotSharded,
    ProgramNote,
    Report,
    Strategy,
    Untraceable,
    Worded,
)
from jaxbatch.results.selection import format_in_axes

ON_BATCH = "the model called on the whole batch"  # how a warning names that output
LEVELS = ("stablehlo", "hlo")  # the compiled levels, below the jaxpr


def _values(nans: int, infs: int) -> str:
    found = " and ".join(f"{n:,} {what}" for n, what in ((nans, "NaN"), (infs, "infinite")) if n)
    return f"{found} value{'s' * (nans + infs > 1)}"


def warning_text(w: Caution) -> str:
    if isinstance(w, Worded):
        return w.text
    if isinstance(w, CompilingLoop):
        return (f"each eager call of the model compiles {w.compiles} new executable{'s' * (w.compiles > 1)} "
                f"(a function defined inside it is traced anew): the loop's time, timed on {w.sample} "
                f"instance{'s' * (w.sample > 1)}, is mostly compiling; the reference outputs come from one "
                "jitted copy of the model")
    if w.key == "loop":
        return f"the loop's output holds {_values(w.nans, w.infs)}: NaN counts as equal to NaN"
    loop = w.loop_nans, w.loop_infs
    theirs = f" (the loop's holds {_values(*loop)})" if any(loop) else " (the loop's has none)"
    return f"{w.label or ON_BATCH}: its output holds {_values(w.nans, w.infs)}{theirs}"


def warnings_text(report: Report) -> list[str]:
    """Every warning of the report, in its order."""
    return [warning_text(w) for w in report.warnings]


def program_note_text(note: ProgramNote | None) -> str:
    """Why a strategy's program is not shown, or not as asked; "" without a note."""
    if isinstance(note, LoopNotTraced):
        return (f"not traced at {note.instances:,} instances: its jaxpr repeats the model once per instance, "
                f"so it is shown for batches of up to {note.cap}")
    if isinstance(note, Untraceable):
        return f"could not be traced: {note.error}"
    if isinstance(note, AutoAxes):
        return f"Explicit mesh axes raised {note.raised}: this is the Auto-axes program (no @batch in its types)"
    return note.text if isinstance(note, Worded) else ""


def sharded_note_text(note: NotSharded | Worded | None) -> str:
    """Why the sharded strategies did not run; "" where they did, or there is one device."""
    if note is None:
        return ""
    if isinstance(note, Worded):
        return note.text
    return (f"not run: batch dimension {note.batch} does not divide over {note.devices} {note.platform} devices "
            f"(not padded: that would change the program); try a multiple of {note.devices}")


# Where a hand-batched function is passed (NoManual.how), said after "none given".
HOW = {"cli": "pass --batched path/to/file.py:fn_batched", "api": "pass batched=your_batched_function"}


def manual_missing_text(why: NoManual | Worded | None) -> str:
    """Why there is no hand-batched strategy, and where one is passed where it can be:
    `none given: pass batched=your_batched_function`; "" where there is one."""
    if why is None:
        return ""
    if isinstance(why, Worded):
        return why.text
    if why.reason == "in_axes":
        return f"not run: written for in_axes {format_in_axes(why.written_for)}, not {format_in_axes(why.asked)}"
    if why.reason == "model":
        return why.said
    return ": ".join(filter(None, ["none given", HOW.get(why.how)]))


def _no_jaxpr(s: Strategy) -> str:
    if s.jaxpr:
        return ""
    if s.error is not None:
        return f"{s.label} failed"
    return f"{s.label} {program_note_text(s.program_note) or 'not traced'}"


def _no_program(s: Strategy) -> str:
    if s.hlo is not None:
        return ""
    if s.error is not None:
        return f"{s.label} failed"
    return ("the loop is not one compiled program: it calls the model once per instance" if s.key == "loop"
            else f"{s.label} has no compiled program")


def unknown_reasons(report: Report) -> dict[str, str]:
    """Why each level of the one-program verdict (Report.same_program) that is unknown is: the
    first side without a program there, and why it has none."""
    same = report.same_program
    if not same:
        return {}
    left, right = (report.strategies[k] for k in same.pair)
    why = {"jaxpr": _no_jaxpr(left) or _no_jaxpr(right)} if same.jaxpr is None else {}
    why.update((level, _no_program(left) or _no_program(right)) for level in LEVELS if same.at(level) is None)
    return why
