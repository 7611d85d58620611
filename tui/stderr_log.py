"""While the app draws, the process's stderr (file descriptor 2) goes to a log file.

XLA's C++ logging, a model's raw writes and Python's warnings all write to fd 2, the terminal the
app draws on: a line from any of them landed across the middle of the screen. Textual's driver
draws through `sys.__stderr__` (fd 2 too), so the terminal is first duplicated onto a descriptor
of its own, `sys.__stderr__` points at that while the app runs, and fd 2 goes to the log.

The logs live in `$XDG_STATE_HOME/jaxbatch-tui/log` (default `~/.local/state/...`): XDG's place
for logs, which outlive a run, unlike the cache, whose files can be deleted at any time. One file
per run, the last KEEP kept; one left empty is removed when the app ends.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Iterator

KEEP = 10  # runs whose logs are kept, this one included


def log_dir() -> Path:
    """`$XDG_STATE_HOME/jaxbatch-tui/log` (default `~/.local/state/jaxbatch-tui/log`)."""
    home = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(home) / "jaxbatch-tui" / "log"


def new_log() -> Path:
    """This run's log, created empty, the oldest beyond KEEP removed. Where the state folder
    can't be written (a read-only home), a file in the temporary folder instead."""
    folder = log_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        old = sorted(folder.glob("jaxbatch-tui-*.log"), key=_modified)
        for stale in old[:max(0, len(old) - KEEP + 1)]:
            stale.unlink(missing_ok=True)
        path = folder / f"jaxbatch-tui-{os.getpid()}.log"
        path.write_bytes(b"")
        return path
    except OSError:
        fd, name = tempfile.mkstemp(prefix="jaxbatch-tui-", suffix=".log")
        os.close(fd)
        return Path(name)


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # removed meanwhile, by another run pruning
        return 0.0


@contextlib.contextmanager
def stderr_to(log: Path) -> Iterator[None]:
    """Inside, fd 2 appends to `log` (what Python's `sys.stderr` writes too) and
    `sys.__stderr__` writes to the terminal fd 2 was, for Textual to draw on; after, both are
    as they were, and `log` is removed if nothing was written to it."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    log_fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    original = sys.__stderr__
    terminal_fd = os.dup(2)
    terminal = open(terminal_fd, "w", encoding=getattr(original, "encoding", None) or "utf-8",
                    errors="backslashreplace", closefd=False)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    sys.__stderr__ = terminal
    try:
        yield
    finally:
        sys.__stderr__ = original
        for stream in (sys.stderr, terminal):
            with contextlib.suppress(Exception):
                stream.flush()
        terminal.close()
        os.dup2(terminal_fd, 2)
        os.close(terminal_fd)
        with contextlib.suppress(OSError):
            if not log.stat().st_size:
                log.unlink()


def lines_in(log: Path) -> int:
    """How many lines `log` holds, a last one unended counted; 0 for none, or no file."""
    lines, last = 0, b"\n"
    with contextlib.suppress(OSError), open(log, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            lines, last = lines + block.count(b"\n"), block[-1:]
    return lines + (last != b"\n")
