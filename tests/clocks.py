"""Injected clocks: timings that are instant and the same on every machine."""


def ticking(step_s: float = 0.2):
    """A clock `step_s` later at every reading: at 0.2 s one call fills a timing round (the
    report's and the chunk sweep's), so every strategy is timed alike whatever the machine."""
    ticks = iter(range(10**9))
    return lambda: next(ticks) * step_s
