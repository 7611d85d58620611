"""GPU memory: JAX takes what it needs (preallocation off) unless the user chose otherwise, and
the memory a batch is measured against names where it comes from: JAX's allocator limit, or
the host's RAM. No GPU here: the allocator's limit is emulated through a device's memory_stats."""

import os
import subprocess
import sys
from types import SimpleNamespace

import jax
import pytest

from jaxbatch.gpu_memory import PREALLOCATE, USER_SETTINGS, take_gpu_memory_as_needed
from jaxbatch.lab import memory
from jaxbatch.lab.analysis import analyze
from jaxbatch.media.json_report import report_json
from jaxbatch.media.text import render
from jaxbatch.presentation.memory import fits_line
from jaxbatch.results import hlo
from jaxbatch.results.selection import Selection

H200_LIMIT = 112_583_507_968  # bytes_limit on an H200, as JAX reported it (issue 20)


def preallocate_after(code: str, **env: str) -> str:
    """XLA_PYTHON_CLIENT_PREALLOCATE in a fresh interpreter after `code`, none of the user's
    settings in its environment but `env`'s ("unset" where it has none)."""
    clean = {k: v for k, v in os.environ.items() if k not in USER_SETTINGS}
    run = subprocess.run([sys.executable, "-c", f"{code}\nimport os; print(os.environ.get({PREALLOCATE!r}, 'unset'))"],
                         env={**clean, **env}, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    return run.stdout.splitlines()[-1]


def test_the_command_turns_preallocation_off_before_jax_starts():
    assert preallocate_after("from jaxbatch.cli import main; main(['models'])") == "false"


@pytest.mark.parametrize("name, value", [(PREALLOCATE, "true"), ("XLA_PYTHON_CLIENT_MEM_FRACTION", ".5"),
                                         ("XLA_CLIENT_MEM_FRACTION", ".5"),
                                         ("XLA_PYTHON_CLIENT_ALLOCATOR", "platform")])
def test_the_user_s_own_setting_is_kept(name, value):
    expected = value if name == PREALLOCATE else "unset"
    assert preallocate_after("from jaxbatch.cli import main; main(['models'])", **{name: value}) == expected


def test_the_python_api_turns_it_off_when_it_starts_jax():
    assert preallocate_after("import jaxbatch; jaxbatch.compare('elementwise', batch=2)") == "false"


def test_after_the_user_s_own_import_jax_nothing_is_set(monkeypatch):
    for name in USER_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    assert "jax" in sys.modules  # imported by this module: as by a notebook before jaxbatch.compare
    take_gpu_memory_as_needed()
    assert PREALLOCATE not in os.environ


def test_the_allocator_limit_is_the_limit_and_named_so(monkeypatch):
    """On a GPU, JAX's allocator gives bytes_limit: the limit, fits_up_to measured against it, and
    the words, the text and the JSON say it is the allocator's."""
    monkeypatch.setattr(type(jax.devices("cpu")[0]), "memory_stats",
                        lambda self: {"bytes_limit": H200_LIMIT, "bytes_in_use": 0})
    report = analyze(Selection(model="at-set-large", batch_shape=(8,)))
    assert (report.memory_limit_bytes, report.memory_limit_source) == (H200_LIMIT, "allocator")
    vmap = report.strategies["vmap"]
    fit = report.fits["vmap"]
    assert fit.method == "linear" and fit.up_to > 8 and fit.peak_bytes <= H200_LIMIT
    assert fit.peak_bytes > hlo.peak_bytes(vmap.hlo.memory)
    line = fits_line(report)
    assert line.startswith("Out of memory (JAX's allocator limit on cpu, 113 GB) from batch: ")
    assert line in " ".join(render(report).split())
    data = report_json(report)
    assert (data["memory_limit_bytes"], data["memory_limit_source"]) == (H200_LIMIT, "allocator")


def test_without_an_allocator_limit_the_cpu_has_the_host_s_ram_and_a_gpu_none():
    limit, source = memory.memory_limit(jax.devices("cpu")[0])
    assert limit > 0 and source == "host"
    gpu = SimpleNamespace(platform="gpu", memory_stats=lambda: None)
    assert memory.memory_limit(gpu) == (None, "")
    assert memory.available_bytes(gpu) is None  # unknown: nothing is refused

