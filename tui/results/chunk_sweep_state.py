"""What a chunk sweep has measured so far, and the trade-off it shows (as a `Best`:
jaxbatch.presentation.chunk_sweep words it); free of JAX, so the app can hold it before JAX is
imported and the timing helper can send it as JSON."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Optional

from jaxbatch.results.report import Device
from jaxbatch.results.sweep_state import Quartiles, shown

# A chunk size this close to the fastest time measured is as good as the fastest: each k is
# timed apart, and the machine drifts more than this between them only rarely.
NEAR = Fraction(5, 4)


@dataclass(frozen=True)
class Best:
    """The best trade-off: chunk size `k` (None: vmap itself) and its time and peak memory
    over vmap's."""

    k: Optional[int]
    time_ratio: float
    memory_ratio: float


@dataclass(frozen=True)
class ChunkSweepState:
    """The chunked strategy at chunk sizes `ks` on one batch of `batch` instances, and vmap on
    the same batch as the yardstick; `stopped` says why it ended ("" while it runs). Times are
    per call (the whole batch); None where a k failed to compile or XLA gave no memory plan."""

    batch: int
    planned: tuple[int, ...]
    ks: tuple[int, ...]  # measured so far
    per_call_s: tuple[Optional[float], ...]  # medians
    quartiles_s: tuple[Quartiles, ...]
    peak_bytes: tuple[Optional[int], ...]
    vmap_s: Optional[float]
    vmap_peak_bytes: Optional[int]
    device: Device
    stopped: str = ""
    vmap_quartiles_s: Quartiles = None  # per call, as quartiles_s

    def _known(self) -> list[tuple[Optional[int], float, int]]:
        """(k, time, peak) of vmap (k None) and every k with both measured."""
        rows = [(None, self.vmap_s, self.vmap_peak_bytes), *zip(self.ks, self.per_call_s, self.peak_bytes)]
        return [(k, t, p) for k, t, p in rows if t is not None and t > 0 and p is not None and p > 0]

    def best(self) -> Optional[Best]:
        """The smallest peak memory among vmap and the chunk sizes whose time is within NEAR of
        the fastest of them (ties to the faster, then to vmap); None until vmap and a k are
        measured. Memory decides because time within NEAR is noise-level, and memory is what a
        chunk buys: a faster k that takes more memory wins only when vmap is beyond NEAR. Times
        and peaks are compared as the table shows them (sweep_state.shown)."""
        known = self._known()
        if len(known) < 2 or known[0][0] is not None:  # vmap, when known, comes first
            return None
        fastest = min(shown(t) for _, t, _ in known)
        k, t, peak = min(((k, t, p) for k, t, p in known if shown(t) <= NEAR * fastest),
                         key=lambda row: (shown(row[2]), shown(row[1])))
        return Best(k, t / self.vmap_s, peak / self.vmap_peak_bytes)

    @property
    def saves_memory(self) -> bool:
        """Whether any chunk size measured peaks below vmap, as shown."""
        return any(k is not None and shown(p) < shown(self.vmap_peak_bytes) for k, _, p in self._known())

    def to_json(self) -> dict[str, Any]:
        best = self.best()
        return {"batch": self.batch, "planned": list(self.planned), "ks": list(self.ks),
                "per_call_s": list(self.per_call_s),
                "quartiles_s": [None if q is None else list(q) for q in self.quartiles_s],
                "peak_bytes": list(self.peak_bytes),
                "vmap": {"per_call_s": self.vmap_s, "peak_bytes": self.vmap_peak_bytes,
                         "quartiles_s": None if self.vmap_quartiles_s is None else list(self.vmap_quartiles_s)},
                "best": None if best is None else dict(best.__dict__),
                "stopped": self.stopped, "device": self.device.to_json()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ChunkSweepState":
        return cls(batch=data["batch"], planned=tuple(data["planned"]), ks=tuple(data["ks"]),
                   per_call_s=tuple(data["per_call_s"]),
                   quartiles_s=tuple(None if q is None else tuple(q) for q in data["quartiles_s"]),
                   peak_bytes=tuple(data["peak_bytes"]), vmap_s=data["vmap"]["per_call_s"],
                   vmap_peak_bytes=data["vmap"]["peak_bytes"], device=Device.of(data["device"]),
                   stopped=data["stopped"],  # no vmap quartiles before issue 22
                   vmap_quartiles_s=tuple(q) if (q := data["vmap"].get("quartiles_s")) else None)
