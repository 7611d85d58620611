"""Shared fixtures. Tests import only the installed names (`jaxbatch...`), never bare folders.

Every test runs with 4 simulated CPU devices (what `--host-devices 4` sets), so the sharded
strategies are exercised everywhere; this must happen before anything imports JAX.
"""

import os
from pathlib import Path

import pytest

from jaxbatch.cli import host_devices_flags  # imports no JAX

os.environ["XLA_FLAGS"] = host_devices_flags(os.environ.get("XLA_FLAGS", ""), 4)

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixture_ref():
    """`tests/fixtures/NAME.py:ATTR` as a model reference."""
    return lambda name, attr="MODEL": f"{FIXTURES / name}.py:{attr}"
