"""Each strategy's peak memory, in words: per call and per instance of the batch."""

from __future__ import annotations

import math

from jaxbatch.lab.results import Report
from jaxbatch.presentation.units import byte_size

HEAD = "Memory (peak per call as XLA plans it: temporaries + arguments + outputs - aliased)"


def memory_rows(report: Report) -> list[tuple[str, str, str]]:
    """(label, per call, per instance) for each strategy XLA compiled; the loop runs eagerly,
    op by op, and has no one plan to read."""
    instances = math.prod(report.batch_shape)
    return [(s.label, byte_size(s.hlo.peak_bytes), byte_size(s.hlo.peak_bytes / instances))
            for s in report.strategies.values() if s.hlo is not None and s.hlo.peak_bytes is not None]
