"""What the user chose (model, batch shape, device), parsed from text without importing JAX."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from jaxbatch.lab.errors import LabError

DEFAULT_MODEL = "tanh-dense"
DEFAULT_BATCH = (5,)
DEFAULT_DEVICE = "cpu"

# The loop reference calls the model once per instance, eagerly: past this it takes minutes.
MAX_INSTANCES = 65_536
MAX_BATCH_DIMS = 6

_SHAPE = re.compile(r"^\s*[\(\[]?\s*(?P<body>[^()\[\]]*?)\s*,?\s*[\)\]]?\s*$")


@dataclass(frozen=True)
class Selection:
    """One request to the lab. Equal selections give equal results (inputs are seeded)."""

    model: str = DEFAULT_MODEL
    batch_shape: tuple[int, ...] = DEFAULT_BATCH
    device: str = DEFAULT_DEVICE


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
