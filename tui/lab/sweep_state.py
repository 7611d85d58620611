"""What a sweep has measured so far, and the crossovers it shows; free of JAX, so the app can
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

    @property
    def ratio(self) -> tuple[Optional[float], ...]:
        """vmap over hand-batched, per size: above 1, vmap is slower."""
        vmap, manual = self.per_instance_s.get("vmap", ()), self.per_instance_s.get("manual", ())
        return tuple(v / m if v and m else None for v, m in zip(vmap, manual))

    def crossovers(self) -> list[str]:
        """One statement per pair of strategies, claiming a lead only where it holds beyond noise
        (see `_lead`) and, for a crossover, at every size from there on: a lead that comes and
        goes is noise, not a crossover."""
        out = []
        for a, b in (("vmap", "manual"), ("vmap", "loop"), ("manual", "loop")):
            if a in self.labels and b in self.labels:
                leads = [(n, lead) for i, n in enumerate(self.sizes) if (lead := self._lead(a, b, i)) is not None]
                if leads:
                    out.append(_statement(self.labels[a], self.labels[b], leads))
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
                "floor_s": list(self.floor_s), "device": self.device.to_json(), "stopped": self.stopped,
                "ratio_vmap_to_manual": list(self.ratio), "crossovers": self.crossovers()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "SweepState":
        return cls(labels=data["labels"], planned=tuple(data["planned"]), sizes=tuple(data["sizes"]),
                   per_instance_s={k: tuple(v) for k, v in data["per_instance_s"].items()},
                   floor_s=tuple(data["floor_s"]), device=Device.of(data["device"]), stopped=data["stopped"],
                   quartiles_s={k: tuple(None if q is None else tuple(q) for q in v)
                                for k, v in data["quartiles_s"].items()})


def _statement(la: str, lb: str, leads: list[tuple[int, str]]) -> str:
    """The one thing to say about labels `la` and `lb`, from (batch size, lead) at each size."""
    names = {"a": (la, lb), "b": (lb, la)}
    sides = [lead for _, lead in leads]
    last, first = sides[-1], sides[0]
    if last != "even":
        start = len(sides)
        while start and sides[start - 1] == last:
            start -= 1
        faster, slower = names[last]
        if start == 0:
            return f"{faster} is faster than {slower} at every size"
        return f"{faster} pulls ahead of {slower} from batch {leads[start][0]:,}"
    if first != "even":
        end = next(i for i, side in enumerate(sides) if side != first)
        if all(side == "even" for side in sides[end:]):
            faster, slower = names[first]
            return f"{faster} is faster than {slower} up to batch {leads[end - 1][0]:,}, within noise beyond"
    return f"{la} and {lb} are within noise of each other"
