"""What a sweep has measured so far, and the crossovers it shows (as `Lead`s: who leads whom
from which batch size; jaxbatch.presentation.sweep words them); free of JAX, so the app can
hold it before JAX is imported."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from jaxbatch.lab.results import Device
from jaxbatch.lab.timing import DISPATCH_BOUND

# Closer than this, two per-instance times are even even when their spreads don't overlap: each
# size is timed apart, and the machine drifts more between sizes than within one.
EVEN = 1.10

Quartiles = Optional[tuple[float, float]]  # per instance; None where the spread is unknown


@dataclass(frozen=True)
class Lead:
    """The one thing a sweep shows about a pair of strategies (keys, as compared).

    `leader` is the key that is faster beyond the noise, None when neither is: then the two are
    within noise of each other. With a leader: faster at every size from `from_batch` on (a
    crossover), at every size measured (`from_batch` and `until_batch` None), or, with
    `until_batch`, at every size up to it and within noise beyond."""

    pair: tuple[str, str]
    leader: Optional[str] = None
    from_batch: Optional[int] = None
    until_batch: Optional[int] = None

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
        """One lead per pair of strategies measured, claiming a lead only where it holds beyond
        noise (see `_lead`) and, for a crossover, at every size from there on: a lead that comes
        and goes is noise, not a crossover."""
        out = []
        for a, b in (("vmap", "manual"), ("vmap", "loop"), ("manual", "loop"), ("chunked", "vmap")):
            if a in self.labels and b in self.labels:
                leads = [(n, lead) for i, n in enumerate(self.sizes) if (lead := self._lead(a, b, i)) is not None]
                if leads:
                    out.append(_settle((a, b), leads))
        return out

    def _lead(self, a: str, b: str, i: int) -> Optional[str]:
        """"a", "b" or "even" at the i-th size; None where either failed. Even when both are
        dispatch-bound, when their interquartile intervals overlap, or when they are within EVEN."""
        ta, tb = self.per_instance_s[a][i], self.per_instance_s[b][i]
        if ta is None or tb is None:
            return None
        bound = DISPATCH_BOUND * self.floor_s[i] / self.sizes[i]
        if ta < bound and tb < bound:
            return "even"
        (lo_a, hi_a), (lo_b, hi_b) = self._spread(a, i), self._spread(b, i)
        if hi_a < lo_b and ta * EVEN < tb:
            return "a"
        if hi_b < lo_a and tb * EVEN < ta:
            return "b"
        return "even"

    def _spread(self, key: str, i: int) -> tuple[float, float]:
        """The i-th size's interquartile interval, or the median alone where none was measured."""
        quartiles = self.quartiles_s.get(key, ())
        known = quartiles[i] if i < len(quartiles) else None
        median = self.per_instance_s[key][i]
        return known or (median, median)

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


def _settle(pair: tuple[str, str], leads: list[tuple[int, str]]) -> Lead:
    """The one thing to say about `pair`, from (batch size, lead) at each size."""
    keys = {"a": pair[0], "b": pair[1]}
    sides = [lead for _, lead in leads]
    last, first = sides[-1], sides[0]
    if last != "even":
        start = len(sides)
        while start and sides[start - 1] == last:
            start -= 1
        return Lead(pair, keys[last], from_batch=leads[start][0] if start else None)
    if first != "even":
        end = next(i for i, side in enumerate(sides) if side != first)
        if all(side == "even" for side in sides[end:]):
            return Lead(pair, keys[first], until_batch=leads[end - 1][0])
    return Lead(pair)
