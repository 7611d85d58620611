"""The whole analysis of one selection: inputs, the strategies, outputs, programs and HLO.

`analyze` is what both the app (in a worker thread) and `jaxbatch-tui report` call, so the
two always show the same facts.
"""

from __future__ import annotations

from typing import Callable, Optional

import jax

from jaxbatch.lab import precision
from jaxbatch.lab.reference import first_outputs, loop_outputs
from jaxbatch.lab.workload import prepare
from jaxbatch.results import timing
from jaxbatch.results.report import FirstOutputs, Report
from jaxbatch.results.selection import Selection
from jaxbatch.results.timing import Timer


def analyze(selection: Selection, timer: Optional[Timer] = None, rounds: int = timing.ROUNDS,
            min_round_s: float = timing.REPORT_ROUND_S, roof: bool = True,
            first: Optional[Callable[[FirstOutputs | Report], object]] = None) -> Report:
    """Everything about `selection`; with a `timer`, also how long each strategy takes, and with
    `roof` the device's roofline they are judged against: measured once per device and JAX
    version, then read from the user's cache. `first` is given what is known as it is known,
    for the app to show at once: the loop's outputs (FirstOutputs), then the report with
    outputs, verdicts and programs (`planning` set), before the slow extras: timings, the
    plans at other batch sizes behind `fits` (as long again as the rest, on the seed) and the
    roofline."""
    w = prepare(selection)
    with jax.default_device(w.device), precision.scope(w.precision):
        loop = loop_outputs(w)
        if first is not None:
            first(first_outputs(w, loop))
        # Imported once the first numbers are out: JAX's program internals and XLA's texts (40 ms)
        from jaxbatch.lab import judging

        return judging.report(w, selection, loop, timer, rounds, min_round_s, roof, first)
