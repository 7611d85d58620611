"""What a sweep has measured so far, and the crossovers it shows (as `Lead`s: which of each pair
is faster at which batch sizes, judged on the figures as printed, so the table under which
jaxbatch.presentation.sweep words them bears each one out); free of JAX, so the app can hold it
before JAX is imported."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Optional

from jaxbatch.results import strategy_table
from jaxbatch.results.report import Device

# Closer than this, two per-instance times are even even when their spreads don't overlap: each
# size is timed apart, and the machine drifts more between sizes than within one.
EVEN = Fraction(11, 10)
SIGNIFICANT = 3  # digits every figure of a sweep is printed, and judged, at

Quartiles = Optional[tuple[float, float]]  # per instance; None where the spread is unknown
# One run of a pair's verdicts: the faster key at each of these consecutive sizes judged (None:
# within noise at each), and the sizes.
Run = tuple[Optional[str], tuple[int, ...]]


def shown(x: float) -> Fraction:
    """`x` as the tables print it, to SIGNIFICANT digits, exactly. Conclusions are judged on
    these, so that a reader applying the rule to the printed rows reaches the same ones."""
    return Fraction(f"{x:.{SIGNIFICANT}g}")


@dataclass(frozen=True)
class Lead:
    """The one thing a sweep shows about a pair of strategies (keys, as compared), from the
    verdict at each size judged (SweepState.faster): which one is faster there, or neither.

    Without `runs`, one pattern holds over the sizes judged: `leader` faster at every one
    (`from_batch` and `until_batch` None), or from `from_batch` on and within noise before, or up
    to `until_batch` and within noise beyond; no leader: within noise at every one. Any other
    pattern is told as it came, in `runs`."""

    pair: tuple[str, str]
    leader: Optional[str] = None
    from_batch: Optional[int] = None
    until_batch: Optional[int] = None
    runs: tuple[Run, ...] = ()

    @property
    def trailer(self) -> Optional[str]:
        """The slower of the pair, when one leads."""
        return None if self.leader is None else self.pair[1] if self.leader == self.pair[0] else self.pair[0]


@dataclass(frozen=True)
class SweepState:
    """The sweep so far; `stopped` says why it ended ("" while it runs)."""

    labels: dict[str, str]
    planned: tuple[int, ...]
    sizes: tuple[int, ...]  # measured so far
    per_instance_s: dict[str, tuple[Optional[float], ...]]  # medians; None where a strategy failed
    floor_s: tuple[float, ...]
    device: Device
    stopped: str = ""
    quartiles_s: dict[str, tuple[Quartiles, ...]] = field(default_factory=dict)  # as per_instance_s
    # XLA's planned peak per call (hlo.peak_bytes), as per_instance_s; None for the loop, which
    # has no one executable, and where XLA gave no plan
    peak_bytes: dict[str, tuple[Optional[int], ...]] = field(default_factory=dict)

    @property
    def ratio(self) -> tuple[Optional[float], ...]:
        """vmap over hand-batched, per size: above 1, vmap is slower."""
        vmap, manual = self.per_instance_s.get("vmap", ()), self.per_instance_s.get("manual", ())
        return tuple(v / m if v and m else None for v, m in zip(vmap, manual))

    def leads(self) -> list[Lead]:
        """One lead per pair of strategies with a size where both were measured."""
        out = []
        for a, b in strategy_table.sweep_pairs():
            if a in self.labels and b in self.labels:
                judged = [(n, self.faster(a, b, i)) for i, n in enumerate(self.sizes)
                          if self.per_instance_s[a][i] is not None and self.per_instance_s[b][i] is not None]
                if judged:
                    out.append(_settle((a, b), judged))
        return out

    def faster(self, a: str, b: str, i: int) -> Optional[str]:
        """The key faster at the i-th size (both measured there), None where they are within
        noise. Faster: its interquartile interval lies wholly below the other's, and its median
        times EVEN is below the other's, all as shown (`shown`)."""
        ta, tb = shown(self.per_instance_s[a][i]), shown(self.per_instance_s[b][i])
        (lo_a, hi_a), (lo_b, hi_b) = self.spread(a, i), self.spread(b, i)
        if hi_a < lo_b and ta * EVEN < tb:
            return a
        if hi_b < lo_a and tb * EVEN < ta:
            return b
        return None

    def spread(self, key: str, i: int) -> tuple[Fraction, Fraction]:
        """The i-th size's interquartile interval as shown, or the median alone where none was
        measured."""
        quartiles = self.quartiles_s.get(key, ())
        known = quartiles[i] if i < len(quartiles) else None
        low, high = known or (self.per_instance_s[key][i],) * 2
        return shown(low), shown(high)

    def __repr__(self) -> str:
        """Short: what was measured, of what was planned, and why it stopped."""
        done = f"{self.sizes[0]:,}-{self.sizes[-1]:,}" if self.sizes else "none"
        return (f"SweepState(strategies={list(self.labels.values())}, sizes {done}: {len(self.sizes)} of "
                f"{len(self.planned)} planned, stopped={self.stopped or 'running'!r})")

    def to_json(self) -> dict[str, Any]:
        return {"labels": self.labels, "planned": list(self.planned), "sizes": list(self.sizes),
                "per_instance_s": {k: list(v) for k, v in self.per_instance_s.items()},
                "quartiles_s": {k: [None if q is None else list(q) for q in v] for k, v in self.quartiles_s.items()},
                "peak_bytes": {k: list(v) for k, v in self.peak_bytes.items()},
                "floor_s": list(self.floor_s), "device": self.device.to_json(), "stopped": self.stopped,
                "ratio_vmap_to_manual": list(self.ratio)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "SweepState":
        return cls(labels=data["labels"], planned=tuple(data["planned"]), sizes=tuple(data["sizes"]),
                   per_instance_s={k: tuple(v) for k, v in data["per_instance_s"].items()},
                   floor_s=tuple(data["floor_s"]), device=Device.of(data["device"]), stopped=data["stopped"],
                   quartiles_s={k: tuple(None if q is None else tuple(q) for q in v)
                                for k, v in data["quartiles_s"].items()},
                   peak_bytes={k: tuple(v) for k, v in data.get("peak_bytes", {}).items()})  # none before issue 14


def _settle(pair: tuple[str, str], judged: list[tuple[int, Optional[str]]]) -> Lead:
    """The one thing to say about `pair`, from (batch size, faster key or None) at each size judged."""
    runs: list[tuple[Optional[str], list[int]]] = []
    for n, side in judged:
        if runs and runs[-1][0] == side:
            runs[-1][1].append(n)
        else:
            runs.append((side, [n]))
    if len(runs) == 1:
        return Lead(pair, runs[0][0])
    if len(runs) == 2 and runs[0][0] is None:
        return Lead(pair, runs[1][0], from_batch=runs[1][1][0])
    if len(runs) == 2 and runs[1][0] is None:
        return Lead(pair, runs[0][0], until_batch=runs[0][1][-1])
    return Lead(pair, runs=tuple((side, tuple(sizes)) for side, sizes in runs))
