"""When Python's cyclic collector runs in the app, so that it neither stalls key presses nor
slows the way to the first numbers.

Once JAX is in, the heap holds hundreds of thousands of objects that live as long as the process
(JAX's modules, the app's widgets), and a full collection scans every one of them (0.1 s on
2 cores). So they are frozen out of its sight (`gc.freeze`): by the lab thread once JAX is
imported, and after each report by `settle` (on the UI thread).
"""

from __future__ import annotations

import gc
from typing import Optional

# The collector while the lab's first thread imports JAX and makes the first numbers: a
# collection every million new objects, not every 700. The import makes hundreds of thousands,
# all kept, and the full collections they set off scan them all for nothing: 50 ms of the 0.5 s
# from the lab's start to the seed's outputs on 2 cores. Off altogether saved no more, but a
# model that loops making garbage cycles must still be collected.
RELAXED = (1_000_000, 100, 100)
# `settle` collects the frozen objects too once they are this many times as many as when it last did.
GROWTH = 1.5


class Settler:
    """After a report: collect, then freeze what is left. What was frozen before is collected too
    (unfrozen first: a replaced report's garbage cycles) only once the frozen heap has grown by
    GROWTH since that was last done, as Python's own full collections wait for the heap to grow:
    each report's settling then scans what came since (30-40 ms in the app) rather than
    everything (0.1-0.13 s on the UI thread, 0.3 s in a test process), and garbage cycles stay bounded."""

    def __init__(self) -> None:
        self.whole_at: Optional[int] = None  # the frozen count the last time all was collected

    def __call__(self) -> None:
        if self.whole_at is None:  # what is frozen at the first report (JAX, the app) is not garbage
            self.whole_at = gc.get_freeze_count()
        whole = gc.get_freeze_count() > GROWTH * self.whole_at
        if whole:
            gc.unfreeze()
        gc.collect()
        gc.freeze()
        if whole:
            self.whole_at = gc.get_freeze_count()


settle = Settler()
