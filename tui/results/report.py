"""What the lab found, as plain data: numbers and flags, never sentences. Every view renders
these through jaxbatch.presentation; jaxbatch.media.json_report serializes them as the report JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Mapping, Optional, Union

from jaxbatch.results.selection import DEFAULT_PRECISION, Selection

if TYPE_CHECKING:
    from jaxbatch.results.timing import Timings


@dataclass(frozen=True)
class Device:
    """The JAX device the work ran on. `text` is how every view names it: `cpu (cpu)`,
    `gpu (NVIDIA H200)`, the platform and then what JAX calls the device."""

    platform: str
    kind: str
    id: int

    @property
    def text(self) -> str:
        return f"{self.platform} ({self.kind})"

    def to_json(self) -> dict[str, Any]:
        return {"platform": self.platform, "kind": self.kind, "id": self.id}

    @classmethod
    def of(cls, value: Union["Device", Mapping[str, Any]]) -> "Device":
        """A Device from itself or its JSON form ({platform, kind, id}; other keys ignored)."""
        return value if isinstance(value, Device) else cls(value["platform"], value["kind"], value["id"])


@dataclass(frozen=True)
class Roof:
    """One device's limits: bytes per second it streams, and float32 flops per second it does
    at each matmul precision (on a GPU, "default" runs TF32, several times "highest"'s rate)."""

    platform: str
    kind: str  # what JAX calls the device: `cpu`, `NVIDIA H200`
    bandwidth_bytes_s: float
    peak_flops_s: float  # at `precision`
    source: Literal["measured", "cache", "saved"]  # measured now, read from the cache, or from a saved report
    measured_at: Optional[float]  # Unix seconds; None where a saved report doesn't say
    precision: str = "default"  # the matmul precision (Selection.precision) peak_flops_s is for
    peak_flops_by_precision: dict[str, float] = field(default_factory=dict)  # every precision measured
    ignores_precision: bool = False  # every precision runs alike here (XLA:CPU): one peak stands for all

    @property
    def ridge(self) -> float:
        """The arithmetic intensity (flop/B) where memory stops being the limit."""
        return self.peak_flops_s / self.bandwidth_bytes_s

    def at(self, precision: str) -> "Roof":
        """The roof for calls that ran at `precision`: its peak, where measured; else unchanged,
        still naming the precision its peak is for."""
        peak = self.peak_flops_by_precision.get(precision)
        return self if peak is None else Roof(**{**asdict(self), "peak_flops_s": peak, "precision": precision})

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Backends:
    """Every device JAX found, under the name `--device` takes (`cpu:0`), and for each platform
    it did not find, JAX's own reason and the pip requirement that brings it."""

    devices: tuple[tuple[str, Device], ...]  # (spec, device)
    missing: dict[str, str] = field(default_factory=dict)
    install: dict[str, str] = field(default_factory=dict)

    @property
    def platforms(self) -> list[str]:
        return sorted({d.platform for _, d in self.devices})

    def to_json(self) -> dict[str, Any]:
        return {"devices": [{"spec": spec, **d.to_json()} for spec, d in self.devices],
                "missing": self.missing, "install": self.install}


@dataclass(frozen=True)
class ErrorInfo:
    type: str
    message: str

    @classmethod
    def of(cls, exc: BaseException) -> "ErrorInfo":
        return cls(type(exc).__name__, str(exc).strip())


@dataclass(frozen=True)
class Growth:
    """How a strategy's planned peak grows with the batch, read off XLA's plan at the two batch
    sizes `batches` (a and 2a): `marginal_bytes`, what one more instance adds,
    (plan(2a) - plan(a)) / a; `fixed_bytes`, what the plan holds whatever the batch,
    plan(a) - a * marginal, where the plan is a line in the batch (a third batch lies on it),
    else None: then no one figure per instance describes it."""

    batches: tuple[int, int]
    marginal_bytes: float
    fixed_bytes: Optional[float]


@dataclass(frozen=True)
class FitUnknown:
    """Why the batch a strategy fits is unknown, as a reason and its figures (jaxbatch.
    presentation.memory words it): "no_limit" (the device's memory is unknown), "compile_failed"
    (compiling at `batch` raised `error`, as results.errors.describe gives it), "no_plan" (XLA
    gave no memory plan at `batch`) or "no_convergence" (the plans read, as many as the search
    may compile, did not close in on the limit)."""

    reason: str
    batch: Optional[int] = None
    error: str = ""


@dataclass(frozen=True)
class Fit:
    """How large a batch a compiled strategy can take, from XLA's plan compiled at other batch
    sizes (lab.memory.fits_up_to). `up_to`: the most instances whose peak stays within the limit
    (0: not even one); None with `never` False: unknown, `unknown` says why; `never`: the limit is
    not reached at any batch up to the cap. `method` is how it was found: "linear" (the plan is
    a line through its first batches, solved, and the answer lies on it) or "search" (it is not:
    searched over plans); "" where unknown. `batches`: every batch size whose plan was read, in
    order, `compiles` of them compiled for this (the rest is the analysed one); `peak_bytes`: the
    plan at `up_to` (at the cap, for never)."""

    up_to: Optional[int]
    never: bool = False
    method: str = ""
    batches: tuple[int, ...] = ()
    compiles: int = 0
    peak_bytes: Optional[int] = None
    unknown: Union[FitUnknown, Worded, None] = None  # Worded: read back from a saved report
    growth: Optional[Growth] = None

    def to_json(self) -> dict[str, Any]:
        """Its figures; the report JSON adds why it is unknown, in words (`note`, media.json_report)."""
        return {"up_to": self.up_to, "never": self.never, "method": self.method or "unknown",
                "batches": list(self.batches), "compiles": self.compiles, "peak_bytes": self.peak_bytes}


@dataclass(frozen=True)
class PrecisionCheck:
    """An output beyond the tolerance whose program has matrix products at JAX's default
    precision, computed again, with the loop, at "highest": whether precision explains it.

    `ran_at` is the precision the analysis ran at ("default" or "high"); `default` the
    agreement there, `highest` the agreement of the rerun with the loop rerun. `cause` is
    "matmul_precision" when the rerun agrees (within the tolerance, or float64 shows rounding),
    "" when it does not: then precision is not the cause. `platform` is the device's, whose
    reduced-precision matmuls the words name (TF32 on NVIDIA GPUs, bfloat16 passes on TPUs)."""

    ran_at: str
    default: "Agreement"
    highest: "Agreement"
    cause: str
    platform: str


@dataclass(frozen=True)
class Mismatch:
    """Why an output has no figures against the loop's (jaxbatch.presentation.verdicts words
    it): its `kind` "structure" (the pytrees differ; `got` and `loop` as JAX prints them) or
    "shape" (a leaf's shape differs; `got` and `loop` the two shapes)."""

    kind: str
    got: Union[str, tuple[int, ...]]
    loop: Union[str, tuple[int, ...]]


@dataclass(frozen=True)
class NoFloat64:
    """Why there is no float64 reference (jaxbatch.presentation.verdicts words it): `reason`
    "random" (the model draws random numbers, with `primitives`, which float64 draws
    differently), "python_object" (the helper process can't load a model given as an object),
    "did_not_start" (starting the helper raised `error`), "timeout" (no answer within
    `seconds`), "exited" (the helper ended with `status`, its last line of stderr `error`,
    where it wrote one), "failed" (loading or running the model raised `error`, its first
    line), "narrow" (the model still computes in `dtypes` with float64 inputs) or "structure"
    (its output has another structure with float64)."""

    reason: str
    error: str = ""
    seconds: Optional[float] = None
    status: Optional[int] = None
    primitives: tuple[str, ...] = ()
    dtypes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Agreement:
    """How an output compares with the loop's, in figures a reader can check: the worst
    absolute, relative (where the loop is nonzero) and ULP difference over every leaf, and the
    tolerance per dtype it was judged by. Beyond the float32 tolerance, a float64 reference
    decides whether it is rounding: how far this output and the float32 loop each are from it.
    `agrees` is True within the tolerance or where float64 shows rounding.

    `kind` is the verdict as a flag (jaxbatch.presentation.verdicts words it): "agrees" (within
    the tolerance; exactly when max_abs is 0), "rounding" (beyond it, but float64 shows
    rounding), "wrong" (a structure or shape mismatch, `reason`; beyond an exact dtype's
    tolerance or not finite; or, with `vs_float64`, farther from float64 than the loop),
    "differs" (beyond a float tolerance, no float64 reference to tell: `float64_note` says
    why), "precision" (beyond it at the precision the analysis ran at, but agreeing at
    "highest": `precision` holds both), or "" (not judged yet). Beyond the tolerance, `cause`
    names what differs where the lab can tell (other random draws)."""

    max_abs: Optional[float]  # None when the structure or a shape differs (`reason` says how)
    max_rel: Optional[float]
    max_ulp: Optional[float]
    tolerance: dict[str, dict[str, float]]  # dtype -> {"rtol", "atol"}: |diff| <= atol + rtol * |loop|
    agrees: Optional[bool]
    kind: str = ""  # "agrees", "rounding", "wrong", "differs", "precision", or "" (not judged)
    reason: Union[Mismatch, Worded, None] = None  # Worded: read back from a saved report
    beyond: list[str] = field(default_factory=list)  # the dtypes whose tolerance was missed
    vs_float64: Optional[float] = None  # max |diff| from the float64 reference, when one was asked for
    loop_vs_float64: Optional[float] = None  # the float32 loop's own
    float64_note: Union[NoFloat64, Worded, None] = None  # why there is no float64 reference, when one was needed
    precision: Optional[PrecisionCheck] = None  # the rerun at "highest", where one was made
    cause: str = ""  # what the difference is, where the lab knows: "rbg_first_key" (results.random_draws)

    @property
    def exact_beyond(self) -> list[str]:
        """The dtypes beyond their tolerance that must match exactly (integers, bools: tolerance 0)."""
        return [d for d in self.beyond if not self.tolerance.get(d, {}).get("rtol")]


class _Agreed:
    """`max_abs_diff`, `agrees` and `reason`, read from the agreement (the JSON keeps them)."""

    agreement: Optional[Agreement]

    @property
    def max_abs_diff(self) -> Optional[float]:
        return None if self.agreement is None else self.agreement.max_abs

    @property
    def agrees(self) -> Optional[bool]:
        return None if self.agreement is None else self.agreement.agrees

    @property
    def reason(self) -> Union[Mismatch, Worded, None]:
        return None if self.agreement is None else self.agreement.reason


@dataclass(frozen=True)
class OnBatch(_Agreed):
    """What calling the single-instance model on the whole batch did: raised, or ran and was
    compared with the loop (`agreement` says whether it is right)."""

    error: Optional[ErrorInfo] = None
    output: Any = None
    text: str = ""
    agreement: Optional[Agreement] = None


@dataclass(frozen=True)
class Single:
    output: Any
    text: str
    arg_avals: list[str]
    batch_avals: list[str]
    on_batch: OnBatch


@dataclass(frozen=True)
class FirstOutputs:
    """What the lab knows first (analysis.analyze gives it to `first` before anything else): the
    loop's outputs, the reference, while the model is called on one instance and the strategies
    (`pending`, their labels) are compiled, run and judged against it. The app shows it at once."""

    model: str
    summary: str
    precision: str
    arg_avals: list[str]
    batch_avals: list[str]
    in_axes: list[Optional[int]]
    loop: "Strategy"  # its output and text; no program yet
    pending: list[str]


@dataclass(frozen=True)
class Hlo:
    """One strategy's program below the jaxpr. Numbers XLA can't give are None ("unknown").

    `flops` and `bytes` count every loop as often as it runs; `flops_xla` and `bytes_xla` are
    XLA's own figures, which count a loop's body once. Where the full figure can't be had it is
    None and `xla_only` flags why (results.hlo_cost: a trip count unknown, or XLA's figure not
    split); jaxbatch.presentation.hlo words it."""

    stablehlo: str
    optimized: str
    stablehlo_ops: dict[str, int]  # ops in function bodies
    ops: dict[str, int]  # opcodes XLA schedules: the entry and what it calls or loops over, a fusion one op
    fusions: int
    flops: Optional[float]
    bytes: Optional[float]
    memory: Optional[dict[str, int]]
    stablehlo_region_ops: dict[str, int] = field(default_factory=dict)  # inside regions: reducers, loop bodies
    flops_xla: Optional[float] = None
    bytes_xla: Optional[float] = None
    loops: list[Optional[int]] = field(default_factory=list)  # each while loop's trip count, None: not recorded
    xla_only: str = ""  # results.hlo_cost.TRIP_COUNT_UNKNOWN or NOT_SPLIT; "" where counted in full
    # matrix products and convolutions by the precision each runs at (results.dot_precision), per level
    stablehlo_precision: dict[str, int] = field(default_factory=dict)
    precision: dict[str, int] = field(default_factory=dict)

    @property
    def peak_bytes(self) -> Optional[int]:
        """The most memory one call holds at once, as XLA planned it (see hlo.peak_bytes, which
        the sweep shares); None where XLA gave no plan."""
        from jaxbatch.results.hlo import peak_bytes  # hlo builds Hlo: imported here, not in a cycle

        return peak_bytes(self.memory)

    @property
    def costs(self) -> dict[str, Cost]:
        """The flops and bytes figures every view shows (hlo.cost says how they are read): views
        read them here, a fact of the program, rather than work them out from its fields."""
        from jaxbatch.results.hlo import cost  # hlo builds Hlo: imported here, not in a cycle

        return {key: cost(self, key) for key in ("flops", "bytes")}

    def to_json(self) -> dict[str, Any]:
        """Its figures; the report JSON adds `cost_note` and `cost_notes` in words (media.json_report)."""
        return {
            "stablehlo": self.stablehlo, "optimized": self.optimized, "stablehlo_ops": self.stablehlo_ops,
            "stablehlo_region_ops": self.stablehlo_region_ops, "ops": self.ops, "fusions": self.fusions,
            "flops": self.flops, "bytes": self.bytes, "flops_xla": self.flops_xla, "bytes_xla": self.bytes_xla,
            "loops": [{"trip_count": n} for n in self.loops], "memory": self.memory,
            "matmul_precision": {"stablehlo": self.stablehlo_precision, "hlo": self.precision},
            **({"xla_only": self.xla_only} if self.xla_only else {}),
        }


@dataclass(frozen=True)
class Cost:
    """A flops or bytes figure as data: `value` counts every loop in full, plus `custom_calls`
    library calls (LAPACK, a callback) XLA counts as nothing; flagged `xla_only` (Hlo.xla_only)
    it is XLA's own figure, each loop body counted once. None: unknown."""

    value: Optional[float]
    custom_calls: int = 0
    xla_only: str = ""


@dataclass(frozen=True)
class HloComparison:
    """Are two strategies' programs one program at `level` ("stablehlo" or "hlo")? Read off the
    line-by-line alignment: `same` exactly when every row is the same; None when a side has no
    compiled program. Where they differ, what differs, the most telling first: the op counts
    (`left_ops`, `right_ops`; StableHLO's with the ops inside regions as "op (in regions)"),
    then flops or bytes (`costs`, only those whose figures differ), then the op counts inside
    fusions (`left_inner`, `right_inner`, looked at only when the others match); where none of
    these differ, only shapes, layout or operand order do."""

    level: str
    left_label: str
    right_label: str
    same: Optional[bool]
    differing: int = 0  # aligned rows that are not "same"
    lines: int = 0  # aligned rows in all
    left_ops: dict[str, int] = field(default_factory=dict)
    right_ops: dict[str, int] = field(default_factory=dict)
    costs: tuple[tuple[str, Cost, Cost], ...] = ()  # ("flops" or "bytes", left, right) where they differ
    left_inner: dict[str, int] = field(default_factory=dict)
    right_inner: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class LoopNotTraced:
    """The loop's jaxpr repeats the model once per instance: past `cap` instances it is not traced."""

    instances: int
    cap: int


@dataclass(frozen=True)
class Untraceable:
    """The program could not be traced: `error` is what tracing raised (results.errors.describe)."""

    error: str


@dataclass(frozen=True)
class AutoAxes:
    """Explicit mesh axes raised `raised` (its first line): the program shown is the Auto-axes one,
    whose types carry no sharding."""

    raised: str


@dataclass(frozen=True)
class Worded:
    """A note or warning read back from a saved report (Report.from_json), whose JSON keeps only
    its words: shown as they were written."""

    text: str


# Why a strategy's program is not shown, or not as asked (jaxbatch.presentation.notes words it).
ProgramNote = Union[LoopNotTraced, Untraceable, AutoAxes, Worded]


@dataclass(frozen=True)
class Strategy(_Agreed):
    key: str  # a key of results.strategy_table.TABLE: "loop", "manual", "vmap", "chunked", "sharded", "shard_map"
    label: str  # what the user reads: "loop", "einsum", "vmap", "chunked k=64"
    output: Any = None
    text: str = ""
    agreement: Optional[Agreement] = None
    error: Optional[ErrorInfo] = None
    jaxpr: str = ""
    primitives: list[str] = field(default_factory=list)
    eqns: list[Eqn] = field(default_factory=list)
    program_note: Optional[ProgramNote] = None  # why a program is not shown, or not as asked
    hlo: Optional[Hlo] = None
    # jax.experimental.roofline's jaxpr-level peak, the cross-check of hlo.peak_bytes; None where it doesn't apply
    roofline_peak_bytes: Optional[int] = None


@dataclass(frozen=True)
class Eqn:
    """One equation of a jaxpr, flattened out of any nesting (jit, while, cond, scan, ...)."""

    primitive: str
    params: dict[str, str]  # what the computation depends on, values as text; sub-programs as "{...}".
    # Names (a jit's `name=`, a custom_jvp's rule function) are only in `text`: renaming a helper
    # changes no computation, so it must not make two programs differ.
    inputs: list[str]  # avals, or `value:aval` for literals
    outputs: list[str]
    depth: int
    path: str  # where it sits: "" at top level, "jit(sin)" or "while.body" inside
    text: str  # one line, as a jaxpr prints it (noisy defaults such as shardings left out)
    wrapper: bool = False  # jit, custom_jvp_call, ...: only wraps its body, which runs in its place
    within: Optional[int] = None  # index of the control-flow equation (while, cond, scan) whose body holds it
    body: str = ""  # which of that equation's bodies: "cond", "body", "branch 1", ...
    # Where each operand comes from: `in2` (the program's or body's third input), `eq7.0` (the
    # first output of equation 7 in the flattened list) or `lit`: the wiring, which avals can't show.
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Diff:
    """One way two matched equations differ, as data: what differs and both sides.

    kind: "param" (the parameter `key`), "inputs" or "output" (the avals, space-separated),
    "operands" (the same operands in another order) or "wiring" (operands made elsewhere).
    `transposed`: the avals are the same dimensions in another order, a layout difference only.
    jaxbatch.presentation.programs.diff_text words it for every view and the report JSON."""

    kind: str
    key: Optional[str] = None  # the parameter's name, for kind "param"
    left: Optional[str] = None  # None: the parameter is absent on that side
    right: Optional[str] = None
    transposed: bool = False


@dataclass(frozen=True)
class Row:
    """One aligned row: `left`/`right` index into the two equation lists (None for a gap)."""

    left: Optional[int]
    right: Optional[int]
    status: str  # "same", "differ", "only_left" or "only_right"
    diffs: list[Diff] = field(default_factory=list)


@dataclass(frozen=True)
class Alignment:
    left: str  # strategy keys
    right: str
    left_eqns: list[Eqn]
    right_eqns: list[Eqn]
    rows: list[Row]
    exact: bool = True  # False when the programs were too different for an exact alignment

    @property
    def identical(self) -> bool:
        """Every row the same: what the verdict calls "identical up to variable names"."""
        return all(r.status == "same" for r in self.rows)


@dataclass(frozen=True)
class TextAlignment:
    """Two program texts (StableHLO or optimized HLO) lined up line by line. `left_lines` and
    `right_lines` are the lines as shown; `rows` index into them. A row is "same" when the two
    lines are equal once every name is set aside (results.text_align says how), so renaming never
    changes a status."""

    left_lines: list[str]
    right_lines: list[str]
    rows: list[Row]

    @property
    def identical(self) -> bool:
        """Every row the same: the two texts are one program up to names."""
        return all(r.status == "same" for r in self.rows)

    def to_json(self) -> dict[str, Any]:
        def line(lines, i):
            return None if i is None else lines[i]

        return {
            "identical": self.identical,
            "rows": [{"left": line(self.left_lines, r.left), "right": line(self.right_lines, r.right),
                      "status": r.status} for r in self.rows],
        }


@dataclass(frozen=True)
class Loop:
    """A loop vmap's program holds and the one-instance program doesn't: vmap runs the function
    step by step, whatever else its program shows."""

    steps: Optional[int]  # iterations, nested added loops multiplied; None when unknown
    where: str  # the loop as the program names it: "scan" or "while"
    level: str  # where it was found: "jaxpr", or "hlo" for a loop only XLA's optimized HLO has

    def to_json(self) -> dict[str, Any]:
        return {"steps": self.steps, "where": self.where, "level": self.level}


@dataclass(frozen=True)
class NonFinite:
    """An output holding NaN or infinite values: the loop's (agreement then counts NaN as equal
    to NaN), or another one holding more of them than the loop's (what a WRONG verdict then
    means). `key` is "loop", a strategy's, or "on_batch" (the model called on the whole batch,
    `label` "")."""

    key: str
    label: str
    nans: int
    infs: int
    loop_nans: int = 0
    loop_infs: int = 0


@dataclass(frozen=True)
class CompilingLoop:
    """Each eager call of the model compiles `compiles` new executables: the loop's time, timed
    on `sample` instances, is mostly compiling (the reference outputs come from one jitted copy)."""

    compiles: int
    sample: int


# What makes the numbers less plain than they look (jaxbatch.presentation.notes words it).
Caution = Union[NonFinite, CompilingLoop, Worded]


@dataclass(frozen=True)
class NotSharded:
    """The sharded strategies did not run: the first batch dimension `batch` does not divide over
    the `devices` devices of `platform` (it is not padded: that would change the program)."""

    batch: int
    devices: int
    platform: str


@dataclass(frozen=True)
class SameProgram:
    """Whether the compared pair (`pair`, two strategy keys) is one program at each level (jaxpr,
    StableHLO, optimized HLO); None where a side has no program there."""

    pair: tuple[str, str]
    jaxpr: Optional[bool]
    stablehlo: Optional[bool]
    hlo: Optional[bool]

    def at(self, level: str) -> Optional[bool]:
        return {"jaxpr": self.jaxpr, "stablehlo": self.stablehlo, "hlo": self.hlo}[level]

    def to_json(self) -> dict[str, Any]:
        return {"pair": list(self.pair), "jaxpr": self.jaxpr, "stablehlo": self.stablehlo, "hlo": self.hlo}


@dataclass(frozen=True)
class NoManual:
    """Why there is no hand-batched strategy (jaxbatch.presentation.notes words it): `reason`
    "not_given" (none was given; `how` names where one is passed: "cli" for --batched, "api"
    for batched=, "" where it can't be: a built-in model), "in_axes" (the model's own was
    written for its in_axes `written_for`, not the `asked` ones) or "model" (the model's
    author says why, in `said`)."""

    reason: str
    how: str = ""
    written_for: tuple[Optional[int], ...] = ()
    asked: tuple[Optional[int], ...] = ()
    said: str = ""


@dataclass(frozen=True)
class Report:
    model: str
    summary: str
    note: str
    source: str
    batch_shape: tuple[int, ...]
    device: Device
    jax_version: str
    single: Single
    strategies: dict[str, Strategy]
    alignment: Optional[Alignment] = None
    hlo_comparison: Optional[HloComparison] = None  # the compared pair's optimized HLO; None: unknown
    same_program: Optional[SameProgram] = None  # whether the compared pair is one program; None: not compared
    timings: Optional[Timings] = None  # each strategy's, the dispatch floor and the roofline, when measured
    backends: Optional[Backends] = None  # devices.inventory(): what JAX found, and what not
    warnings: list[Caution] = field(default_factory=list)  # what makes the numbers less plain than they look
    manual_missing: Union[NoManual, Worded, None] = None  # why there is no hand-batched strategy, when there is none
    in_axes: list[Optional[int]] = field(default_factory=list)
    devices: int = 1  # of the chosen platform: the sharded strategies spread the batch over them
    sharded_note: Optional[Union[NotSharded, Worded]] = None  # why the sharded strategies did not run, where not
    vmap_loop: Optional[Loop] = None  # the loop vmap adds, when it adds one: its verdict's headline
    chunk: Optional[int] = None  # the chunked strategy's instances per step
    memory_limit_bytes: Optional[int] = None  # the device's memory (RAM available, on CPU); None: unknown
    # where memory_limit_bytes comes from: "allocator" (JAX's bytes_limit), "host" (RAM available, on CPU), "" unknown
    memory_limit_source: str = ""
    fits: dict[str, Fit] = field(default_factory=dict)  # per batched strategy: how large a batch fits in it
    # A first answer (analysis.analyze's `first`): outputs, verdicts and programs; `fits` still to come.
    planning: bool = False
    jaxlib_version: str = ""
    source_hash: str = ""  # of the model's code (judging.source_hash): "" where unknown
    selection: Optional[Selection] = None  # what was asked for; None where unknown (a scripted report)

    @property
    def roof(self) -> Optional[Roof]:
        """The device's roofline the timings are judged against; None untimed or unmeasured."""
        return self.timings.roof if self.timings is not None else None

    @classmethod
    def from_json(cls, data: Any) -> "Report":
        """The report a saved `report --json` (or the app's export) holds, restored as far as the
        file carries it (results.saved_report says what comes back); ValueError where `data`
        is not a report's JSON."""
        from jaxbatch.results.saved_report import report_from_json  # it builds Reports: imported here

        return report_from_json(data)

    @property
    def precision(self) -> str:
        """The matmul precision the report ran at: its selection's, else JAX's default."""
        return self.selection.precision if self.selection else DEFAULT_PRECISION

    def __repr__(self) -> str:
        """Short: a Report holds programs and outputs (146k characters at batch 64); each
        strategy by its agreement flag."""
        said = ", ".join(f"{s.label}: {'raised ' + s.error.type if s.error else f'agrees={s.agrees}'}"
                         for s in self.strategies.values())
        return f"Report(model={self.model!r}, batch_shape={self.batch_shape}, device={self.device.text!r}, [{said}])"
