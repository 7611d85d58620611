"""A float64 reference, to tell float32 rounding from a real difference: the same model on the
same inputs (widened to float64), its loop reference computed in a short helper process with
JAX_ENABLE_X64, on CPU. x64 is a process-wide switch: flipping it here would change every other
computation of the lab. Parameters are drawn from the model's seed as the model draws them
(a model that asks for float32 parameters keeps them so).

Never hangs: past TIMEOUT_S from its start, or on any failure, there is no reference and a
reason why.

    python -m jaxbatch.lab.float64 SELECTION_JSON FOLDER   (FOLDER/inputs.npz -> FOLDER/outputs.npz)
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Optional

import jax
import numpy as np

from jaxbatch.lab import jaxprs
from jaxbatch.lab.errors import USER_ERRORS
from jaxbatch.lab.parent_watch import end_with_parent, helper_env

TIMEOUT_S = 60.0


# Primitives that draw random numbers: with x64 on, jax.random draws float64 numbers from other
# bits, so a float64 run is another computation, not a more precise one.
RANDOM = frozenset({"random_bits", "random_seed", "random_wrap", "random_fold_in", "random_split",
                    "threefry2x32", "rng_bit_generator", "rng_uniform"})


def unfit(single: Callable, one: tuple) -> str:
    """Why a float64 run of this model would not be the same computation, or ""."""
    try:
        found = {e.primitive for e in jaxprs.flatten(jaxprs.trace(single, *one))} & RANDOM
    except USER_ERRORS:
        return ""
    if not found:
        return ""
    return f"the model draws random numbers ({', '.join(sorted(found))}), which float64 draws differently"


class Reference:
    """The float64 loop outputs for a selection and its batch, computed by a helper process
    that starts on `start()` and is waited for (at most TIMEOUT_S in all) by `result()`."""

    def __init__(self, selection, batch: tuple, why_not: str = "") -> None:
        self.selection, self.batch = selection, batch
        self._process: Optional[subprocess.Popen] = None
        self._folder: Optional[tempfile.TemporaryDirectory] = None
        self._started = 0.0
        self._why = why_not  # set: there will be no reference, and this says why

    def start(self) -> None:
        if self._process is not None or self._why:
            return
        self._folder = tempfile.TemporaryDirectory(prefix="jaxbatch-f64-")
        leaves = [_widened(np.asarray(x)) for x in jax.tree_util.tree_leaves(self.batch)]
        np.savez(Path(self._folder.name) / "inputs.npz", *leaves)
        # The most precise reference there is: float64, and matrix products at full precision.
        env = helper_env({**os.environ, "JAX_ENABLE_X64": "1", "JAX_PLATFORMS": "cpu",
                          "JAX_DEFAULT_MATMUL_PRECISION": "highest"})
        command = [sys.executable, "-m", "jaxbatch.lab.float64", json.dumps(self.selection.to_json()),
                   self._folder.name]
        try:
            self._process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                             stderr=subprocess.PIPE, text=True)
        except OSError as exc:
            self._why = f"the float64 helper did not start: {exc}"
        self._started = time.monotonic()

    def result(self, like: Any) -> tuple[Optional[Any], str]:
        """(the float64 outputs, shaped as `like`, the float32 loop's, "") or (None, why not)."""
        self.start()
        if self._process is None:
            return None, self._why
        try:
            try:
                _, err = self._process.communicate(timeout=max(0.0, TIMEOUT_S - (time.monotonic() - self._started)))
            except subprocess.TimeoutExpired:
                return None, f"the float64 reference took over {TIMEOUT_S:g} s"
            if self._process.returncode != 0:
                lines = err.strip().splitlines()
                return None, lines[-1] if lines else f"the float64 helper exited with status {self._process.returncode}"
            with np.load(Path(self._folder.name) / "outputs.npz") as data:
                outputs = [data[f"arr_{i}"] for i in range(len(data.files))]
        finally:
            self.close()
        treedef = jax.tree_util.tree_structure(like)
        if treedef.num_leaves != len(outputs):
            return None, "the model's output has another structure with float64"
        return jax.tree_util.tree_unflatten(treedef, outputs), ""

    def close(self) -> None:
        """Stop the helper if it still runs, and remove its files."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.communicate()
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None


def _widened(x: np.ndarray) -> np.ndarray:
    """Floats as float64, complex as complex128 (exactly the same values); the rest as is."""
    if x.dtype.kind == "c":
        return x.astype(np.complex128)
    if x.dtype.kind == "f" or x.dtype.name == "bfloat16":
        return x.astype(np.float64)
    return x


def main(argv: list[str]) -> int:
    """The helper's side: load the model, read the inputs, write the loop's float64 outputs.
    What the model prints goes to stderr; a failure is its last line."""
    from jaxbatch.lab import strategies
    from jaxbatch.lab.errors import describe
    from jaxbatch.lab.inputs import draw_args
    from jaxbatch.lab.loader import load_selected
    from jaxbatch.lab.selection import Selection

    end_with_parent()  # a report given up on (--timeout) or killed leaves no helper behind
    selection, folder = Selection.from_json(json.loads(argv[0])), Path(argv[1])
    try:
        with contextlib.redirect_stdout(sys.stderr):
            model = load_selected(selection)
            rng = np.random.default_rng(model.seed)
            single, _ = model.build(rng)
            structure = jax.tree_util.tree_structure(draw_args(rng, model.args, model.in_axes, (1,)))
            with np.load(folder / "inputs.npz") as data:
                leaves = [jax.numpy.asarray(data[f"arr_{i}"]) for i in range(len(data.files))]
            batch = jax.tree_util.tree_unflatten(structure, leaves)
            out = strategies.reference(single, model.in_axes, selection.batch_shape)(*batch)
    except USER_ERRORS as exc:
        print(describe(exc).splitlines()[0], file=sys.stderr)
        return 1
    outputs = jax.tree_util.tree_leaves(out)
    narrow = sorted({x.dtype.name for x in outputs if _widened(x).dtype != x.dtype})
    if narrow:
        print(f"the model computes in {' and '.join(narrow)} even with float64 inputs", file=sys.stderr)
        return 1
    np.savez(folder / "outputs.npz", *outputs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
