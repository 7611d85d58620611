"""How a model is described: a function for ONE instance, its hand-batched twin, its inputs.

Built-in models (`jaxbatch.models`) and the user's own files use the same `Model`. Building is
deferred to `build(rng)` so that parameters are drawn from the model's seeded generator in a
fixed order (parameters, then one instance, then the batch) and closed over, as in the seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

if TYPE_CHECKING:  # the lab's loader gives a reason as data; a model's author writes words
    from jaxbatch.results.report import NoManual

# jaxpr's short dtype names, so shapes read the same in the app as in a jaxpr.
SHORT = {
    "bool": "bool",
    "bfloat16": "bf16",
    "float16": "f16",
    "float32": "f32",
    "float64": "f64",
    "complex64": "c64",
    "complex128": "c128",
    "int8": "i8",
    "int16": "i16",
    "int32": "i32",
    "int64": "i64",
    "uint8": "u8",
    "uint16": "u16",
    "uint32": "u32",
    "uint64": "u64",
}


# Every name a user may write for a dtype: jaxpr's short names and NumPy's long ones.
LONG = {**{short: long for long, short in SHORT.items()}, **{long: long for long in SHORT}}


def aval_text(dtype: str, shape: tuple[int, ...]) -> str:
    """`f32[5,3]`, as a jaxpr writes an abstract value."""
    return f"{SHORT.get(dtype, dtype)}[{','.join(str(d) for d in shape)}]"


@dataclass(frozen=True)
class Aval:
    """Shape and dtype of one array argument for ONE instance (no batch dimension)."""

    shape: tuple[int, ...]
    dtype: str = "float32"

    def __str__(self) -> str:
        return aval_text(self.dtype, self.shape)


# build(rng) -> (single, manual): `single` takes one instance; `manual` (or None) takes a batch
# with one leading batch axis on every argument whose in_axes entry is 0.
Build = Callable[[Any], "tuple[Callable[..., Any], Optional[Callable[..., Any]]]"]


@dataclass(frozen=True)
class Model:
    """A model written for one instance, and what an expert writes to batch it by hand."""

    name: str
    summary: str
    build: Build
    args: tuple[Any, ...]  # one pytree of Aval per positional argument
    in_axes: tuple[Optional[int], ...] = (0,)
    manual_label: str = "hand-batched"
    # Why there is no hand-batched version, when build gives none: its author's words, or the
    # loader's reason (NoManual); "" when none was given.
    manual_missing: Union[str, NoManual] = ""
    note: str = ""
    source: str = ""
    seed: int = 0
    # What the note claims the programs show, checked by the tests: (strategy, regex) pairs,
    # each regex searched in that strategy's jaxpr text, e.g. ("vmap", r"\bgather\b").
    signature: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if len(self.in_axes) != len(self.args):
            n = len(self.args)
            raise ValueError(f"{self.name}: in_axes has {len(self.in_axes)} entries for {n} argument{'s' * (n != 1)}")
        if any(axis not in (0, None) for axis in self.in_axes) or 0 not in self.in_axes:
            raise ValueError(f"{self.name}: in_axes entries must be 0 or None, and one of them 0")
