"""No helper outlives what started it: the float64 helper of a report given up on (--timeout)
or killed, and the timing helper of an app killed outright (SIGKILL: no handler runs), end
within a few seconds on their own (jaxbatch.lab.parent_watch)."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from quit_harness import MARKER, processes_of, run

FIXTURE = Path(__file__).parent / "fixtures" / "blocking_model.py"
GONE_WITHIN_S = 30.0  # generous on a busy CI box; the helpers poll every 0.25 s


def gone(marker: str) -> bool:
    deadline = time.monotonic() + GONE_WITHIN_S
    while processes_of(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = processes_of(marker)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    return not left


def left_files(tmp: Path) -> list[str]:
    """The float64 references' folders left in a run's temporary folder."""
    return [p.name for p in tmp.glob("jaxbatch-f64-*")]


def test_a_report_given_up_on_leaves_no_float64_helper(tmp_path):
    marker = uuid.uuid4().hex
    p = subprocess.run([sys.executable, "-m", "jaxbatch", "report", "--model", f"{FIXTURE}:blocks_in_float64",
                        "--input", "f32[3]", "--batched", f"{FIXTURE}:blocks_in_float64_batched", "--no-timings",
                        "--timeout", "20"], capture_output=True, text=True, timeout=300,
                       env={**os.environ, MARKER: marker, "TMPDIR": str(tmp_path)})
    assert p.returncode == 2 and "float64" in p.stderr, p.stderr
    assert gone(marker) and not left_files(tmp_path)


def test_an_app_killed_outright_leaves_no_timing_helper():
    """SIGKILL mid-timings: nothing of the app runs, and its helper ends by itself."""
    r = run((), "sigkill", 4.0)
    assert r.status == -signal.SIGKILL and not r.left, r.problems()


def test_a_report_killed_outright_leaves_no_float64_helper_and_no_files(tmp_path):
    marker = uuid.uuid4().hex
    report = subprocess.Popen([sys.executable, "-m", "jaxbatch", "report", "--model", f"{FIXTURE}:blocks_in_float64",
                               "--input", "f32[3]", "--batched", f"{FIXTURE}:blocks_in_float64_batched",
                               "--no-timings"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, MARKER: marker, "TMPDIR": str(tmp_path)})
    try:
        deadline = time.monotonic() + 240
        # the report and its float64 helper, with the helper's folder
        while not (len(processes_of(marker)) == 2 and left_files(tmp_path)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(processes_of(marker)) == 2 and left_files(tmp_path)
    finally:
        report.kill()
        report.wait()
    assert gone(marker) and not left_files(tmp_path)


def test_an_idle_float64_helper_ends_with_the_process_that_started_it(tmp_path):
    """Between references the helper waits for the next one: killed outright then, its parent
    leaves no helper behind either."""
    marker, answered = uuid.uuid4().hex, tmp_path / "answered"
    rounding = Path(__file__).parent / "fixtures" / "rounding_model.py"
    code = ("import pathlib, sys, time\nfrom jaxbatch.lab.analysis import analyze\n"
            "from jaxbatch.results.selection import Selection\n"
            f"analyze(Selection('{rounding}:MODEL', (3,)))\npathlib.Path(sys.argv[1]).touch()\ntime.sleep(600)\n")
    process = subprocess.Popen([sys.executable, "-c", code, str(answered)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env={**os.environ, MARKER: marker})
    try:
        deadline = time.monotonic() + 240
        while not answered.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert answered.exists() and len(processes_of(marker)) == 2  # it and its helper, idle
    finally:
        process.kill()
        process.wait()
    assert gone(marker)
