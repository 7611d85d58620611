"""The terminal is given back after q, ctrl+c and a hang-up (a closed SSH connection).

The installed command runs in a pseudo-terminal as a person's shell would run it; after each
way out the process must end and its last output must leave the alternate screen and show the
cursor again."""

import os
import pty
import select
import signal
import subprocess
import sys
import time

import pytest

from jaxbatch.quitting import HANGUP, Deadline

LEAVE_ALT_SCREEN = b"\x1b[?1049l"


def run_until(proc_fd: int, pattern: bytes, timeout: float = 60.0) -> bytes:
    seen, deadline = b"", time.monotonic() + timeout
    while pattern not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([proc_fd], [], [], 0.2)
        if ready:
            try:
                seen += os.read(proc_fd, 1 << 16)
            except OSError:
                break
    return seen


@pytest.mark.parametrize("way_out", ["q", "ctrl+c", "hangup"])
def test_the_terminal_is_restored(way_out):
    main, child = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
    proc = subprocess.Popen([sys.executable, "-m", "jaxbatch", "--model", "elementwise"], stdin=child,
                            stdout=child, stderr=child, env=env, start_new_session=True)
    os.close(child)
    try:
        assert b"agrees" in run_until(main, b"agrees")
        if way_out == "hangup":
            os.killpg(proc.pid, signal.SIGHUP)
        else:
            os.write(main, b"q" if way_out == "q" else b"\x03")
        tail = run_until(main, LEAVE_ALT_SCREEN, timeout=20)
        assert proc.wait(timeout=20) is not None
        assert LEAVE_ALT_SCREEN in tail
        if way_out != "hangup":
            assert proc.returncode == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(main)


@pytest.mark.parametrize("term, stdin, why", [
    ("dumb", "pty", "this terminal (TERM=dumb) can't draw the app"),
    ("", "pty", "this terminal (TERM=unset) can't draw the app"),
    ("xterm-256color", "devnull", "its input is not a terminal, so the app can't be drawn"),
])
def test_a_terminal_that_cannot_draw_the_app_gets_one_line_and_status_2(term, stdin, why):
    """No escape codes thrown at a dumb terminal: one line pointing at `report`, nothing drawn."""
    main, child = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "TERM"}
    env.update({"TERM": term} if term else {})
    proc = subprocess.Popen([sys.executable, "-m", "jaxbatch"], stdin=child if stdin == "pty" else subprocess.DEVNULL,
                            stdout=child, stderr=child, env=env, start_new_session=True)
    os.close(child)
    try:
        assert proc.wait(timeout=60) == 2
        said = run_until(main, b"\n", timeout=10).decode()
        assert said.strip() == f"jaxbatch-tui: {why}; `jaxbatch-tui report` prints the same analysis as text"
        assert "\x1b" not in said
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(main)


def test_a_terminal_gone_before_the_app_began_ends_it_as_a_hang_up():
    """Its hang-up signal blocked, and the terminal closed before the command's first line ran:
    the command sees the terminal gone (not "not a terminal", status 2) and ends with 129."""
    main, child = pty.openpty()
    os.close(main)  # hung up: reads give end of file, and the terminal's modes an I/O error
    env = {**os.environ, "TERM": "xterm-256color"}
    proc = subprocess.Popen(["env", "--block-signal=HUP", sys.executable, "-m", "jaxbatch"], stdin=child,
                            stdout=child, stderr=child, env=env, start_new_session=True)
    os.close(child)
    try:
        assert proc.wait(timeout=60) == HANGUP
    finally:
        if proc.poll() is None:
            proc.kill()


def test_a_terminal_gone_before_it_is_watched_is_seen_at_once(monkeypatch):
    """Gone between the modes being saved and the watch starting (Textual still importing): the
    watch ends the process as a hang-up, not only a terminal it finds there when it starts."""
    main, child = pty.openpty()
    ended = []
    monkeypatch.setattr(sys, "stdin", os.fdopen(child, "rb", buffering=0))
    monkeypatch.setattr(Deadline, "_end", lambda self, status: ended.append(status))
    deadline = Deadline()
    os.close(main)
    deadline.watch_terminal()
    for _ in range(400):
        if ended:
            break
        time.sleep(0.05)
    sys.stdin.close()
    assert ended == [HANGUP]
