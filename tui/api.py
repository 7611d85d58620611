"""The analysis from Python, for a notebook or a test suite: the lab the app runs, no second
implementation.

    import jaxbatch
    r = jaxbatch.compare(model, args, batch=4096, batched=model_batched, in_axes=(0, None))

`args` are one instance's example arguments (arrays, or avals written as `--input` takes them:
"f32[3]"). Like the app, the analysis draws its own seeded inputs of those shapes and dtypes, so
two runs give the same numbers. `model` may also be a built-in name or `path/to/file.py:fn`.
"""

from __future__ import annotations

import contextlib
import sys
import time
from typing import Any, Callable, Iterator, Optional, Sequence, Union

from jaxbatch.gpu_memory import take_gpu_memory_as_needed
from jaxbatch.media.rich_render import Result, SweepResult
from jaxbatch.results.errors import LabError
from jaxbatch.results.selection import (
    DEFAULT_CHUNK,
    DEFAULT_PRECISION,
    Selection,
    parse_aval,
    parse_batch_shape,
    parse_precision,
)

Batch = Union[int, Sequence[int], str]


def compare(model: Union[Callable, str], args: Optional[Sequence[Any]] = None, batch: Batch = 8,
            batched: Optional[Callable] = None, in_axes: Optional[Sequence[Optional[int]]] = None,
            device: str = "cpu", chunk: int = DEFAULT_CHUNK, timings: bool = False,
            precision: str = DEFAULT_PRECISION) -> Result:
    """Everything the app shows about `model` on a batch of instances: outputs against the
    loop, programs at each level, memory and, if asked, timings.

    Args:
        model: A function of one instance, a built-in model's name, or a reference to one
            (`path/to/file.py:fn`, `package.module:ATTR`).
        args: One instance's example arguments: arrays (or pytrees of them), or avals written
            as `--input` takes them ("f32[3]"). Only their shapes and dtypes are used. Needed
            for a function; a built-in or a `Model` has its own.
        batch: The batch shape: `8`, `(4, 8)` or "4,8".
        batched: Your hand-batched version, compared with vmap (a reference, for a model given
            by one).
        in_axes: Per argument, 0 (batched) or None (shared by every instance); by default
            every argument is batched.
        device: "cpu", "gpu", "tpu" or a device index, as `--device` takes them.
        chunk: Instances per step of the chunked strategy, `lax.map`'s `batch_size`.
        timings: Also time each strategy (seconds on a busy machine: off by default).
        precision: The matmul precision everything runs at: "default" (JAX's own), "high" or
            "highest".

    Returns:
        The report: a `Report` that prints itself as the app's text (Rich and HTML too).

    Raises:
        LabError: What is wrong with the arguments or the model, in the app's words.
    """
    take_gpu_memory_as_needed()
    from jaxbatch.lab.analysis import analyze

    with _selection(model, args, batch, batched, in_axes, device, chunk, precision) as selection:
        return Result.of(analyze(selection, timer=time.perf_counter if timings else None))


def sweep(model: Union[Callable, str], args: Optional[Sequence[Any]] = None, batched: Optional[Callable] = None,
          in_axes: Optional[Sequence[Optional[int]]] = None, device: str = "cpu", chunk: int = DEFAULT_CHUNK,
          budget_s: Optional[float] = None, precision: str = DEFAULT_PRECISION, progress: bool = False):
    """The batch-size sweep (`jaxbatch.lab.sweep`): every strategy timed at batch sizes 1, 2,
    4, … until the time or memory budget runs out, run to its end.

    Args:
        model, args, batched, in_axes, device, chunk, precision: As for `compare`.
        budget_s: Seconds after which no new batch size is started (None: 30).
        progress: A line on stderr as each batch size is measured.

    Returns:
        The sweep's last state (`SweepResult`), which prints as the sweep's table and
        crossovers: per size and strategy, the time per instance and peak memory, and why
        the sweep stopped.

    Raises:
        LabError: What is wrong with the arguments or the model, in the app's words.
    """
    take_gpu_memory_as_needed()
    from jaxbatch.lab.sweep import sweep as run

    with _selection(model, args, 1, batched, in_axes, device, chunk, precision) as selection:
        last = None
        for last in run(selection, budget_s=budget_s):
            if progress:
                print(repr(last), file=sys.stderr, flush=True)
        return SweepResult.of(last)


@contextlib.contextmanager
def _selection(model, args, batch: Batch, batched, in_axes, device: str, chunk: int,
               precision: str) -> Iterator[Selection]:
    shape = _shape(batch)
    precision = parse_precision(str(precision))
    axes = None if in_axes is None else tuple(in_axes)
    if isinstance(model, str):
        if batched is not None and not isinstance(batched, str):
            raise LabError("batched: give a reference (path/to/file.py:fn) with a model given by reference")
        inputs = tuple(str(_aval(a)) for a in args or ())
        own, fn = (None, axes) if inputs else (axes, None)  # a function's in_axes, or the model's overridden
        yield Selection(model, shape, device, inputs, own, batched, fn, chunk, precision)
        return
    if not callable(model):
        raise LabError(f"model must be a function of one instance or a model name, not {type(model).__name__}")
    if not args:
        raise LabError("args: give one instance's example arguments (arrays, or avals such as 'f32[3]')")
    from jaxbatch.lab.loader import in_memory
    from jaxbatch.results.report import NoManual
    from jaxbatch.results.spec import Model

    name = getattr(model, "__name__", "model")
    try:
        built = Model(name=name, summary=f"your function {name}", build=lambda rng: (model, batched),
                      args=tuple(_aval(a) for a in args), in_axes=axes or (0,) * len(args),
                      manual_label=getattr(batched, "__name__", "hand-batched"),
                      manual_missing=NoManual("not_given", how="api"))
    except ValueError as exc:
        raise LabError(str(exc)) from None
    with in_memory(built) as ref:
        yield Selection(ref, shape, device, chunk=chunk, precision=precision)


def _shape(batch: Batch) -> tuple[int, ...]:
    """`8`, `(4, 8)` or "4,8", checked as the command line checks `--batch`."""
    if isinstance(batch, str):
        return parse_batch_shape(batch)
    dims = (batch,) if isinstance(batch, int) else tuple(batch)
    if not all(isinstance(d, int) and not isinstance(d, bool) for d in dims):
        raise LabError(f"batch {batch!r}: give whole numbers, e.g. 8 or (4, 8)")
    return parse_batch_shape(",".join(map(str, dims)))


def _aval(arg):
    """One argument's aval: parsed from "f32[3]", or read off an example array (or a pytree of them)."""
    if isinstance(arg, str):
        return parse_aval(arg)
    import jax
    import numpy as np

    from jaxbatch.results.spec import Aval

    return jax.tree_util.tree_map(lambda x: Aval(tuple(np.shape(x)), np.asarray(x).dtype.name), arg)
