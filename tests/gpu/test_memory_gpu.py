"""Item 2 on a GPU: the app and its timing helper take the memory they need, not 75% of the
card each (the first H200 run: 113 GB for the app, then 45 GiB allocation failures in the
helper); the memory limit and `fits_up_to` come from JAX's allocator, and say so."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from .pty_app import run_in_pty

GIB = 1 << 30


def used_on_gpu() -> int:
    """Bytes in use on GPU 0, all processes together, as nvidia-smi reports it (a container may
    hide other processes' ids, never the total)."""
    out = subprocess.run(["nvidia-smi", "--query-gpu=memory.used", "--format=csv,noheader,nounits", "--id=0"],
                         capture_output=True, text=True, timeout=30).stdout
    return int(out.strip().splitlines()[0]) << 20


def test_the_app_and_its_helper_take_what_they_need(gpu_only, record_property):
    """While the app shows its analysis and its helper times it, the GPU's memory in use grows by
    what they need, far below the 75% each took before. The app must turn preallocation off
    itself: the variable this test session set is taken out of its environment."""
    if shutil.which("nvidia-smi") is None:
        pytest.skip("no nvidia-smi to read the GPU's memory in use")
    import jax

    total = jax.devices("gpu")[0].memory_stats()["bytes_limit"]
    before, during = used_on_gpu(), []
    env = {k: v for k, v in os.environ.items() if k != "XLA_PYTHON_CLIENT_PREALLOCATE"}
    run_in_pty([sys.executable, "-m", "jaxbatch", "--device", "gpu", "--batch", "4096"], until=b"agrees",
               meanwhile=lambda: during.append(used_on_gpu()), env=env)
    grown = max(during) - before
    record_property("figure", f"GPU memory in use grew by {grown / GIB:.2f} GiB while the app and its helper ran "
                              f"(allocator limit {total / GIB:.1f} GiB; 75% would be {0.75 * total / GIB:.0f} GiB)")
    assert grown < 0.1 * total


def test_the_memory_limit_is_the_allocators_and_says_so(device, record_property):
    p = subprocess.run([sys.executable, "-m", "jaxbatch", "report", "--device", device, "--no-timings", "--json",
                        "--model", "at-set-large", "--batch", "512"], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]
    data = json.loads(p.stdout)
    limit, source = data["memory_limit_bytes"], data["memory_limit_source"]
    record_property("figure", f"memory limit {limit:,} B from {source}; fits up to "
                    + ", ".join(f"{k} {v['up_to']}" for k, v in data["fits_up_to"].items()))
    assert source == ("allocator" if device == "gpu" else "host") and limit > 0
