"""How fast does the app answer a key while timings run? Measured as a person over SSH sees it.

Opens jaxbatch-tui in a detached tmux session at 80x24, waits for the seed's results, then
switches panes (1 <-> 3) while the timing helper measures, and times each key press until the
other pane's text reaches the terminal. The pane's output is streamed out of tmux
(`pipe-pane` into a FIFO) and read as it arrives, as a terminal over SSH receives it; polling
`capture-pane` instead spawns a tmux client every few milliseconds, and on two cores that load
alone added tens of milliseconds to the tail. Phases: timings paused (the baseline), live
timings at batch 4096, then the sweep. Prints JSON with p50, p95 and max per phase, in
milliseconds.

    python tests/bench/bench_key_latency.py [--presses 40]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import select
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

PANES = {"1": r"One instance", "3": r"Backends:"}
ESCAPES = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Za-z]|[=>78])")


class Session:
    def __init__(self, command: str) -> None:
        self.name = "latency-" + uuid.uuid4().hex[:8]
        self.tmux = ["tmux", "-L", self.name]  # a server of its own: another session's end can't race it
        self.fifo = os.path.join(tempfile.mkdtemp(), "pane")
        os.mkfifo(self.fifo)
        subprocess.run([*self.tmux, "new-session", "-d", "-s", self.name, "-x", "80", "-y", "24",
                        f"sleep 0.3; env TERM=xterm-256color {command}"], check=True)
        subprocess.run([*self.tmux, "pipe-pane", "-t", self.name, f"cat > {self.fifo}"], check=True)
        self.stream = os.open(self.fifo, os.O_RDONLY)
        self.seen = b""

    def key(self, *keys: str) -> float:
        self.seen = b""  # only what the app writes after this key counts
        subprocess.run([*self.tmux, "send-keys", "-t", self.name, *keys], check=True)
        return time.perf_counter()

    def wait(self, pattern: str, timeout: float = 60.0) -> float:
        """When `pattern` first appears in the text written since the last key."""
        start, rx = time.perf_counter(), re.compile(pattern.encode())
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([self.stream], [], [], 0.5)
            if ready:
                self.seen += os.read(self.stream, 1 << 16)
                if rx.search(ESCAPES.sub(b"", self.seen)):
                    return time.perf_counter()
        raise TimeoutError(pattern)

    def close(self) -> None:
        subprocess.run([*self.tmux, "kill-server"], capture_output=True)
        os.close(self.stream)


def presses(s: Session, n: int) -> list[float]:
    out = []
    for i in range(n):
        pane = "1" if i % 2 == 0 else "3"
        sent = s.key(pane)
        out.append((s.wait(PANES[pane]) - sent) * 1000)
        time.sleep(0.05)
    return out


def summary(ms: list[float]) -> dict[str, float]:
    q = statistics.quantiles(ms, n=20, method="inclusive")
    return {"n": len(ms), "p50_ms": round(statistics.median(ms), 1), "p95_ms": round(q[18], 1),
            "max_ms": round(max(ms), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=40)
    # This Python's own copy: the bench runs from a venv that need not be on PATH.
    parser.add_argument("--command", default=f"{shlex.quote(sys.executable)} -m jaxbatch --batch 4096")
    args = parser.parse_args()
    args.presses += args.presses % 2
    load = os.getloadavg()[0]  # other work on the machine moves the tail: printed with the numbers
    s = Session(args.command)
    try:
        s.wait(r"loop .*\n?.*agrees|● tanh-dense")
        s.key("3")
        s.wait(r"measuring \d+/100")
        s.key("Space")
        s.wait(r"paused \d+/100")
        paused = presses(s, args.presses)  # an even number of presses ends on pane 3
        s.key("r")
        s.wait(r"measuring \d+/100")
        live = presses(s, args.presses)
        s.key("s")
        s.wait(r"running: batch")
        sweep = presses(s, args.presses)
        print(json.dumps({"command": args.command, "load_1min": [round(load, 2), round(os.getloadavg()[0], 2)],
                          "timings_paused": summary(paused), "live_timings": summary(live),
                          "sweep": summary(sweep)}, indent=2))
    finally:
        s.close()


if __name__ == "__main__":
    main()
