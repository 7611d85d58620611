"""The roofline: the physical limit each timing is judged against.

A device can stream memory at some bandwidth and do float work at some peak rate; a call that
does `flops` of work over `bytes` of traffic can go no faster than the slower of the two allows
(Williams, Waterman and Patterson's roofline). Both limits are measured here once per device and
kept in the user's cache: measuring costs about a second, and the numbers only change with the
device or the JAX that drives it.

A limit is the best the device does, so each probe's figure is its least time per call over
rounds, not the median every other timing gives: whatever else the machine does only ever adds
time. (The median of a few rounds, each call waited for, read an H200 at 1.97 TB/s where a plain
elementwise pass reaches 3.2.) The peak is measured at each matmul precision a selection can
ask for: on a GPU "default" runs TF32 at eight times the rate of "highest".

Imports JAX; what it finds (`Roof`) and how a call is judged against it (`judge`, `Point`) live
in the JAX-free jaxbatch.results.roof, which the words may import.
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

from jaxbatch.lab import precision as matmul_precision
from jaxbatch.results.report import Roof
from jaxbatch.results.selection import DEFAULT_PRECISION, PRECISIONS
from jaxbatch.results.timing import MIN_ROUND_S, Timer

ROUNDS = 7  # timed rounds of each probe; the least time per call among them is the figure
WARM_UP_S = 0.1  # untimed rounds first, at least this long: a device idle until now may still be clocking up
MAX_REPS = 1024  # calls a round at most, however coarse the clock
MIB = 1 << 20
# On the CPU the copy must outrun the caches without taking long: 256 MiB read and written,
# ~12 ms a call at 45 GB/s. (A 2-core VM here reports its host's 300 MiB of L3, yet 64 MiB ran
# at twice the rate of 256 MiB: its share of the L3 is far smaller.)
CPU_COPY_BYTES = 256 * MIB
# 7.2 Gflop a call, ~40 ms on two cores: 1024 is too small to keep both busy (half the rate),
# 2048 takes seconds on a loaded machine.
CPU_MATMUL_N = 1536
# Accelerators stream terabytes a second: a copy 20 times an H200's 50 MB of L2, ~0.7 ms a call
# there, and a matmul of 1.1 Tflop, within a share of memory.
ACCEL_COPY_BYTES = 1024 * MIB
ACCEL_MATMUL_N = 8192
ASSUMED_MEMORY = 4 << 30  # where a device won't say how much memory it has
MEMORY_SHARE = 8  # the matmul's two inputs and output use at most this fraction of the device's memory
# XLA:CPU computes a float32 product in float32 whatever precision is asked for (the bits are the
# same: tests/truth/test_roofline_limits.py), so one peak, measured once, stands for every precision.
IGNORES_PRECISION = frozenset({"cpu"})


# --- measuring ----------------------------------------------------------------------------------

def least_per_call_s(run: Callable[[int], object], timer: Timer) -> float:
    """The least time per call over ROUNDS rounds, where `run(n)` makes n calls and waits for
    them. Untimed rounds come first, doubling the calls until a round lasts MIN_ROUND_S (at
    most MAX_REPS) and for WARM_UP_S at least."""
    reps, start = 1, timer()
    while True:
        took = _round(run, reps, timer)
        if took < MIN_ROUND_S and reps < MAX_REPS:
            reps *= 2
        elif timer() - start >= WARM_UP_S:
            break
    return min(_round(run, reps, timer) / reps for _ in range(ROUNDS))


def _round(run: Callable[[int], object], reps: int, timer: Timer) -> float:
    start = timer()
    run(reps)
    return timer() - start


def bandwidth(device: jax.Device, timer: Timer = time.perf_counter, copy_bytes: Optional[int] = None) -> float:
    """Bytes per second from `x + 1` over a float32 array of `copy_bytes` (default `probe_sizes`)
    in place, read and written: 2 x its bytes a call. The input is donated and the output fed
    back, so a call allocates nothing (a fresh output would time the kernel's page faults on it,
    10x slower on a CPU), and a round's calls go back to back, waited for once: the host's turn
    between calls is not the device's bandwidth."""
    elements = (copy_bytes or probe_sizes(device)[0]) // 4
    with jax.default_device(device):  # made there, and committed there: the probe compiles for it
        x = jax.device_put(jnp.ones((elements,), jnp.float32), device)
    step = jax.jit(lambda v: v + 1, donate_argnums=0).lower(x).compile()  # compiled apart
    state = [x]

    def run(n: int) -> None:
        for _ in range(n):
            state[0] = step(state[0])
        jax.block_until_ready(state[0])
    return 2 * 4 * elements / least_per_call_s(run, timer)


def peak_flops(device: jax.Device, timer: Timer = time.perf_counter, matmul_n: Optional[int] = None,
               precision: str = DEFAULT_PRECISION) -> float:
    """Flops per second from a product of two float32 n x n matrices (2 n^3 flops; n default
    `probe_sizes`), compiled at `precision` the way the strategies are (lab.precision.scope).
    Their values are random, as a model's are: a GPU multiplying ones flips fewer bits, draws
    less power and may clock higher. Each product is waited for: it takes milliseconds, beside
    which the host's turn is nothing, and products left in flight would each hold an output."""
    n = matmul_n or probe_sizes(device)[1]
    with jax.default_device(device):
        a, b = jax.device_put(jax.random.normal(jax.random.key(0), (2, n, n), jnp.float32), device)
    with matmul_precision.scope(precision):
        product = jax.jit(jnp.matmul).lower(a, b).compile()

    def run(k: int) -> None:
        for _ in range(k):
            jax.block_until_ready(product(a, b))
    return 2 * n ** 3 / least_per_call_s(run, timer)


def probe_sizes(device: jax.Device) -> tuple[int, int]:
    """The copy's bytes and the matmul's side for `device`: fixed on the CPU; on an accelerator
    a 1 GiB copy (in place, one buffer: at most a quarter of the memory) and as large a matmul
    as a share of its memory allows."""
    if device.platform == "cpu":
        return CPU_COPY_BYTES, CPU_MATMUL_N
    try:
        limit = int((device.memory_stats() or {}).get("bytes_limit") or ASSUMED_MEMORY)
    except Exception:  # a backend without memory stats
        limit = ASSUMED_MEMORY
    n = ACCEL_MATMUL_N
    while n > 1024 and 3 * n * n * 4 > limit // MEMORY_SHARE:  # two inputs and the output, halved down to 1024
        n //= 2
    return min(ACCEL_COPY_BYTES, limit // 4), n


def measure(device: jax.Device, timer: Timer = time.perf_counter, copy_bytes: Optional[int] = None,
            matmul_n: Optional[int] = None) -> Roof:
    """The bandwidth, and the peak at every precision a selection can ask for (PRECISIONS):
    measured once where the device ignores precision (IGNORES_PRECISION). Its `peak_flops_s` is
    at JAX's default precision; `Roof.at` gives another's."""
    ignores = device.platform in IGNORES_PRECISION
    bytes_s = bandwidth(device, timer, copy_bytes)
    if ignores:
        peaks = dict.fromkeys(PRECISIONS, peak_flops(device, timer, matmul_n))
    else:
        peaks = {p: peak_flops(device, timer, matmul_n, p) for p in PRECISIONS}
    return Roof(device.platform, device.device_kind, bytes_s, peaks[DEFAULT_PRECISION], "measured", time.time(),
                DEFAULT_PRECISION, peaks, ignores)


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


def _rate(value: Any) -> Optional[float]:
    """`value` as a rate: a positive finite number, else None."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0
    return float(value) if ok else None


def _cached(entry: Any, platform: str, kind: str) -> Optional[Roof]:
    """The entry as a Roof, or None unless it holds a bandwidth and a peak at every precision.
    An entry without `peak_flops_by_precision` is from before the least-time probes (its
    bandwidth the median, understated): it is measured over."""
    if not isinstance(entry, dict) or not isinstance(entry.get("peak_flops_by_precision"), dict):
        return None
    bandwidth_s = _rate(entry.get("bandwidth_bytes_s"))
    peaks = {p: _rate(entry["peak_flops_by_precision"].get(p)) for p in PRECISIONS}
    at = entry.get("measured_at", 0.0)
    if bandwidth_s is None or None in peaks.values() or not isinstance(at, (int, float)) or not math.isfinite(at):
        return None
    return Roof(platform, kind, bandwidth_s, peaks[DEFAULT_PRECISION], "cache", float(at), DEFAULT_PRECISION,
                peaks, platform in IGNORES_PRECISION)


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
    there; its peak at JAX's default precision, `Roof.at` another's. A cache that can't be read
    or written is no error: the roof is measured again."""
    path = _path(cache)
    data = _read(path)
    found = cached(device, cache, data)
    if found is not None:
        return found
    key = cache_key(device.platform, device.device_kind)
    roof = measure(device, timer, copy_bytes, matmul_n)
    data[key] = {"bandwidth_bytes_s": roof.bandwidth_bytes_s, "peak_flops_by_precision": roof.peak_flops_by_precision,
                 "peak_flops_s": roof.peak_flops_s, "measured_at": roof.measured_at}  # older versions read peak_flops_s
    _write(path, data)
    return roof
