"""The app's end of the timing helper process (jaxbatch.lab.timing_helper).

Commands go down its stdin; a reader thread turns each line it prints into a typed message
(`message_from`) and posts it. Its stderr never reaches the terminal the app draws on: another
thread appends each line to the app's log (XLA's messages from the helper are there, beside the
app's own), and its last line explains an unexpected exit.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any, Callable, Optional

from textual.message import Message

from jaxbatch.lab.parent_watch import helper_env
from jaxbatch.messages import ChunkSweepUpdated, HelperFailed, HelperStatus, SweepUpdated, TimingsUpdated
from jaxbatch.results.selection import Selection


def message_from(line: dict[str, Any]) -> Optional[Message]:
    """The message for one line of the helper's protocol; None for a kind it doesn't know. (The
    states' types are imported at the first line, not on the app's path to its first frame.)"""
    from jaxbatch.results.chunk_sweep_state import ChunkSweepState
    from jaxbatch.results.sweep_state import SweepState
    from jaxbatch.results.timing import LiveTimings

    request, kind = line.get("request"), line.get("event")
    if kind == "timings":
        return TimingsUpdated(request, LiveTimings.from_json(line["data"]))
    if kind == "sweep":
        return SweepUpdated(request, SweepState.from_json(line["data"]))
    if kind == "chunk_sweep":
        return ChunkSweepUpdated(request, ChunkSweepState.from_json(line["data"]))
    if kind == "status":
        return HelperStatus(request, line.get("text", ""))
    if kind == "error":
        return HelperFailed(request, line.get("text", ""))
    return None


class TimingClient:
    def __init__(self, post: Callable[[Message], object], log: Optional[Path] = None) -> None:
        """`log`: the file the helper's stderr is appended to, each line marked as the helper's;
        without one, only its last line is kept, for the message if it dies."""
        self.post = post
        self.log = log
        self.proc: Optional[subprocess.Popen] = None
        self.closing = False

    def time(self, request: int, selection: Selection) -> None:
        self._send(op="time", request=request, selection=selection.to_json())

    def sweep(self, request: int, selection: Selection) -> None:
        self._send(op="sweep", request=request, selection=selection.to_json())

    def chunk_sweep(self, request: int, selection: Selection) -> None:
        self._send(op="chunk_sweep", request=request, selection=selection.to_json())

    def pause(self) -> None:
        self._send(op="pause")

    def resume(self) -> None:
        self._send(op="resume")

    def stop(self) -> None:
        """Stop the current job; a helper not started has none, and is not started for this."""
        if self.proc is not None and self.proc.poll() is None:
            self._send(op="stop")

    def close(self) -> None:
        """End the helper now, whatever round it is in: what it measures has nobody to show it
        to, and quitting must not wait for it."""
        self.closing = True
        if self.proc is None:
            return
        with contextlib.suppress(OSError):
            self.proc.stdin.close()
        self.proc.kill()

    def _send(self, **command: Any) -> None:
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        try:
            self.proc.stdin.write(json.dumps(command) + "\n")
            self.proc.stdin.flush()
        except OSError:
            pass  # it died: the reader says why

    def _start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jaxbatch.lab.timing_helper"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, errors="replace", bufsize=1, start_new_session=True,
            env=helper_env(),
        )
        said = [""]  # its last line on stderr
        drain = threading.Thread(target=self._drain, args=(self.proc.stderr, said), daemon=True)
        drain.start()
        threading.Thread(target=self._read, args=(self.proc, drain, said), daemon=True).start()

    def _drain(self, stderr: IO[str], said: list[str]) -> None:
        """Read the helper's stderr as it comes (a full pipe would stall it), into the log
        while the log can be written."""
        log = None
        with contextlib.suppress(OSError):
            log = open(self.log, "a", buffering=1) if self.log is not None else None
        with log or contextlib.nullcontext():
            for line in stderr:
                said[0] = line.strip() or said[0]
                if log is not None:
                    with contextlib.suppress(OSError):
                        log.write("timing helper: " + line)

    def _read(self, proc: subprocess.Popen, drain: threading.Thread, said: list[str]) -> None:
        for line in proc.stdout:
            try:
                message = message_from(json.loads(line))
            except (ValueError, KeyError, TypeError, AttributeError):
                continue
            if message is not None:
                self.post(message)
        status = proc.wait()
        if not self.closing:
            drain.join(timeout=1.0)  # its last words
            where = f" (all it wrote is in {self.log})" if self.log is not None and said[0] else ""
            self.post(HelperFailed(None, f"the timing helper exited with status {status}: {said[0]}".rstrip(": ")
                                   + where))

