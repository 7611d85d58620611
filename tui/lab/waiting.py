"""What a thread running the lab is waiting for, read off its stack: the step of the analysis it
is in, and the line of the model's own code it is on. `report` says so when a model goes quiet.

Only names are read (each frame's module, function and line, and two locals that name a step),
so the steps need no hooks in the analysis: a step renamed there is still told, by its name.
"""

from __future__ import annotations

import sys
import threading
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
    "analysis:_reference_call": "the model on {what}",
    "compiles:per_eager_call": "the model on one instance, called again to count its compiles",
    "analysis:_loop": "tracing the loop's program",
    "analysis:_on_batch": "the model called on the whole batch",
    "analysis:_run": "the {label} strategy (compiling, running, tracing it)",
    "live:Bench.round": "timing the strategies",
    "analysis:vmap_loop": "tracing the model on one instance",
    "float64:Reference.result": "the float64 reference",
    "sweep:sweep": "the batch-size sweep",
}
LAB = "jaxbatch.lab."
# Code that is not the model's: JAX and its kin, this package (but its built-in models), the
# standard library.
NOT_THE_MODEL = {"jax", "jaxlib", "numpy", "ml_dtypes", "opt_einsum", "scipy", "jaxbatch", *sys.stdlib_module_names}


def waiting_for(thread: threading.Thread) -> tuple[str, str]:
    """(the lab's step, `file.py line N, in fn` of the model's innermost frame or "")."""
    frame = sys._current_frames().get(thread.ident) if thread.ident is not None else None
    frames = []
    while frame is not None:
        frames.append(frame)
        frame = frame.f_back
    return _step(frames), _model_line(frames)


def describe(step_and_line: tuple[str, str]) -> str:
    step, line = step_and_line
    return f"{step}, at {line}" if line else step


def _step(frames: list[FrameType]) -> str:
    fallback = ""
    for frame in frames:  # innermost first
        module = frame.f_globals.get("__name__", "")
        if not module.startswith(LAB):
            continue
        name = f"{module[len(LAB):]}:{frame.f_code.co_qualname}"
        words = STEPS.get(name)
        if words is not None:
            return words.format_map(_Named(frame))
        fallback = fallback or f"jaxbatch's {frame.f_code.co_qualname} ({module})"
    return fallback or "the analysis"


def _model_line(frames: list[FrameType]) -> str:
    for frame in frames:
        module = frame.f_globals.get("__name__", "") or ""
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
