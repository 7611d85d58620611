"""Shared fixtures. Tests import only the installed names (`jaxbatch...`), never bare folders."""

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixture_ref():
    """`tests/fixtures/NAME.py:ATTR` as a model reference."""
    return lambda name, attr="MODEL": f"{FIXTURES / name}.py:{attr}"
