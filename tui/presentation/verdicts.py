"""Verdicts in words: does an output agree with the loop's, what the model did on the whole
batch, and how two jaxprs line up. The lab judges (flags and figures); these are the words
every view shows, and the report JSON's `verdict` keys."""

from __future__ import annotations

import math
from collections import Counter

from jaxbatch.presentation.programs import diff_text
from jaxbatch.results.alignment import is_layout_only
from jaxbatch.results.random_draws import FIRST_KEY
from jaxbatch.results.report import Agreement, Alignment, Diff, Mismatch, NoFloat64, OnBatch, PrecisionCheck, Worded

# How many differing equations the alignment verdict names before "and N more".
NAMED_DIFFERENCES = 4


def agreement_verdict(a: Agreement) -> str:
    """The lab's verdict on an output: `agrees exactly`, `agrees within float32 tolerance 1e-05
    (max 2 ULP)`, `agrees within float32 rounding: ...`, `WRONG: 0.51 off the loop (4.3e+06
    ULP)`, `DIFFERS: ...; rounding or not is unknown (why)`, `DIFFERS: ...: other random numbers: ...`
    where the lab knows the cause; "" when it was not judged."""
    if a.kind == "agrees":
        if a.max_abs == 0:
            return "agrees exactly"
        return f"agrees within {tolerances(a.tolerance)} (max {_ulps(a.max_ulp)})"
    if a.kind == "precision" and a.precision is not None:
        return precision_verdict(a)
    if a.kind not in ("wrong", "differs", "rounding"):
        return ""
    if a.max_abs is None:
        return f"WRONG: its output's {mismatch_text(a.reason)}"
    off = (f"{_num(a.max_abs)} off the loop ({_ulps(a.max_ulp)})" if math.isfinite(a.max_abs)
           else "NaN or infinity where the loop has a number")
    if a.cause == FIRST_KEY:
        return f"{a.kind.upper()}: {off}: other random numbers: {FIRST_KEY_WORDS}"
    if a.kind == "differs":
        missed = tolerances({d: a.tolerance[d] for d in a.beyond})
        return f"DIFFERS: {off}, beyond {missed}; rounding or not is unknown ({no_float64_text(a.float64_note)})"
    if a.vs_float64 is None:  # no float64 question: an exact dtype, or not finite
        exact = a.exact_beyond
        return f"WRONG: {off}" + (f", where {_names(exact)} must match exactly" if exact else "")
    words = f"{off}, {_num(a.vs_float64)} from float64 (the float32 loop: {_num(a.loop_vs_float64)})"
    return f"agrees within {_names(a.beyond)} rounding: {words}" if a.kind == "rounding" else f"WRONG: {words}"


def mismatch_text(m: Mismatch | Worded | None) -> str:
    """How an output's make-up differs from the loop's: `shape () differs from the loop's (4,)`;
    "" where it doesn't."""
    if m is None:
        return ""
    return m.text if isinstance(m, Worded) else f"{m.kind} {m.got} differs from the loop's {m.loop}"


# Why there is no float64 reference, by NoFloat64.reason, its figures filled in.
NO_FLOAT64 = {
    "random": "the model draws random numbers ({primitives}), which float64 draws differently",
    "python_object": "the model was given as a Python object, which the float64 helper process can't load",
    "did_not_start": "the float64 helper did not start: {error}",
    "timeout": "the float64 reference took over {seconds:g} s",
    "exited": "the float64 helper exited with status {status}",
    "failed": "{error}",
    "narrow": "the model computes in {dtypes} even with float64 inputs",
    "structure": "the model's output has another structure with float64",
}


def no_float64_text(why: NoFloat64 | Worded | None) -> str:
    """Why there is no float64 reference: `the float64 reference took over 60 s`; "" where there
    is one, or none was asked for. A helper that ended is said in its own last words, where it
    wrote any."""
    if why is None:
        return ""
    if isinstance(why, Worded):
        return why.text
    if why.reason == "exited" and why.error:
        return why.error
    return NO_FLOAT64[why.reason].format(error=why.error, seconds=why.seconds, status=why.status,
                                         primitives=", ".join(why.primitives), dtypes=" and ".join(why.dtypes))


FIRST_KEY_WORDS = ("under vmap, random_bits on a batch of RBG keys draws the whole batch from the first key "
                   "(jax.random's docs); the loop draws from each key")

# Who computes float32 matrix products in reduced precision at JAX's default, by platform.
REDUCED = {
    "gpu": "this device computes matmuls in reduced precision (TF32 on NVIDIA GPUs)",
    "tpu": "this device computes matmuls in reduced precision (bfloat16 passes on TPUs)",
    "cpu": "the model computes matmuls in reduced precision (XLA:CPU itself ignores the setting)",
}


def precision_verdict(a: Agreement) -> str:
    """An output that misses the tolerance at the precision the analysis ran at and agrees at
    "highest": `agrees at full float32 precision; at JAX's default matmul precision this device
    computes matmuls in reduced precision (TF32 on NVIDIA GPUs): 0.00135 off the loop (1.9e+09 ULP)`."""
    check = a.precision
    high = check.highest
    full = f"at full {_names(a.beyond)} precision"
    if high.kind == "rounding":
        agrees = f"agrees {full} within {_names(high.beyond)} rounding"
    elif high.max_abs == 0:
        agrees = f"agrees exactly {full}"
    else:
        agrees = f"agrees {full} (max {_ulps(high.max_ulp)})"
    return f"{agrees}; {precision_cause(check)}: {_num(a.max_abs)} off the loop ({_ulps(a.max_ulp)})"


def precision_cause(check: PrecisionCheck) -> str:
    """Why an output that agrees at "highest" missed at the precision it ran at, in words; ""
    where the rerun did not agree either (then precision is not the cause)."""
    if check.cause != "matmul_precision":
        return ""
    where = "JAX's default matmul precision" if check.ran_at == "default" else f"matmul precision {check.ran_at}"
    return f"at {where} {REDUCED.get(check.platform, 'this device computes matmuls in reduced precision')}"


def on_batch_verdict(on_batch: OnBatch) -> str:
    """The model called on the whole batch, in the verdict's words: `runs on the batch and agrees
    with the loop exactly`, `runs on the batch but is WRONG: ...`; "" when it was not judged."""
    a = on_batch.agreement
    if a is None:
        return ""
    words = agreement_verdict(a)
    if a.agrees:
        return "runs on the batch and " + words.replace("agrees", "agrees with the loop", 1)
    return ("runs on the batch but is " if a.agrees is False else "runs on the batch but ") + words


def tolerances(tol: dict) -> str:
    """`float32 tolerance 1e-05`: the float dtypes' rtol = atol, as the verdict names them."""
    return " and ".join(f"{name} tolerance {t['rtol']:.0e}" for name, t in tol.items() if t["rtol"])


def alignment_verdict(a: Alignment) -> str:
    """Two jaxprs lined up, in a sentence: `same 4 primitives in order, identical up to variable
    names`, or how many line up, which differ and how, and which differ only in layout."""
    left = a.left_eqns
    counts = Counter(r.status for r in a.rows)
    matched = counts["same"] + counts["differ"]
    if counts["only_left"] == counts["only_right"] == 0:
        head = f"same {matched} primitive{'s' * (matched != 1)} in order"
        if counts["differ"] == 0:
            return head + ", identical up to variable names"
    else:
        head = (f"{matched} primitive{'s' * (matched != 1)} line up; {counts['only_left']} only on the left, "
                f"{counts['only_right']} only on the right")
    if not a.exact:
        head = "approximate alignment (programs too different): " + head
    real = [r for r in a.rows if r.status == "differ" and not is_layout_only(r.diffs)]
    layout = [r for r in a.rows if r.status == "differ" and is_layout_only(r.diffs)]
    parts = [head]
    if real:
        n = NAMED_DIFFERENCES
        shown = [f"{left[r.left].primitive} ({', '.join(map(_short, r.diffs))})" for r in real[:n]]
        more = f", and {len(real) - n} more" if len(real) > n else ""
        parts.append(f"{len(real)} differ: " + ", ".join(shown) + more)
    if layout:
        names = ", ".join(dict.fromkeys(left[r.left].primitive for r in layout))
        parts.append(f"{len(layout)} differ only in layout: {names}")
    return "; ".join(parts)


def _short(diff: Diff) -> str:
    """Verdict wording: `inputs transposed`, `output f32[5,2] vs f32[2,5]`."""
    if diff.kind == "inputs" and diff.transposed:
        return "inputs transposed"
    return diff_text(diff).removesuffix(" (transposed)")


def _names(dtypes) -> str:
    return " and ".join(dtypes)


def _ulps(ulp: float) -> str:
    return f"{ulp:.3g} ULP"


def _num(x: float) -> str:
    return f"{x:.3g}"
