"""What the lab found, as plain data. Every view renders these; `to_json` is the report JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional


# What each strategy is, in the words every view uses.
ROLES = {"loop": "the reference", "manual": "hand-batched", "vmap": "jax.vmap",
         "sharded": "vmap over a device mesh", "shard_map": "vmap per device"}


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
class Hlo:
    """One strategy's program below the jaxpr. Numbers XLA can't give are None ("unknown")."""

    stablehlo: str
    optimized: str
    stablehlo_ops: dict[str, int]
    ops: dict[str, int]  # opcode counts in the optimized ENTRY computation
    fusions: int
    flops: Optional[float]
    bytes: Optional[float]
    memory: Optional[dict[str, int]]

    def to_json(self) -> dict[str, Any]:
        return {
            "stablehlo": self.stablehlo, "optimized": self.optimized, "stablehlo_ops": self.stablehlo_ops,
            "ops": self.ops, "fusions": self.fusions, "flops": self.flops, "bytes": self.bytes,
            "memory": self.memory,
        }


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
    eqns: list[Eqn] = field(default_factory=list)
    program_note: str = ""  # why a program is not shown, when it isn't
    hlo: Optional[Hlo] = None


@dataclass(frozen=True)
class Eqn:
    """One equation of a jaxpr, flattened out of any nesting (jit, while, cond, scan, ...)."""

    primitive: str
    params: dict[str, str]  # every parameter, values as text; sub-programs as "{...}"
    inputs: list[str]  # avals, or `value:aval` for literals
    outputs: list[str]
    depth: int
    path: str  # where it sits: "" at top level, "jit(sin)" or "while.body" inside
    text: str  # one line, as a jaxpr prints it (noisy defaults such as shardings left out)


@dataclass(frozen=True)
class Row:
    """One aligned row: `left`/`right` index into the two equation lists (None for a gap)."""

    left: Optional[int]
    right: Optional[int]
    status: str  # "same", "differ", "only_left" or "only_right"
    diffs: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Alignment:
    left: str  # strategy keys
    right: str
    left_eqns: list[Eqn]
    right_eqns: list[Eqn]
    rows: list[Row]
    verdict: str
    exact: bool = True  # False when the programs were too different for an exact alignment

    def to_json(self) -> dict[str, Any]:
        def text(eqns, i):
            return None if i is None else eqns[i].text

        return {
            "left": self.left,
            "right": self.right,
            "verdict": self.verdict,
            "exact": self.exact,
            "rows": [
                {"left": text(self.left_eqns, r.left), "right": text(self.right_eqns, r.right),
                 "status": r.status, "diffs": r.diffs}
                for r in self.rows
            ],
        }


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
    alignment: Optional[Alignment] = None
    hlo_verdict: str = "unknown"
    timings: Optional[dict[str, Any]] = None  # strategy -> lab.timing.Timing, when measured
    dispatch_floor_s: Optional[float] = None
    backends: Optional[dict[str, Any]] = None  # devices.inventory(): what JAX found, and what not
    warnings: list[str] = field(default_factory=list)  # what makes the numbers less plain than they look
    manual_missing: str = ""  # why there is no hand-batched strategy, when there is none
    in_axes: list[Optional[int]] = field(default_factory=list)
    devices: int = 1  # of the chosen platform: the sharded strategies spread the batch over them
    sharded_note: str = ""  # why the sharded strategies did not run, when they did not

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "summary": self.summary,
            "note": self.note,
            "warnings": self.warnings,
            **({"manual_missing": self.manual_missing} if self.manual_missing else {}),
            "source": self.source,
            "batch_shape": list(self.batch_shape),
            "in_axes": self.in_axes,
            "devices": self.devices,
            **({"sharded_note": self.sharded_note} if self.sharded_note else {}),
            "device": self.device,
            "jax_version": self.jax_version,
            "single": {
                "output": self.single.output,
                "arg_avals": self.single.arg_avals,
                "batch_avals": self.single.batch_avals,
                "on_batch": _on_batch_json(self.single.on_batch),
            },
            "strategies": {k: _strategy_json(s) for k, s in self.strategies.items()},
            "jaxpr": {k: s.jaxpr for k, s in self.strategies.items() if s.jaxpr},
            "primitives": {k: s.primitives for k, s in self.strategies.items() if s.jaxpr},
            "alignment": self.alignment.to_json() if self.alignment else None,
            "hlo": {k: s.hlo.to_json() for k, s in self.strategies.items() if s.hlo},
            "hlo_verdict": self.hlo_verdict,
            "backends": self.backends,
            **({"timings": {k: t.to_json() for k, t in self.timings.items()},
                "dispatch_floor_s": self.dispatch_floor_s} if self.timings is not None else {}),
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
    if s.program_note:
        out["program_note"] = s.program_note
    return out
