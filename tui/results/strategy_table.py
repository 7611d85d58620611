"""Every strategy the lab runs, in one table: what it is, how it is named and drawn, where it runs
and what it is compared with. Everything that lists strategies derives from TABLE, read when
asked (not copied at import), so adding a strategy is one StrategySpec here plus its
implementation (lab.strategies.BUILDERS, or lab.sharding.SPREADS for one per device).

Free of JAX and of any UI, so the presentation and the views can read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class Pair(NamedTuple):
    """A comparison: `other` beside this strategy, on the left in the programs pane, `place`
    in the pane's cycle of pairs (`p`; the first one the report holds is the default). The sweep
    compares the same pair, this strategy first, where both are its series."""

    other: str
    place: int


@dataclass(frozen=True)
class StrategySpec:
    key: str  # in the report JSON and every dict of strategies
    role: str  # what it is, in the words every view puts beside its label
    label: str  # its name by default: "{chunk}" is the chunked strategy's k; a model names its own hand-batched one
    colour: str  # the theme variable its series is drawn in
    one_device: bool = True  # False: compiled once per device of a mesh, each holding its share of the batch
    batched: bool = False  # the whole batch as one program on one device: its memory plan grows with the batch
    sweep: bool = True  # a series of the scaling sweep
    pairs: tuple[Pair, ...] = ()
    spreads: str = ""  # the one-device strategy it spreads over the devices: the timings give its speed-up over it


# In the order every view lists them.
TABLE: tuple[StrategySpec, ...] = (
    StrategySpec("loop", "the reference", "loop", "secondary"),
    StrategySpec("manual", "hand-batched", "hand-batched", "primary", batched=True, pairs=(Pair("loop", 2),)),
    StrategySpec("vmap", "jax.vmap", "vmap", "accent", batched=True, pairs=(Pair("manual", 0), Pair("loop", 1))),
    StrategySpec("chunked", "lax.map in chunks", "chunked k={chunk}", "success", batched=True,
                 pairs=(Pair("vmap", 3),)),
    StrategySpec("sharded", "vmap over a device mesh", "sharded", "warning", one_device=False, sweep=False,
                 pairs=(Pair("vmap", 4),), spreads="vmap"),
    StrategySpec("shard_map", "vmap per device", "shard_map", "error", one_device=False, sweep=False,
                 pairs=(Pair("vmap", 5), Pair("sharded", 6))),
)


def spec(key: str) -> StrategySpec:
    return next(s for s in TABLE if s.key == key)


def keys() -> tuple[str, ...]:
    return tuple(s.key for s in TABLE)


def roles() -> dict[str, str]:
    """What each strategy is, in the words every view uses."""
    return {s.key: s.role for s in TABLE}


def per_device() -> frozenset[str]:
    """The strategies compiled as one program per device of a mesh: XLA's plan, and so the peak
    memory, is that of one device, holding its share of the batch."""
    return frozenset(s.key for s in TABLE if not s.one_device)


def batched() -> tuple[str, ...]:
    """The strategies that run the whole batch as one program on one device."""
    return tuple(s.key for s in TABLE if s.batched)


def colours() -> dict[str, str]:
    return {s.key: s.colour for s in TABLE}


def labels(chunk: int, manual: str = "hand-batched") -> dict[str, str]:
    """Each strategy's default name, for a chunk of `chunk` and the hand-batched version named `manual`."""
    return {s.key: manual if s.key == "manual" else s.label.format(chunk=chunk) for s in TABLE}


def program_pairs() -> tuple[tuple[str, str], ...]:
    """The programs pane's pairs, (left, right), in its cycle's order."""
    placed = sorted((p.place, p.other, s.key) for s in TABLE for p in s.pairs)
    return tuple((left, right) for _, left, right in placed)


def sweep_pairs() -> tuple[tuple[str, str], ...]:
    """The pairs a sweep's crossovers are told for, the later strategy first."""
    series = {s.key for s in TABLE if s.sweep}
    return tuple((right, left) for left, right in program_pairs() if left in series and right in series)


def partners(key: str) -> tuple[str, ...]:
    """The strategies `key` is compared with, in the order of the programs pane's pairs."""
    return tuple(left if right == key else right for left, right in program_pairs() if key in (left, right))


def scaled() -> tuple[str, str] | None:
    """(the strategy spread over the devices, the one-device strategy it spreads), whose speed-up
    the timings tell; None where no strategy spreads another."""
    return next(((s.key, s.spreads) for s in TABLE if s.spreads), None)
