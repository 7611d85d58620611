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


def test_a_report_given_up_on_leaves_no_float64_helper():
    marker = uuid.uuid4().hex
    p = subprocess.run([sys.executable, "-m", "jaxbatch", "report", "--model", f"{FIXTURE}:blocks_in_float64",
                        "--input", "f32[3]", "--batched", f"{FIXTURE}:blocks_in_float64_batched", "--no-timings",
                        "--timeout", "20"], capture_output=True, text=True, timeout=300,
                       env={**os.environ, MARKER: marker})
    assert p.returncode == 2 and "float64" in p.stderr, p.stderr
    assert gone(marker)


def test_an_app_killed_outright_leaves_no_timing_helper():
    """SIGKILL mid-timings: nothing of the app runs, and its helper ends by itself."""
    r = run((), "sigkill", 4.0)
    assert r.status == -signal.SIGKILL and not r.left, r.problems()


def test_a_report_killed_outright_leaves_no_float64_helper():
    marker = uuid.uuid4().hex
    report = subprocess.Popen([sys.executable, "-m", "jaxbatch", "report", "--model", f"{FIXTURE}:blocks_in_float64",
                               "--input", "f32[3]", "--batched", f"{FIXTURE}:blocks_in_float64_batched",
                               "--no-timings"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, MARKER: marker})
    try:
        deadline = time.monotonic() + 240
        while len(processes_of(marker)) < 2 and time.monotonic() < deadline:  # the report and its float64 helper
            time.sleep(0.1)
        assert len(processes_of(marker)) == 2
    finally:
        report.kill()
        report.wait()
    assert gone(marker)
