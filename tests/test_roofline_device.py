"""The roofline: judging a call against the device's limits, and measuring and caching those
limits. Timers are fake wherever a figure is checked: no test depends on the machine's speed."""

import dataclasses
import json
import math
from itertools import count
from types import SimpleNamespace

import jax
import pytest

from jaxbatch.lab import roofline
from jaxbatch.lab.roofline import cache_key, device_roof, least_per_call_s, measure, probe_sizes
from jaxbatch.media.json_report import report_json
from jaxbatch.media.text import render
from jaxbatch.presentation.roofline import bound_text, latency_note, roof_text, roofline_table
from jaxbatch.presentation.units import rate
from jaxbatch.results.report import Roof
from jaxbatch.results.roof import LATENCY_FRACTION, Point, judge, roofline_json, waits_on
from jaxbatch.results.selection import PRECISIONS, Selection
from jaxbatch.results.timing import Timings

import scripted

# 10 GB/s and 100 Gflop/s: the ridge at 10 flop/B.
ROOF = Roof("cpu", "cpu", 10e9, 100e9, "measured", 0.0)
# An H200 as the issue measured it: TF32 at default precision, 7.8x float32's rate at "highest".
H200_PEAKS = {"default": 389e12, "high": 130e12, "highest": 50e12}
H200 = Roof("gpu", "NVIDIA H200", 3.2e12, 389e12, "cache", 0.0, "default", H200_PEAKS)
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


def test_far_under_the_roofline_the_time_is_latency_not_memory():
    # A host callback's call: 1 Mflop over 1 MB in 1 s, 0.01% of the 10 Gflop/s it could reach.
    assert judge(1e6, 1e6, 1.0, 1e-6, ROOF, "callback") == Point(1.0, 1e6, 1e6, 1e-4, "latency", "callback")
    assert judge(1e6, 1e6, 1.0, 1e-6, ROOF) == Point(1.0, 1e6, 1e6, 1e-4, "latency")  # waiting on what isn't shown
    assert judge(1e7, 1e5, 1.0, 1e-6, ROOF, "devices").bound == "latency"  # above the ridge too: 1e7 of 1e11
    assert judge(0.0, 1e6, 1.0, 1e-6, ROOF, "loop").bound == "latency"  # a copy at 1 MB/s of 10 GB/s


def test_the_latency_threshold():
    # 1 Gflop over 1 GB: attainable in 0.1 s; under LATENCY_FRACTION of that rate, latency.
    at = 0.1 / LATENCY_FRACTION
    assert judge(1e9, 1e9, at * 1.01, 1e-6, ROOF).bound == "latency"
    assert judge(1e9, 1e9, at, 1e-6, ROOF, "loop") == Point(1.0, 1e9 / at, 1e9 / at, LATENCY_FRACTION, "memory", "loop")


def test_a_slow_kernel_is_no_latency():
    """XLA:CPU's grouped convolution ran at 0.5% of the roofline with nothing to wait on."""
    assert judge(1e9, 1e9, 20.0, 1e-6, ROOF).bound == "memory"


def test_the_dispatch_floor_comes_before_latency():
    p = judge(1.0, 1.0, 5e-6, 4e-6, ROOF, "callback")
    assert (p.bound, p.waits_on) == ("dispatch", "callback") and p.fraction < LATENCY_FRACTION
    assert bound_text(p) == "dispatch"  # what a program waits on is said where it explains the time


def test_a_share_of_the_bandwidth_alone_is_no_latency():
    """Unknown flops give the least the fraction can be: too little to call it latency."""
    assert judge(None, 1e6, 1.0, 1e-6, ROOF, "callback").bound == "unknown"


def test_what_a_program_waits_on():
    callback = 'custom-call(%x), custom_call_target="xla_ffi_python_cpu_callback", api_version=API_VERSION_TYPED_FFI'
    assert waits_on(callback, [64]) == "callback"
    assert waits_on('custom_call_target="xla_python_gpu_callback"', []) == "callback"
    assert waits_on('custom_call_target="__cublas$gemm"', []) == ""  # a library call is the work
    assert waits_on("HloModule jit_f, num_partitions=4", []) == "devices"
    assert waits_on("HloModule jit_f, num_partitions=1", [1]) == ""  # one device, one step
    assert waits_on("HloModule jit_f", [6]) == waits_on("HloModule jit_f", [None]) == "loop"


def test_json_shape():
    out = roofline_json(ROOF, {"vmap": judge(1e9, 1e9, 0.2, 1e-6, ROOF)})
    assert out == {"bandwidth_bytes_s": 10e9, "peak_flops_s": 100e9, "precision": "default",
                   "peak_flops_by_precision": {}, "ignores_precision": False,
                   "latency_fraction": 0.001,
                   "strategies": {"vmap": {"intensity": 1.0, "flops_s": 5e9, "bytes_s": 5e9,
                                           "fraction": 0.5, "bound": "memory", "waits_on": ""}}}
    json.dumps(out)


def test_the_roof_at_a_precision():
    highest = H200.at("highest")
    assert (highest.peak_flops_s, highest.precision, highest.peak_flops_by_precision) == (50e12, "highest", H200_PEAKS)
    assert highest.ridge == 50e12 / 3.2e12
    assert H200.at("fp8") == H200  # a precision not measured: the roof stays, naming its own
    assert ROOF.at("highest") == ROOF


def test_a_roof_survives_the_helper_s_json():
    """The helper sends the roof inside LiveTimings as JSON; the pane reads it back with Roof(**data)."""
    assert Roof(**json.loads(json.dumps(H200.to_json()))) == H200


def report_at(precision: str, roof: Roof = H200):
    timings = {"manual": scripted.timing_of(171e-6), "vmap": scripted.timing_of(9e-6)}
    return dataclasses.replace(scripted.report(), timings=Timings(timings, 1e-9, roof),
                               selection=Selection(precision=precision))


def test_the_report_s_roofline_is_at_the_precision_it_ran_at():
    for precision, peak in H200_PEAKS.items():
        data = report_json(report_at(precision))["roofline"]
        assert (data["precision"], data["peak_flops_s"]) == (precision, peak)
        assert data["peak_flops_by_precision"] == H200_PEAKS and data["bandwidth_bytes_s"] == 3.2e12
    assert report_json(dataclasses.replace(report_at("default"), selection=None))["roofline"]["precision"] == "default"
    assert "roofline on gpu: 3.2 TB/s, 50 Tflop/s at highest matmul precision (cached)" in render(report_at("highest"))


def test_the_report_says_what_latency_means_where_a_call_is_so_judged():
    data = report_json(report_at("default"))["roofline"]
    assert {k: p["bound"] for k, p in data["strategies"].items()} == {"manual": "latency", "vmap": "latency"}
    text = render(report_at("default"))
    assert "latency: under 0.1% of the roofline, the time is waiting, not the work" in text
    fast = dataclasses.replace(H200, bandwidth_bytes_s=1e3, peak_flops_s=1e3, peak_flops_by_precision={})
    assert "latency:" not in render(report_at("default", fast))


# --- words --------------------------------------------------------------------------------------

def test_words():
    assert roof_text(ROOF) == "roofline on cpu: 10 GB/s, 100 Gflop/s at default matmul precision (measured)"
    assert roof_text(H200) == "roofline on gpu: 3.2 TB/s, 389 Tflop/s at default matmul precision (cached)"
    assert roof_text(H200.at("highest")) == "roofline on gpu: 3.2 TB/s, 50 Tflop/s at highest matmul precision (cached)"
    cpu = dataclasses.replace(ROOF, ignores_precision=True)
    assert roof_text(cpu.at("highest")) == "roofline on cpu: 10 GB/s, 100 Gflop/s at any matmul precision (measured)"
    points = {"vmap": Point(0.25, 12.4e9, 3.1e9, 0.41, "memory"), "loop": Point(None, None, None, None, "dispatch"),
              "manual": Point(2.0, 1e6, 5e5, 0.0032, "compute")}
    assert roofline_table(points, {"vmap": "vmap", "manual": "einsum"}) == [
        "           flop/B     bytes/s       flops/s  roofline  bound by",
        "vmap         0.25    3.1 GB/s  12.4 Gflop/s       41%  memory",
        "loop            -           -             -         -  dispatch",
        "einsum          2    500 kB/s     1 Mflop/s     0.32%  compute",
    ]
    assert latency_note(points) is None
    waiting = {key: Point(0.25, 1e3, 4e3, 1e-7, "latency", waits)
               for key, waits in (("vmap", "callback"), ("sharded", "devices"), ("chunked", "loop"), ("manual", ""))}
    assert [line.rsplit("  ", 1)[1] for line in roofline_table(waiting, {})[1:]] == [
        "latency (host callback)", "latency (devices)", "latency (loop steps)", "latency"]
    assert latency_note(waiting) == (
        "latency: under 0.1% of the roofline, the time is waiting, not the work: on a host callback, several "
        "devices, a loop's sequential steps or a GPU's kernel launches")


def test_rate():
    assert rate(999.0, "B") == "999 B/s"
    assert rate(1.5e15, "flop") == "1.5 Pflop/s"


# --- measuring and the cache --------------------------------------------------------------------

def test_measure_reads_its_figures_off_the_timer():
    # Every round takes 0.5 s on the fake clock, one call: the copy reads and writes 1 MiB, the
    # matmul does 2 * 64^3 flops, measured once for every precision: XLA:CPU ignores it.
    roof = measure(jax.devices("cpu")[0], fake_timer(), **SMALL)
    assert roof.bandwidth_bytes_s == 2 * (1 << 20) / 0.5
    assert roof.peak_flops_s == 2 * 64 ** 3 / 0.5
    assert roof.peak_flops_by_precision == dict.fromkeys(PRECISIONS, 2 * 64 ** 3 / 0.5)
    assert (roof.platform, roof.source, roof.precision, roof.ignores_precision) == ("cpu", "measured", "default", True)


class FakeDevice(SimpleNamespace):
    def memory_stats(self):
        if self.limit is None:
            raise RuntimeError("no memory stats here")
        return {"bytes_limit": self.limit}


def gpu(limit=None):
    return FakeDevice(platform="gpu", device_kind="NVIDIA H200", limit=limit)


def test_a_gpu_s_peak_is_measured_at_each_precision(monkeypatch):
    asked = []

    def peak_flops(device, timer, matmul_n, precision="default"):
        asked.append(precision)
        return H200_PEAKS[precision]
    monkeypatch.setattr(roofline, "bandwidth", lambda device, timer, copy_bytes: 3.2e12)
    monkeypatch.setattr(roofline, "peak_flops", peak_flops)
    roof = measure(gpu(100 << 30))
    assert asked == list(PRECISIONS)
    assert (roof.peak_flops_s, roof.precision, roof.peak_flops_by_precision) == (389e12, "default", H200_PEAKS)
    assert not roof.ignores_precision and roof.bandwidth_bytes_s == 3.2e12


def test_the_peak_is_compiled_at_the_precision_asked(monkeypatch):
    scopes = []
    real = roofline.matmul_precision.scope
    monkeypatch.setattr(roofline.matmul_precision, "scope", lambda p: scopes.append(p) or real(p))
    roofline.peak_flops(jax.devices("cpu")[0], fake_timer(), 64, "highest")
    assert scopes == ["highest"]


def test_the_figure_is_the_least_time_per_call_over_rounds():
    """Not the median: a limit is the best the device does; anything else only adds time."""
    clock = [0.0]
    per_call = iter([1.0] + [0.5, 0.375, 0.25, 0.625, 0.75, 0.875, 1.0])  # the warm-up, then the rounds
    calls = []

    def run(n):
        calls.append(n)
        clock[0] += n * next(per_call)
    assert least_per_call_s(run, lambda: clock[0]) == 0.25  # the median would be 0.625
    assert calls == [1] * (1 + roofline.ROUNDS)  # one call lasts MIN_ROUND_S and WARM_UP_S


def test_a_round_grows_until_it_lasts_min_round_s():
    clock = [0.0]
    calls = []

    def run(n):
        calls.append(n)
        clock[0] += n * 0.003  # 3 ms a call: 8 make a round of MIN_ROUND_S, 20 ms
    assert least_per_call_s(run, lambda: clock[0]) == pytest.approx(0.003)
    warm_up = [1, 2, 4, 8, 8, 8, 8]  # 45 ms to find the 8, then rounds of 8 until WARM_UP_S, 0.1 s
    assert calls == warm_up + [8] * roofline.ROUNDS


def test_probe_sizes():
    assert probe_sizes(jax.devices("cpu")[0]) == (256 << 20, 1536)
    assert probe_sizes(gpu(104 << 30)) == (1 << 30, 8192)  # an H200: 1 GiB, and 3 x 256 MiB for the matmul
    assert probe_sizes(gpu(16 << 30)) == (1 << 30, 8192)
    assert probe_sizes(gpu(None)) == (1 << 30, 4096)  # no memory stats: 4 GiB assumed
    assert probe_sizes(gpu(2 << 30)) == (512 << 20, 4096)  # a quarter of a small device


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
    assert dataclasses.replace(again, source="measured") == first  # every precision's peak included
    saved = json.loads((tmp_path / roofline.CACHE_FILE).read_text())
    assert list(saved) == [cache_key(device.platform, device.device_kind)]
    entry = saved[cache_key(device.platform, device.device_kind)]
    assert entry["peak_flops_by_precision"] == first.peak_flops_by_precision
    assert entry["peak_flops_s"] == first.peak_flops_s  # where older versions read it


def test_a_gpu_s_peaks_per_precision_come_back_from_the_cache(tmp_path):
    entry = {"bandwidth_bytes_s": 3.2e12, "peak_flops_s": 389e12, "peak_flops_by_precision": H200_PEAKS,
             "measured_at": 0.0}
    (tmp_path / roofline.CACHE_FILE).write_text(json.dumps({cache_key("gpu", "NVIDIA H200"): entry}))
    assert device_roof(gpu(), no_timer, tmp_path) == H200


def test_an_entry_from_before_the_peaks_per_precision_is_measured_over(tmp_path):
    """Its bandwidth was the median of rounds, understated; it has no peak but the default's."""
    device = jax.devices("cpu")[0]
    key = cache_key(device.platform, device.device_kind)
    path = tmp_path / roofline.CACHE_FILE
    path.write_text(json.dumps({key: {"bandwidth_bytes_s": 1.0, "peak_flops_s": 1.0, "measured_at": 0.0}}))
    roof = device_roof(device, fake_timer(), tmp_path, **SMALL)
    assert roof.source == "measured" and roof.bandwidth_bytes_s == 2 * (1 << 20) / 0.5
    assert set(json.loads(path.read_text())[key]["peak_flops_by_precision"]) == set(PRECISIONS)


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


GOOD_PEAKS = dict.fromkeys(PRECISIONS, 1.0)


@pytest.mark.parametrize("entry", [
    {"bandwidth_bytes_s": "fast"},
    {"bandwidth_bytes_s": -1.0, "peak_flops_s": 1.0, "peak_flops_by_precision": GOOD_PEAKS},
    {"bandwidth_bytes_s": 1.0, "peak_flops_by_precision": "fast"},
    {"bandwidth_bytes_s": 1.0, "peak_flops_by_precision": {"default": 1.0}},  # a precision missing
    {"bandwidth_bytes_s": 1.0, "peak_flops_by_precision": {**GOOD_PEAKS, "highest": float("nan")}},
    {"bandwidth_bytes_s": 1.0, "peak_flops_by_precision": GOOD_PEAKS, "measured_at": "yesterday"},
])
def test_a_bad_entry_is_measured_over(tmp_path, entry):
    device = jax.devices("cpu")[0]
    (tmp_path / roofline.CACHE_FILE).write_text(json.dumps({cache_key(device.platform, device.device_kind): entry}))
    assert device_roof(device, fake_timer(), tmp_path, **SMALL).source == "measured"
    assert device_roof(device, no_timer, tmp_path, **SMALL).source == "cache"


@pytest.mark.parametrize("text", ["not json {", "[1, 2]", json.dumps({"KEY": [1.0]})])
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


def test_the_pane_s_roofline_puts_a_long_label_above_its_cells_where_they_would_not_fit():
    points = {"manual": Point(0.4, 1e9, 2e9, 0.3, "memory"), "vmap": Point(0.4, 1e9, 2e9, 0.3, "memory")}
    labels = {"manual": "scan over a batch of states", "vmap": "vmap"}
    wide, narrow = roofline_table(points, labels), roofline_table(points, labels, 70)
    assert max(map(len, wide)) > 70 and max(map(len, narrow)) <= 70
    assert narrow[1] == "scan over a batch of states" and narrow[2].split() == wide[1].split()[6:]
