"""A batch too big for memory is refused before anything is drawn, with a message that says why."""

import jax
import pytest

from jaxbatch.lab.analysis import analyze
from jaxbatch.lab.errors import LabError
from jaxbatch.lab.memory import available_bytes, check_fits
from jaxbatch.lab.selection import Selection


def test_a_batch_within_the_share_of_free_memory_passes():
    check_fits(1000, (10,), jax.devices("cpu")[0], free=10**6)


def test_a_batch_beyond_it_is_refused_with_sizes():
    with pytest.raises(LabError, match=r"batch \(1000,\) needs about 11.4 MiB \(3 copies of 3.91 KiB per instance\), "
                                       r"more than half of the 1.91 MiB free on cpu"):
        check_fits(4000, (1000,), jax.devices("cpu")[0], free=2_000_000)


def test_the_cpu_reports_free_memory():
    assert available_bytes(jax.devices("cpu")[0]) > 0


def test_a_huge_user_input_is_refused_before_it_is_drawn(fixture_ref):
    # 65,536 instances of 64 MiB in and 64 MiB out: far past any machine this runs on
    with pytest.raises(LabError, match="needs about 24 TiB"):
        analyze(Selection(fixture_ref("user_functions", "chatty"), (65536,), "cpu", ("f32[4096,4096]",)))
