"""Shared fixtures. Tests import only the installed names (`jaxbatch...`), never bare folders.

Every test runs with 4 simulated CPU devices (what `--host-devices 4` sets), so the sharded
strategies are exercised everywhere; this must happen before anything imports JAX. Each of
pytest-xdist's workers imports this file too, and so starts alike.
"""

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from jaxbatch.cli import host_devices_flags  # imports no JAX

os.environ["XLA_FLAGS"] = host_devices_flags(os.environ.get("XLA_FLAGS", ""), 4)
_made = [tempfile.mkdtemp(prefix=f"jaxbatch-tests-{what}-") for what in ("cache", "state")]  # removed at the end
# The roofline a timed report measures (with the tests' fake timers, too) is cached under here,
# never in the user's own cache; the helper processes the app starts inherit it.
os.environ["XDG_CACHE_HOME"] = _made[0]
# Likewise the logs of the apps the tests run for real (in a pty, in tmux): never the user's own.
os.environ["XDG_STATE_HOME"] = _made[1]
# The reports the run's processes share (tests/reports.py): made by the first, inherited by xdist's workers.
STORE_VAR = "JAXBATCH_TEST_REPORTS"
if "PYTEST_XDIST_WORKER" not in os.environ:
    os.environ[STORE_VAR] = tempfile.mkdtemp(prefix="jaxbatch-tests-reports-")
    _made.append(os.environ[STORE_VAR])
    # JAX's persistent compilation cache, for this run only: the same programs are compiled in
    # many processes (xdist's workers, every `jaxbatch-tui` a test starts, the helpers), and an
    # executable read back costs a fraction of compiling it. The results are the same (memory
    # plans and costs included); the lab counts an executable read back as one made.
    os.environ["JAX_COMPILATION_CACHE_DIR"] = tempfile.mkdtemp(prefix="jaxbatch-tests-xla-")
    os.environ["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] = "0"
    os.environ["JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES"] = "0"
    _made.append(os.environ["JAX_COMPILATION_CACHE_DIR"])

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixture_ref():
    """`tests/fixtures/NAME.py:ATTR` as a model reference."""
    return lambda name, attr="MODEL": f"{FIXTURES / name}.py:{attr}"


@pytest.fixture
def shared_analyses(monkeypatch):
    """Every untimed analysis the CLI and the API run, from the run's shared reports (tests/reports.py:
    the real report, made once in the run); timed ones as they are."""
    from jaxbatch.lab import analysis

    import reports

    monkeypatch.setattr(analysis, "analyze", reports.analyze)


def on_the_ticking_clock(monkeypatch) -> None:
    """Every analysis that times, as the CLI and the API run it, on the ticking clock; untimed ones
    from the run's shared reports."""
    from jaxbatch.lab import analysis

    import reports
    from clocks import ticking

    monkeypatch.setattr(analysis, "analyze", lambda selection, timer=None, **kwargs: reports.analyze(
        selection, timer=ticking() if timer else None, **kwargs))


@pytest.fixture
def ticking_analyses(monkeypatch):
    on_the_ticking_clock(monkeypatch)


def pytest_xdist_auto_num_workers(config):
    """`-n auto`: a worker more than the cores (at most --maxprocesses): some tests mostly wait (on
    apps in a pty, a --timeout, a held lab), and a core would idle meanwhile. On 2 cores the suite
    took 5.0 min so, 5.6 min with a worker a core."""
    return len(os.sched_getaffinity(0)) + 1


_outcome: dict[str, int] = {}


def pytest_sessionfinish(session, exitstatus):
    _outcome["status"] = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """End the process with the session's status once every report is written, skipping the
    interpreter's teardown: the lab's daemon threads (a stuck model the app abandoned, the
    helpers' readers) may still be inside XLA then, and XLA's CPU client can crash while Python
    finalizes around them (seen once in CI: every test passed, then exit 139). What the tests
    decided is already known and printed; the teardown has nothing left to say."""
    for folder in _made:
        shutil.rmtree(folder, ignore_errors=True)
    if "status" in _outcome:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_outcome["status"])


@pytest.fixture(scope="session", autouse=True)
def shared_reports_stay_as_analysed():
    """The reports tests share (tests/reports.py) are the same at the end as when analysed."""
    yield
    from reports import changed

    assert not changed(), f"a test changed the shared reports of {changed()}"
