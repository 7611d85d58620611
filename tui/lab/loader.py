"""Find a model by reference: a built-in name, `path/to/file.py:ATTR` or `package.module:ATTR`.

ATTR is a `Model`, or a plain function of one instance whose inputs the selection gives
(`--input f32[3]` per argument, `--in-axes`, `--batched` for the hand-batched twin). Loading
the user's file runs their code (that is the point), but nothing the user types is ever
evaluated: the reference only names a file or module and an attribute.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import importlib.util
import inspect
import os
import stat
import sys
from pathlib import Path
from typing import Callable, Iterator, Optional

from jaxbatch.models import CATALOG
from jaxbatch.results.errors import USER_ERRORS, LabError, describe
from jaxbatch.results.report import NoManual
from jaxbatch.results.selection import Selection, format_in_axes, parse_aval
from jaxbatch.results.spec import Model


def is_builtin(ref: str) -> bool:
    return ref in CATALOG


def check_reference(ref: str) -> None:
    """Cheap checks that need no import (for the CLI, before the app opens)."""
    if is_builtin(ref):
        return
    if ":" not in ref:
        names = ", ".join(CATALOG)
        raise LabError(f"unknown model {ref!r}: built-in models are {names}; or give path/to/file.py:ATTR")
    where, _, attr = ref.rpartition(":")
    if not attr.isidentifier():
        raise LabError(f"model {ref!r}: {attr!r} is not a Python name")
    if is_path(where):
        _check_file(ref, where)
    elif not all(part.isidentifier() for part in where.split(".")):
        raise LabError(f"model {ref!r}: {where!r} is neither a path/to/file.py nor a package.module name")


def is_path(where: str) -> bool:
    """Whether the part before `:ATTR` names a file rather than a module: it has a slash, ends in
    .py, or is no dotted Python name but is there on disk (`notes.txt`)."""
    if "/" in where or (os.sep in where) or (os.altsep and os.altsep in where) or where.endswith(".py"):
        return True
    return not all(part.isidentifier() for part in where.split(".")) and _kind_on_disk(where) != "missing"


def _kind_on_disk(path: str) -> str:
    """"file", "folder", "missing", or "other" (a device, a socket, a name the system refuses)."""
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return "missing"
    except (OSError, ValueError):
        return "other"
    return "folder" if stat.S_ISDIR(mode) else "file" if stat.S_ISREG(mode) else "other"


def _check_file(ref: str, where: str) -> None:
    """A path must name an existing Python file: say which of those it is not."""
    kind = _kind_on_disk(where)
    if kind == "missing":
        raise LabError(f"model {ref!r}: no such file {where}")
    if kind == "folder":
        raise LabError(f"model {ref!r}: {where} is a folder; name a Python file in it, "
                       f"e.g. {where.rstrip('/')}/model.py:{ref.rpartition(':')[2]}")
    if kind != "file":
        raise LabError(f"model {ref!r}: {where} is not a regular file")
    if not where.endswith(".py"):
        raise LabError(f"model {ref!r}: {where} is not a Python file (a .py file)")


def load_selected(selection: Selection) -> Model:
    """The selection's model: built-in, the user's Model, or the user's function made one;
    with the selection's in_axes when it gives some."""
    model = load_model(selection.model, selection.inputs, selection.batched, selection.fn_in_axes)
    if selection.in_axes is None or selection.in_axes == model.in_axes:
        return model
    try:  # the expert's version was written for the model's own in_axes: it can't take others
        return dataclasses.replace(
            model, in_axes=selection.in_axes, build=_without_manual(model.build),
            manual_missing=NoManual("in_axes", written_for=model.in_axes, asked=selection.in_axes))
    except ValueError as exc:
        raise LabError(f"in_axes {format_in_axes(selection.in_axes)} for {model.name}: {_after_name(exc)}") from None


# Models handed over as Python objects (jaxbatch.compare), by the reference their selection names.
_IN_MEMORY: dict[str, Model] = {}


@contextlib.contextmanager
def in_memory(model: Model) -> Iterator[str]:
    """A reference that names `model` while the block runs: a function defined in a notebook has
    no file or module to load it from. Only this process can load it (the float64 helper can't)."""
    ref = f"python:{model.name}#{id(model):x}"
    _IN_MEMORY[ref] = model
    try:
        yield ref
    finally:
        del _IN_MEMORY[ref]


def only_here(ref: str) -> bool:
    """Whether `ref` names a model handed over as a Python object, which no other process can load."""
    return ref in _IN_MEMORY


def load_model(ref: str, inputs: tuple[str, ...] = (), batched: Optional[str] = None,
               in_axes: Optional[tuple[Optional[int], ...]] = None) -> Model:
    """`inputs`, `batched` and `in_axes` make a plain function a Model (in_axes default: all 0)."""
    if ref in _IN_MEMORY:
        return _IN_MEMORY[ref]
    check_reference(ref)
    found = _resolve(ref)
    if isinstance(found, Model):
        if inputs or batched:
            raise LabError(f"model {ref!r} is a Model with its own inputs: --input and --batched are "
                           "for a plain function")
        return found
    if not callable(found):
        raise LabError(f"model {ref!r}: {ref.rpartition(':')[2]} is not a Model or a function "
                       f"(it is {type(found).__name__})")
    if not inputs:
        raise LabError(f"model {ref!r} is a function: give its inputs, one --input per argument, "
                       "e.g. --input 'f32[3]'")
    avals = tuple(parse_aval(text) for text in inputs)
    _check_arity(ref, found, len(avals))
    manual = None if batched is None else _function(batched)
    if manual is not None:
        _check_arity(batched, manual, len(avals))
    try:
        return Model(
            name=ref, summary=f"your function {ref.rpartition(':')[2]}, on {', '.join(map(str, avals))}",
            build=lambda rng: (found, manual), args=avals, in_axes=in_axes or (0,) * len(avals),
            manual_label=batched.rpartition(":")[2] if batched else "hand-batched",
            manual_missing=NoManual("not_given", how="cli"),
        )
    except ValueError as exc:
        raise LabError(f"--in-axes {format_in_axes(in_axes)} for {ref}: {_after_name(exc)}") from None


def _resolve(ref: str):
    if is_builtin(ref):
        return importlib.import_module(f"jaxbatch.models.{CATALOG[ref][0]}").MODEL
    where, _, attr = ref.rpartition(":")
    module = _import_file(where) if is_path(where) else _import_module(where, ref)
    if not hasattr(module, attr):
        raise LabError(f"model {ref!r}: {where} has no attribute {attr!r}")
    return getattr(module, attr)


def _function(ref: str) -> Callable:
    """The hand-batched function `--batched` names."""
    if is_builtin(ref):
        raise LabError(f"--batched {ref!r} is a built-in model, not a function")
    check_reference(ref)
    found = _resolve(ref)
    if isinstance(found, Model) or not callable(found):
        raise LabError(f"--batched {ref!r}: {ref.rpartition(':')[2]} is not a function (it is {type(found).__name__})")
    return found


def _check_arity(ref: str, fn: Callable, n: int) -> None:
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return  # a builtin or C function: its call will say
    try:
        signature.bind(*range(n))
    except TypeError as exc:
        raise LabError(f"{ref}: --input gives {n} argument{'s' * (n != 1)}, but {exc}") from None


def _without_manual(build):
    return lambda rng: (build(rng)[0], None)


def _after_name(exc: ValueError) -> str:
    return str(exc).partition(": ")[2] or str(exc)


def _import_file(path: str):
    name = f"jaxbatch_user_{abs(hash(str(Path(path).resolve())))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise LabError(f"model file {path} cannot be imported as Python")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        raise LabError(f"model file {path} line {exc.lineno}: SyntaxError: {exc.msg}") from None
    except USER_ERRORS as exc:  # the user's module failing to import, whatever the reason
        raise LabError(f"importing {path} raised {describe(exc)}") from None
    sys.modules[name] = module
    return module


def _import_module(name: str, ref: str):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if _kind_on_disk(name) != "missing" and exc.name == name.partition(".")[0]:
            _check_file(ref, name)  # no module, but `notes.txt` is here: it was meant as a path
        raise LabError(f"no module named {exc.name!r} (from model {name!r})") from None
    except USER_ERRORS as exc:
        raise LabError(f"importing {name} raised {describe(exc)}") from None
