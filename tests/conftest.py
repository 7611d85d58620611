"""Shared fixtures. Tests import only the installed names (`jaxbatch...`), never bare folders.

Every test runs with 4 simulated CPU devices (what `--host-devices 4` sets), so the sharded
strategies are exercised everywhere; this must happen before anything imports JAX.
"""

import os
import sys
import tempfile
from pathlib import Path

import pytest

from jaxbatch.cli import host_devices_flags  # imports no JAX

os.environ["XLA_FLAGS"] = host_devices_flags(os.environ.get("XLA_FLAGS", ""), 4)
# The roofline a timed report measures (with the tests' fake timers, too) is cached under here,
# never in the user's own cache; the helper processes the app starts inherit it.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="jaxbatch-tests-cache-")
# Likewise the logs of the apps the tests run for real (in a pty, in tmux): never the user's own.
os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="jaxbatch-tests-state-")

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixture_ref():
    """`tests/fixtures/NAME.py:ATTR` as a model reference."""
    return lambda name, attr="MODEL": f"{FIXTURES / name}.py:{attr}"


@pytest.fixture
def ticking_analyses(monkeypatch):
    """Every analysis that times, as the CLI and the API run it, on the ticking clock."""
    from jaxbatch.lab import analysis

    from clocks import ticking

    real = analysis.analyze
    monkeypatch.setattr(analysis, "analyze", lambda selection, timer=None: real(
        selection, timer=ticking() if timer else None))


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
    if "status" in _outcome:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_outcome["status"])
