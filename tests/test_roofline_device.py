"""The roofline: judging a call against the device's limits, and measuring and caching those
limits. Timers are fake wherever a figure is checked: no test depends on the machine's speed."""

import json
import math
from itertools import count

import jax
import pytest

from jaxbatch.lab import roofline
from jaxbatch.lab.results import Roof
from jaxbatch.lab.roof import Point, judge, roofline_json
from jaxbatch.lab.roofline import cache_key, device_roof, measure
from jaxbatch.presentation.roofline import roof_text, roofline_table
from jaxbatch.presentation.units import rate

# 10 GB/s and 100 Gflop/s: the ridge at 10 flop/B.
ROOF = Roof("cpu", "cpu", 10e9, 100e9, "measured", 0.0)
SMALL = {"copy_bytes": 1 << 20, "matmul_n": 64}  # fast enough for a test


def fake_timer(step: float = 0.5):
    """A clock that moves `step` seconds each time it is read: every call then takes `step`."""
    ticks = count()
    return lambda: next(ticks) * step


def no_timer():
    raise AssertionError("measured, though the cache held the roof")


# --- judge --------------------------------------------------------------------------------------

def test_memory_bound_below_the_ridge():
    # 1 Gflop over 1 GB in 0.2 s: intensity 1, attainable 10 Gflop/s, achieved 5 Gflop/s.
    p = judge(1e9, 1e9, 0.2, 1e-6, ROOF)
    assert p == Point(1.0, 5e9, 5e9, 0.5, "memory")


def test_compute_bound_above_the_ridge():
    # 100 Gflop over 1 GB in 2 s: intensity 100, attainable the peak, achieved 50 Gflop/s.
    p = judge(100e9, 1e9, 2.0, 1e-6, ROOF)
    assert p == Point(100.0, 50e9, 0.5e9, 0.5, "compute")


def test_at_the_ridge_it_is_compute_bound():
    assert judge(10e9, 1e9, 1.0, 1e-6, ROOF).bound == "compute"


def test_near_the_dispatch_floor_it_is_dispatch_bound():
    p = judge(1e3, 1e3, 5e-6, 4e-6, ROOF)  # within DISPATCH_BOUND of the floor
    assert p.bound == "dispatch"
    assert p.intensity == 1.0 and p.fraction is not None  # the figures stand; the bound says what they mean
    assert judge(1e3, 1e3, 9e-6, 4e-6, ROOF).bound == "memory"


def test_no_flops_is_judged_against_the_bandwidth():
    p = judge(0.0, 1e9, 0.5, 1e-6, ROOF)
    assert p == Point(0.0, 0.0, 2e9, 0.2, "memory")


def test_unknown_flops_give_the_bandwidth_share_and_no_bound():
    p = judge(None, 1e9, 0.5, 1e-6, ROOF)
    assert p == Point(None, None, 2e9, 0.2, "unknown")


def test_unknown_bytes():
    assert judge(1e9, None, 0.5, 1e-6, ROOF) == Point(None, 2e9, None, None, "unknown")


def test_untimed_call_keeps_its_intensity_only():
    assert judge(1e9, 1e9, None, 1e-6, ROOF) == Point(1.0, None, None, None, "unknown")


def test_no_roof_and_no_floor():
    assert judge(1e9, 1e9, 0.2, None, None) == Point(1.0, 5e9, 5e9, None, "unknown")


def test_the_loop_near_the_floor_without_a_program():
    assert judge(None, None, 1e-6, 1e-6, ROOF) == Point(None, None, None, None, "dispatch")


def test_json_shape():
    out = roofline_json(ROOF, {"vmap": judge(1e9, 1e9, 0.2, 1e-6, ROOF)})
    assert out == {"bandwidth_bytes_s": 10e9, "peak_flops_s": 100e9,
                   "strategies": {"vmap": {"intensity": 1.0, "flops_s": 5e9, "bytes_s": 5e9,
                                           "fraction": 0.5, "bound": "memory"}}}
    json.dumps(out)


# --- words --------------------------------------------------------------------------------------

def test_words():
    assert roof_text(ROOF) == "roofline on cpu: 10 GB/s, 100 Gflop/s (measured)"
    assert roof_text(Roof("gpu", "NVIDIA H200", 4.1e12, 5.0e14, "cache", 0.0)) == \
        "roofline on gpu: 4.1 TB/s, 500 Tflop/s (cached)"
    points = {"vmap": Point(0.25, 12.4e9, 3.1e9, 0.41, "memory"), "loop": Point(None, None, None, None, "dispatch"),
              "manual": Point(2.0, 1e6, 5e5, 0.0032, "compute")}
    assert roofline_table(points, {"vmap": "vmap", "manual": "einsum"}) == [
        "           flop/B     bytes/s       flops/s  roofline  bound by",
        "vmap         0.25    3.1 GB/s  12.4 Gflop/s       41%  memory",
        "loop            -           -             -         -  dispatch",
        "einsum          2    500 kB/s     1 Mflop/s     0.32%  compute",
    ]


def test_rate():
    assert rate(999.0, "B") == "999 B/s"
    assert rate(1.5e15, "flop") == "1.5 Pflop/s"


# --- measuring and the cache --------------------------------------------------------------------

def test_measure_reads_its_figures_off_the_timer():
    # Every call takes 0.5 s on the fake clock: the copy moves 2 MiB, the matmul does 2 * 64^3.
    roof = measure(jax.devices("cpu")[0], fake_timer(), **SMALL)
    assert roof.bandwidth_bytes_s == 2 * (1 << 20) / 0.5
    assert roof.peak_flops_s == 2 * 64 ** 3 / 0.5
    assert (roof.platform, roof.source) == ("cpu", "measured")


def test_measure_for_real_gives_positive_finite_figures():
    roof = measure(jax.devices("cpu")[-1], **SMALL)  # not the default device: the probes run there
    for value in (roof.bandwidth_bytes_s, roof.peak_flops_s, roof.ridge):
        assert value > 0 and math.isfinite(value)


def test_cache_round_trip(tmp_path):
    device = jax.devices("cpu")[0]
    first = device_roof(device, fake_timer(), tmp_path, **SMALL)
    assert first.source == "measured"
    again = device_roof(device, no_timer, tmp_path, **SMALL)
    assert again.source == "cache"
    assert (again.bandwidth_bytes_s, again.peak_flops_s, again.measured_at) == \
        (first.bandwidth_bytes_s, first.peak_flops_s, first.measured_at)
    saved = json.loads((tmp_path / roofline.CACHE_FILE).read_text())
    assert list(saved) == [cache_key(device.platform, device.device_kind)]


def test_cache_key_differs_per_jax_and_device_kind():
    keys = {cache_key("gpu", "NVIDIA H200", "0.10.2", "0.10.2"), cache_key("gpu", "NVIDIA H100", "0.10.2", "0.10.2"),
            cache_key("gpu", "NVIDIA H200", "0.10.3", "0.10.2"), cache_key("gpu", "NVIDIA H200", "0.10.2", "0.10.3"),
            cache_key("cpu", "NVIDIA H200", "0.10.2", "0.10.2")}
    assert len(keys) == 5


def test_another_jax_s_entry_is_not_used(tmp_path):
    device = jax.devices("cpu")[0]
    other = cache_key(device.platform, device.device_kind, "0.0.1", "0.0.1")
    entry = {"bandwidth_bytes_s": 1.0, "peak_flops_s": 1.0, "measured_at": 0.0}
    (tmp_path / roofline.CACHE_FILE).write_text(json.dumps({other: entry}))
    assert device_roof(device, fake_timer(), tmp_path, **SMALL).source == "measured"
    saved = json.loads((tmp_path / roofline.CACHE_FILE).read_text())
    assert saved[other] == entry and len(saved) == 2  # the other entry is kept


@pytest.mark.parametrize("text", ["not json {", "[1, 2]", json.dumps({"KEY": {"bandwidth_bytes_s": "fast"}}),
                                  json.dumps({"KEY": {"bandwidth_bytes_s": -1.0, "peak_flops_s": 1.0}})])
def test_a_corrupt_cache_is_measured_over(tmp_path, text):
    device = jax.devices("cpu")[0]
    path = tmp_path / roofline.CACHE_FILE
    path.write_text(text.replace("KEY", cache_key(device.platform, device.device_kind)))
    assert device_roof(device, fake_timer(), tmp_path, **SMALL).source == "measured"
    assert device_roof(device, no_timer, tmp_path, **SMALL).source == "cache"


def test_an_unwritable_cache_still_gives_a_roof(tmp_path):
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    roof = device_roof(jax.devices("cpu")[0], fake_timer(), blocked, **SMALL)
    assert roof.source == "measured" and blocked.read_text() == ""


def test_the_cache_lives_under_xdg_cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert roofline.cache_dir() == tmp_path / "jaxbatch-tui"
    device_roof(jax.devices("cpu")[0], fake_timer(), **SMALL)
    assert (tmp_path / "jaxbatch-tui" / roofline.CACHE_FILE).is_file()
