"""What the lab found, as plain data. Every view renders these; `to_json` is the report JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional


@dataclass(frozen=True)
class ErrorInfo:
    type: str
    message: str

    @classmethod
    def of(cls, exc: BaseException) -> "ErrorInfo":
        return cls(type(exc).__name__, str(exc).strip())


@dataclass(frozen=True)
class OnBatch:
    """What calling the single-instance model on the whole batch did: raised, or ran and was
    compared with the loop (`verdict` says whether it is right)."""

    error: Optional[ErrorInfo] = None
    output: Any = None
    text: str = ""
    max_abs_diff: Optional[float] = None
    agrees: Optional[bool] = None
    verdict: str = ""


@dataclass(frozen=True)
class Single:
    output: Any
    text: str
    arg_avals: list[str]
    batch_avals: list[str]
    on_batch: OnBatch


@dataclass(frozen=True)
class Strategy:
    key: str  # "loop", "manual" or "vmap"
    label: str  # what the user reads: "loop", "einsum", "vmap"
    output: Any = None
    text: str = ""
    max_abs_diff: Optional[float] = None
    agrees: Optional[bool] = None
    reason: str = ""
    error: Optional[ErrorInfo] = None
    jaxpr: str = ""
    primitives: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Report:
    model: str
    summary: str
    note: str
    source: str
    batch_shape: tuple[int, ...]
    device: dict[str, Any]
    jax_version: str
    single: Single
    strategies: dict[str, Strategy]

    def to_json(self) -> dict[str, Any]:
        programs = [k for k in ("manual", "vmap") if k in self.strategies]
        return {
            "model": self.model,
            "summary": self.summary,
            "note": self.note,
            "source": self.source,
            "batch_shape": list(self.batch_shape),
            "device": self.device,
            "jax_version": self.jax_version,
            "single": {
                "output": self.single.output,
                "arg_avals": self.single.arg_avals,
                "batch_avals": self.single.batch_avals,
                "on_batch": _on_batch_json(self.single.on_batch),
            },
            "strategies": {k: _strategy_json(s) for k, s in self.strategies.items()},
            "jaxpr": {k: self.strategies[k].jaxpr for k in programs},
            "primitives": {k: self.strategies[k].primitives for k in programs},
        }


def _error_json(error: ErrorInfo) -> dict[str, str]:
    return {"type": error.type, "message": error.message}


def _on_batch_json(on_batch: OnBatch) -> dict[str, Any]:
    if on_batch.error is not None:
        return {"error": _error_json(on_batch.error)}
    return {
        "output": on_batch.output,
        "max_abs_diff": on_batch.max_abs_diff,
        "agrees": on_batch.agrees,
        "verdict": on_batch.verdict,
    }


def _strategy_json(s: Strategy) -> dict[str, Any]:
    out: dict[str, Any] = {"label": s.label}
    if s.error is not None:
        out["error"] = _error_json(s.error)
        return out
    out.update(output=s.output, max_abs_diff=s.max_abs_diff, agrees=s.agrees)
    if s.reason:
        out["reason"] = s.reason
    return out
