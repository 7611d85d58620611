"""Helpers for Pilot and snapshot tests: wait for the lab thread, read what is shown."""

import time
from pathlib import Path

from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Static

from jaxbatch.app import make_app
from jaxbatch.messages import ChunkSweepUpdated, SweepUpdated, TimingsUpdated
from jaxbatch.results import strategy_table
from jaxbatch.results.chunk_sweep_state import ChunkSweepState
from jaxbatch.results.report import Device
from jaxbatch.results.sweep_state import SweepState
from jaxbatch.results.timing import LiveTimings, Measurement, Timings, timing
from jaxbatch.widgets.pane import shown_text as shown_text  # what `c` copies from a pane

import reports


async def settle(pilot, timeout: float = 120.0) -> None:
    """Let pending work finish: the lab's answer to the latest selection, the app's workers
    (alignments), then the messages they posted, then a repaint."""
    app = pilot.app
    await pilot.pause()
    deadline = time.monotonic() + timeout
    while (app.requests.lab == 0 or app.requests.answered != app.requests.lab) and time.monotonic() < deadline:
        await pilot.pause(0.02)
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def widget_text(widget: Widget) -> str:
    """What one widget shows, as plain text, and nothing of its neighbours': a Static's whole
    content (a line the width cuts included), any other widget's rendered lines (a scrolling
    view: the rows on screen). `shown_text` is the text of a whole pane."""
    if isinstance(widget, Static):
        plain = getattr(widget.visual, "plain", None)  # Content and rich Text
        if plain is not None:
            return plain
    width, height = widget.outer_size
    return "\n".join(strip.text for strip in widget.render_lines(Region(0, 0, width, height)))


def notifications(app) -> list[str]:
    """The messages `app` notifies from now on, kept in the returned list as they are sent
    (they still show as toasts). Call it before `run_test` to catch those sent at mount."""
    said: list[str] = []
    notify = app.notify

    def record(message, **kwargs):
        said.append(str(message))
        return notify(message, **kwargs)

    app.notify = record
    return said


# ---- a stand-in for the timing helper process -------------------------------------------------

def scripted_live(state: str = "measuring", sharded: bool = False) -> LiveTimings:
    """Fixed timings shaped like the seed's at batch 4096 on CPU: loop estimated from a sample,
    einsum 4x slower than vmap, the floor at 6 µs; `sharded`: also over 4 devices, 1.4x vmap."""
    floor = 6e-6

    def t(median, compile_s, estimated=False):
        return timing(Measurement(median, median * 0.02, 10, 12), compile_s, 4096, floor, 171e-6, estimated)

    timings = {"loop": t(0.155, None, True), "manual": t(171e-6, 0.031), "vmap": t(39e-6, 0.030)}
    if sharded:
        timings.update(sharded=t(28e-6, 0.029), shard_map=t(27e-6, 0.034))
    history = {k: tuple(v.median_s * (1 + 0.05 * ((i * 7 + j) % 5)) for i in range(20))
               for j, (k, v) in enumerate(timings.items())}
    labels = strategy_table.labels(64, "einsum")
    return LiveTimings(12, Timings(timings, floor), history, Device("cpu", "cpu", 0), 4096, state,
                       labels, 4 if sharded else 1)


def scripted_sweep(stopped: str = "done") -> SweepState:
    sizes = tuple(2**k for k in range(13))
    manual = tuple(7e-6 / n + 4e-8 for n in sizes)
    vmap = tuple(7e-6 / n + (4e-8 if n < 128 else 1e-8) for n in sizes)
    loop = tuple(4e-5 for _ in sizes)
    return SweepState({"loop": "loop", "manual": "einsum", "vmap": "vmap"}, sizes, sizes,
                      {"loop": loop, "manual": manual, "vmap": vmap}, tuple(6e-6 for _ in sizes),
                      Device("cpu", "cpu", 0), stopped)


def scripted_chunk_sweep(stopped: str = "done") -> ChunkSweepState:
    """at-set-large-like at batch 256: vmap's peak grows with the batch, a chunk's with k."""
    ks = tuple(2**k for k in range(9))
    return ChunkSweepState(256, ks, ks, tuple(2e-3 + 1e-5 * k for k in ks), tuple(None for _ in ks),
                           tuple(262_144 * k for k in ks), 3e-2, 262_144 * 256, Device("cpu", "cpu", 0), stopped)


class ScriptedTimings:
    """Answers each command at once with fixed events, and keeps the commands it was sent."""

    def __init__(self, post, log=None) -> None:
        self.post = post
        self.commands: list[tuple] = []

    def time(self, request, selection) -> None:
        self.commands.append(("time", request, selection))
        self.post(TimingsUpdated(request, scripted_live()))

    def sweep(self, request, selection) -> None:
        self.commands.append(("sweep", request, selection))
        self.post(SweepUpdated(request, scripted_sweep()))

    def chunk_sweep(self, request, selection) -> None:
        self.commands.append(("chunk_sweep", request, selection))
        self.post(ChunkSweepUpdated(request, scripted_chunk_sweep()))

    def pause(self) -> None:
        self.commands.append(("pause",))

    def resume(self) -> None:
        self.commands.append(("resume",))

    def stop(self) -> None:
        self.commands.append(("stop",))

    def close(self) -> None:
        self.commands.append(("close",))


def make_test_app(selection=None, helper=ScriptedTimings, keymap_path=None, theme=None, compare=None, log=None,
                  analyze=reports.analyze):
    """The app with the scripted timing helper: deterministic, and no second process; the
    keymap from `keymap_path` only, never the user's own config; a log path that is the same
    on every machine (the help names it; nothing is written to it); the run's shared reports
    (`analyze`: real ones, each selection analysed once in the run)."""
    app = make_app(selection, helper, keymap_path or Path("/nonexistent/jaxbatch-tui/keymap.toml"), theme, compare,
                   log or Path("/nonexistent/jaxbatch-tui/log/jaxbatch-tui-1234.log"), analyze=analyze)
    app.animation_level = "none"  # no blinking cursor, no scrolling in steps: the same frame on any machine
    return app
