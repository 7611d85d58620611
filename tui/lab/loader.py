"""Find a model by reference: a built-in name, `path/to/file.py:ATTR` or `package.module:ATTR`.

Loading the user's file runs their code (that is the point), but nothing the user types is
ever evaluated: the reference only names a file or module and an attribute.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path

from jaxbatch.lab.errors import LabError, describe
from jaxbatch.lab.spec import Model
from jaxbatch.models import CATALOG


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
    if where.endswith(".py") and not Path(where).is_file():
        raise LabError(f"model {ref!r}: no such file {where}")


def load_model(ref: str) -> Model:
    check_reference(ref)
    if is_builtin(ref):
        module = importlib.import_module(f"jaxbatch.models.{CATALOG[ref][0]}")
        return module.MODEL
    where, _, attr = ref.rpartition(":")
    module = _import_file(where) if where.endswith(".py") else _import_module(where)
    if not hasattr(module, attr):
        raise LabError(f"model {ref!r}: {where} has no attribute {attr!r}")
    model = getattr(module, attr)
    if not isinstance(model, Model):
        raise LabError(f"model {ref!r}: {attr} is not a jaxbatch.lab.spec.Model (it is {type(model).__name__})")
    return model


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
    except Exception as exc:  # the user's module failing to import, whatever the reason
        raise LabError(f"importing {path} raised {describe(exc)}") from None
    sys.modules[name] = module
    return module


def _import_module(name: str):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        raise LabError(f"no module named {exc.name!r} (from model {name!r})") from None
    except Exception as exc:
        raise LabError(f"importing {name} raised {describe(exc)}") from None
