"""Time to first frame: jaxbatch-tui against a bare Textual app, both in a real tmux pane.

    python tests/bench/bench_first_frame.py [--runs 5] [--source] [--compare COMMAND ...]

Prints JSON: median and all seconds from launch until each app's first frame is on screen,
and for jaxbatch-tui also until the seed's numbers are (JAX imported, traced and compiled),
against the bare first frame plus `import jax` alone (timed in the same rounds): issue 23's
goals are ≤ 1.2x and ≤ 1.5x.
Needs tmux. The app must not import JAX before its first frame; this is the number that shows it.
"""

import argparse
import compileall
import json
import os
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
    # A server of its own per launch: on the shared one, another session's kill can race this start
    name = "bench-" + uuid.uuid4().hex[:8]
    tmux = ["tmux", "-L", name]
    t0 = time.perf_counter()
    subprocess.run([*tmux, "new-session", "-d", "-s", name, "-x", "80", "-y", "24",
                    f"env TERM=xterm-256color {cmd}"], check=True)
    found: list[float] = []
    try:
        while len(found) < len(patterns) and time.perf_counter() - t0 < timeout:
            screen = subprocess.run([*tmux, "capture-pane", "-p", "-t", name], capture_output=True, text=True).stdout
            if patterns[len(found)] in screen:
                found.append(time.perf_counter() - t0)
                continue
            time.sleep(0.005)
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
    if len(found) < len(patterns):
        sys.exit(f"timed out waiting for {patterns[len(found)]!r} from {cmd}")
    return found


def compile_package() -> None:
    """Write jaxbatch's bytecode, as `pip install` does. Otherwise an editable checkout run under
    PYTHONDONTWRITEBYTECODE (set in CI and in agents' shells) compiles each module it imports
    from source at every start: the 25-odd before the first frame, ~18 ms of CPU (7%)."""
    import jaxbatch.models  # noqa: F401  (a package of its own folder in an editable install)

    for name in ("jaxbatch", "jaxbatch.models"):
        for folder in sys.modules[name].__path__:
            compileall.compile_dir(folder, quiet=1)


def import_jax_s() -> float:
    """Seconds `import jax` takes in a fresh interpreter: not its start (the bare app's frame
    has one) nor its exit (JAX's teardown, 0.1-0.2 s here, is no part of the app's wait)."""
    code = "import time; t = time.perf_counter(); import jax; print(time.perf_counter() - t)"
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def medians(times: dict[str, list[float]], bare: float, jax_s: float) -> dict[str, float]:
    frame, seed = statistics.median(times["first_frame"]), statistics.median(times["seed_results"])
    return {"first_frame_s": round(frame, 3), "first_frame_vs_bare": round(frame / bare, 2),
            "seed_results_s": round(seed, 3), "seed_results_vs_bare_plus_import_jax": round(seed / (bare + jax_s), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--source", action="store_true",
                        help="leave jaxbatch's bytecode as it is (by default it is written first)")
    parser.add_argument("--compare", metavar="COMMAND", action="append", default=[],
                        help="another build to time in the same rounds, e.g. "
                             "'env PYTHONPATH=/tmp/base python -m jaxbatch' (repeatable)")
    args = parser.parse_args()
    if not args.source:
        compile_package()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare.py"
        bare.write_text(BARE)
        bare_cmd = f"{shlex.quote(sys.executable)} {shlex.quote(str(bare))}"
        apps = [f"{shlex.quote(sys.executable)} -m jaxbatch", *args.compare]
        bare_s, jax_s, times = [], [], {cmd: {"first_frame": [], "seed_results": []} for cmd in apps}
        for _ in range(args.runs):  # interleaved, so load that comes and goes falls on each alike
            bare_s += time_to(bare_cmd, ["bare textual app"])
            jax_s.append(import_jax_s())
            for cmd in apps:
                frame, seed = time_to(cmd, ["Model", "-0.14736587"])
                times[cmd]["first_frame"].append(frame)
                times[cmd]["seed_results"].append(seed)
    bare_median, jax_median = statistics.median(bare_s), statistics.median(jax_s)
    this = medians(times[apps[0]], bare_median, jax_median)
    result = {
        "runs": args.runs,
        "bytecode_written_first": not args.source,
        "load_1min": [round(load, 2), round(os.getloadavg()[0], 2)],  # before, after
        "bare_textual_first_frame_s": round(bare_median, 3),
        "jaxbatch_first_frame_s": this["first_frame_s"],
        "jaxbatch_first_frame_vs_bare": this["first_frame_vs_bare"],
        "import_jax_s": round(jax_median, 3),
        "jaxbatch_seed_results_s": this["seed_results_s"],
        "jaxbatch_seed_results_vs_bare_plus_import_jax": this["seed_results_vs_bare_plus_import_jax"],
        "compare": {cmd: medians(times[cmd], bare_median, jax_median) for cmd in apps[1:]},
        "all": {"bare": [round(x, 3) for x in bare_s], "import_jax": [round(x, 3) for x in jax_s],
                **{cmd: {k: [round(x, 3) for x in v] for k, v in t.items()} for cmd, t in times.items()}},
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
