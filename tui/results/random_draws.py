"""Outputs that differ from the loop's because they are other random numbers, not other sums.

jax.random's RBG keys (impl "rbg" and "unsafe_rbg") have no exact vmap: `random_bits` on a batch
of them lowers to one RngBitGenerator on the first key, which draws the whole batch (jax.random's
docs: "the entire batch is generated from only the first key"). A program holding `random_bits` on
a batched RBG key therefore draws different numbers from a loop over the keys: the lab says so,
instead of "rounding or not is unknown".
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Sequence

from jaxbatch.results.report import Agreement, Eqn

FIRST_KEY = "rbg_first_key"  # Agreement.cause: vmap drew the batch from the first RBG key
_BATCHED_RBG_KEY = re.compile(r"^key<(?:unsafe_)?rbg>\[\d")  # a key array with a batch axis


def draws_from_first_key(eqns: Sequence[Eqn]) -> bool:
    """Whether the program draws random bits from a batch of RBG keys at once."""
    return any(e.primitive == "random_bits" and e.inputs and _BATCHED_RBG_KEY.match(e.inputs[0]) for e in eqns)


def explain(agreements: dict[str, Agreement], programs: dict[str, Sequence[Eqn]]) -> dict[str, Agreement]:
    """The agreements, with the cause named where an output missed the loop's and its program
    draws from the first RBG key of a batch."""
    return {k: replace(a, cause=FIRST_KEY)
            if a.kind in ("wrong", "differs") and draws_from_first_key(programs.get(k, ())) else a
            for k, a in agreements.items()}
