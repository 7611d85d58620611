"""The real `jaxbatch-tui` in a pseudo-terminal, ended at a chosen moment the way a person ends
it (q, ctrl+c) or loses it (a hang-up: SIGHUP to the app and the terminal closed), and what is
left afterwards: the exit status, what it drew, and any process of that run still alive.

Every process of a run is found by a marker in its environment, which the app's helpers
inherit: `/proc/PID/environ` names the run, whoever the parent now is (an orphan's is 1).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

MARKER = "JAXBATCH_TEST_RUN"
BAD_STATUSES = {-signal.SIGABRT, -signal.SIGSEGV, 134, 139}  # an abort or a crash, as Python or a shell reports it
BAD_TEXT = (b"FATAL", b"Aborted", b"Traceback", b"Segmentation fault")
QUIT_KEYS = {"q": b"q", "ctrl+c": b"\x03"}
SIGNALS = {"sigterm": signal.SIGTERM, "sigkill": signal.SIGKILL}
# The statuses a clean end by each way out may have: a signal before the app's handlers are in
# place ends Python the default way (-N), after, the app's conventional 128 + N.
ENDS = {"hangup": (129, -signal.SIGHUP), "sigterm": (143, -signal.SIGTERM), "sigkill": (-signal.SIGKILL,)}


@dataclass
class Run:
    args: tuple[str, ...]
    action: str  # "q", "ctrl+c", "hangup", "sigterm" or "sigkill"
    at_s: float  # after the start (or, for a sweep, after `s`)
    status: Optional[int] = None  # None: it did not end
    output: bytes = b""
    ended_s: Optional[float] = None  # from the action to the end of the process
    left: list[int] = field(default_factory=list)  # the run's processes still alive afterwards
    files: list[str] = field(default_factory=list)  # what it left in its temporary folder
    hang_ups: str = "DEFAULT"  # how it was started to take SIGHUP (see `run`)

    def problems(self) -> list[str]:
        """What went wrong, in words; [] for a clean end."""
        out = []
        if self.status is None:
            out.append("did not end")
        elif self.status in BAD_STATUSES:
            out.append(f"exit status {self.status}")
        elif self.action in QUIT_KEYS and self.status != 0:
            out.append(f"exit status {self.status} after {self.action}")
        elif self.action in ENDS and self.status not in ENDS[self.action]:
            out.append(f"exit status {self.status} after {self.action}")
        out += [f"printed {text.decode()}" for text in BAD_TEXT if text in self.output]
        if self.left:
            out.append(f"left processes {self.left}")
        if self.files:
            out.append(f"left files {self.files}")
        return out


def processes_of(marker: str) -> list[int]:
    """The live processes whose environment carries this run's marker (zombies aside)."""
    found, needle = [], f"{MARKER}={marker}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0") and \
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                found.append(int(entry.name))
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


def _drain(fd: int, until: float, out: bytearray) -> bool:
    """Read what the app draws until `until` (monotonic); False once the terminal is closed."""
    while True:
        left = until - time.monotonic()
        ready, _, _ = select.select([fd], [], [], max(0.0, min(left, 0.1)))
        if ready:
            try:
                chunk = os.read(fd, 1 << 16)
            except OSError:
                return False
            if not chunk:
                return False
            out += chunk
        if left <= 0:
            return True


def run(args: tuple[str, ...], action: str, at_s: float, sweep: bool | str = False, end_s: float = 60.0,
        orphan_s: float = 10.0, hang_ups: str = "DEFAULT") -> Run:
    """Start the app with `args` at 80x24, act at `at_s` (after pressing `s`, or the key `sweep`
    names, "S" for the chunk sweep, once the app has drawn), then wait up to `end_s` for it to
    end and up to `orphan_s` for every process of the run to be gone; what is left is killed,
    and said. `hang_ups`: how the app is started to take SIGHUP, "DEFAULT" as from a login
    shell (whatever this process was started with), "IGNORE" as under `nohup`, or "BLOCK" (the
    signal never comes: only the terminal goes)."""
    marker, tmp = uuid.uuid4().hex, Path(tempfile.mkdtemp(prefix="quit-harness-"))
    main, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24", MARKER: marker,
           "TMPDIR": str(tmp)}
    # setsid -c: a session of its own whose controlling terminal is this one, as a login shell's
    # job has: ctrl+c before the app reads keys is SIGINT, and closing the terminal hangs it up.
    proc = subprocess.Popen(["setsid", "-c", "-w", "env", f"--{hang_ups.lower()}-signal=HUP", sys.executable, "-m",
                             "jaxbatch", *args], stdin=terminal,
                            stdout=terminal, stderr=terminal, env=env)
    os.close(terminal)
    result, drawn, open_ = Run(tuple(args), action, at_s, hang_ups=hang_ups), bytearray(), True
    start = time.monotonic()
    try:
        if sweep:
            while open_ and b"Timings" not in drawn and time.monotonic() - start < end_s:
                open_ = _drain(main, time.monotonic() + 0.2, drawn)
            os.write(main, b"s" if sweep is True else sweep.encode())
            start = time.monotonic()
        open_ = open_ and _drain(main, start + at_s, drawn)
        acted = time.monotonic()
        if action == "hangup":
            signal_group(proc.pid, signal.SIGHUP)
            os.close(main)
            main, open_ = -1, False
        elif action in SIGNALS:
            signal_group(proc.pid, SIGNALS[action])
        elif open_:
            os.write(main, QUIT_KEYS[action])
        deadline = acted + end_s
        while proc.poll() is None and time.monotonic() < deadline:
            if open_:
                open_ = _drain(main, time.monotonic() + 0.1, drawn)
            else:
                time.sleep(0.05)
        if proc.poll() is not None:
            result.status, result.ended_s = proc.returncode, time.monotonic() - acted
        if open_:
            _drain(main, time.monotonic() + 0.3, drawn)
        gone_by = time.monotonic() + orphan_s
        while processes_of(marker) and time.monotonic() < gone_by:
            time.sleep(0.1)
        result.left = processes_of(marker)
        result.files = sorted(p.name for p in tmp.glob("jaxbatch-*"))
    finally:
        for pid in processes_of(marker):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        if main >= 0:
            os.close(main)
        shutil.rmtree(tmp, ignore_errors=True)
    result.output = bytes(drawn)
    return result


def signal_group(pid: int, sig: int) -> None:
    """Send `sig` to the process group `pid` leads (the app, not its helpers: they have sessions of
    their own, as from a real terminal); a group already gone is fine."""
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass


def moments(n: int, until_s: float) -> list[float]:
    """`n` moments from until_s / n to until_s, closer together early (as the square of the
    count), where the app changes most: start-up, JAX's import, the first answer, the helpers'
    start. Later it is drawing timings, and a late run costs the most (the helper measures all
    along): evenly spread, the same count took about a third more CPU."""
    first = until_s / n
    return [first + (until_s - first) * (i / max(1, n - 1)) ** 2 for i in range(n)]


def run_all(plans: list[tuple[tuple[str, ...], str, float, bool]], parallel: int = 4, **options) -> list[Run]:
    """Each (args, action, at_s, sweep), `parallel` at a time, with `run`'s `options`."""
    with ThreadPoolExecutor(parallel) as pool:
        return list(pool.map(lambda plan: run(*plan, **options), plans))
