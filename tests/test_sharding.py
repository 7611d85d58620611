"""The batch sharded over devices (4 simulated CPU devices in every test, see conftest.py)."""

import json
import os
import subprocess
import sys

import jax
import pytest

from jaxbatch.media.json_report import report_json
from jaxbatch.media.text import render
from jaxbatch.presentation.notes import program_note_text, sharded_note_text
from jaxbatch.results.report import AutoAxes, NotSharded
from jaxbatch.results.selection import Selection

from reports import analyze


@pytest.fixture(scope="module")
def seed8():
    return analyze(Selection("tanh-dense", (8,), "cpu"))


def test_the_tests_see_four_cpu_devices():
    assert len(jax.devices("cpu")) == 4


def test_both_sharded_strategies_agree_with_the_loop(seed8):
    assert seed8.devices == 4
    for key, label in (("sharded", "sharded"), ("shard_map", "shard_map")):
        s = seed8.strategies[key]
        assert s.label == label and s.agrees and s.hlo is not None


def test_their_programs_show_the_sharding(seed8):
    assert "b:f32[8@batch,3]" in seed8.strategies["sharded"].jaxpr  # Explicit axes: the sharding is in the types
    assert "shard_map[" in seed8.strategies["shard_map"].jaxpr and "{V:batch}" in seed8.strategies["shard_map"].jaxpr
    assert "sdy.sharding" in seed8.strategies["sharded"].hlo.stablehlo
    data = report_json(seed8)
    assert set(data["strategies"]) == {"loop", "manual", "vmap", "chunked", "sharded", "shard_map"}
    assert data["devices"] == 4


def test_a_batch_that_does_not_divide_says_so_and_runs_the_rest():
    report = analyze(Selection("tanh-dense", (5,), "cpu"))
    assert "sharded" not in report.strategies
    assert report.sharded_note == NotSharded(5, 4, "cpu")
    assert sharded_note_text(report.sharded_note).startswith("not run: batch dimension 5 does not divide over 4 cpu")
    assert "sharded      not run: batch dimension 5" in render(report)


def test_primitives_without_explicit_axes_fall_back_to_auto_and_say_so():
    report = analyze(Selection("while-loop", (8,), "cpu"))
    s = report.strategies["sharded"]
    assert s.agrees and isinstance(s.program_note, AutoAxes) and s.program_note.raised.startswith("ValueError")
    assert program_note_text(s.program_note).startswith("Explicit mesh axes raised ValueError")
    assert "@batch" not in s.jaxpr


def test_shard_map_of_a_per_example_gradient_sums_it_over_devices():
    """The replicated parameters' cotangent is psum'd across devices (check_vma): the app must
    show the disagreement, not hide it."""
    report = analyze(Selection("per-example-grad", (8,), "cpu"))
    assert report.strategies["sharded"].agrees
    assert report.strategies["shard_map"].agrees is False and report.strategies["shard_map"].max_abs_diff > 0.1
    assert "psum_invariant" in report.strategies["shard_map"].jaxpr


def test_host_devices_from_the_command_line():
    env = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}
    out = subprocess.run([sys.executable, "-m", "jaxbatch", "report", "--host-devices", "2", "--batch", "6", "--json",
                          "--no-timings"], capture_output=True, text=True, env=env, timeout=120)
    data = json.loads(out.stdout)
    assert data["devices"] == 2 and data["strategies"]["sharded"]["agrees"]
    assert [d["spec"] for d in data["backends"]["devices"]] == ["cpu:0", "cpu:1"]


@pytest.mark.parametrize("value", ["0", "-2", "x", "1000"])
def test_a_bad_device_count_is_one_line(capsys, value):
    from jaxbatch.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["report", "--host-devices", value])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and "is not a number of devices (1-256)" in err and err.count("\n") == 1


def test_their_peak_memory_is_said_to_be_one_device_s(seed8):
    """Each device runs the sharded program on its share: the text names the figure per device,
    the loop-free strategies per call."""
    lines = {line.split()[0]: line for line in render(seed8, width=200).splitlines() if " per instance" in line}
    assert " per device · " in lines["sharded"] and " per device · " in lines["shard_map"]
    assert " per call   · " in lines["vmap"]
