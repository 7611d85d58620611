"""GPU checks: every test here is marked `gpu` and skipped where JAX finds no GPU (CI has none).

`JAXBATCH_GPU_TESTS_DEVICE=cpu` runs them on the CPU instead: a dry run of the checks' own
code, for a machine without a GPU (figures that only a GPU shows are then skipped, said why).
`python tests/gpu/check.py` runs them all and prints a summary to paste into a note; each
test states its figures with `record_property`, which the summary prints.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest

from jaxbatch.gpu_memory import take_gpu_memory_as_needed

# This session's own JAX takes what it needs, as the app does, and leaves the GPU to the checks.
take_gpu_memory_as_needed()

HERE = Path(__file__).parent
DRY_RUN = os.environ.get("JAXBATCH_GPU_TESTS_DEVICE") == "cpu"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if Path(str(item.fspath)).parent == HERE:
            item.add_marker(pytest.mark.gpu)


@functools.lru_cache(maxsize=1)
def _gpu_reason() -> str:
    """Why there is no GPU to test on, or "" when there is one."""
    if DRY_RUN:
        return ""
    import jax

    try:
        return "" if jax.devices("gpu") else "JAX finds no GPU"
    except RuntimeError as exc:
        return f"JAX finds no GPU ({str(exc).splitlines()[0]})"


@pytest.fixture(autouse=True)
def _needs_a_gpu():
    reason = _gpu_reason()
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="session")
def device() -> str:
    """The `--device` the checks run on: "gpu", or "cpu" in a dry run."""
    return "cpu" if DRY_RUN else "gpu"


@pytest.fixture
def gpu_only(device):
    """Skips a figure that only a real GPU shows (TF32, preallocation) in a dry run."""
    if device != "gpu":
        pytest.skip("a GPU-only figure: not in a dry run on the CPU")
