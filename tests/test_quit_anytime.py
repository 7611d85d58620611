"""Quit, hang up or lose the terminal at any moment: the installed command ends cleanly, with
the conventional status, no abort and no process left behind. Driven in a real pseudo-terminal
(tests/quit_harness.py), at moments spread over the first six seconds (start-up, JAX's import,
the analysis, the timings) and during a sweep and a chunk sweep: the issue's full count, 32 `q`
moments, 30 hang-ups and 10 during a sweep, with ctrl+c and SIGTERM beside them. Each run has
a temporary folder of its own, which it must leave as it found it.

`python tests/bench/bench_quit_soak.py` runs a longer soak and measures how long each end took;
no test here asserts a duration."""

import pytest

from quit_harness import moments, run_all

SEED = ()
LARGE = ("--model", "at-set-large", "--batch", "4096")
MODELS = pytest.mark.parametrize("args", [SEED, LARGE], ids=["seed", "at-set-large-4096"])
# One test at a time, on one of pytest-xdist's workers: each runs 4 apps at a time already.
pytestmark = pytest.mark.xdist_group("quit-harness")


def check(runs) -> None:
    bad = {f"{' '.join(r.args) or 'seed'} {r.action} at {r.at_s:.2f} s": r.problems() for r in runs if r.problems()}
    assert not bad, bad


@MODELS
def test_q_at_any_moment_ends_with_status_0_and_leaves_nothing(args):
    check(run_all([(args, "q", at, False) for at in moments(16, 6.0)]))


@MODELS
def test_a_hang_up_at_any_moment_ends_it_and_its_helpers(args):
    check(run_all([(args, "hangup", at, False) for at in moments(15, 6.0)]))


def test_a_hang_up_ends_it_though_it_was_started_ignoring_hang_ups():
    """As under `nohup jaxbatch-tui`, at moments over start-up: a hang-up ends it all the same
    (one before its first line of Python runs is ignored, but then it finds its terminal gone)."""
    check(run_all([(SEED, "hangup", at, False) for at in moments(8, 1.2)], hang_ups="IGNORE"))


def test_a_terminal_lost_without_a_hang_up_signal_ends_it_as_a_hang_up():
    """SIGHUP blocked, so only the terminal goes: the app sees it go, and ends with a hang-up's status."""
    runs = run_all([(SEED, "hangup", at, False) for at in moments(4, 4.0)], hang_ups="BLOCK")
    check(runs)
    assert {r.status for r in runs} == {129}


def test_q_a_hang_up_or_sigterm_during_a_sweep_or_a_chunk_sweep():
    actions = ("q", "hangup", "sigterm")
    sweeps = [(SEED, actions[i % 3], at, True) for i, at in enumerate(moments(7, 4.0))]
    chunk_sweeps = [(LARGE, actions[i % 3], at, "S") for i, at in enumerate(moments(3, 3.0))]
    check(run_all(sweeps + chunk_sweeps))


def test_ctrl_c_and_sigterm_at_any_moment():
    check(run_all([(SEED, "ctrl+c", at, False) for at in moments(3, 6.0)]
                  + [(SEED, "sigterm", at, False) for at in moments(4, 6.0)]))


def test_any_end_while_a_float64_reference_is_made_leaves_no_helper_and_no_files(fixture_ref):
    """This model's hand version is off the loop beyond float32's tolerance: the app asks its
    float64 helper, whose files are in the run's temporary folder (the harness checks it)."""
    args = ("--model", fixture_ref("rounding_model", "MODEL"), "--batch", "3")
    check(run_all([(args, action, at, False) for action in ("q", "hangup", "sigterm", "sigkill")
                   for at in (2.0, 4.0)]))
