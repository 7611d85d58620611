"""Messages from the lab worker back to the app, stamped with the request's generation so a
result for an older selection can be recognised and dropped."""

from __future__ import annotations

from textual.message import Message

from jaxbatch.lab.results import Report


class LabDone(Message):
    def __init__(self, generation: int, report: Report) -> None:
        super().__init__()
        self.generation = generation
        self.report = report


class LabFailed(Message):
    def __init__(self, generation: int, error: str) -> None:
        super().__init__()
        self.generation = generation
        self.error = error


class TimingEvent(Message):
    """A line from the timing helper: status, timings, sweep or error, for job `gen`
    (None: about the helper itself, whatever job it was on)."""

    def __init__(self, event: dict) -> None:
        super().__init__()
        self.gen = event.get("gen")
        self.event = event
