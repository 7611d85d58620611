"""What the user chose (model, batch shape, device), parsed from text without importing JAX."""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from typing import Any, Optional

from jaxbatch.results.errors import LabError
from jaxbatch.results.spec import LONG, SHORT, Aval

DEFAULT_MODEL = "tanh-dense"
DEFAULT_BATCH = (5,)
DEFAULT_DEVICE = "cpu"
# Instances per step of the chunked strategy unless `--chunk` says otherwise (README: "When vmap
# is too big"): its temporaries stay those of 64 instances at any batch, and each step is wide
# enough that the loop's own cost per step (a few microseconds) is small beside the work.
DEFAULT_CHUNK = 64
# Matmul precision, as `jax.default_matmul_precision` takes it. "default" is JAX's own default, what
# users' code runs at (TF32 for float32 matmuls on NVIDIA GPUs, bfloat16 passes on TPUs; full
# float32 on CPU, which ignores the setting).
PRECISIONS = ("default", "high", "highest")
DEFAULT_PRECISION = "default"

# The loop reference calls the model once per instance, eagerly: past this it takes minutes.
MAX_INSTANCES = 65_536
MAX_BATCH_DIMS = 6

# One argument of the user's function is at most this many elements (per instance).
MAX_INPUT_ELEMENTS = 1 << 24
MAX_INPUT_DIMS = 8

_BRACKETS = {"(": ")", "[": "]"}
_AVAL = re.compile(r"^\s*(?P<dtype>[A-Za-z][A-Za-z0-9]*)\s*\[(?P<dims>[^\[\]]*)\]\s*$")


@dataclass(frozen=True)
class Selection:
    """One request to the lab. Equal selections give equal results (inputs are seeded).

    `inputs`, `fn_in_axes` and `batched` describe the user's own function (`--input`,
    `--in-axes`, `--batched`: `batched` is written for `fn_in_axes`). `in_axes` overrides any
    model's in_axes (`--in-axes` on a Model, `a` in the app); a hand-batched version written
    for other in_axes is then not run. `chunk` is the chunked strategy's instances per step;
    `precision` the matmul precision everything runs at (one of PRECISIONS)."""

    model: str = DEFAULT_MODEL
    batch_shape: tuple[int, ...] = DEFAULT_BATCH
    device: str = DEFAULT_DEVICE
    inputs: tuple[str, ...] = ()
    in_axes: Optional[tuple[Optional[int], ...]] = None
    batched: Optional[str] = None
    fn_in_axes: Optional[tuple[Optional[int], ...]] = None
    chunk: int = DEFAULT_CHUNK
    precision: str = DEFAULT_PRECISION

    def to_json(self) -> dict[str, Any]:
        """JSON's own types (lists for tuples), so a selection read back from a file compares equal."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Selection":
        def axes(key):
            return None if data.get(key) is None else tuple(data[key])

        return cls(data["model"], tuple(data["batch_shape"]), data["device"], tuple(data.get("inputs", ())),
                   axes("in_axes"), data.get("batched"), axes("fn_in_axes"), data.get("chunk", DEFAULT_CHUNK),
                   data.get("precision", DEFAULT_PRECISION))


def parse_batch_shape(text: str) -> tuple[int, ...]:
    """`5`, `4,8`, `(4, 8)` or `[4, 8]` as a tuple of positive ints; LabError otherwise.

    Only digits are accepted (no `eval`, no `1e3`), and the total number of instances is
    capped because the loop reference runs each of them.
    """
    typed = text.strip()
    body = _unbracketed(text, "batch shape", "type sizes like 5, 4,8 or (4, 8)")
    if not body:
        raise LabError(f"batch shape {_shown(typed)} is not a shape: type sizes like 5 or 4,8")
    dims = []
    for part in body.split(","):
        part = part.strip()
        if not part.isdigit() or not part.isascii():
            where = "" if part == typed else f": {_shown(part)}"
            raise LabError(f"batch shape {_shown(typed)}{where} is not a positive integer")
        size = _whole(part)
        if size == 0:
            raise LabError(f"batch shape {_shown(typed)}: a batch dimension of 0 has no instances")
        dims.append(size)
    if len(dims) > MAX_BATCH_DIMS:
        raise LabError(f"batch shape {_shown(typed)} has {len(dims)} dimensions; at most {MAX_BATCH_DIMS}")
    total = math.prod(dims)
    if total > MAX_INSTANCES:
        count = f"{total:,}" if total < _HUGE else "too many"
        raise LabError(
            f"batch shape {_shown(typed)} is {count} instances; the loop reference runs each one, "
            f"so the limit is {MAX_INSTANCES:,}"
        )
    return tuple(dims)


# A number of this many digits or more is past every limit here; it is never converted whole
# (Python refuses int() of over 4,300 digits), so any count of digits can be typed.
_DIGITS = 19
_HUGE = 10 ** (_DIGITS - 1)


def _whole(digits: str) -> int:
    """The ASCII digits' value, or _HUGE when it is that large or larger (leading zeros are fine)."""
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) < _DIGITS else _HUGE


def _shown(text: str, limit: int = 40) -> str:
    """`text` quoted, cut short when long: a message is one line, not the user's 5,000 digits."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"… ({len(text):,} characters)"


def _unbracketed(text: str, what: str, hint: str) -> str:
    """The text inside one pair of matching brackets around the whole, or the text itself, with
    a trailing comma dropped (`(4,)`). A bracket that doesn't pair is a typo, pointed out."""
    typed = text.strip()
    brackets = [(i, c) for i, c in enumerate(typed) if c in "()[]"]
    opening = [c for _, c in brackets if c in _BRACKETS]
    closing = [c for _, c in brackets if c not in _BRACKETS]
    if len(opening) > 1 or len(closing) > 1:
        raise LabError(f"{what} {_shown(typed)} has brackets inside brackets: {hint}")
    if opening and not closing:
        raise LabError(f"{what} {_shown(typed)}: {opening[0]!r} is never closed; {hint}")
    if closing and not opening:
        raise LabError(f"{what} {_shown(typed)}: {closing[0]!r} was never opened; {hint}")
    if brackets:
        if [i for i, _ in brackets] != [0, len(typed) - 1] or typed[0] not in _BRACKETS:
            raise LabError(f"{what} {_shown(typed)}: brackets must enclose the whole shape; {hint}")
        if _BRACKETS[typed[0]] != typed[-1]:
            raise LabError(f"{what} {_shown(typed)}: {typed[0]!r} is closed by {typed[-1]!r}; {hint}")
        typed = typed[1:-1].strip()
    return typed[:-1].rstrip() if typed.endswith(",") else typed


def parse_chunk(text: str) -> int:
    """`--chunk K`: instances per step of the chunked strategy, a positive integer. One above the
    batch is allowed: lax.map then runs the whole batch as one vmap, no loop."""
    typed = text.strip()
    if not typed:
        raise LabError("no chunk size: type instances per step, a positive integer, e.g. 64")
    if not typed.isdigit() or not typed.isascii():
        raise LabError(f"chunk {_shown(typed)} is not a positive integer: instances per step, e.g. 64")
    k = _whole(typed)
    if k == 0:
        raise LabError("chunk 0 has no instances per step: give 1 or more, e.g. 64")
    if k > MAX_INSTANCES:
        raise LabError(f"chunk {_shown(typed)} is more than the {MAX_INSTANCES:,} instances a batch may have")
    return k


def parse_precision(text: str) -> str:
    """`--precision`: one of PRECISIONS, case aside."""
    typed = text.strip().lower()
    if typed not in PRECISIONS:
        raise LabError(f"precision {_shown(text.strip())} is not one of {', '.join(PRECISIONS)}")
    return typed


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
        raise LabError(f"input {_shown(text.strip())}: dimensions must be whole numbers, e.g. f32[4,8]")
    shape = tuple(_whole(p) for p in parts)
    if len(shape) > MAX_INPUT_DIMS or math.prod(shape) > MAX_INPUT_ELEMENTS:
        raise LabError(f"input {_shown(text.strip())} is too large: at most {MAX_INPUT_DIMS} dimensions and "
                       f"{MAX_INPUT_ELEMENTS:,} elements per instance")
    return Aval(shape, dtype)


def parse_in_axes(text: str) -> tuple[Optional[int], ...]:
    """`0`, `0,None` or `(0, None)`: for each argument, 0 (batched, batch axes first) or None
    (shared by every instance), as vmap's in_axes means them."""
    body = _unbracketed(text, "in_axes", "give 0 or None per argument, e.g. 0,None or (0, None)")
    parts = [p.strip() for p in body.split(",")] if body else []
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
