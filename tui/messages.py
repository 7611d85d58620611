"""Messages from the lab thread and the timing helper back to the app.

Each carries the number of the request it answers, so a result for an older request can be
recognised and dropped. The helper's updates are snapshots: a newer one for the same request
replaces an older one still queued (`can_replace`), so a busy UI never works through a backlog.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual.message import Message

if TYPE_CHECKING:  # annotations only: the app imports this module before its first frame
    from jaxbatch.results.chunk_sweep_state import ChunkSweepState
    from jaxbatch.results.report import Backends, FirstOutputs, Report
    from jaxbatch.results.sweep_state import SweepState
    from jaxbatch.results.timing import LiveTimings


@dataclass
class LabDone(Message):
    """The lab's answer to request `request`: a first one (`report.planning`), then the whole."""

    request: int
    report: Report


@dataclass
class LabOutputs(Message):
    """What the lab knows first for request `request`, before its first report: the model on one
    instance and the loop's outputs (results.report.FirstOutputs)."""

    request: int
    outputs: FirstOutputs


@dataclass
class LabFailed(Message):
    request: int
    error: str


@dataclass
class DevicesFound(Message):
    """Every device JAX found, once it is imported: the picker offers them whatever the lab's
    first answer is (a selection on a missing device fails, and the others stay pickable)."""

    backends: Backends


@dataclass
class _Snapshot(Message):
    """An update that says everything so far: the next one for the same request supersedes it."""

    request: int

    def can_replace(self, message: Message) -> bool:
        return type(message) is type(self) and message.request == self.request


@dataclass
class TimingsUpdated(_Snapshot):
    live: LiveTimings


@dataclass
class JobUpdated(_Snapshot):
    """A sweep so far: the app handles every kind alike (jaxbatch.helper_job)."""

    kind: ClassVar[str]  # the HelperJob's
    state: SweepState | ChunkSweepState


@dataclass
class SweepUpdated(JobUpdated):
    kind = "sweep"
    state: SweepState


@dataclass
class ChunkSweepUpdated(JobUpdated):
    kind = "chunk_sweep"
    state: ChunkSweepState


@dataclass
class HelperStatus(Message):
    """What the helper is doing for `request`, in its words ("compiling…")."""

    request: int
    text: str


@dataclass
class HelperFailed(Message):
    """The helper's request failed; `request` None: the helper itself ended, whatever it was on."""

    request: int | None
    error: str
