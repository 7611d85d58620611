"""A batch too big for memory is refused before anything is drawn, with a message that says why;
after compiling, XLA's plan says how large a batch each strategy could take."""

import jax
import pytest

from jaxbatch.lab.analysis import analyze
from jaxbatch.lab.errors import LabError
from jaxbatch.lab.memory import available_bytes, check_compiled, check_fits, fits_up_to, memory_limit
from jaxbatch.lab.results import Fit
from jaxbatch.lab.selection import Selection

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


# 100 instances: 10 bytes in, 90 out and, for vmap, 1,000 of temporaries each
VMAP = {"temp": 100_000, "argument": 1_000, "output": 9_000, "alias": 0}


def test_vmap_grows_with_every_part_of_its_plan():
    assert fits_up_to(VMAP, 100, 1_100_000) == Fit(1000)
    assert fits_up_to(VMAP, 100, 1_100_000 - 1) == Fit(999)
    assert fits_up_to(VMAP, 100, 1_000) == Fit(0)


def test_the_same_plan_chunked_pays_one_chunk_of_temporaries_once():
    # 448 instances in 7 chunks of 64: temporaries are one chunk's, 64,000 bytes, at any batch
    chunked = {"temp": 64_000, "argument": 4_480, "output": 40_320, "alias": 0}
    fit = fits_up_to(chunked, 448, 1_064_000, chunk=64)
    assert fit == Fit(9984)  # 64,000 + 100 * 10,000 fills it; the largest multiple of 64 below
    assert fit.up_to > fits_up_to(VMAP, 100, 1_064_000).up_to * 9


def test_a_chunked_model_with_no_outputs_to_stack_fits_any_batch_to_the_limit():
    summed = {"temp": 64_000, "argument": 4_480, "output": 0}
    assert fits_up_to(summed, 448, 164_000, chunk=64) == Fit(10_000)


def test_a_remainder_counts_the_stacked_outputs_as_temporaries():
    # 400 = 6 * 64 + 16: the plan's temporaries are 384 instances' outputs and one chunk's 6,400
    remainder = {"temp": 384 * 90 + 6_400, "argument": 4_000, "output": 36_000}
    divides = {"temp": 6_400, "argument": 4_480, "output": 40_320}
    assert fits_up_to(remainder, 400, 1_000_000, chunk=64) == fits_up_to(divides, 448, 1_000_000, chunk=64)


def test_below_one_chunk_chunked_is_one_vmap():
    assert fits_up_to(VMAP, 100, 1_100_000, chunk=2000) == Fit(1000)


def test_no_growth_or_a_limit_past_the_cap_is_never_and_no_figures_unknown():
    assert fits_up_to({"temp": 64_000, "argument": 0, "output": 0}, 448, 10**6, chunk=64) == Fit(None, never=True)
    assert fits_up_to(VMAP, 100, 10**12) == Fit(909_090_909)  # 1,100 bytes an instance: past the app's cap, a figure
    assert fits_up_to(VMAP, 100, 10**12, cap=10**8) == Fit(None, never=True)
    assert fits_up_to(VMAP, 100, None) == Fit(None)
    assert fits_up_to(None, 100, 10**6) == Fit(None)


def test_where_not_one_instance_fits_the_refusal_says_so():
    with pytest.raises(LabError, match=r"free on cpu: not one instance fits$"):
        check_fits(4000, (8,), CPU, free=1000)
