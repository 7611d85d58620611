"""The timing helper: a process of its own, at lower priority, that times strategies for the app.

Why a process: the eager loop holds the GIL and XLA:CPU's thread pool takes every core, so in
the app's process they would delay its key presses. Here the operating system schedules the UI
first (nice 10, its autogroup too: `lower_priority`), and a stuck model can be stopped by ending the process.

Protocol, one JSON object per line.
- In: a job, {"op": OP, "request", "selection", "budget_s"} (a Selection as JSON; budget_s for
  the sweeps only, optional), OP one of JOBS: "time", "sweep" or "chunk_sweep"; and
  {"op": "pause"}, {"op": "resume"}, {"op": "stop"}. End of input ends the helper.
- Out: {"request", "event", ...} with event "status" (text), "timings" (a LiveTimings), "sweep"
  (a SweepState), "chunk_sweep" (a ChunkSweepState) or "error" (text), each as "data" but the
  texts, as "text".
The protocol has a file descriptor of its own: whatever the user's model prints goes to stderr,
not into it.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import sys
import threading
import time
from typing import IO, Any, Iterator

PUBLISH_EVERY_S = 0.25  # the screen needs no more than four updates a second
NICENESS = 10  # behind the app's UI and lab thread, which stay at 0
PACE = 1.0  # after each strategy's round, rest this many times as long as it took


def main() -> int:
    from jaxbatch.lab.parent_watch import end_with_parent

    end_with_parent()
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    lower_priority()
    commands: queue.Queue = queue.Queue()
    threading.Thread(target=_read, args=(sys.stdin, commands), daemon=True).start()
    serve(commands, lambda event: out.write(json.dumps(event) + "\n"))
    return 0


def lower_priority(niceness: int = NICENESS) -> None:
    """Run behind the app. The helper starts a session of its own (so a hang-up of the terminal
    reaches it only through the app), and on Linux with autogroup scheduling every session is
    its own group, scheduled against the app's group as an equal whatever the process's nice
    value: the group's niceness (/proc/self/autogroup) is what ranks it. Both are set; either
    may be missing (another OS, a kernel without autogroup)."""
    with contextlib.suppress(OSError, AttributeError):
        os.nice(niceness)
    with contextlib.suppress(OSError), open("/proc/self/autogroup", "w") as group:
        group.write(str(niceness))


def _read(stream: IO[str], commands: queue.Queue) -> None:
    """Commands into the queue; at end of input (the app closed it, or is gone) the helper ends
    at once, mid-round or not: it never measures for nobody."""
    for line in stream:
        with contextlib.suppress(ValueError):
            commands.put(json.loads(line))
    os._exit(0)


def serve(commands: queue.Queue, emit) -> None:
    """Run one request at a time, a step at a time, reading commands between steps."""
    job: Iterator[dict[str, Any]] | None = None
    request = None
    paused = False
    while True:
        idle = job is None or paused
        try:
            cmd = commands.get(block=idle)
        except queue.Empty:
            cmd = {}
        if cmd is None:
            break
        op = cmd.get("op")
        if op in (*JOBS, "stop") and job is not None:
            job.close()
            job = None
        if op in JOBS:
            request, paused = cmd.get("request"), False
            job = JOBS[op](cmd)
        elif op in ("pause", "resume"):
            paused = op == "pause"
        if job is not None and not paused:
            try:
                event = next(job)
            except StopIteration:
                job = None
            except Exception as exc:  # the user's model, or a bug of ours: said, not fatal
                emit({"request": request, "event": "error", "text": _message(exc)})
                job = None
            else:
                if event:
                    emit({"request": request, **event})
    if job is not None:
        job.close()


def _message(exc: Exception) -> str:
    from jaxbatch.results.errors import LabError, describe

    return str(exc) if isinstance(exc, LabError) else describe(exc)


def _time(cmd: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Compile, then refine round by round until settled; a snapshot at most every 0.25 s."""
    import jax

    from jaxbatch.lab import live, precision, roofline
    from jaxbatch.lab.workload import prepare
    from jaxbatch.results.selection import Selection
    from jaxbatch.results.timing import MAX_ROUNDS

    yield {"event": "status", "text": "compiling…"}
    w = prepare(Selection.from_json(cmd["selection"]))
    if not roofline.cached(w.device):
        yield {"event": "status", "text": "measuring the device's roofline, once (about a second)…"}
    roof = roofline.device_roof(w.device).at(w.precision)  # the peak at the precision the calls run at
    with jax.default_device(w.device), precision.scope(w.precision):
        bench = live.Bench(w, live.subjects(w, live.compile_strategies(w, time.perf_counter)), time.perf_counter)
        published = 0.0
        while bench.rounds < MAX_ROUNDS:
            bench.round(rest=_rest)
            settled = bench.rounds >= MAX_ROUNDS
            if settled or time.monotonic() - published >= PUBLISH_EVERY_S:
                published = time.monotonic()
                state = "settled" if settled else "measuring"
                yield {"event": "timings", "data": bench.snapshot(state, roof).to_json()}
            else:
                yield {}


def _rest(took: float) -> None:
    time.sleep(PACE * took)


def _sweep(cmd: dict[str, Any]) -> Iterator[dict[str, Any]]:
    from jaxbatch.lab.sweep import sweep
    from jaxbatch.results.selection import Selection

    for state in sweep(Selection.from_json(cmd["selection"]), budget_s=cmd.get("budget_s"), rest=_rest):
        yield {"event": "sweep", "data": state.to_json()}


def _chunk_sweep(cmd: dict[str, Any]) -> Iterator[dict[str, Any]]:
    from jaxbatch.lab.chunk_sweep import chunk_sweep
    from jaxbatch.results.selection import Selection

    for state in chunk_sweep(Selection.from_json(cmd["selection"]), budget_s=cmd.get("budget_s"), rest=_rest):
        yield {"event": "chunk_sweep", "data": state.to_json()}


# What the helper can be asked to do, one at a time: each a generator of events, a step each.
JOBS = {"time": _time, "sweep": _sweep, "chunk_sweep": _chunk_sweep}


if __name__ == "__main__":
    raise SystemExit(main())
