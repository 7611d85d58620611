"""How precisely each matrix product and convolution of a compiled program runs, read off its
text: StableHLO's `precision = [HIGHEST, HIGHEST]` or `algorithm = ...`, optimized HLO's
`operand_precision={highest,highest}` or `algorithm=dot_tf32_tf32_f32`, and the precision
config of the library calls a GPU compiles them to (cuBLAS, cuDNN). A product that names none
runs at the device's default: TF32 for float32 on NVIDIA GPUs. Free of JAX: text in, counts out.
"""

from __future__ import annotations

import re
from collections import Counter

# The ops that carry a precision: StableHLO's, HLO's, and the GPU library calls XLA makes of them.
_STABLEHLO_OPS = re.compile(r"\bstablehlo\.(dot_general|dot|convolution)\b")
_HLO_OPS = re.compile(r"\s(dot|convolution)\(|custom_call_target=\"__(cublas|cudnn)")
_PRECISION = re.compile(r"precision = \[(\w+)|precision_config = \[#stablehlo<precision (\w+)>"
                        r"|operand_precision=\{(\w+)|\"operand_precision\":\[\"(\w+)\"")
_ALGORITHM = re.compile(r"algorithm=(\w+)|\"algorithm\":\"(\w+)\"")
# StableHLO spells an algorithm out: named here as HLO names it, `dot_tf32_tf32_f32`.
_STABLEHLO_ALGORITHM = re.compile(r"lhs_precision_type = (\w+), rhs_precision_type = (\w+), "
                                  r"accumulation_type = (\w+)")
UNSET = "ALG_UNSET"


def dot_precisions(text: str) -> dict[str, int]:
    """How many products run at each precision: {"default": 2}, {"highest": 1},
    {"algorithm dot_tf32_tf32_f32": 1}; {} for a program without any."""
    ops = _STABLEHLO_OPS if "stablehlo." in text else _HLO_OPS
    counts: Counter = Counter()
    for line in text.splitlines():
        if ops.search(line):
            counts[_precision_of(line)] += 1
    return dict(counts)


def _precision_of(line: str) -> str:
    spelled = _STABLEHLO_ALGORITHM.search(line)
    if spelled is not None:
        return "algorithm dot_" + "_".join(spelled.groups())
    algorithm = next((g for m in _ALGORITHM.finditer(line) for g in m.groups() if g and g != UNSET), None)
    if algorithm is not None:
        return "algorithm " + algorithm.removeprefix("ALG_").lower()
    found = next((g for m in _PRECISION.finditer(line) for g in m.groups() if g), "default")
    return found.lower()
