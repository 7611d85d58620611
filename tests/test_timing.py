"""The timing engine under a fake clock: deterministic, so every number can be checked exactly."""

import pytest

from jaxbatch.results import timing

from clocks import ticking


class FakeClock:
    """A timer whose time moves only when a fake call says it took time."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def call_taking(self, *seconds: float):
        durations = iter(seconds)
        last = [seconds[-1]]

        def call():
            last[0] = next(durations, last[0])
            self.now += last[0]

        return call


def test_autorange_grows_reps_until_a_round_is_long_enough():
    clock = FakeClock()
    assert timing.autorange(clock.call_taking(0.001), clock, min_round_s=0.02) == 20
    assert timing.autorange(clock.call_taking(0.05), clock, min_round_s=0.02) == 1
    assert timing.autorange(clock.call_taking(1e-6), clock, min_round_s=0.02) == 20_000


def test_autorange_stops_at_max_reps_when_the_clock_never_moves():
    calls = []
    assert timing.autorange(lambda: calls.append(1), lambda: 0.0) == timing.MAX_REPS


def test_median_and_iqr_of_rounds_ignore_the_warm_up_call():
    clock = FakeClock()
    # warm-up 1 s (ignored), autorange probe 0.03 s, then rounds of one call each
    call = clock.call_taking(1.0, 0.03, 0.030, 0.031, 0.029, 0.032, 0.028, 0.030, 0.100)
    series = timing.Series(call, clock, min_round_s=0.02)  # as live.Bench times each strategy
    assert series.round() == pytest.approx(0.030)  # the first round: warm-up and probe apart
    for _ in range(6):
        series.round()
    m = series.measurement()
    assert m.reps == 1 and m.rounds == 7 and len(series.per_call) == 7
    assert m.median_s == pytest.approx(0.030)
    assert m.iqr_s == pytest.approx(0.0315 - 0.0295)  # quartiles of the 7 rounds, interpolated


def test_timing_derives_per_instance_ratio_and_dispatch_bound():
    m = timing.Measurement(median_s=8e-6, iqr_s=1e-7, reps=1000, rounds=7)
    t = timing.timing(m, compile_s=0.03, instances=4, floor_s=5e-6, manual_s=4e-6)
    assert t.per_instance_s == pytest.approx(2e-6)
    assert t.ratio_to_manual == pytest.approx(2.0)
    assert t.dispatch_bound is True  # 8 µs is within 2x of a 5 µs floor
    slow = timing.timing(m, None, 4, floor_s=1e-6, manual_s=None)
    assert slow.dispatch_bound is False and slow.ratio_to_manual is None and slow.compile_s is None


def test_report_with_an_injected_timer_is_deterministic(monkeypatch):
    """The whole path (floor, compiled strategies, loop) runs on the injected clock."""
    from jaxbatch.lab.analysis import analyze
    from jaxbatch.media.json_report import report_json
    from jaxbatch.results.selection import Selection
    from jaxbatch.results.timing import scaling

    report = analyze(Selection(batch_shape=(100,)), timer=ticking())
    t = report.timings
    # 100 divides over the 4 test devices
    assert set(t) == {"loop", "manual", "vmap", "chunked", "sharded", "shard_map"}
    assert scaling(t, report.devices) == (pytest.approx(1.0), pytest.approx(0.25))  # every call lasts 0.2 s
    assert t["loop"].estimated is True and t["manual"].estimated is False  # 100 > 64 instances sampled
    assert t["loop"].compile_s is None and t["vmap"].compile_s > 0
    assert t["manual"].ratio_to_manual == pytest.approx(1.0)
    data = report_json(report)
    assert set(data["timings"]["vmap"]) >= {"compile_s", "median_s", "iqr_s", "reps", "per_instance_s", "estimated"}
    assert data["dispatch_floor_s"] == report.timings.floor_s > 0


def test_no_timer_no_timings():
    from jaxbatch.media.json_report import report_json
    from jaxbatch.results.selection import Selection

    from reports import analyze

    report = analyze(Selection())
    assert report.timings is None and "timings" not in report_json(report)
