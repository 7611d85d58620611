"""Session caches: each model is analysed by the lab once, and its facts computed here once."""

import pytest

from .facts import Facts


@pytest.fixture(scope="session")
def report():
    """report(ref, batch) -> the report JSON, as `jaxbatch-tui report --json` gives it (no timer,
    so no timings), analysed once per session."""
    from jaxbatch.media.json_report import report_json
    from jaxbatch.results.selection import Selection

    from reports import analyze  # the run's shared reports: the same real analysis, made once in the run

    cache: dict = {}

    def get(ref: str, batch: int):
        if (ref, batch) not in cache:
            cache[ref, batch] = report_json(analyze(Selection(ref, (batch,), "cpu")))
        return cache[ref, batch]

    return get


@pytest.fixture(scope="session")
def facts():
    """facts(ref, batch) -> `Facts`, the same model's facts computed with plain JAX and NumPy."""
    cache: dict = {}

    def get(ref: str, batch: int) -> Facts:
        if (ref, batch) not in cache:
            cache[ref, batch] = Facts(ref, batch)
        return cache[ref, batch]

    return get
