"""NumPy scalars as JAX's printer writes them in parameters (`np.int64(0)`, `np.float32(0.5)`,
`np.True_`), read as the plain numbers and bools they are. One rule, JAX-free, for the lab's
parameter values and the presentation's jaxpr text."""

from __future__ import annotations

import re

_NP_SCALAR = re.compile(r"\bnp\.\w+\(([^()]*)\)")
_NP_BOOL = re.compile(r"\bnp\.(True|False)_")


def plain_scalars(text: str) -> str:
    """`axes=(np.int64(0),)` as `axes=(0,)`, `np.True_` as `True`."""
    return _NP_BOOL.sub(r"\1", _NP_SCALAR.sub(r"\1", text))
