"""The roofline: the physical limit each timing is judged against.

A device can stream memory at some bandwidth and do float work at some peak rate; a call that
does `flops` of work over `bytes` of traffic can go no faster than the slower of the two allows
(Williams, Waterman and Patterson's roofline). Both limits are measured here once per device,
the way every other time is (compile apart, `block_until_ready`, the median of rounds through
the injectable timer), and kept in the user's cache: measuring costs about a second, and the
numbers only change with the device or the JAX that drives it.

Imports JAX; what it finds (`Roof`) and how a call is judged against it (`judge`, `Point`) live
in the JAX-free jaxbatch.lab.roof, which the words may import.
"""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path
from typing import Any, Callable, Optional

import jax
import jax.numpy as jnp
import jaxlib

from jaxbatch.lab.results import Roof
from jaxbatch.lab.timing import Series, Timer

ROUNDS = 5  # rounds of each probe, after two warm-up calls: about a second in all on a 2-core CPU
MIB = 1 << 20
# On the CPU the copy must outrun the caches without taking long: 256 MiB read and written,
# ~50 ms a call at 10 GB/s. (A 2-core VM here reports its host's 300 MiB of L3, yet 64 MiB ran
# at twice the rate of 256 MiB: its share of the L3 is far smaller.)
CPU_COPY_BYTES = 256 * MIB
# 7.2 Gflop a call, ~60 ms on two cores: 1024 is too small to keep both busy (half the rate),
# 2048 takes seconds on a loaded machine.
CPU_MATMUL_N = 1536
# Accelerators stream terabytes a second: a larger copy and matmul, within a share of memory.
ACCEL_COPY_BYTES = 1024 * MIB
ACCEL_MATMUL_N = 8192
ASSUMED_MEMORY = 4 << 30  # where a device won't say how much memory it has
MEMORY_SHARE = 8  # the probes use at most this fraction of the device's memory


# --- measuring ----------------------------------------------------------------------------------

def _median_s(call: Callable[[], object], timer: Timer) -> float:
    """The median time per call over ROUNDS rounds, after Series' warm-up call."""
    series = Series(call, timer)
    for _ in range(ROUNDS):
        series.round()
    return series.measurement().median_s


def _copy_probe(x: jax.Array) -> Callable[[], object]:
    """`x + 1` in place, as a call that blocks: the input is donated and the output fed back, so
    each call reads and writes every byte once and allocates nothing. A fresh output each call
    would time the kernel's page faults on the new buffer (8x slower on a CPU), not memory."""
    step = jax.jit(lambda v: v + 1, donate_argnums=0).lower(x).compile()  # compiled apart
    state = [x]

    def call() -> object:
        state[0] = jax.block_until_ready(step(state[0]))
        return state[0]
    return call


def _matmul_probe(a: jax.Array) -> Callable[[], object]:
    product = jax.jit(jnp.matmul).lower(a, a).compile()
    return lambda: jax.block_until_ready(product(a, a))


def _sizes(device: jax.Device) -> tuple[int, int]:
    """The copy's bytes and the matmul's side for `device`: fixed on the CPU, and on an
    accelerator as large as a share of its memory allows."""
    if device.platform == "cpu":
        return CPU_COPY_BYTES, CPU_MATMUL_N
    try:
        limit = int((device.memory_stats() or {}).get("bytes_limit") or ASSUMED_MEMORY)
    except Exception:  # a backend without memory stats
        limit = ASSUMED_MEMORY
    budget = limit // MEMORY_SHARE
    copy = min(ACCEL_COPY_BYTES, budget // 2)  # the input and, where donation fails, an output
    n = ACCEL_MATMUL_N
    while n > 1024 and 3 * n * n * 4 > budget:  # two inputs and the output, halved down to 1024
        n //= 2
    return copy, n


def measure(device: jax.Device, timer: Timer = time.perf_counter, copy_bytes: Optional[int] = None,
            matmul_n: Optional[int] = None) -> Roof:
    """Bandwidth from `x + 1` over a float32 array in place (every byte read and written),
    peak flops from a float32 n x n matmul (2 n^3 flops) at JAX's default precision, the one
    models get. Sizes default to `_sizes`."""
    default_copy, default_n = _sizes(device)
    elements = (copy_bytes or default_copy) // 4
    n = matmul_n or default_n
    with jax.default_device(device):  # made there, and committed there: the probes compile for it
        x = jax.device_put(jnp.ones((elements,), jnp.float32), device)
        a = jax.device_put(jnp.ones((n, n), jnp.float32), device)
    copy_s = _median_s(_copy_probe(x), timer)
    matmul_s = _median_s(_matmul_probe(a), timer)
    return Roof(device.platform, device.device_kind, 2 * 4 * elements / copy_s, 2 * n ** 3 / matmul_s,
                "measured", time.time())


# --- the cache ----------------------------------------------------------------------------------

CACHE_FILE = "roofline.json"


def cache_dir() -> Path:
    """`$XDG_CACHE_HOME/jaxbatch-tui` (default `~/.cache/jaxbatch-tui`)."""
    home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(home) / "jaxbatch-tui"


def cache_key(platform: str, kind: str, jax_version: str = jax.__version__,
              jaxlib_version: str = jaxlib.__version__) -> str:
    """A device's entry in the cache: another JAX or jaxlib may compile the probes differently."""
    return f"{platform}|{kind}|jax {jax_version}|jaxlib {jaxlib_version}"


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _cached(entry: Any, platform: str, kind: str) -> Optional[Roof]:
    """The entry as a Roof, or None unless it holds two positive finite rates."""
    if not isinstance(entry, dict):
        return None
    rates = entry.get("bandwidth_bytes_s"), entry.get("peak_flops_s"), entry.get("measured_at", 0.0)
    if not all(isinstance(r, (int, float)) and not isinstance(r, bool) and math.isfinite(r) for r in rates):
        return None
    bandwidth, peak, at = (float(r) for r in rates)
    return Roof(platform, kind, bandwidth, peak, "cache", at) if bandwidth > 0 and peak > 0 else None


def _write(path: Path, data: dict[str, Any]) -> None:
    """Write through a temporary file, so a reader never sees half of it; failing is fine."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
        os.replace(tmp, path)
    except OSError:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass


def _path(cache: Optional[Path]) -> Path:
    return Path(cache if cache is not None else cache_dir()) / CACHE_FILE


def cached(device: jax.Device, cache: Optional[Path] = None, data: Optional[dict[str, Any]] = None) -> Optional[Roof]:
    """`device`'s roof as cached (in `data`, else read from `cache`), None when it must be measured."""
    data = _read(_path(cache)) if data is None else data
    return _cached(data.get(cache_key(device.platform, device.device_kind)), device.platform, device.device_kind)


def device_roof(device: jax.Device, timer: Timer = time.perf_counter, cache: Optional[Path] = None,
                copy_bytes: Optional[int] = None, matmul_n: Optional[int] = None) -> Roof:
    """`device`'s roof from the cache in `cache` (default `cache_dir()`), else measured and saved
    there. A cache that can't be read or written is no error: the roof is measured again."""
    path = _path(cache)
    data = _read(path)
    found = cached(device, cache, data)
    if found is not None:
        return found
    key = cache_key(device.platform, device.device_kind)
    roof = measure(device, timer, copy_bytes, matmul_n)
    data[key] = {"bandwidth_bytes_s": roof.bandwidth_bytes_s, "peak_flops_s": roof.peak_flops_s,
                 "measured_at": roof.measured_at}
    _write(path, data)
    return roof
