"""What a sweep has measured so far, and the crossovers it shows; free of JAX, so the app can
hold it before JAX is imported."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Optional

from jaxbatch.lab.timing import DISPATCH_BOUND

EVEN = 1.10  # two per-instance times closer than this are even


@dataclass(frozen=True)
class SweepState:
    """The sweep so far; `stopped` says why it ended ("" while it runs)."""

    labels: dict[str, str]
    planned: tuple[int, ...]
    sizes: tuple[int, ...]  # measured so far
    per_instance_s: dict[str, tuple[Optional[float], ...]]  # None where a strategy failed
    floor_s: tuple[float, ...]
    device: dict[str, Any]
    stopped: str = ""

    @property
    def ratio(self) -> tuple[Optional[float], ...]:
        """vmap over hand-batched, per size: above 1, vmap is slower."""
        vmap, manual = self.per_instance_s.get("vmap", ()), self.per_instance_s.get("manual", ())
        return tuple(v / m if v and m else None for v, m in zip(vmap, manual))

    def crossovers(self) -> list[str]:
        """Where one strategy pulls ahead of or falls behind another, size by size. Within
        EVEN of each other, or both dispatch-bound, two strategies are even: noise is not a
        crossover."""
        out = []
        for a, b in (("vmap", "manual"), ("vmap", "loop"), ("manual", "loop")):
            if a not in self.labels or b not in self.labels:
                continue
            states = [self._lead(a, b, i) for i in range(len(self.sizes))]
            la, lb = self.labels[a], self.labels[b]
            known = [(n, s) for n, s in zip(self.sizes, states) if s is not None]
            changes = [(n, s) for i, (n, s) in enumerate(known) if i == 0 or s != known[i - 1][1]]
            if len(changes) == 1:
                only = changes[0][1]
                out.append(f"{la} and {lb} are even at every size" if only == "even" else
                           f"{_name(only, la, lb)} is faster than {_name(_other(only), la, lb)} at every size")
            for n, state in changes[1:]:
                out.append(f"{la} and {lb} are even from batch {n:,}" if state == "even" else
                           f"{_name(state, la, lb)} pulls ahead of {_name(_other(state), la, lb)} from batch {n:,}")
        return out

    def _lead(self, a: str, b: str, i: int) -> Optional[str]:
        """"a", "b" or "even" at the i-th size; None where either failed."""
        ta, tb = self.per_instance_s[a][i], self.per_instance_s[b][i]
        if ta is None or tb is None:
            return None
        bound = DISPATCH_BOUND * self.floor_s[i] / self.sizes[i]
        if (ta < bound and tb < bound) or abs(math.log(ta / tb)) < math.log(EVEN):
            return "even"
        return "a" if ta < tb else "b"

    def to_json(self) -> dict[str, Any]:
        return {"labels": self.labels, "planned": list(self.planned), "sizes": list(self.sizes),
                "per_instance_s": {k: list(v) for k, v in self.per_instance_s.items()},
                "floor_s": list(self.floor_s), "device": self.device, "stopped": self.stopped,
                "ratio_vmap_to_manual": list(self.ratio), "crossovers": self.crossovers()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "SweepState":
        return cls(labels=data["labels"], planned=tuple(data["planned"]), sizes=tuple(data["sizes"]),
                   per_instance_s={k: tuple(v) for k, v in data["per_instance_s"].items()},
                   floor_s=tuple(data["floor_s"]), device=data["device"], stopped=data["stopped"])


def _name(side: str, a: str, b: str) -> str:
    return a if side == "a" else b


def _other(side: str) -> str:
    return "b" if side == "a" else "a"
