"""The app's lab thread: one analysis at a time, always of the latest selection.

Selections that arrive while one is analysed wait in a single slot, each replacing the last, so
500 quick changes cost a few analyses, not 500 threads. A Python thread can't be stopped: a
model that never returns keeps its thread, so after `time_limit_s` the next selection gets a
fresh thread and the stuck one is abandoned (its result, if it ever comes, is dropped). The
threads are daemons, so a stuck model never keeps the app from quitting.
"""

from __future__ import annotations

import threading
import time
from typing import Callable, Optional

from textual.message import Message

from jaxbatch.lab.errors import LabError, describe
from jaxbatch.lab.selection import Selection
from jaxbatch.messages import LabDone, LabFailed


class LabRunner:
    def __init__(self, post: Callable[[Message], object], time_limit_s: float = 60.0) -> None:
        self.post, self.time_limit_s = post, time_limit_s
        self._lock = threading.Lock()
        self._wanted: Optional[tuple[int, Selection]] = None
        self._token = 0  # the serving thread's; an abandoned thread sees a newer one and stops
        self._busy_since: Optional[float] = None  # when the current analysis started, None if idle

    def request(self, generation: int, selection: Selection) -> None:
        with self._lock:
            self._wanted = (generation, selection)
            if self._busy_since is not None and self.running_s() < self.time_limit_s:
                return  # the serving thread takes it when it is done
            self._token += 1
            self._busy_since = time.monotonic()
            token = self._token
        threading.Thread(target=self._serve, args=(token,), name=f"lab-{token}", daemon=True).start()

    def running_s(self) -> float:
        """How long the current analysis has run; 0 when the lab is idle."""
        since = self._busy_since
        return 0.0 if since is None else time.monotonic() - since

    def _serve(self, token: int) -> None:
        from jaxbatch.lab import analysis  # imports JAX, in this thread

        while True:
            with self._lock:
                if token != self._token:
                    return  # abandoned as stuck: a newer thread serves the requests
                if self._wanted is None:
                    self._busy_since = None
                    return
                (generation, selection), self._wanted = self._wanted, None
                self._busy_since = time.monotonic()
            try:
                self.post(LabDone(generation, analysis.analyze(selection)))
            except LabError as exc:
                self.post(LabFailed(generation, str(exc)))
            except Exception as exc:  # a bug of ours: said in the app rather than crash it
                self.post(LabFailed(generation, f"internal error: {describe(exc)}"))
