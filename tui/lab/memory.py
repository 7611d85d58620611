"""Will a batch fit? Before anything is drawn, from shapes (`check_fits`); after compiling, from
XLA's own plan (`check_compiled`, `fits_up_to`). A batch too big for the device is refused with
a message instead of exhausting memory (or being killed for it).

"Per instance", before compiling, is one instance's batched inputs and its outputs, from shapes
(`bytes_per_instance`). After, it is what one more instance adds to XLA's plan, read off the
strategy compiled at two batch sizes, the part that doesn't grow apart (`Growth`): whether
temporaries grow with the batch depends on the strategy, and they need not grow in proportion."""

from __future__ import annotations

import dataclasses
import logging
import math
from typing import Any, Callable, Mapping, Optional, Sequence

import jax

from jaxbatch.results.errors import USER_ERRORS, LabError, describe
from jaxbatch.results.report import Fit, FitUnknown, Growth

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
        most = int(SHARE * free // (COPIES * per_instance))
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


# The precision of `fits_up_to`: the batch found fits by XLA's plan, one RATIO times larger does not.
RATIO = 1.04
# The batch sizes one strategy's plan may be compiled at, to find it.
MAX_COMPILES = 20


class Unplanned(Exception):
    """XLA's plan can't be read at a batch size (the compile failed there, it gave no memory
    analysis, or MAX_COMPILES ran out): the figure that needed it is unknown, and `why` says why."""

    def __init__(self, why: FitUnknown) -> None:
        super().__init__(why)
        self.why = why


class Plans:
    """One strategy's planned peak (hlo.peak_bytes) by batch size, each read once: `peak_at(n)`
    compiles the strategy at n instances (from shapes alone: no data is drawn) and reads it;
    `known` holds the plans read already (the analysed batch's). `batches`: the sizes consulted,
    in order; `compiles`: how many of them were compiled here."""

    def __init__(self, peak_at: Callable[[int], Optional[int]], known: Optional[Mapping[int, int]] = None) -> None:
        self._peak_at, self._peaks = peak_at, dict(known or {})
        self.batches: list[int] = []
        self.compiles = 0

    def __call__(self, n: int) -> int:
        if n not in self._peaks:
            if self.compiles >= MAX_COMPILES:
                raise Unplanned(FitUnknown("no_convergence"))
            self.compiles += 1
            try:
                peak = self._peak_at(n)
            except Exception as exc:  # anything XLA or the model raises at that size: the figure is unknown
                raise Unplanned(FitUnknown("compile_failed", n, describe(exc))) from None
            if peak is None:
                raise Unplanned(FitUnknown("no_plan", n))
            self._peaks[n] = peak
        if n not in self.batches:
            self.batches.append(n)
        return self._peaks[n]


class _Line:
    """The line through XLA's plan at batches a and b."""

    def __init__(self, a: int, pa: int, b: int, pb: int) -> None:
        self.a, self.pa, self.b, self.pb = a, pa, b, pb

    @property
    def slope(self) -> float:
        return (self.pb - self.pa) / (self.b - self.a)

    def holds(self, n: int, peak: int) -> bool:
        """Whether the plan `peak` at batch n lies exactly on the line."""
        return (peak - self.pa) * (self.b - self.a) == (self.pb - self.pa) * (n - self.a)

    def solve(self, limit: int, step: int, cap: int) -> Optional[int]:
        """The largest multiple of `step` the line keeps within `limit`, at most `cap`; None below a."""
        if self.pa > limit:
            return None
        if self.pb <= self.pa:
            return cap
        n = self.a + (limit - self.pa) * (self.b - self.a) // (self.pb - self.pa)
        return min(cap, n // step * step)


def fits_up_to(plans: Plans, instances: int, limit: Optional[int], chunk: Optional[int] = None,
               cap: int = NEVER) -> Fit:
    """The largest batch a strategy fits at, and how its plan grows (`Growth`), from XLA's plan
    of the strategy compiled at other batch sizes: never from one batch, since a plan need not
    be a line in the batch (a Jacobian over the batch grows as its square; temporaries XLA drops
    past some size; chunked's loop, whose temporaries are one chunk's at any batch).

    The plan is read at a and 2a, a the analysed batch (chunked: the first multiple of k from 2k
    on, where its loop runs); the line through them gives the marginal bytes per instance and
    where the limit is reached. The plan is compiled there: on the line, it is a line (method
    "linear"); else the limit is closed in on by search over compiled plans (method "search"),
    to within RATIO, with at most MAX_COMPILES compiles. chunked is searched on multiples of k,
    then within the chunk past the last that fits: where k does not divide the batch, lax.map
    stacks the loop's outputs in a temporary, which each batch's own plan counts."""
    step = chunk or 1
    a = max(2 * step if chunk else 1, -(-instances // step) * step)
    growth = None
    try:
        line = _Line(a, plans(a), 2 * a, plans(2 * a))
        growth = Growth((a, 2 * a), line.slope, None)
        if limit is None:
            on_line = line.holds(4 * a, plans(4 * a))
            return _fit(plans, None, unknown=FitUnknown("no_limit"), growth=_fixed(growth, line, on_line))
        up_to, on_line, method = _search(plans, line, limit, step, cap)
    except Unplanned as exc:
        return _fit(plans, None, unknown=exc.why, growth=growth)
    growth = _fixed(growth, line, on_line)
    if up_to >= cap:
        return _fit(plans, None, never=True, method=method, peak_bytes=plans(cap), growth=growth)
    return _fit(plans, up_to, method=method, peak_bytes=plans(up_to) if up_to else None, growth=growth)


def _fit(plans: Plans, up_to: Optional[int], **facts) -> Fit:
    return Fit(up_to, batches=tuple(plans.batches), compiles=plans.compiles, **facts)


def _fixed(growth: Growth, line: _Line, on_line: bool) -> Growth:
    """`growth` with its fixed part, where a third batch lies on the line."""
    return dataclasses.replace(growth, fixed_bytes=line.pa - line.a * line.slope) if on_line else growth


def _search(plans: Plans, line: _Line, limit: int, step: int, cap: int) -> tuple[int, bool, str]:
    """(the batch, whether the plan lay on the line where it was checked, the method): the line's
    answer, compiled; then, where it is off the line, a search on multiples of `step`, then of 1."""
    lo, hi = 0, None  # the largest batch known to fit, the smallest known not to
    if plans(line.a) > limit:
        hi = line.a
    elif plans(line.b) > limit:
        lo, hi = line.a, line.b
    else:
        lo = line.b
    solved = line.solve(limit, step, cap)
    on_line = False
    if solved is not None and solved > lo and (hi is None or solved < hi):
        on_line = line.holds(solved, plans(solved))
        lo, hi = (solved, hi) if plans(solved) <= limit else (lo, solved)
        if on_line and lo == solved and (solved >= cap or solved + step <= solved * RATIO):
            return solved, True, "linear"
    for grid in dict.fromkeys((step, 1)):
        lo, hi = _close_in(plans, lo, hi, limit, grid, cap)
    return lo, on_line, "search"


def _close_in(plans: Plans, lo: int, hi: Optional[int], limit: int, step: int, cap: int) -> tuple[int, Optional[int]]:
    """Narrow [lo, hi) (lo fits, or is 0; hi doesn't, or is None: unknown) on multiples of `step`
    until hi is within RATIO of lo or a step above it, or lo reaches `cap`. Each try is where a
    line through the nearest plans, on log-log axes, meets the limit (a power of the batch is
    found at once); from nothing, one step. Within RATIO of lo, it is lo * RATIO instead, and
    within RATIO of hi, hi / RATIO once such a try has missed: either ends the search if the
    plan there is on the side hoped for. Where two tries have not halved the bracket, the next
    is halfway (geometrically)."""
    widths: list[float] = []
    missed = False  # the last try was within RATIO of hi, and did not fit
    while lo < cap and (hi is None or (hi - lo > step and hi > lo * RATIO)):
        x = _estimate(plans, lo, hi, limit) if lo else 0.0  # from nothing: one step first
        if lo and hi is not None:
            widths.append(math.log(hi / lo))
            if len(widths) > 2 and widths[-1] > widths[-3] / 2:
                x = math.sqrt(lo * hi)
        near_hi = hi is not None and x * RATIO >= hi
        if lo and x <= lo * RATIO:
            n = int(lo * RATIO) // step * step
        elif near_hi and missed:
            n = -(-math.ceil(hi / RATIO) // step) * step  # the least multiple of step within RATIO of hi
        else:
            n = int(min(x, cap)) // step * step
        n = max(lo + step, n if hi is None else min(n, hi - step))
        fits = plans(n) <= limit
        missed = near_hi and not fits
        lo, hi = (n, hi) if fits else (lo, n)
    return lo, hi


def _estimate(plans: Plans, lo: int, hi: Optional[int], limit: int) -> float:
    """Where the plan reaches `limit`, by the line on log-log axes through the plans at lo and
    hi, or (hi unknown) the two largest batches that fit."""
    if hi is None:
        below = [n for n in plans.batches if n < lo and plans(n) <= limit]
        if not below:
            return 2.0 * lo
        ends = (max(below), lo)
    else:
        ends = (lo, hi)
    (n0, n1), (p0, p1) = ends, (max(1, plans(n)) for n in ends)
    power = math.log(p1 / p0) / math.log(n1 / n0)
    if power <= 0:
        return math.inf
    return n0 * math.exp(min(math.log(limit / p0) / power, 700.0))


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
