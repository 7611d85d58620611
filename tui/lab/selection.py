"""What the user chose (model, batch shape, device), parsed from text without importing JAX."""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from typing import Any, Optional

from jaxbatch.lab.errors import LabError
from jaxbatch.lab.spec import LONG, SHORT, Aval

DEFAULT_MODEL = "tanh-dense"
DEFAULT_BATCH = (5,)
DEFAULT_DEVICE = "cpu"

# The loop reference calls the model once per instance, eagerly: past this it takes minutes.
MAX_INSTANCES = 65_536
MAX_BATCH_DIMS = 6

# One argument of the user's function is at most this many elements (per instance).
MAX_INPUT_ELEMENTS = 1 << 24
MAX_INPUT_DIMS = 8

_SHAPE = re.compile(r"^\s*[\(\[]?\s*(?P<body>[^()\[\]]*?)\s*,?\s*[\)\]]?\s*$")
_AVAL = re.compile(r"^\s*(?P<dtype>[A-Za-z][A-Za-z0-9]*)\s*\[(?P<dims>[^\[\]]*)\]\s*$")


@dataclass(frozen=True)
class Selection:
    """One request to the lab. Equal selections give equal results (inputs are seeded).

    `inputs`, `fn_in_axes` and `batched` describe the user's own function (`--input`,
    `--in-axes`, `--batched`: `batched` is written for `fn_in_axes`). `in_axes` overrides any
    model's in_axes (`--in-axes` on a Model, `a` in the app); a hand-batched version written
    for other in_axes is then not run."""

    model: str = DEFAULT_MODEL
    batch_shape: tuple[int, ...] = DEFAULT_BATCH
    device: str = DEFAULT_DEVICE
    inputs: tuple[str, ...] = ()
    in_axes: Optional[tuple[Optional[int], ...]] = None
    batched: Optional[str] = None
    fn_in_axes: Optional[tuple[Optional[int], ...]] = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Selection":
        def axes(key):
            return None if data.get(key) is None else tuple(data[key])

        return cls(data["model"], tuple(data["batch_shape"]), data["device"], tuple(data.get("inputs", ())),
                   axes("in_axes"), data.get("batched"), axes("fn_in_axes"))


def parse_batch_shape(text: str) -> tuple[int, ...]:
    """`5`, `4,8`, `(4, 8)` or `[4, 8]` as a tuple of positive ints; LabError otherwise.

    Only digits are accepted (no `eval`, no `1e3`), and the total number of instances is
    capped because the loop reference runs each of them.
    """
    match = _SHAPE.match(text)
    if match is None or not match.group("body"):
        raise LabError(f"batch shape {text.strip()!r} is not a shape: type sizes like 5 or 4,8")
    body = match.group("body")
    dims = []
    for part in body.split(","):
        part = part.strip()
        if not part.isdigit() or not part.isascii():
            where = "" if part == text.strip() else f": {part!r}"
            raise LabError(f"batch shape {text.strip()!r}{where} is not a positive integer")
        if int(part) == 0:
            raise LabError(f"batch shape {text.strip()!r}: a batch dimension of 0 has no instances")
        dims.append(int(part))
    if len(dims) > MAX_BATCH_DIMS:
        raise LabError(f"batch shape {text.strip()!r} has {len(dims)} dimensions; at most {MAX_BATCH_DIMS}")
    total = math.prod(dims)
    if total > MAX_INSTANCES:
        raise LabError(
            f"batch shape {text.strip()!r} is {total:,} instances; the loop reference runs each one, "
            f"so the limit is {MAX_INSTANCES:,}"
        )
    return tuple(dims)


def format_batch_shape(shape: tuple[int, ...]) -> str:
    """The text a user would type back: `5` or `4,8`."""
    return ",".join(str(d) for d in shape)


def parse_aval(text: str) -> Aval:
    """`f32[3]`, `i32[]`, `float32[4, 8]`: jaxpr's notation for one argument of one instance."""
    match = _AVAL.match(text)
    if match is None:
        raise LabError(f"input {text.strip()!r} is not a dtype and shape: write e.g. f32[3], i32[] or f32[4,8]")
    dtype = LONG.get(match.group("dtype"))
    if dtype is None:
        known = ", ".join(sorted(SHORT.values()))
        raise LabError(f"input {text.strip()!r}: unknown dtype {match.group('dtype')!r}; use one of {known}")
    body = match.group("dims").strip()
    parts = [p.strip() for p in body.split(",")] if body else []
    if any(not p.isdigit() or not p.isascii() for p in parts):
        raise LabError(f"input {text.strip()!r}: dimensions must be whole numbers, e.g. f32[4,8]")
    shape = tuple(int(p) for p in parts)
    if len(shape) > MAX_INPUT_DIMS or math.prod(shape) > MAX_INPUT_ELEMENTS:
        raise LabError(f"input {text.strip()!r} is too large: at most {MAX_INPUT_DIMS} dimensions and "
                       f"{MAX_INPUT_ELEMENTS:,} elements per instance")
    return Aval(shape, dtype)


def parse_in_axes(text: str) -> tuple[Optional[int], ...]:
    """`0`, `0,None` or `(0, None)`: for each argument, 0 (batched, batch axes first) or None
    (shared by every instance), as vmap's in_axes means them."""
    match = _SHAPE.match(text)
    parts = [p.strip() for p in match.group("body").split(",")] if match and match.group("body") else []
    if not parts:
        raise LabError(f"in_axes {text.strip()!r} is empty: give 0 or None per argument, e.g. 0,None")
    axes = []
    for part in parts:
        if part == "0":
            axes.append(0)
        elif part.lower() == "none":
            axes.append(None)
        elif part.lstrip("-").isdigit():
            raise LabError(f"in_axes {text.strip()!r}: axis {part} is not supported; inputs are drawn with the "
                           f"batch axes first, so each entry is 0 (batched) or None (shared)")
        else:
            raise LabError(f"in_axes {text.strip()!r}: {part!r} is neither 0 nor None")
    if all(axis is None for axis in axes):
        raise LabError(f"in_axes {text.strip()!r}: at least one argument must be batched (0)")
    return tuple(axes)


def format_in_axes(axes: tuple[Optional[int], ...]) -> str:
    return ",".join(str(a) for a in axes)
