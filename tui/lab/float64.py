"""A float64 reference, to tell float32 rounding from a real difference: the same model on the
same inputs (widened to float64), its loop reference computed in a helper process with
JAX_ENABLE_X64, on CPU. x64 is a process-wide switch: flipping it here would change every other
computation of the lab. Parameters are drawn from the model's seed as the model draws them
(a model that asks for float32 parameters keeps them so).

One helper serves a process's references one after another: starting JAX again for each took
about 2 s of every analysis that asked for one. A helper is reused only by references made with
the environment and working folder it was started with (what a fresh one would have seen); a
second starts only while the first is busy, and one busy past TIMEOUT_S, or given up on, is
killed. Like every helper it ends when its parent does (jaxbatch.lab.parent_watch).

Never hangs: past TIMEOUT_S from its start, or on any failure, there is no reference and a
reason why (results.report.NoFloat64, a flag the presentation words).

    python -m jaxbatch.lab.float64 OWN_FOLDER   (a line on stdin per request: {"selection": ...,
    "folder": FOLDER}, FOLDER/inputs.npz -> FOLDER/outputs.npz, FOLDER within OWN_FOLDER; a line
    on stdout per answer: {"error": "", "narrow": []}: what loading or running the model raised,
    and the dtypes it still computes in with float64 inputs, both empty where it wrote outputs)
"""

from __future__ import annotations

import atexit
import collections
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Optional

import jax
import numpy as np

from jaxbatch.lab import jaxprs
from jaxbatch.lab.parent_watch import end_with_parent, helper_env
from jaxbatch.results.errors import USER_ERRORS
from jaxbatch.results.report import NoFloat64

TIMEOUT_S = 60.0


# Primitives that draw random numbers: with x64 on, jax.random draws float64 numbers from other
# bits, so a float64 run is another computation, not a more precise one.
RANDOM = frozenset({"random_bits", "random_seed", "random_wrap", "random_fold_in", "random_split",
                    "threefry2x32", "rng_bit_generator", "rng_uniform"})


def unfit(single: Callable, one: tuple) -> Optional[NoFloat64]:
    """Why a float64 run of this model would not be the same computation, or None."""
    try:
        found = {e.primitive for e in jaxprs.flatten(jaxprs.trace(single, *one))} & RANDOM
    except USER_ERRORS:
        return None
    return NoFloat64("random", primitives=tuple(sorted(found))) if found else None


class Reference:
    """The float64 loop outputs for a selection and its batch, asked of a helper process on
    `start()` and waited for (at most TIMEOUT_S in all) by `result()`."""

    def __init__(self, selection, batch: tuple, why_not: Optional[NoFloat64] = None) -> None:
        self.selection, self.batch = selection, batch
        self._helper: Optional[_Helper] = None  # while it works on this reference
        self._folder: Optional[str] = None  # in the helper's own folder
        self._started = 0.0
        self._why = why_not  # set: there will be no reference, and this says why

    def start(self) -> None:
        if self._helper is not None or self._folder is not None or self._why:
            return
        try:
            self._helper = _take()
        except OSError as exc:
            self._why = NoFloat64("did_not_start", error=str(exc))
            return
        self._folder = tempfile.mkdtemp(dir=self._helper.folder)
        leaves = [_widened(np.asarray(x)) for x in jax.tree_util.tree_leaves(self.batch)]
        np.savez(Path(self._folder) / "inputs.npz", *leaves)
        self._helper.ask({"selection": self.selection.to_json(), "folder": self._folder})
        self._started = time.monotonic()

    def result(self, like: Any) -> tuple[Optional[Any], Optional[NoFloat64]]:
        """(the float64 outputs, shaped as `like`, the float32 loop's, None) or (None, why not)."""
        self.start()
        if self._helper is None:
            return None, self._why
        try:
            try:
                answer = self._helper.answers.get(timeout=max(0.0, TIMEOUT_S - (time.monotonic() - self._started)))
            except queue.Empty:
                return None, NoFloat64("timeout", seconds=TIMEOUT_S)
            if answer is None:
                return None, self._helper.last_words()
            helper, self._helper = self._helper, None
            _give_back(helper)
            if answer["narrow"]:
                return None, NoFloat64("narrow", dtypes=tuple(answer["narrow"]))
            if answer["error"]:
                return None, NoFloat64("failed", error=answer["error"])
            with np.load(Path(self._folder) / "outputs.npz") as data:
                outputs = [data[f"arr_{i}"] for i in range(len(data.files))]
        finally:
            self.close()
        treedef = jax.tree_util.tree_structure(like)
        if treedef.num_leaves != len(outputs):
            return None, NoFloat64("structure")
        return jax.tree_util.tree_unflatten(treedef, outputs), None

    def close(self) -> None:
        """Stop the helper if it still works on this reference (it can't be interrupted), and
        remove the files."""
        if self._helper is not None:
            self._helper.kill()
            self._helper = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None


class _Helper:
    """One helper process: a request a line on its stdin, an answer a line on its stdout (read
    into `answers` by a thread; None once it has ended). The last line of its stderr is kept:
    what it said before it died."""

    def __init__(self) -> None:
        self.context = _context()
        # Its references' files live here, and go with it: however its parent ends (the app
        # ends with os._exit; a report may be killed), the helper removes it as it ends. The
        # folder is made only once the helper is started, so there is no moment when the parent
        # could be killed leaving a folder and no helper to remove it. In a session of its own,
        # a terminal's hang-up or ctrl+c can't kill the helper before it does: it ends when its
        # parent does (end of input, or parent_watch).
        self.folder = os.path.join(tempfile.gettempdir(), f"jaxbatch-f64-{uuid.uuid4().hex[:12]}")
        # The most precise reference there is: float64, and matrix products at full precision.
        env = helper_env({**os.environ, "JAX_ENABLE_X64": "1", "JAX_PLATFORMS": "cpu",
                          "JAX_DEFAULT_MATMUL_PRECISION": "highest"})
        self.process = subprocess.Popen([sys.executable, "-m", "jaxbatch.lab.float64", self.folder], env=env,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True, start_new_session=True)
        try:
            os.mkdir(self.folder, 0o700)  # a fresh, unguessable name: fails rather than reuse one
        except OSError:
            self.kill()
            raise
        self.answers: queue.Queue[Optional[dict]] = queue.Queue()
        self._said: collections.deque[str] = collections.deque(maxlen=1)
        threading.Thread(target=self._read_answers, name="float64-answers", daemon=True).start()
        threading.Thread(target=self._read_stderr, name="float64-stderr", daemon=True).start()

    def ask(self, request: dict) -> None:
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, ValueError):  # it has ended: `answers` says so
            pass

    def alive(self) -> bool:
        return self.process.poll() is None

    def last_words(self) -> NoFloat64:
        """Why it ended: its exit status, and the last line it wrote to stderr, where it wrote one."""
        status = self.process.wait()
        return NoFloat64("exited", error=self._said[-1] if self._said else "", status=status)

    def kill(self) -> None:
        if self.alive():
            self.process.kill()
        self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _read_answers(self) -> None:
        for line in self.process.stdout:
            self.answers.put(json.loads(line))
        self.answers.put(None)

    def _read_stderr(self) -> None:
        for line in self.process.stderr:
            if line.strip():
                self._said.append(line.strip())


_idle: list[_Helper] = []  # at most one, waiting for the next reference
_idle_lock = threading.Lock()


# pytest names the running test here, anew for each: a test suite's guards (jaxbatch.testing) keep
# their helper from test to test. Nothing a helper does reads it.
VOLATILE = frozenset({"PYTEST_CURRENT_TEST"})


def _context() -> tuple:
    """What a helper started now would see: its environment and working folder."""
    return os.getcwd(), sorted((k, v) for k, v in os.environ.items() if k not in VOLATILE)


def _take() -> _Helper:
    """The idle helper, where it still runs and fits; else a fresh one."""
    context = _context()
    with _idle_lock:
        helpers = list(_idle)
        _idle.clear()
    found = None
    for helper in helpers:
        if found is None and helper.context == context and helper.alive():
            found = helper
        else:
            helper.kill()
    return found or _Helper()


def _give_back(helper: _Helper) -> None:
    with _idle_lock:
        if not _idle and helper.alive():
            _idle.append(helper)
            return
    helper.kill()


@atexit.register
def _end_idle() -> None:
    with _idle_lock:
        helpers = list(_idle)
        _idle.clear()
    for helper in helpers:
        helper.kill()


def _widened(x: np.ndarray) -> np.ndarray:
    """Floats as float64, complex as complex128 (exactly the same values); the rest as is."""
    if x.dtype.kind == "c":
        return x.astype(np.complex128)
    if x.dtype.kind == "f" or x.dtype.name == "bfloat16":
        return x.astype(np.float64)
    return x


def main() -> int:
    """The helper's side: answer each request on stdin until it closes. What models print goes to
    stderr (file descriptor 1 is pointed there too): stdout carries only the answers. Its folder
    (the one argument) goes with it, when its parent ends or is gone."""
    folder = sys.argv[1] if len(sys.argv) > 1 else ""

    def remove_folder() -> None:
        # twice: an answer being written as the parent goes may add a file between the listing
        # and the removal of its folder (after which a write fails: the folder is gone)
        for _ in range(2):
            if folder:
                shutil.rmtree(folder, ignore_errors=True)

    end_with_parent(last=remove_folder)  # a report given up on (--timeout) or killed leaves nothing behind
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        for line in iter(sys.stdin.readline, ""):
            request = json.loads(line)
            answers.write(json.dumps(_answer(request["selection"], Path(request["folder"]))) + "\n")
            answers.flush()
    except (BrokenPipeError, ValueError):  # the parent went as it asked, or as it was answered
        return 0
    finally:
        remove_folder()
    return 0


def _answer(selection_json: dict, folder: Path) -> dict[str, Any]:
    """Load the model, read the inputs, write the loop's float64 outputs; the answer says why
    not, where they were not written: what raised, or the dtypes the model still computes in."""
    from jaxbatch.lab import strategies
    from jaxbatch.lab.inputs import draw_args
    from jaxbatch.lab.loader import load_selected
    from jaxbatch.results.errors import describe
    from jaxbatch.results.selection import Selection

    selection = Selection.from_json(selection_json)
    try:
        model = load_selected(selection)
        rng = np.random.default_rng(model.seed)
        single, _ = model.build(rng)
        structure = jax.tree_util.tree_structure(draw_args(rng, model.args, model.in_axes, (1,)))
        with np.load(folder / "inputs.npz") as data:
            leaves = [jax.numpy.asarray(data[f"arr_{i}"]) for i in range(len(data.files))]
        batch = jax.tree_util.tree_unflatten(structure, leaves)
        out = strategies.reference(single, model.in_axes, selection.batch_shape)(*batch)
        outputs = jax.tree_util.tree_leaves(out)
    except USER_ERRORS as exc:  # the model's, or a bug of ours: said either way
        return {"error": describe(exc).splitlines()[0], "narrow": []}
    narrow = sorted({x.dtype.name for x in outputs if _widened(x).dtype != x.dtype})
    if not narrow:
        np.savez(folder / "outputs.npz", *outputs)
    return {"error": "", "narrow": narrow}


if __name__ == "__main__":
    raise SystemExit(main())
