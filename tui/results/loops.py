"""Did vmap turn the function into a loop? A loop in vmap's program that the one-instance program
lacks means the batch runs step by step (pure_callback's vmap_method="sequential", linalg that
loops on some backends), and that matters more than any layout difference: it is the headline.

Works on what the lab already has, flattened jaxpr equations and optimized HLO text, so it needs
neither JAX nor a UI. The jaxpr is looked at first (it is the user's program); the optimized HLO
catches loops only XLA makes.
"""

from __future__ import annotations

from collections import Counter
from typing import Optional

from jaxbatch.results import hlo_text
from jaxbatch.results.hlo_cost import trip_count
from jaxbatch.results.report import Eqn, Loop

# (where, steps, index of the nearest enclosing loop in the same list, or None)
Found = tuple[str, Optional[int], Optional[int]]

_LOOP_PRIMITIVES = frozenset({"scan", "while"})


def added_loop(single_eqns: list[Eqn], single_hlo: str, vmap_eqns: list[Eqn], vmap_hlo: str) -> Optional[Loop]:
    """The outermost loop vmap's program holds and the one-instance program doesn't, its steps
    multiplied through the loops it adds inside it (two batch dimensions nest two loops); None
    when vmap adds none."""
    single_jaxpr = jaxpr_loops(single_eqns)
    vmap_jaxpr = jaxpr_loops(vmap_eqns)
    if added := _added(vmap_jaxpr, Counter(steps for _, steps, _ in single_jaxpr)):
        return _outermost(vmap_jaxpr, added, "jaxpr")
    # XLA may unroll a short loop in one program and keep it in the other: a while counts as the
    # one instance's if either of its programs has a loop of that many steps.
    seen = Counter(steps for _, steps, _ in single_jaxpr) | Counter(steps for _, steps, _ in hlo_loops(single_hlo))
    vmap_hlo_loops = hlo_loops(vmap_hlo)
    added = _added(vmap_hlo_loops, seen)
    return _outermost(vmap_hlo_loops, added, "hlo") if added else None


def jaxpr_loops(eqns: list[Eqn]) -> list[Found]:
    """scan and while equations in program order; a scan's steps are its `length`."""
    out: list[Found] = []
    open_loops: list[tuple[int, int]] = []  # (depth, index in out) of the loops we are inside
    for eqn in eqns:
        while open_loops and open_loops[-1][0] >= eqn.depth:
            open_loops.pop()
        if eqn.primitive in _LOOP_PRIMITIVES:
            length = eqn.params.get("length")
            steps = int(length) if eqn.primitive == "scan" and length and length.isdigit() else None
            out.append((eqn.primitive, steps, open_loops[-1][1] if open_loops else None))
            open_loops.append((eqn.depth, len(out) - 1))
    return out


def hlo_loops(optimized: str) -> list[Found]:
    """`while` ops in optimized HLO, the entry's first; steps are XLA's `known_trip_count` where
    it found one."""
    whiles = [(c.name, i) for c in hlo_text.control_flow(hlo_text.parse(optimized))
              for i in c.instructions if i.opcode == "while"]
    body_of = {body: n for n, (_, i) in enumerate(whiles) for body in i.called("body")}
    return [("while", trip_count(i), body_of.get(inside)) for inside, i in whiles]


def _added(loops: list[Found], seen: Counter) -> list[int]:
    """The loops left over, in program order, once each loop of the other program has claimed
    one of as many steps."""
    left = Counter(seen)
    added = []
    for i, (_, steps, _) in enumerate(loops):
        if left[steps] > 0:
            left[steps] -= 1
        else:
            added.append(i)
    return added


def _outermost(loops: list[Found], added: list[int], level: str) -> Loop:
    """The first added loop inside no other added loop, steps multiplied down the chain of added
    loops nested in it; unknown if any of them is."""

    def added_parent(i: int) -> Optional[int]:
        parent = loops[i][2]
        while parent is not None and parent not in added:
            parent = loops[parent][2]
        return parent

    top = next(i for i in added if added_parent(i) is None)
    steps, inner = loops[top][1], top
    while steps is not None and (inner := next((i for i in added if added_parent(i) == inner), None)) is not None:
        steps = None if loops[inner][1] is None else steps * loops[inner][1]
    return Loop(steps=steps, where=loops[top][0], level=level)
