"""Will a batch fit? Estimated from shapes before anything is drawn, so a batch too big for the
device is refused with a message instead of exhausting memory (or being killed for it)."""

from __future__ import annotations

import math
from typing import Any, Callable, Optional, Sequence

import jax

from jaxbatch.lab.errors import USER_ERRORS, LabError

# The batch lives on the host, on the device and again as the loop's outputs: about this many
# copies of (inputs + outputs) at once; and no selection may claim more than this share of what is free.
COPIES = 3
SHARE = 0.5


def bytes_per_instance(single: Callable, one: Sequence[Any], in_axes: Sequence[Optional[int]]) -> int:
    """Bytes of one instance's batched inputs and of its outputs, from shapes alone. A model that
    can't be traced counts its inputs only: the analysis says what is wrong with it."""
    batched = [a for a, axis in zip(one, in_axes) if axis == 0]
    try:
        out = jax.eval_shape(single, *one)
    except USER_ERRORS:
        out = ()
    leaves = jax.tree_util.tree_leaves(batched) + jax.tree_util.tree_leaves(out)
    return max(1, sum(math.prod(x.shape) * x.dtype.itemsize for x in leaves if hasattr(x, "dtype")))


def available_bytes(device: jax.Device) -> Optional[int]:
    """Free memory on `device`: the runtime's own figure where it has one (GPU, TPU), else the
    host's MemAvailable (CPU). None when neither can be read: then nothing is refused."""
    try:
        stats = device.memory_stats()
    except Exception:  # not every backend implements it
        stats = None
    if stats and "bytes_limit" in stats:
        return int(stats["bytes_limit"]) - int(stats.get("bytes_in_use", 0))
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def check_fits(per_instance: int, shape: tuple[int, ...], device: jax.Device, free: Optional[int] = None) -> None:
    need = COPIES * per_instance * math.prod(shape)
    free = available_bytes(device) if free is None else free
    if free is not None and need > SHARE * free:
        raise LabError(f"batch {shape} needs about {_size(need)} ({COPIES} copies of {_size(per_instance)} per "
                       f"instance), more than half of the {_size(free)} free on {device.platform}: "
                       f"try a smaller batch")


def _size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.3g} {unit}"
        n /= 1024
    return f"{n:.3g} TiB"
