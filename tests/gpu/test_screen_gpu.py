"""Item 2 on a GPU: the app draws at 160x48 on `--device gpu` and nothing else reaches its
terminal. XLA's C++ logging writes to file descriptor 2 (the first H200 run drew
`Failed to allocate device memory of 45.13GiB … CUDA_ERROR_OUT_OF_MEMORY` over the screen);
the app sends fd 2 to its log while it draws. Driven through a real pseudo-terminal, as a
person's terminal would be, with every byte the app wrote kept and searched."""

import subprocess
import sys

from .pty_app import LOG_LINE, run_in_pty


def test_the_screen_holds_nothing_but_the_app(device, record_property):
    command = [sys.executable, "-m", "jaxbatch", "--device", device, "--batch", "4096"]
    out = run_in_pty(command, until=b"agrees")
    found = LOG_LINE.findall(out)
    record_property("figure", f"{len(out):,} bytes drawn at 160x48 on {device}; log lines on screen: {len(found)}")
    assert not found, found[:5]


def test_the_report_keeps_xlas_log_lines_off_stdout(device, record_property):
    p = subprocess.run([sys.executable, "-m", "jaxbatch", "report", "--device", device, "--no-timings", "--json"],
                       capture_output=True, timeout=300)
    record_property("figure", f"report: {len(p.stdout):,} bytes of JSON, {len(p.stderr.splitlines())} lines on stderr")
    assert p.returncode == 0, p.stderr[-2000:]
    assert not LOG_LINE.search(p.stdout)
