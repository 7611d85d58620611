"""The app's use of Python's collector (jaxbatch.heap): a report's settling scans what came since
the last, yet garbage cycles are still collected, and the lab's first answer comes with the
collector relaxed and leaves it as it was."""

import gc
import threading
import time
import weakref

import pytest

from jaxbatch import heap
from jaxbatch.lab_runner import LabRunner
from jaxbatch.results.errors import LabError
from jaxbatch.results.selection import Selection


class Cycle:
    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def frozen_heap():
    """Whatever a test freezes is given back to the collector after it."""
    gc.collect()
    gc.freeze()
    yield
    gc.unfreeze()
    gc.collect()


def test_a_garbage_cycle_made_since_the_last_report_is_collected_without_unfreezing_the_rest(frozen_heap):
    settle = heap.Settler()
    settle()
    frozen = gc.get_freeze_count()
    dropped = Cycle()
    gone = weakref.ref(dropped)
    del dropped
    settle()
    assert gone() is None
    assert gc.get_freeze_count() >= frozen  # what was frozen stayed so: nothing was scanned twice


def test_a_garbage_cycle_frozen_with_an_old_report_is_collected_once_the_heap_has_grown(frozen_heap):
    settle = heap.Settler()
    settle()
    kept = Cycle()  # frozen by the next settling, as a report's objects are
    gone = weakref.ref(kept)
    settle()
    del kept
    settle()
    assert gone() is not None  # frozen: out of the collector's sight while the heap is as it was
    grown = [[i] for i in range(int(heap.GROWTH * gc.get_freeze_count()))]  # the next reports' objects
    settle()  # frozen with them: now the frozen heap has grown
    assert gone() is not None
    settle()
    assert gone() is None
    assert grown  # alive throughout


@pytest.mark.parametrize("outcome", ["answers", "fails"])
def test_the_lab_s_first_analysis_runs_with_the_collector_relaxed_and_leaves_it_as_it_was(outcome):
    before = gc.get_threshold()
    during, done = [], threading.Event()

    def analyze(selection, first=None):
        during.append(gc.get_threshold())
        if outcome == "fails":
            raise LabError("no")
        first(selection)  # the first numbers: the collector as it was from here on
        during.append(gc.get_threshold())
        return selection

    lab = LabRunner(lambda message: done.set() if type(message).__name__ in ("LabDone", "LabFailed") else None,
                    analyze=analyze)
    lab.request(1, Selection())
    assert done.wait(120)
    deadline = time.monotonic() + 120
    while gc.get_threshold() != before and time.monotonic() < deadline:  # restored just after the answer
        time.sleep(0.01)
    assert during[0] == heap.RELAXED != before
    assert during[1:] == ([before] if outcome == "answers" else [])
    assert gc.get_threshold() == before
