"""A helper process ends when the process that started it is gone.

The app's timing helper and the float64 helper run in processes of their own. Should the app end
without closing them (a hang-up, SIGKILL, a crash), each would run on with parent 1: measuring
for nobody, holding the GPU memory JAX took. The parent names itself in PARENT_VAR when it starts
a helper; the helper watches for another parent (the kernel re-parents an orphan) and ends.
Polling getppid needs no Linux-only prctl, and, unlike PR_SET_PDEATHSIG, is not fooled by the
starting thread ending while its process lives on.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Callable

PARENT_VAR = "JAXBATCH_PARENT_PID"
POLL_S = 0.25  # an orphan notices within this (the issue allows 2 s)


def helper_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a helper this process starts: this process named as its parent."""
    return {**(os.environ if env is None else env), PARENT_VAR: str(os.getpid())}


def end_with_parent(poll_s: float = POLL_S, last: Callable[[], None] = lambda: None) -> None:
    """In a helper: end this process (status 0: nobody is there to read it) as soon as its parent
    is not the process that started it, `last` run first. Without PARENT_VAR (run by hand), the
    parent now."""
    parent = int(os.environ.get(PARENT_VAR) or os.getppid())

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_s)
        last()
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
