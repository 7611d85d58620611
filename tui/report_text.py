"""The text report: the same facts as the app, for a terminal, a log or a bug report."""

from __future__ import annotations

import textwrap
from typing import Optional

from jaxbatch.lab.results import ROLES, Agreement, Eqn, Loop, OnBatch, Report, Strategy
from jaxbatch.lab.sweep_state import SweepState
from jaxbatch.lab.timing import scaling
from jaxbatch.widgets.program_rows import MARKERS, alignment_rows, hlo_summary


def render(report: Report, sweep: Optional[SweepState] = None) -> str:
    device = report.device
    lines = [
        f"jaxbatch-tui report: {report.model} at batch shape {report.batch_shape} "
        f"on {device['platform']} ({device['kind']}), jax {report.jax_version}",
        f"  {report.summary}",
        *_wrapped(report.note, "  "),
        *_wrapped(f"Source: {report.source}" if report.source else "", "  "),
        *(line for w in report.warnings for line in _wrapped(f"warning: {w}", "  ")),
        "",
        f"One instance  model({', '.join(report.single.arg_avals)})",
        *_indented(report.single.text),
        f"Whole batch   model({', '.join(report.single.batch_avals)})",
        *_on_batch(report.single.on_batch),
        "",
        "Strategies (compared with the loop, the reference)",
    ]
    for s in report.strategies.values():
        headline = [loop_text(report.vmap_loop)] if s.key == "vmap" and report.vmap_loop else []
        verdict = [f"  {label:<12} {line}" for label, line in zip([s.label, ""], [*headline, _verdict(s)])]
        figures = figures_text(s.agreement) if s.key != "loop" and s.error is None else ""
        lines += [*verdict, *([f"  {'':<12} {figures}"] if figures else []), *_indented(s.text or "", "    ")]
    if report.manual_missing:
        lines += [f"  {ROLES['manual']:<12} {report.manual_missing}"]
    if report.sharded_note:
        lines += [f"  {'sharded':<12} {report.sharded_note}"]
    programs = [s for s in report.strategies.values() if s.jaxpr]
    for s in programs:
        lines += ["", f"Jaxpr: {s.label}", s.jaxpr]
    lines += [*(f"Jaxpr: {s.label}: {s.program_note}" for s in report.strategies.values() if s.program_note)]
    if programs:
        lines += ["Primitives"]
        lines += [f"  {s.label:<12} {primitives_text(s.eqns)}" for s in programs]
    if report.alignment is not None:
        lines += ["", *_aligned(report)]
    lines += _below(report)
    lines += _timings(report)
    lines += _backends(report)
    if sweep is not None:
        lines += sweep_lines(sweep)
    return "\n".join(lines) + "\n"


def primitives_text(eqns: list[Eqn]) -> str:
    """Every primitive that runs, control flow with what runs in each body inside it:
    `broadcast_in_dim while{cond: lt reduce_or; body: add tanh}`. Wrappers (jit) show as their bodies."""
    bodies: dict[Optional[int], dict[str, list[int]]] = {}
    for i, e in enumerate(eqns):
        if not e.wrapper:
            bodies.setdefault(e.within, {}).setdefault(e.body, []).append(i)

    def words(indices: list[int]) -> str:
        return " ".join(
            eqns[i].primitive + ("{" + "; ".join(f"{b}: {words(ix)}" for b, ix in bodies[i].items()) + "}"
                                 if i in bodies else "")
            for i in indices
        )

    return words(bodies.get(None, {}).get("", []))


def _backends(report: Report) -> list[str]:
    if not report.backends:
        return []
    found = ", ".join(f"{d['spec']} ({d['kind']})" for d in report.backends["devices"])
    return ["", f"Devices: {found}", *(f"  no {p}: {why} (pip install '{report.backends['install'][p]}')"
                                                       for p, why in report.backends["missing"].items())]


def sweep_lines(sweep: SweepState) -> list[str]:
    """Per-instance time at each batch size, the vmap / hand-batched ratio, the crossovers."""
    keys = list(sweep.labels)
    d = sweep.device
    lines = ["", f"Sweep on {d['platform']} ({d['kind']}): time per instance by batch size ({sweep.stopped})",
             "  " + f"{'batch':>9}" + "".join(f"{sweep.labels[k]:>11}" for k in keys)
             + f"{'vmap/' + sweep.labels.get('manual', '-'):>13}"]
    for i, n in enumerate(sweep.sizes):
        ratio = sweep.ratio[i] if sweep.ratio else None
        lines.append("  " + f"{n:>9,}" + "".join(f"{seconds(sweep.per_instance_s[k][i]):>11}" for k in keys)
                     + f"{'' if ratio is None else f'{ratio:.2f}x':>13}")
    return lines + [f"  {c}" for c in sweep.crossovers()]


def _timings(report: Report) -> list[str]:
    """Per call and per instance, compile apart; the numbers of the device this ran on."""
    if report.timings is None:
        return []
    d = report.device
    lines = ["", f"Timings on {d['platform']} ({d['kind']}): median per call over rounds, IQR, "
             f"dispatch floor {seconds(report.dispatch_floor_s)}",
             f"  {'':<12} {'compile':>10} {'per call':>10} {'± IQR':>10} {'per inst.':>10} "
             f"{'vs ' + report.strategies['manual'].label if 'manual' in report.strategies else '':>10}"]
    for key, t in report.timings.items():
        label = report.strategies[key].label
        ratio = "" if t.ratio_to_manual is None else f"{t.ratio_to_manual:.2f}x"
        flags = [f for f, on in (("estimate", t.estimated), ("dispatch-bound", t.dispatch_bound)) if on]
        lines.append(f"  {label:<12} {seconds(t.compile_s):>10} {seconds(t.median_s):>10} "
                     f"{seconds(t.iqr_s):>10} {seconds(t.per_instance_s):>10} {ratio:>10}  {', '.join(flags)}")
    spread = scaling_text(report.timings, report.devices, d["platform"])
    return lines + ([f"  {spread}"] if spread else [])


def scaling_text(timings: dict, devices: int, platform: str) -> str:
    """The sharded strategy against vmap on one device, in words: speed-up and efficiency."""
    found = scaling(timings, devices)
    if found is None:
        return ""
    speedup, efficiency = found
    shared = " (simulated devices share this machine's cores)" if platform == "cpu" else ""
    return (f"sharded over {devices} {platform} devices: {speedup:.2f}x vmap on one, {efficiency:.0%} "
            f"scaling efficiency, {seconds(timings['sharded'].median_s)} per device per call{shared}")


def seconds(value) -> str:
    if value is None:
        return "-"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if value >= scale:
            return f"{value / scale:.3g} {unit}"
    return f"{value / 1e-9:.3g} ns"


def _aligned(report: Report) -> list[str]:
    """The aligned table: a marker per row (= same, ≠ differs, < > only on one side)."""
    a = report.alignment
    left, right = report.strategies[a.left].label, report.strategies[a.right].label
    rows = alignment_rows(a)
    width = max([len(left)] + [len(r.left) for r in rows if r.left]) + 2
    lines = [f"Aligned jaxprs: {left} vs {right}", *_wrapped(a.verdict, "  "), f"    {left:<{width}}│ {right}"]
    for r in rows:
        lines.append(f"  {MARKERS[r.status]} {r.left or '':<{width}}│ {r.right or ''}")
        if r.diffs:
            lines.append(f"      ↳ {'; '.join(r.diffs)}")
    return lines


def _below(report: Report) -> list[str]:
    a = report.alignment
    keys = report.same_program.get("pair") or ((a.left, a.right) if a else ("manual", "vmap"))
    left, right = (report.strategies.get(k) for k in keys)
    if left is None or right is None or left.hlo is None or right.hlo is None:
        return []
    rows = hlo_summary(left.hlo, right.hlo, "hlo")
    width = max(len(r[1]) for r in rows) + 2
    same = {True: "same", False: "differs", None: "-"}
    levels = " · ".join(f"{name} {same[report.same_program.get(key)]}"
                        for key, name in (("jaxpr", "jaxpr"), ("stablehlo", "StableHLO"), ("hlo", "HLO")))
    lines = ["", "Below the jaxpr: what XLA compiled", f"  {report.hlo_verdict}",
             *([f"  one program? {levels}"] if report.same_program else []),
             f"    {'':<16}{left.label:<{width}}{right.label}"]
    return lines + [f"    {name:<16}{x:<{width}}{y}" for name, x, y in rows]


def _verdict(s: Strategy) -> str:
    if s.error is not None:
        return f"raised {s.error.type}: {s.error.message}"
    if s.key == "loop":
        return "reference"
    return verdict_text(s.agreement)


def loop_text(loop: Loop) -> str:
    """The headline of vmap's verdict when its program loops where one instance's doesn't."""
    steps = ", its steps unknown" if loop.steps is None else f" of {loop.steps:,} step{'s' * (loop.steps != 1)}"
    where = "its jaxpr" if loop.level == "jaxpr" else "XLA's optimized HLO"
    return f"vmap runs your function as a loop{steps} (a {loop.where} in {where} that one instance's lacks)"


def verdict_text(agreement: Optional[Agreement]) -> str:
    """The lab's verdict on an output, the same words in every view: `agrees exactly`, `agrees
    within float32 tolerance 1e-05 (max 2 ULP)`, `WRONG: 0.51 off (4.3e+06 ULP)`, ..."""
    return agreement.verdict if agreement is not None and agreement.verdict else "unknown"


def figures_text(agreement: Optional[Agreement]) -> str:
    """The figures behind a verdict, for a reader to check: the worst absolute, relative and ULP
    difference from the loop, and the tolerance per dtype. Nothing when it agrees exactly."""
    a = agreement
    if a is None or not a.max_abs:
        return ""
    tolerance = "; ".join(f"{name}: rtol = atol = {t['rtol']:.0e}" if t["rtol"] else f"{name}: exact"
                          for name, t in a.tolerance.items())
    return f"max |diff| {a.max_abs:.3g}, rel {a.max_rel:.3g}, {a.max_ulp:.3g} ULP ({tolerance})"


def _on_batch(on_batch: OnBatch) -> list[str]:
    if on_batch.error is not None:
        return [f"  raises {on_batch.error.type}:", *_indented(on_batch.error.message, "    ")]
    figures = figures_text(on_batch.agreement)
    return [f"  {on_batch.verdict}", *([f"    {figures}"] if figures else []), *_indented(on_batch.text, "    ")]


def _indented(text: str, pad: str = "  ") -> list[str]:
    return [pad + line for line in text.splitlines()]


def _wrapped(text: str, pad: str) -> list[str]:
    return textwrap.wrap(text, 96, initial_indent=pad, subsequent_indent=pad, break_on_hyphens=False) if text else []
