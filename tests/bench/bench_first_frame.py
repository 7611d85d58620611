"""Time to first frame: jaxbatch-tui against a bare Textual app, both in a real tmux pane.

    python tests/bench/bench_first_frame.py [--runs 5]

Prints JSON: median and all seconds from launch until each app's first frame is on screen,
and for jaxbatch-tui also until the seed's numbers are (JAX imported, traced and compiled).
Needs tmux. The app must not import JAX before its first frame; this is the number that shows it.
"""

import argparse
import json
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

BARE = """
from textual.app import App
from textual.widgets import Footer, Static

class Bare(App):
    def compose(self):
        yield Static("bare textual app")
        yield Footer()

Bare().run()
"""


def time_to(cmd: str, patterns: list[str], timeout: float = 60.0) -> list[float]:
    """Seconds from launch until each pattern is first on screen (in order)."""
    name = "bench-" + uuid.uuid4().hex[:8]
    t0 = time.perf_counter()
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "80", "-y", "24",
                    f"env TERM=xterm-256color {cmd}"], check=True)
    found: list[float] = []
    try:
        while len(found) < len(patterns) and time.perf_counter() - t0 < timeout:
            screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", name], capture_output=True, text=True).stdout
            if patterns[len(found)] in screen:
                found.append(time.perf_counter() - t0)
                continue
            time.sleep(0.005)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)
    if len(found) < len(patterns):
        sys.exit(f"timed out waiting for {patterns[len(found)]!r} from {cmd}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare.py"
        bare.write_text(BARE)
        bare_cmd = f"{shlex.quote(sys.executable)} {shlex.quote(str(bare))}"
        app_cmd = f"{shlex.quote(sys.executable)} -m jaxbatch"
        bare_s, frame_s, seed_s = [], [], []
        for _ in range(runs):
            bare_s += time_to(bare_cmd, ["bare textual app"])
            frame, seed = time_to(app_cmd, ["Model", "-0.14736587"])
            frame_s.append(frame)
            seed_s.append(seed)
    result = {
        "runs": runs,
        "bare_textual_first_frame_s": round(statistics.median(bare_s), 3),
        "jaxbatch_first_frame_s": round(statistics.median(frame_s), 3),
        "jaxbatch_seed_results_s": round(statistics.median(seed_s), 3),
        "all": {"bare": [round(x, 3) for x in bare_s], "first_frame": [round(x, 3) for x in frame_s],
                "seed_results": [round(x, 3) for x in seed_s]},
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
