"""A batch too big for memory is refused before anything is drawn, with a message that says why;
after compiling, XLA's plan says how large a batch each strategy could take."""

import math

import jax
import pytest

from jaxbatch.lab.analysis import analyze
from jaxbatch.lab.memory import (
    MAX_COMPILES,
    NEVER,
    RATIO,
    Plans,
    available_bytes,
    check_compiled,
    check_fits,
    fits_up_to,
    memory_limit,
)
from jaxbatch.presentation.memory import unknown_text
from jaxbatch.results.errors import LabError
from jaxbatch.results.report import Fit, FitUnknown, Growth
from jaxbatch.results.selection import Selection

CPU = jax.devices("cpu")[0]


def test_a_batch_within_the_share_of_free_memory_passes():
    check_fits(1000, (10,), CPU, free=10**6)


def test_a_batch_beyond_it_is_refused_with_sizes():
    with pytest.raises(LabError, match=r"batch \(1000,\) needs about 11.4 MiB \(3 copies of 3.91 KiB per instance\), "
                                       r"more than half of the 1.91 MiB free on cpu"):
        check_fits(4000, (1000,), CPU, free=2_000_000)


def test_the_refusal_says_how_many_instances_would_fit_and_that_many_do():
    # half of 2,000,000 free over 3 copies of 4,000 bytes: 83 instances
    with pytest.raises(LabError, match=r"try a smaller batch \(at most 83 instances\)$"):
        check_fits(4000, (84,), CPU, free=2_000_000)
    check_fits(4000, (83,), CPU, free=2_000_000)


def test_the_cpu_reports_free_memory():
    assert available_bytes(CPU) > 0


def _meminfo(key):
    with open("/proc/meminfo") as meminfo:
        return next(int(line.split()[1]) * 1024 for line in meminfo if line.startswith(key + ":"))


def test_the_cpu_limit_is_the_hosts_available_memory():
    (limit, source), total = memory_limit(CPU), _meminfo("MemTotal")
    assert 0 < limit <= total and source == "host"
    assert abs(limit - _meminfo("MemAvailable")) < 0.05 * total  # read moments apart


def test_a_huge_user_input_is_refused_before_it_is_drawn(fixture_ref):
    # 65,536 instances of 64 MiB in and 64 MiB out: far past any machine this runs on
    with pytest.raises(LabError, match="needs about 24 TiB"):
        analyze(Selection(fixture_ref("user_functions", "chatty"), (65536,), "cpu", ("f32[4096,4096]",)))


def test_an_executable_past_free_memory_is_refused_and_one_within_runs():
    with pytest.raises(MemoryError, match=r"^one call needs about 2.86 MiB as compiled, "
                                       r"more than the 1.91 MiB free on cpu"):
        check_compiled(3_000_000, CPU, free=2_000_000)
    check_compiled(2_000_000, CPU, free=2_000_000)
    check_compiled(None, CPU, free=2_000_000)


# XLA's planned peak by batch, as shapes give it: a fixed part and bytes per instance, or more.
LIMIT = 24_000_000_000


def linear(n):
    return 16_778_144 + 12 * n


def squared(n):  # a (batch, batch) Jacobian of float32
    return 644 + 4 * n * n


def squared_later(n):  # a line at small batches, the square past 1,000: a line through small ones misleads
    return 388 + 44 * n if n < 1000 else 8 * n * n


def chunked(n, k=64):
    """lax.map in chunks of 64: one chunk's temporaries and 12 bytes an instance; where k
    doesn't divide the batch, 4 bytes of stacked outputs per instance before the remainder,
    and the remainder's own vmap temporaries, 256 KiB an instance. At most k: one vmap."""
    if n <= k:
        return n * (12 + 262_144)
    whole, rest = divmod(n, k)
    return 16_778_144 + 12 * n + (4 * whole * k + 262_144 * rest if rest else 0)


def plans_of(peak, batch):
    """Plans as the analysis gives them: the analysed batch's known, the rest compiled on demand."""
    return Plans(peak, {batch: peak(batch)})


def agrees_with_the_plan(peak, fit, limit=LIMIT):
    """The answer fits by the plan, and RATIO more does not."""
    return peak(fit.up_to) <= limit < peak(math.ceil(fit.up_to * RATIO)) and fit.peak_bytes == peak(fit.up_to)


def test_a_plan_that_is_a_line_is_solved_and_checked_at_the_answer():
    fit = fits_up_to(plans_of(linear, 512), 512, LIMIT)
    assert fit.up_to == (LIMIT - 16_778_144) // 12 and fit.method == "linear"
    assert fit.batches == (512, 1024, fit.up_to) and fit.compiles == 2  # the analysed plan is not compiled again
    assert fit.growth == Growth((512, 1024), 12.0, 16_778_144.0)
    assert agrees_with_the_plan(linear, fit)


@pytest.mark.parametrize("peak", [squared, squared_later])
def test_a_plan_that_is_no_line_is_searched_and_the_answer_does_not_depend_on_the_batch(peak):
    """A line through the plan at the analysed batch said 145x to 3,600x too much (issue 22)."""
    fits = [fits_up_to(plans_of(peak, batch), batch, LIMIT) for batch in (8, 64, 512)]
    for fit in fits:
        assert fit.method == "search" and fit.growth.fixed_bytes is None
        assert agrees_with_the_plan(peak, fit) and fit.compiles <= MAX_COMPILES
    answers = [fit.up_to for fit in fits]
    assert max(answers) <= min(answers) * RATIO


def test_the_marginal_bytes_are_the_plan_s_growth_between_the_batch_and_twice_it():
    growth = fits_up_to(plans_of(squared, 64), 64, LIMIT).growth
    assert growth.batches == (64, 128) and growth.marginal_bytes == (squared(128) - squared(64)) / 64


@pytest.mark.parametrize("batch", [8, 400, 512])
def test_chunked_grows_by_its_marginal_bytes_from_two_chunks_on_and_each_batch_counts_its_remainder(batch):
    fit = fits_up_to(plans_of(chunked, batch), batch, LIMIT, chunk=64)
    a = max(128, -(-batch // 64) * 64)  # the loop's regime: two chunks or more, multiples of k
    assert fit.growth == Growth((a, 2 * a), 12.0, 16_778_144.0)  # not peak / batch: 32.8 kB at 512
    assert fit.up_to % 64 == 0 and agrees_with_the_plan(chunked, fit)
    assert chunked(fit.up_to + 1) > LIMIT  # one past it, the stacked outputs don't fit


def remainder(n):
    """Chunked with no outputs to stack: past a multiple of 64, 10 bytes an instance of remainder."""
    return 1000 + 12 * n + (10 * (n % 64) if n > 64 else 0)


def test_chunked_within_a_few_chunks_searches_the_remainder():
    """Ten chunks fit, and 32 instances more: the next chunk, 4% of ten, is worth searching."""
    limit = remainder(640) + 22 * 32
    fit = fits_up_to(plans_of(remainder, 512), 512, limit, chunk=64)
    assert 640 < fit.up_to <= 672 and agrees_with_the_plan(remainder, fit, limit)
    assert fit.method == "search" and fit.growth.fixed_bytes == 1000  # its chunks are a line all the same


def test_a_plan_that_does_not_grow_never_runs_out_and_not_one_instance_is_zero():
    flat = fits_up_to(plans_of(lambda n: 5_000, 8), 8, LIMIT)
    assert flat.never and flat.up_to is None and flat.batches[-1] == NEVER and flat.peak_bytes == 5_000
    assert fits_up_to(plans_of(linear, 8), 8, LIMIT, cap=10**8) == Fit(None, never=True, method="linear",
                                                                       batches=(8, 16, 10**8), compiles=2,
                                                                       peak_bytes=linear(10**8),
                                                                       growth=Growth((8, 16), 12.0, 16_778_144.0))
    assert fits_up_to(plans_of(squared, 8), 8, 600) == Fit(0, method="search", batches=(8, 16, 1), compiles=2,
                                                        growth=Growth((8, 16), 96.0, None))


def test_where_the_plan_can_t_be_read_the_figure_is_unknown_and_says_why():
    def fails_past_a_batch(n):
        if n > 100:
            raise RuntimeError("RESOURCE_EXHAUSTED: too large")
        return squared(n)

    fit = fits_up_to(plans_of(fails_past_a_batch, 8), 8, LIMIT)
    assert fit.up_to is None and not fit.never and fit.method == ""
    assert fit.unknown.reason == "compile_failed" and fit.unknown.batch > 100 and "out of memory" in fit.unknown.error
    assert unknown_text(fit) == f"compiling at batch {fit.unknown.batch:,} failed: {fit.unknown.error}"
    assert fit.growth.marginal_bytes == (squared(16) - squared(8)) / 8  # read before the search failed
    no_plan = fits_up_to(plans_of(lambda n: None if n > 8 else 100, 8), 8, LIMIT)
    assert no_plan.unknown == FitUnknown("no_plan", 16) and no_plan.growth is None
    assert unknown_text(no_plan) == "XLA gave no memory plan at batch 16"
    unknown = fits_up_to(plans_of(linear, 8), 8, None)
    assert unknown.up_to is None and unknown.unknown == FitUnknown("no_limit")
    assert unknown_text(unknown) == "the memory limit is unknown"
    assert unknown.growth == Growth((8, 16), 12.0, 16_778_144.0)  # checked on the line at 32


def test_a_search_that_does_not_close_in_stops_after_max_compiles_unknown():
    """A plan that jumps from nothing to past the limit gives a search nothing to aim by: after
    MAX_COMPILES it stops, and says so, rather than guess."""
    jump = lambda n: 100 if n < 100_000 else LIMIT + 1  # noqa: E731
    fit = fits_up_to(plans_of(jump, 8), 8, LIMIT)
    assert fit == Fit(None, batches=fit.batches, compiles=MAX_COMPILES, growth=Growth((8, 16), 0.0, None),
                      unknown=FitUnknown("no_convergence"))
    assert unknown_text(fit) == f"XLA's plan, read at {MAX_COMPILES} batch sizes, did not close in on the limit"


def test_where_not_one_instance_fits_the_refusal_says_so():
    with pytest.raises(LabError, match=r"free on cpu: not one instance fits$"):
        check_fits(4000, (8,), CPU, free=1000)
