"""Helpers for Pilot and snapshot tests: wait for the lab thread, read what is shown."""

import time
from pathlib import Path

from jaxbatch.app import make_app
from jaxbatch.export import plain_text
from jaxbatch.lab.sweep_state import SweepState
from jaxbatch.lab.timing import LiveTimings, Measurement, timing


async def settle(pilot, timeout: float = 120.0) -> None:
    """Let pending work finish: the lab's answer to the latest selection, the app's workers
    (alignments), then the messages they posted, then a repaint."""
    app = pilot.app
    await pilot.pause()
    deadline = time.monotonic() + timeout
    while (app.generation == 0 or app.answered != app.generation) and time.monotonic() < deadline:
        await pilot.pause(0.02)
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def shown_text(root) -> str:
    """The plain text of every displayed Static under `root`: what `c` copies from a pane."""
    return plain_text(root)


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
    labels = {"loop": "loop", "manual": "einsum", "vmap": "vmap", "sharded": "sharded", "shard_map": "shard_map"}
    return LiveTimings(12, floor, timings, history, {"platform": "cpu", "kind": "cpu", "id": 0}, 4096, state,
                       labels, 4 if sharded else 1)


def scripted_sweep(stopped: str = "done") -> SweepState:
    sizes = tuple(2**k for k in range(13))
    manual = tuple(7e-6 / n + 4e-8 for n in sizes)
    vmap = tuple(7e-6 / n + (4e-8 if n < 128 else 1e-8) for n in sizes)
    loop = tuple(4e-5 for _ in sizes)
    return SweepState({"loop": "loop", "manual": "einsum", "vmap": "vmap"}, sizes, sizes,
                      {"loop": loop, "manual": manual, "vmap": vmap}, tuple(6e-6 for _ in sizes),
                      {"platform": "cpu", "kind": "cpu", "id": 0}, stopped)


class ScriptedTimings:
    """Answers each command at once with fixed events, and keeps the commands it was sent."""

    def __init__(self, on_event) -> None:
        self.on_event = on_event
        self.commands: list[tuple] = []

    def time(self, gen, selection) -> None:
        self.commands.append(("time", gen, selection))
        self.on_event({"gen": gen, "event": "timings", "data": scripted_live().to_json()})

    def sweep(self, gen, selection) -> None:
        self.commands.append(("sweep", gen, selection))
        self.on_event({"gen": gen, "event": "sweep", "data": scripted_sweep().to_json()})

    def pause(self) -> None:
        self.commands.append(("pause",))

    def resume(self) -> None:
        self.commands.append(("resume",))

    def stop(self) -> None:
        self.commands.append(("stop",))

    def close(self) -> None:
        self.commands.append(("close",))


def make_test_app(selection=None, timings=ScriptedTimings, keymap_path=None, theme=None):
    """The app with the scripted timing helper: deterministic, and no second process; the
    keymap from `keymap_path` only, never the user's own config."""
    return make_app(selection, timings, keymap_path or Path("/nonexistent/jaxbatch-tui/keymap.toml"), theme)
