"""Quitting, at any moment, ends the process within a second and gives the terminal back.

`q` (or ctrl+c, a hang-up, SIGTERM) asks Textual to exit, and Textual restores the terminal. But
the lab's threads may be inside XLA then (a compile, a long call): Python can't stop a thread,
and its own exit would finalize JAX around them, which aborted the process ("FATAL: exception
not rethrown", status 134) or crashed it (139). So the command never finalizes: once the app
has returned, the CLI ends the process with os._exit (`cli.entry`). And should Textual's own
shutdown stall, a `Deadline` armed when the exit was asked for restores the terminal itself
and ends the process at DEADLINE_S, with the status the exit was asked with.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import termios
import threading
import time
from typing import Optional

DEADLINE_S = 0.6  # Textual restores the terminal and returns in about 0.3 s; quitting must take under 1 s
# Undo what Textual's driver turns on: mouse reports, bracketed paste, in-band resize, the Kitty
# keyboard protocol (before leaving the alternate screen), focus reports; then leave the
# alternate screen, show the cursor and wrap lines again.
RESET = (b"\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1015l\x1b[?2004l\x1b[?2048l\x1b[<u"
         b"\x1b[?1049l\x1b[?25h\x1b[?1004l\x1b[?7h")
WATCH_S = 0.25  # how often the terminal is checked for being gone without a hang-up signal
# Statuses the conventional way for a signal: 128 + its number.
HANGUP, TERMINATED = 129, 143


class Deadline:
    """Saves the terminal's modes now; `arm(status)` ends the process DEADLINE_S later unless it
    has ended by then, restoring those modes first."""

    def __init__(self, seconds: float = DEADLINE_S) -> None:
        self.seconds = seconds
        self.armed: Optional[threading.Thread] = None
        self.modes = None
        self.hung_up = False  # the input is a terminal already gone: hung up before the app began
        try:
            self.modes = termios.tcgetattr(sys.stdin.fileno())
        except termios.error as error:  # EIO from a terminal hung up, ENOTTY from a file or a pipe
            self.hung_up = error.args[0] == errno.EIO
        except (OSError, ValueError, AttributeError):
            pass

    def arm(self, status: int) -> None:
        if self.armed is None:
            self.armed = threading.Thread(target=self._end, args=(status,), name="quit-deadline", daemon=True)
            self.armed.start()

    def watch_terminal(self) -> None:
        """Should the terminal go with no SIGHUP to say so (one blocked, or sent to another
        process), end the process as a hang-up would: Textual reads only end of file from a
        terminal that is gone, and would draw on it for nobody (or wait on it for ever, when it
        went before Textual started). Only where it was a terminal when this Deadline was made:
        one gone since then is seen at once."""
        if self.modes is not None:
            threading.Thread(target=self._watch, name="terminal-watch", daemon=True).start()

    def _watch(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            while os.isatty(sys.stdin.fileno()):  # a hung-up terminal is a tty no more
                time.sleep(WATCH_S)
        self.arm(HANGUP)

    def _end(self, status: int) -> None:
        time.sleep(self.seconds)
        self.restore()
        os._exit(status)

    def restore(self) -> None:
        """The terminal as it was before the app: modes, main screen, cursor. A terminal that is
        gone (a hang-up) takes nothing, and that is fine."""
        with contextlib.suppress(OSError, ValueError, AttributeError):
            os.write(sys.__stderr__.fileno(), RESET)
        if self.modes is not None:
            with contextlib.suppress(OSError, termios.error, ValueError):
                termios.tcsetattr(sys.stdin.fileno(), termios.TCSANOW, self.modes)


def unable_to_draw() -> str:
    """Why this terminal can't draw the app, or "": a dumb or unknown terminal, or input or
    output that is not a terminal at all. Under another Textual driver (textual-serve's, for a
    browser), nothing is drawn on a terminal: "" too."""
    if os.environ.get("TEXTUAL_DRIVER"):
        return ""
    term = os.environ.get("TERM", "")
    if term in ("", "dumb", "unknown"):
        return f"this terminal (TERM={term or 'unset'}) can't draw the app"
    for name, stream in (("input", sys.stdin), ("output", sys.__stderr__)):
        if stream is None or not stream.isatty():
            return f"its {name} is not a terminal, so the app can't be drawn"
    return ""
