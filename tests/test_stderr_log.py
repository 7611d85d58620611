"""While the app draws, what is written to file descriptor 2 (XLA's C++ logs, a model's raw
writes, warnings) goes to a log file, never onto the screen; after, fd 2 is the terminal again
and one line says where the log is. Every wait polls for a condition: nothing here depends on
the machine's speed."""

import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from jaxbatch.messages import HelperFailed
from jaxbatch.results.selection import Selection
from jaxbatch.stderr_log import KEEP, lines_in, new_log, stderr_to
from jaxbatch.timing_client import TimingClient

from app_helpers import make_test_app, settle, widget_text

SAID = "STDERR-WRITER"  # what tests/fixtures/stderr_writer_model.py writes to fd 2


def eventually(condition, timeout: float = 120.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def test_fd_2_goes_to_the_log_inside_and_to_where_it_was_after(tmp_path, capfd, monkeypatch):
    log = tmp_path / "app.log"
    monkeypatch.setattr(sys, "stderr", open(2, "w", closefd=False))  # as in the app: Python's stderr is fd 2
    before = sys.__stderr__
    with stderr_to(log):
        os.write(2, b"raw, as XLA writes\n")
        print("from Python", file=sys.stderr, flush=True)
        sys.__stderr__.write("drawn\n")  # Textual's driver draws here: the terminal fd 2 was
        sys.__stderr__.flush()
    os.write(2, b"after\n")
    assert sys.__stderr__ is before
    assert log.read_text() == "raw, as XLA writes\nfrom Python\n"
    assert capfd.readouterr().err == "drawn\nafter\n"
    assert lines_in(log) == 2


def test_a_log_left_empty_is_removed(tmp_path):
    log = tmp_path / "app.log"
    with stderr_to(log):
        pass
    assert not log.exists() and lines_in(log) == 0


def test_the_last_logs_are_kept_and_older_ones_removed(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    folder = tmp_path / "jaxbatch-tui" / "log"
    folder.mkdir(parents=True)
    for n in range(KEEP + 5):
        old = folder / f"jaxbatch-tui-{100 + n}.log"
        old.write_text("a line\n")
        os.utime(old, (1_000_000 + n, 1_000_000 + n))  # 100 the oldest
    log = new_log()
    assert log == folder / f"jaxbatch-tui-{os.getpid()}.log" and log.read_bytes() == b""
    kept = sorted(p.name for p in folder.iterdir())
    assert len(kept) == KEEP and log.name in kept and "jaxbatch-tui-114.log" in kept
    assert "jaxbatch-tui-105.log" not in kept


def test_the_timing_helper_s_stderr_joins_the_log_and_its_death_names_it(tmp_path, fixture_ref):
    log = tmp_path / "app.log"
    failed, got = [], threading.Event()
    client = TimingClient(lambda m: (failed.append(m), got.set()) if isinstance(m, HelperFailed) else None, log)
    client.time(1, Selection(model=fixture_ref("stderr_writer_model"), batch_shape=(2,)))
    try:
        assert eventually(lambda: log.exists() and f"timing helper: {SAID}" in log.read_text())
        client.proc.kill()
        assert got.wait(60)
    finally:
        client.close()
    said = failed[-1].error
    assert said.startswith("the timing helper exited with status -9: ") and said.endswith(f"(all it wrote is in {log})")


class Tmux:
    """The installed command in a tmux pane of its own server, as a person runs it over SSH."""

    def __init__(self, command: list[str], env: dict[str, str], size=(80, 24)) -> None:
        self.server = ["tmux", "-L", "jaxbatch-test-" + uuid.uuid4().hex[:8]]
        envs = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        line = f"env TERM=xterm-256color {envs} {shlex.join(command)}; echo __EXIT__$?; sleep 600"
        subprocess.run([*self.server, "new-session", "-d", "-s", "app", "-x", str(size[0]), "-y", str(size[1]),
                        line], check=True)

    def screen(self) -> str:
        """The pane as text, lines the width wrapped joined again (-J)."""
        return subprocess.run([*self.server, "capture-pane", "-p", "-J", "-t", "app"], capture_output=True,
                              text=True).stdout

    def press(self, *keys: str) -> None:
        subprocess.run([*self.server, "send-keys", "-t", "app", *keys], check=True)

    def close(self) -> None:
        subprocess.run([*self.server, "kill-server"], capture_output=True)


@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")
def test_a_model_writing_to_fd_2_leaves_the_screen_as_it_was(tmp_path, fixture_ref):
    state = tmp_path / "state"
    command = [sys.executable, "-m", "jaxbatch", "--model", fixture_ref("stderr_writer_model")]
    tmux = Tmux(command, {"XDG_STATE_HOME": str(state)})
    try:
        assert eventually(lambda: "agrees with the loop exactly" in tmux.screen()), tmux.screen()
        logs = list((state / "jaxbatch-tui" / "log").glob("jaxbatch-tui-*.log"))
        assert len(logs) == 1
        log = logs[0]
        # written by the app (the lab traces the model) and by the timing helper (it runs it): both in the log
        assert eventually(lambda: f"\n{SAID}" in "\n" + log.read_text()
                          and f"timing helper: {SAID}" in log.read_text()), log.read_text()[:2000]
        screen = tmux.screen()
        assert SAID not in screen and "agrees with the loop exactly" in screen
        tmux.press("q")
        assert eventually(lambda: "__EXIT__" in tmux.screen(), timeout=60), tmux.screen()
        after = tmux.screen()
    finally:
        tmux.close()
    assert "__EXIT__0" in after
    # after the app, fd 2 is the terminal again: the line saying where the log is reached it
    said = re.search(r"jaxbatch-tui: what was written to stderr while the app ran \(([\d,]+) lines: XLA's logs, "
                     r"your model's output, warnings\) is in (\S+)", after)
    assert said and Path(said.group(2)) == log and int(said.group(1).replace(",", "")) >= 2
    assert SAID not in after


async def test_the_help_says_where_the_log_is():
    app = make_test_app(log=Path("/var/log/example/jaxbatch-tui-42.log"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        text = " ".join(widget_text(app.screen.query_one("#help-text")).split())
    assert "go to /var/log/example/jaxbatch-tui-42.log, not onto the screen" in text
