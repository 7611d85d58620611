"""The app's requests, numbered from one counter, and the sweeps the timing helper runs for it.

Every request to the lab or the helper gets the next number (`Requests`); an answer stamped
with any but the latest number of its kind is dropped, so the screen never shows one
selection's results under another's name. The batch sweep and the chunk sweep are one kind of
job (`HelperJob`): started by a key, shown in a pane, cancelled by escape, failed or done; the
app runs both through the same handlers, reading what differs from their entry in `JOBS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from jaxbatch.results.selection import Selection


@dataclass
class Requests:
    """The numbers of the app's latest requests, all from one counter."""

    last: int = 0  # the last number given, to the lab or the helper
    lab: int = 0  # the lab's latest request
    answered: int = 0  # the lab request last answered in full
    helper: int = 0  # the helper's current request: timings or a sweep
    helper_kind: str = ""  # what that request is: "timings", a HelperJob's kind, or "" (none)
    timings_after: int = 0  # the lab request whose first answer starts the timings; 0: none waits

    def next(self) -> int:
        self.last += 1
        return self.last

    def to_lab(self) -> int:
        """A new request to the lab: its answers to earlier ones are dropped from now on."""
        self.lab = self.next()
        return self.lab

    def to_helper(self, kind: str) -> int:
        """A new request to the helper (`kind` "" for none): its answers to earlier ones are dropped."""
        self.helper, self.helper_kind = self.next(), kind
        return self.helper

    def answers_helper(self, request: Optional[int], kind: str = "") -> bool:
        """Whether a helper message is for its current request (None: about the helper itself,
        whatever it was doing) and, given `kind`, of that kind."""
        return request in (self.helper, None) and bool(self.helper_kind) and kind in ("", self.helper_kind)


@dataclass(frozen=True)
class HelperJob:
    """A sweep the timing helper runs and a pane shows. `kind` names it everywhere: the helper
    client's method, the app's state (`app.sweep`) and its note (`app.sweep_note`), and the
    actions (`sweep`, `cancel_sweep`)."""

    kind: str
    pane: str  # the pane it is shown in
    title: str  # "Sweep": starts its notes
    key: str  # the key that starts it
    first_step: Callable[[Selection], str]  # what it does first, in words

    def starting(self, selection: Selection) -> str:
        return f"{self.title}{self.first_step(selection)}"

    def cancelled(self) -> str:
        return f"{self.title} cancelled: {self.key} starts again"

    def failed(self, error: str) -> str:
        return f"{self.title} failed: {error}"

    def stops_timings(self, pane_key: str) -> str:
        return f"Stopped for the {self.title.lower()} (pane {pane_key}): r measures again"


SWEEP = HelperJob("sweep", "sweep", "Sweep", "s", lambda _: ": compiling and timing batch 1…")
CHUNK_SWEEP = HelperJob("chunk_sweep", "chunks", "Chunk sweep", "S",
                        lambda s: f" at batch {s.batch_shape}: compiling and timing k=1 and vmap…")
JOBS = {job.kind: job for job in (SWEEP, CHUNK_SWEEP)}
