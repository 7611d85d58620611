"""The real command in a pseudo-terminal, as a person's terminal runs it: every byte it draws."""

import fcntl
import os
import re
import select
import struct
import subprocess
import termios
import time
from typing import Callable, Optional

# absl's log prefix (`W1204 16:07:24.123456  1234 file.cc:12]`), XLA's sources, the allocator's retries.
LOG_LINE = re.compile(rb"[IWEF]\d{4} \d\d:\d\d:\d\d\.\d+|external/xla|Failed to allocate|CUDA_ERROR|TfrtGpu")
ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][A-Z0-9]|\x1b[=>]")


def run_in_pty(argv: list[str], until: bytes, cols: int = 160, rows: int = 48, limit_s: float = 300.0,
               meanwhile: Optional[Callable[[], None]] = None, env: Optional[dict] = None) -> bytes:
    """Everything the command writes to its terminal until `until` shows (escape codes aside),
    then, after `meanwhile()` (a look at the running app), `q`, until it exits."""
    fd, terminal = os.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    base = os.environ if env is None else env
    # subprocess forks and execs in C: a fork in Python (pty.fork) could deadlock beside JAX's threads
    app = subprocess.Popen(argv, stdin=terminal, stdout=terminal, stderr=terminal, start_new_session=True,
                           env={**base, "TERM": "xterm-256color", "COLUMNS": str(cols), "LINES": str(rows)})
    os.close(terminal)
    out, quit_sent, deadline = b"", False, time.monotonic() + limit_s
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:  # the app exited: the pty is closed
                    break
                if not chunk:
                    break
                out += chunk
            if not quit_sent and until in ANSI.sub(b"", out):
                time.sleep(2.0)  # let the timings start too: the helper process logs to its own file
                if meanwhile is not None:
                    meanwhile()
                os.write(fd, b"q")
                quit_sent = True
    finally:
        app.kill()
        app.wait()
        os.close(fd)
    assert quit_sent, f"{until!r} never showed: {ANSI.sub(b'', out)[-2000:]!r}"
    return out
