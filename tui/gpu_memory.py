"""GPU memory: JAX takes what it needs as it goes, not 75% of the card up front.

By default JAX preallocates 75% of each GPU's memory when its backend starts. The app is two JAX
processes on the device (itself and the timing helper): on an H200 the first took 113 GB and the
second then failed to allocate its own 75% (CUDA_ERROR_OUT_OF_MEMORY). With preallocation off
each process holds what it uses, still bounded by the allocator's limit (`bytes_limit`), which
is the limit the memory figures are measured against.
"""

from __future__ import annotations

import os
import sys

PREALLOCATE = "XLA_PYTHON_CLIENT_PREALLOCATE"
# Any of these set means the user chose how JAX takes GPU memory: theirs to keep, all of them.
# XLA_CLIENT_MEM_FRACTION is the new name of XLA_PYTHON_CLIENT_MEM_FRACTION (jaxlib reads both).
USER_SETTINGS = (PREALLOCATE, "XLA_PYTHON_CLIENT_MEM_FRACTION", "XLA_CLIENT_MEM_FRACTION",
                 "XLA_PYTHON_CLIENT_ALLOCATOR")


def take_gpu_memory_as_needed() -> None:
    """Turn preallocation off for this process and the helpers it starts, which inherit the
    environment, unless the user set any of USER_SETTINGS. It must come before JAX starts: once
    JAX is imported (a notebook's own `import jax`) nothing is set, since the backend may have
    read its settings already and a variable set then would claim what isn't so."""
    if "jax" in sys.modules or any(name in os.environ for name in USER_SETTINGS):
        return
    os.environ[PREALLOCATE] = "false"
