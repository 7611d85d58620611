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
