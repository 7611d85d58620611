"""Quit, hang up or lose the terminal at any moment: the installed command ends cleanly, with
the conventional status, no abort and no process left behind. Driven in a real pseudo-terminal
(tests/quit_harness.py), at moments spread over the first seconds: start-up, JAX's import, the
analysis, the timings; and during a sweep.

A sample sized for the suite (under two minutes on a 2-core box): `python
tests/bench/bench_quit_soak.py` runs the issue's full count (30 q moments on each of two
models, 30 hang-ups, 10 during a sweep) and measures how long each end took."""

import pytest

from quit_harness import moments, run_all

SEED = ()
LARGE = ("--model", "at-set-large", "--batch", "4096")


def check(runs) -> None:
    bad = {f"{' '.join(r.args) or 'seed'} {r.action} at {r.at_s:.2f} s": r.problems() for r in runs if r.problems()}
    assert not bad, bad


@pytest.mark.parametrize("args", [SEED, LARGE], ids=["seed", "at-set-large-4096"])
def test_q_at_any_moment_ends_with_status_0_and_leaves_nothing(args):
    check(run_all([(args, "q", at, False) for at in moments(5, 6.0)] + [(args, "ctrl+c", 2.6, False)]))


def test_a_hang_up_at_any_moment_ends_it_and_its_helpers():
    check(run_all([(SEED, "hangup", at, False) for at in moments(6, 6.0)]))


def test_q_a_hang_up_and_sigterm_during_a_sweep_or_a_chunk_sweep():
    check(run_all([(SEED, "q", 1.0, True), (SEED, "hangup", 2.0, True), (SEED, "sigterm", 1.5, True),
                   (LARGE, "q", 1.5, "S")]))


def test_sigterm_at_any_moment_ends_it_with_status_143():
    check(run_all([(SEED, "sigterm", at, False) for at in moments(3, 6.0)]))
