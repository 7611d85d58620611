"""Will a batch fit? Before anything is drawn, from shapes (`check_fits`); after compiling, from
XLA's own plan (`check_compiled`, `fits_up_to`). A batch too big for the device is refused with
a message instead of exhausting memory (or being killed for it).

"Per instance" means the same thing throughout: one instance's batched inputs and its outputs.
Before compiling it comes from shapes (`bytes_per_instance`); after, from XLA's figures as
(argument + output - alias) / instances. Temporaries are counted apart, because whether they grow
with the batch depends on the strategy."""

from __future__ import annotations

import logging
import math
from typing import Any, Callable, Mapping, Optional, Sequence

import jax

from jaxbatch.lab.errors import USER_ERRORS, LabError
from jaxbatch.lab.results import Fit

# The batch lives on the host, on the device and again as the loop's outputs: about this many
# copies of (inputs + outputs) at once; and no selection may claim more than this share of what is free.
COPIES = 3
SHARE = 0.5
# A batch this large is past anything a device holds: a strategy that still fits it never runs out.
NEVER = 1 << 50


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


def memory_limit(device: jax.Device) -> tuple[Optional[int], str]:
    """The memory a batch on `device` can have, and where that figure comes from
    (`Report.memory_limit_source`): "allocator", JAX's allocator's `bytes_limit` (GPU, TPU: the
    most it hands out, a share of what the device holds); "host", on CPU, the host's
    MemAvailable (the device is the host's RAM, shared with everything else running, so what is
    available rather than what is installed). (None, "") when neither is known: a GPU's figure
    is never the host's RAM."""
    stats = _stats(device)
    if stats and "bytes_limit" in stats:
        return int(stats["bytes_limit"]), "allocator"
    available = _mem_available() if device.platform == "cpu" else None
    return (None, "") if available is None else (available, "host")


def available_bytes(device: jax.Device) -> Optional[int]:
    """Free memory on `device`: its limit less what the runtime holds already (on CPU the limit
    is already what is free). None when unknown: then nothing is refused."""
    limit, _ = memory_limit(device)
    stats = _stats(device)
    return None if limit is None else limit - int((stats or {}).get("bytes_in_use", 0))


def _stats(device: jax.Device) -> Optional[dict]:
    try:
        return device.memory_stats()
    except Exception:  # not every backend implements it
        return None


def _mem_available() -> Optional[int]:
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def check_fits(per_instance: int, shape: tuple[int, ...], device: jax.Device, free: Optional[int] = None) -> None:
    """Refuse a batch whose inputs and outputs (`COPIES` of them) would take more than `SHARE`
    of what is free, before its inputs are drawn; the message says how many instances would fit."""
    need = COPIES * per_instance * math.prod(shape)
    free = available_bytes(device) if free is None else free
    if free is not None and need > SHARE * free:
        most = _largest(0, COPIES * per_instance, SHARE * free)
        raise LabError(f"batch {shape} needs about {_size(need)} ({COPIES} copies of {_size(per_instance)} per "
                       f"instance), more than half of the {_size(free)} free on {device.platform}: "
                       + (f"try a smaller batch (at most {most:,} instances)" if most else "not one instance fits"))


def check_compiled(peak_bytes: Optional[int], device: jax.Device, free: Optional[int] = None) -> None:
    """Refuse to run an executable whose planned peak (`Hlo.peak_bytes`) exceeds what is free,
    so a strategy too big for memory is that strategy's error (a MemoryError, raised before
    the call) rather than the process being killed. Arguments already resident count twice (in
    the peak, and no longer free): a refusal errs on the safe side. Unknown peak or free memory refuses nothing."""
    free = available_bytes(device) if free is None else free
    if peak_bytes is not None and free is not None and peak_bytes > free:
        raise MemoryError(f"one call needs about {_size(peak_bytes)} as compiled, more than the {_size(free)} "
                       f"free on {device.platform}: try a smaller batch")


def fits_up_to(memory: Optional[Mapping[str, int]], instances: int, limit: Optional[int],
               chunk: Optional[int] = None, cap: int = NEVER) -> Fit:
    """The largest batch a strategy fits at, scaled from XLA's plan (`Hlo.memory`) at `instances`.

    Arguments and outputs grow with the batch; all arguments are scaled, shared ones too, so the
    answer errs small. manual and vmap (`chunk` None): temporaries grow with it as well.
    chunked (`chunk` k): temporaries are one chunk's, paid once at any batch of k or more; but
    where k does not divide the batch, lax.map stacks the loop's outputs in a temporary before
    joining the remainder to them, about one more copy of those outputs (measured: temp ~ output
    at 400 instances in chunks of 64, one chunk's at 448)."""
    if not memory or limit is None or any(k not in memory for k in ("temp", "argument", "output")):
        return Fit(None)
    n, temp = instances, memory["temp"]
    per = (memory["argument"] + memory["output"] - memory.get("alias", 0)) / n
    if chunk is None:
        return _capped(_largest(0, per + temp / n, limit), cap)
    out = memory["output"] / n
    whole = temp * chunk / n if n <= chunk else max(0.0, temp - out * _stacked(n, chunk))
    small = _largest(0, per + whole / chunk, limit)  # within one chunk it is one vmap
    if 0 <= small < chunk:
        return _capped(small, cap)
    dividing = _largest(whole, per, limit)  # batches the chunk divides
    if dividing < 0:
        return Fit(None, never=True)
    best = dividing // chunk * chunk
    # past a multiple M of the chunk, M + r instances also hold M instances' stacked outputs
    last = _largest(whole, per + out, limit - per) // chunk * chunk
    if last >= chunk:
        best = max(best, min(last + chunk - 1, _largest(whole + out * last, per, limit)))
    return _capped(best, cap)


def _stacked(n: int, chunk: int) -> int:
    """Instances whose outputs lax.map stacks in a temporary: all but the remainder, when there is one."""
    return n // chunk * chunk if n > chunk and n % chunk else 0


def _largest(fixed: float, per_instance: float, budget: float) -> int:
    """The most instances with fixed + per_instance * instances <= budget; -1 where per_instance
    is 0 and the fixed part fits (any batch fits)."""
    if fixed > budget:
        return 0
    if per_instance <= 0:
        return -1
    return int((budget - fixed) // per_instance)


def _capped(up_to: int, cap: int) -> Fit:
    return Fit(None, never=True) if up_to < 0 or up_to >= cap else Fit(up_to)


def _size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.3g} {unit}"
        n /= 1024
    return f"{n:.3g} TiB"


class _Unruled(logging.Handler):
    """Counts jax.experimental.roofline's "No roofline rule for …" warnings (it logs them on the
    root logger), so they neither reach the user's terminal nor go unnoticed."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += "No roofline rule" in record.getMessage()


def roofline_peak_bytes(fn: Callable, args: Sequence[Any]) -> Optional[int]:
    """The peak `jax.experimental.roofline` gives for `fn`, the cross-check of XLA's plan: the
    most bytes live at once in the jaxpr, op by op, before fusion, arguments freed after their
    last use. None where it doesn't apply: a primitive it has no rule for (its figure would
    leave that op out), or a JAX without it."""
    try:
        from jax.experimental import roofline
    except ImportError:
        return None
    root, unruled = logging.getLogger(), _Unruled()
    root.addHandler(unruled)
    try:
        _, result = roofline.roofline(fn)(*args)
    except Exception:  # a rule that fails on this program: no cross-check, not an error of the model's
        return None
    finally:
        root.removeHandler(unruled)
    return None if unruled.count else int(result.peak_hbm_bytes)
