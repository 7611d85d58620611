"""What a thread running the lab is waiting for, read off its stack: the step of the analysis it
is in, and the line of the model's own code it is on; and whether it makes progress, so that
`report` speaks up about a model that went quiet, not about one that is busy or compiling.

Only names are read (each frame's module, function and line, and two locals that name a step),
so the steps need no hooks in the analysis: a step renamed there is still told, by its name.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Optional

# The lab's steps, as `module:qualified name` under jaxbatch.lab, in words; the innermost one
# on the stack is told. {what} and {label} are that frame's locals of those names.
STEPS = {
    "workload:prepare": "loading the model and drawing its inputs",
    "workload:build": "building the model and drawing its inputs",
    "memory:bytes_per_instance": "the model on one instance, traced to size its output",
    "loader:_import_file": "importing the model's file",
    "loader:_import_module": "importing the model's module",
    "reference:reference_call": "the model on {what}",
    "compiles:per_eager_call": "the model on one instance, called again to count its compiles",
    "judging:_loop": "tracing the loop's program",
    "judging:_on_batch": "the model called on the whole batch",
    "judging:_run": "the {label} strategy (compiling, running, tracing it)",
    "live:Bench.round": "timing the strategies",
    "judging:vmap_loop": "tracing the model on one instance",
    "float64:Reference.result": "the float64 reference",
    "sweep:sweep": "the batch-size sweep",
}
LAB = "jaxbatch.lab."
# Code that is not the model's: JAX and its kin, this package (but its built-in models), the
# standard library.
NOT_THE_MODEL = {"jax", "jaxlib", "numpy", "ml_dtypes", "opt_einsum", "scipy", "jaxbatch", *sys.stdlib_module_names}


# Where XLA compiles: the compile itself runs in C++ under these modules' frames, so the stack
# stands still there however long it takes.
COMPILER = {"jax._src.compiler"}


@dataclass(frozen=True, eq=False)
class Stack:
    """A thread's frames at one moment, innermost first, and the line each was on then. The
    frames are held, so one seen again is the same call still running, never a new call that
    took a returned one's address."""

    frames: tuple[FrameType, ...]
    lines: tuple[int, ...]

    @classmethod
    def of(cls, frame: Optional[FrameType]) -> "Stack":
        frames = []
        while frame is not None:
            frames.append(frame)
            frame = frame.f_back
        return cls(tuple(frames), tuple(f.f_lineno for f in frames))

    def moved_since(self, before: Optional["Stack"]) -> bool:
        """A call made or returned, or a line stepped, since `before`: progress. A model asleep
        or waiting on a lock does none of these, nor does one long compiled call."""
        return (before is None or self.lines != before.lines
                or any(now is not then for now, then in zip(self.frames, before.frames)))

    @property
    def compiling(self) -> bool:
        """In XLA's compiler: the innermost run of JAX's own frames passes through it."""
        for frame in self.frames:
            module = _module(frame)
            if module in COMPILER:
                return True
            if module.partition(".")[0] not in ("jax", "jaxlib"):
                return False
        return False


def stack(thread: threading.Thread) -> Stack:
    return Stack.of(sys._current_frames().get(thread.ident) if thread.ident is not None else None)


def waiting_for(stack: Stack) -> str:
    """The lab's step, whether XLA is compiling, and `file.py line N, in fn` of the model's
    innermost frame, as far as each is known."""
    line = _model_line(stack.frames)
    return ", ".join(part for part in (_step(stack.frames), "XLA compiling" if stack.compiling else "",
                                       f"at {line}" if line else "") if part)


class Quiet:
    """When to say that a thread makes no progress: its stack unchanged for `after_s` seconds
    and not in XLA's compiler (a compile can be slow on a GPU; it is not stuck). Each place is
    told once. Times are given, so tests need no clock."""

    def __init__(self, after_s: float, now: float) -> None:
        self.after_s, self.since = after_s, now
        self.last: Optional[Stack] = None
        self.told: set[str] = set()

    def notice(self, stack: Stack, now: float) -> str:
        """What to announce on seeing `stack` at `now`, or ""."""
        if stack.compiling or stack.moved_since(self.last):
            self.since = now
        self.last = stack
        if now - self.since < self.after_s:
            return ""
        what = waiting_for(stack)
        if what in self.told:
            return ""
        self.told.add(what)
        return what


def _module(frame: FrameType) -> str:
    return frame.f_globals.get("__name__", "") or ""


def _step(frames: tuple[FrameType, ...]) -> str:
    fallback = ""
    for frame in frames:  # innermost first
        module = _module(frame)
        if not module.startswith(LAB):
            continue
        name = f"{module[len(LAB):]}:{frame.f_code.co_qualname}"
        words = STEPS.get(name)
        if words is not None:
            return words.format_map(_Named(frame))
        fallback = fallback or f"jaxbatch's {frame.f_code.co_qualname} ({module})"
    return fallback or "the analysis"


def _model_line(frames: tuple[FrameType, ...]) -> str:
    for frame in frames:
        module = _module(frame)
        top = module.partition(".")[0]
        if top in NOT_THE_MODEL and not module.startswith("jaxbatch.models."):
            continue
        return f"{Path(frame.f_code.co_filename).name} line {frame.f_lineno}, in {frame.f_code.co_name}"
    return ""


class _Named(dict):
    """A frame's locals named `what` and `label` as text, "?" for any not there."""

    def __init__(self, frame: FrameType) -> None:
        super().__init__()
        self.frame = frame

    def __missing__(self, key: str) -> str:
        value: Optional[object] = self.frame.f_locals.get(key)
        return "?" if value is None else str(value)
