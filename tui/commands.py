"""The command palette (ctrl+p): commands that fit what is on screen now.

Only what can be done in the current state is offered: the other models and devices, the pairs
of programs there are to compare, pause or resume as the timings stand, cancel while a sweep runs.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Iterator

from textual.app import SystemCommand
from textual.markup import escape

from jaxbatch.helper_job import CHUNK_SWEEP, SWEEP
from jaxbatch.models import CATALOG
from jaxbatch.presentation.programs import LEVELS
from jaxbatch.presentation.units import device_text
from jaxbatch.results.selection import PRECISIONS
from jaxbatch.widgets.panes import PANES, pane_key
from jaxbatch.widgets.programs_view import ProgramsView, available_pairs

if TYPE_CHECKING:
    from jaxbatch.app import JaxBatchApp

PRECISION_HELP = {
    "default": "JAX's own, what your code runs at (TF32 for float32 matmuls on NVIDIA GPUs)",
    "high": "Matmuls in TF32 on GPUs, three bfloat16 passes on TPUs: between default and highest",
    "highest": "Matmuls at full float32 precision on every device, slower on GPUs and TPUs",
}

def commands(app: "JaxBatchApp") -> Iterator[SystemCommand]:
    current, report = app.selection, app.report
    for name in [*CATALOG, *([app.user.model] if app.user else [])]:
        if name != current.model:
            summary = CATALOG[name][1] if name in CATALOG else "your model"
            yield _command(f"Model: {name}", summary, partial(app.choose, "#model", name))
    yield _command("Batch shape…", "Type a batch shape: 5, 4,8 or (4, 8)", app.action_focus_batch)
    for spec, device in app.backends.devices if app.backends else ():
        if spec != app.device_spec():
            yield _command(f"Device: {spec}", device_text(device), partial(app.choose, "#device", spec))
    if report is not None and len(report.in_axes) > 1:
        yield _command("Set in_axes…", "0 (batched) or None (shared) for each argument", app.action_in_axes)
    yield _command(f"Chunk size… (now {current.chunk:,})", "Instances per step of the chunked strategy, lax.map's "
                   "batch_size", app.action_chunk)
    for precision in PRECISIONS:
        if precision != current.precision:
            yield _command(f"Matmul precision: {precision}", PRECISION_HELP[precision],
                           partial(app.set_precision, precision))
    level, shown = _programs(app)
    if report is not None:
        for pair in available_pairs(report, level):
            if pair != shown:
                left, right = (report.strategies[k].label for k in pair)
                yield _command(f"Compare {left} with {right}", f"Their {LEVELS[level]} side by side",
                               partial(app.compare, pair))
    for level_key, name in LEVELS.items():
        if level_key != level:
            yield _command(f"Level: {name}", f"Show the programs as {name}", partial(app.show_level, level_key))
    for pane in PANES:
        if pane != "compare" or app.saved is not None:
            yield _command(f"Show the {pane} pane", f"key {pane_key(pane)}", partial(app.action_show_pane, pane),
                           discover=False)
    yield _command("Copy the pane", "Its text, to your clipboard by OSC 52", app.action_copy)
    yield _command("Export the report", "Text, JSON and an SVG screenshot, in the working folder",
                        app.action_export)
    if app.helper_job == "timings" and app.live is not None and app.live.state != "settled":
        yield _command("Resume timings" if app.paused else "Pause timings", "", app.action_pause_timings)
    yield _command("Measure timings again", "Throw the rounds away and start over", app.action_restart_timings)
    if app.job_running(SWEEP):
        yield _command("Cancel the sweep", "What was measured stays", app.action_cancel_sweep)
    else:
        yield _command("Run the batch-size sweep", "Every strategy at 1, 2, 4, … instances", app.action_sweep)
    if app.job_running(CHUNK_SWEEP):
        yield _command("Cancel the chunk sweep", "What was measured stays", app.action_cancel_chunk_sweep)
    else:
        yield _command("Run the chunk sweep", "Chunked at k = 1, 2, 4, … up to the batch, against vmap: time and "
                       "memory", app.action_chunk_sweep)


def _programs(app: JaxBatchApp) -> tuple[str, tuple[str, str] | None]:
    """The level and pair pane 2 shows; until it is first shown (and mounted), what it will show:
    the first level, and its first pair."""
    view = next(iter(app.query(ProgramsView)), None)
    if view is not None:
        return view.level, view.pair
    level = next(iter(LEVELS))
    pairs = available_pairs(app.report, level) if app.report is not None else []
    return level, pairs[0] if pairs else None


def _command(title: str, help: str, callback, discover: bool = True) -> SystemCommand:
    """A palette entry. The palette reads its text as markup: names and summaries are escaped,
    or `x.at[i].set(v)` would show as `x.at.set(v)`."""
    return SystemCommand(escape(title), escape(help), callback, discover)
