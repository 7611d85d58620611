"""The app's lab thread: one analysis at a time, always of the latest selection.

Selections that arrive while one is analysed wait in a single slot, each replacing the last, so
500 quick changes cost a few analyses, not 500 threads. A Python thread can't be stopped, so
switching away from an analysis that has run `switch_grace_s` abandons it: the next selection
gets a fresh thread and the old result, if it ever comes, is dropped. At most one abandoned
thread runs beside the serving one (past that, selections wait their turn), unless the current
analysis has run `time_limit_s`: a model that never returns must not hold the app. The threads
are daemons, so a stuck model never keeps the app from quitting.
"""

from __future__ import annotations

import functools
import gc
import threading
import time
from typing import TYPE_CHECKING, Callable, Optional

from textual.message import Message

from jaxbatch import heap
from jaxbatch.messages import DevicesFound, LabDone, LabFailed, LabOutputs
from jaxbatch.results.errors import LabError, internal_error
from jaxbatch.results.selection import Selection

if TYPE_CHECKING:
    from jaxbatch.results.report import FirstOutputs, Report


class LabRunner:
    def __init__(self, post: Callable[[Message], object], time_limit_s: float = 60.0,
                 switch_grace_s: float = 1.0, analyze: Optional[Callable[..., Report]] = None) -> None:
        """`analyze` stands in for the lab's `analysis.analyze` (tests: one that keeps reports, or
        holds the lab)."""
        self.post, self.time_limit_s, self.switch_grace_s = post, time_limit_s, switch_grace_s
        self.analyze = analyze
        self._serving: Optional[threading.Thread] = None
        self._abandoned: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._wanted: Optional[tuple[int, Selection]] = None
        self._token = 0  # the serving thread's; an abandoned thread sees a newer one and stops
        self._busy_since: Optional[float] = None  # when the current analysis started, None if idle
        self._threshold: Optional[tuple[int, int, int]] = None  # the collector's, while RELAXED

    def request(self, request: int, selection: Selection) -> None:
        """Analyse `selection`; its answer is stamped with the app's number for it, `request`."""
        with self._lock:
            self._wanted = (request, selection)
            if self._busy_since is not None and not self._abandon_current():
                return  # the serving thread takes it when it is done
            self._token += 1
            self._busy_since = time.monotonic()
            token = self._token
            self._serving = threading.Thread(target=self._serve, args=(token,), name=f"lab-{token}", daemon=True)
        self._serving.start()

    def _abandon_current(self) -> bool:
        """Whether to leave the running analysis (it is for an older selection) to a new thread."""
        running = self.running_s()
        self._abandoned = [t for t in self._abandoned if t.is_alive()]
        if running >= self.time_limit_s or (running >= self.switch_grace_s and not self._abandoned):
            self._abandoned.append(self._serving)
            return True
        return False

    def running_s(self) -> float:
        """How long the current analysis has run; 0 when the lab is idle."""
        since = self._busy_since
        return 0.0 if since is None else time.monotonic() - since

    def _serve(self, token: int) -> None:
        """Serve the requests; the first thread, which imports JAX, with the collector relaxed
        (heap.RELAXED) until its first answer."""
        if token == 1:
            self._threshold = gc.get_threshold()
            gc.set_threshold(*heap.RELAXED)  # until the first answer is out
        try:
            self._serve_requests(token)
        finally:
            self._restore_collector()

    def _restore_collector(self) -> None:
        """The collector as it was, once the first answer is out (or the first thread ends without one)."""
        with self._lock:
            threshold, self._threshold = self._threshold, None
        if threshold is not None:
            gc.set_threshold(*threshold)

    def _serve_requests(self, token: int) -> None:
        from jaxbatch.lab import analysis  # imports JAX, in this thread
        from jaxbatch.lab.devices import inventory

        if token == 1:
            # JAX's modules live as long as the process: out of the collector's sight, a full
            # collection during the first answer doesn't scan them (a 40 ms stall of the UI)
            gc.freeze()
            self.post(DevicesFound(inventory()))
        while True:
            with self._lock:
                if token != self._token:
                    return  # abandoned as stuck: a newer thread serves the requests
                if self._wanted is None:
                    self._busy_since = None
                    return
                (request, selection), self._wanted = self._wanted, None
                self._busy_since = time.monotonic()
            try:
                # What is known as it is known (the loop's outputs; outputs, verdicts, programs), then the whole
                first = functools.partial(self._answer, request)
                self._answer(request, (self.analyze or analysis.analyze)(selection, first=first))
            except LabError as exc:
                self._say(LabFailed(request, str(exc)))
            except Exception as exc:  # a bug of ours: said in the app rather than crash it
                self._say(LabFailed(request, internal_error(exc)))

    def _answer(self, request: int, answer: FirstOutputs | Report) -> None:
        from jaxbatch.results.report import FirstOutputs  # in the lab's thread: not on the path to the first frame

        self._say(LabOutputs(request, answer) if isinstance(answer, FirstOutputs) else LabDone(request, answer))

    def _say(self, answer: Message) -> None:
        """Post an answer: the first one ends the collector's relaxed start."""
        self.post(answer)
        self._restore_collector()
