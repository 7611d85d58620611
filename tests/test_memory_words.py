"""The memory claims in words: from which batch each strategy runs out, roofline's peak beside
XLA's plan and where the two part, and the roofline section of a timed report."""

import dataclasses

from jaxbatch.media.json_report import report_json
from jaxbatch.media.text import render
from jaxbatch.presentation.memory import (
    cross_check,
    disagreement,
    fit_how,
    fit_text,
    fits_line,
    growth_text,
    memory_rows,
)
from jaxbatch.presentation.units import count
from jaxbatch.results.report import Fit, FitUnknown, Growth, Roof
from jaxbatch.results.timing import Timings

import scripted


def test_counts_read_at_a_glance():
    assert [count(n) for n in (7, 9_984, 99_999, 100_000, 2_100_000, 580_000_000, 1_900_000_000, 3 * 10**12)] == \
        ["7", "9,984", "99,999", "100k", "2.1M", "580M", "1.9G", "3T"]


def test_each_kind_of_fit_in_words():
    assert fit_text(Fit(2_099_999)) == "≈ 2.1M"  # runs out from the next instance on
    assert fit_text(Fit(None, never=True)) == "never"
    assert fit_text(Fit(None)) == "unknown"
    assert fit_text(Fit(0)) == "not one instance"


def test_the_fits_line_names_the_limit_and_each_strategy():
    report = scripted.report(memory_limit_bytes=16 * 2**30, memory_limit_source="host",
                             fits={"manual": Fit(9_999), "vmap": Fit(None, never=True)})
    assert fits_line(report) == ("Out of memory (the 17.2 GB available on this host) from batch: "
                                 "einsum ≈ 10,000 · vmap never")
    gpu = dataclasses.replace(report, device=dataclasses.replace(report.device, platform="gpu"),
                              memory_limit_bytes=112_583_507_968, memory_limit_source="allocator")
    assert fits_line(gpu).startswith("Out of memory (JAX's allocator limit on gpu, 113 GB) from batch")
    unknown = dataclasses.replace(gpu, memory_limit_bytes=None, memory_limit_source="")
    assert fits_line(unknown).startswith("Out of memory (the memory of gpu is unknown) from batch")
    assert fits_line(dataclasses.replace(report, fits={})) == ""
    data = report_json(report)
    assert data["memory_limit_bytes"] == 16 * 2**30 and data["memory_limit_source"] == "host"
    assert report_json(gpu)["memory_limit_source"] == "allocator"
    assert report_json(unknown)["memory_limit_source"] is None
    assert {k: (f["up_to"], f["never"]) for k, f in data["fits_up_to"].items()} == {"manual": (9_999, False),
                                                                                  "vmap": (None, True)}


def test_how_each_fit_was_found_is_said_beside_it_and_in_the_json():
    linear = Fit(2_005_232_896, method="linear", batches=(512, 1024, 2_005_232_896), compiles=2,
                 peak_bytes=24 * 10**9, growth=Growth((512, 1024), 12.0, 16_778_144.0))
    searched = Fit(75_699, method="search", batches=(8, 16, 172_544_354, 68_128, 75_699, 78_727), compiles=5,
                   peak_bytes=23 * 10**9, growth=Growth((8, 16), 140.0, None))
    unknown = Fit(None, batches=(8,), unknown=FitUnknown("compile_failed", 16, "ValueError: no"))
    assert [fit_how(f) for f in (linear, searched, unknown)] == [
        "linear, 2 compiles", "searched, not linear, 5 compiles", "compiling at batch 16 failed: ValueError: no"]
    report = scripted.report(memory_limit_bytes=24 * 10**9, memory_limit_source="host",
                             fits={"manual": searched, "vmap": linear, "chunked": unknown})
    assert fits_line(report) == ("Out of memory (the 24 GB available on this host) from batch: einsum ≈ 75,700 "
                                 "(searched, not linear, 5 compiles) · vmap ≈ 2G (linear, 2 compiles)")
    data = report_json(report)["fits_up_to"]
    assert data["manual"] == {"up_to": 75_699, "never": False, "method": "search",
                              "batches": [8, 16, 172_544_354, 68_128, 75_699, 78_727], "compiles": 5,
                              "peak_bytes": 23 * 10**9, "how": "searched, not linear, 5 compiles"}
    assert data["vmap"]["method"] == "linear" and data["vmap"]["peak_bytes"] == 24 * 10**9
    assert data["chunked"]["up_to"] is None and data["chunked"]["method"] == "unknown"
    assert data["chunked"]["note"] == data["chunked"]["how"] == "compiling at batch 16 failed: ValueError: no"


def test_per_instance_is_the_marginal_with_the_fixed_part_apart_in_every_medium():
    """at-set-large at 512, chunked: 32.8 kB per instance is the peak over the batch; one more
    instance adds 12 B, and 16.8 MB of one chunk's temporaries doesn't grow (issue 22)."""
    fits = {"manual": Fit(1, growth=Growth((512, 1024), 12.0, 16_778_144.0)),
            "vmap": Fit(1, growth=Growth((8, 16), 140.0, None))}
    report = scripted.report(fits=fits)
    rows = {r.label: r for r in memory_rows(report)}
    assert (rows["einsum"].marginal, rows["einsum"].fixed) == ("12 B", "16.8 MB")
    assert (rows["vmap"].marginal, rows["vmap"].fixed) == ("140 B", "not linear")
    assert rows["einsum"].per_instance == "24 B"  # the scripted peak, 120 B, over the batch of 5
    assert [growth_text(rows[k]) for k in ("einsum", "vmap")] == ["12 B more each, 16.8 MB fixed",
                                                                 "140 B more each, not linear"]
    unmeasured = memory_rows(scripted.report())[0]
    assert (unmeasured.marginal, unmeasured.fixed, growth_text(unmeasured)) == ("-", "-", "")
    assert "24 B per instance (12 B more each, 16.8 MB fixed)" in render(report)
    memory = report_json(report)["memory"]
    assert (memory["manual"]["marginal_bytes_per_instance"], memory["manual"]["fixed_bytes"]) == (12.0, 16_778_144.0)
    assert memory["manual"]["marginal_batches"] == [512, 1024] and memory["manual"]["per_instance_bytes"] == 24.0
    assert memory["vmap"]["fixed_bytes"] is None


def test_roofline_s_peak_is_checked_against_xla_s_plan_within_a_factor_of_two():
    assert cross_check(100, 200) is True and cross_check(200, 100) is True
    assert cross_check(100, 201) is False and cross_check(None, 100) is None and cross_check(100, None) is None
    plan = scripted.strategy("vmap").hlo.peak_bytes  # 120 B: temporaries + arguments + outputs
    report = scripted.report({"manual": scripted.strategy("manual", roofline_peak_bytes=plan),
                              "vmap": scripted.strategy("vmap", roofline_peak_bytes=10 * plan),
                              "loop": scripted.strategy("loop")})
    rows = {r.label: r.roofline for r in memory_rows(report)}
    assert rows == {"einsum": "120 B ✓", "vmap": "1.2 kB ≠"}
    said = disagreement(report)
    assert said.startswith("XLA's plan and jax.experimental.roofline's peak disagree for vmap (120 B vs 1.2 kB)")
    memory = report_json(report)["memory"]
    assert memory["vmap"]["roofline_peak_bytes"] == 1200 and memory["vmap"]["roofline_agrees"] is False
    assert memory["manual"]["roofline_agrees"] is True
    assert "disagree for vmap (120 B vs 1.2 kB)" in " ".join(render(report).split())


def test_a_timed_report_judges_each_compiled_call_under_the_roofline():
    roof = Roof("cpu", "cpu", 10e9, 100e9, "cache", 0.0, "default", {"default": 100e9}, ignores_precision=True)
    timings = {"loop": scripted.timing_of(0.155, None, estimated=True), "manual": scripted.timing_of(171e-6),
               "vmap": scripted.timing_of(9e-6)}
    report = dataclasses.replace(scripted.report(), timings=Timings(timings, 1e-9, roof))
    text = render(report)
    assert "roofline on cpu: 10 GB/s, 100 Gflop/s at any matmul precision (cached)" in text
    data = report_json(report)["roofline"]
    assert data["bandwidth_bytes_s"] == 10e9 and data["peak_flops_s"] == 100e9
    assert set(data["strategies"]) == {"manual", "vmap"}  # the loop has no one program to judge
    vmap = data["strategies"]["vmap"]
    assert vmap["intensity"] == 75.0 / 184.0  # the scripted program's flops over its bytes
    assert vmap["bound"] == "memory"  # 0.41 flop/B, below the ridge at 10
