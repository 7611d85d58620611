"""The memory claims in words: from which batch each strategy runs out, roofline's peak beside
XLA's plan and where the two part, and the roofline section of a timed report."""

import dataclasses

from jaxbatch.lab.results import Fit, Roof
from jaxbatch.presentation.memory import cross_check, disagreement, fit_text, fits_line, memory_rows
from jaxbatch.presentation.units import count
from jaxbatch.report_json import report_json
from jaxbatch.report_text import render

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
    assert data["fits_up_to"] == {"manual": {"up_to": 9_999, "never": False}, "vmap": {"up_to": None, "never": True}}


def test_roofline_s_peak_is_checked_against_xla_s_plan_within_a_factor_of_two():
    assert cross_check(100, 200) is True and cross_check(200, 100) is True
    assert cross_check(100, 201) is False and cross_check(None, 100) is None and cross_check(100, None) is None
    plan = scripted.strategy("vmap").hlo.peak_bytes  # 120 B: temporaries + arguments + outputs
    report = scripted.report({"manual": scripted.strategy("manual", roofline_peak_bytes=plan),
                              "vmap": scripted.strategy("vmap", roofline_peak_bytes=10 * plan),
                              "loop": scripted.strategy("loop")})
    rows = {label: checked for label, _, _, checked in memory_rows(report)}
    assert rows == {"einsum": "120 B ✓", "vmap": "1.2 kB ≠"}
    said = disagreement(report)
    assert said.startswith("XLA's plan and jax.experimental.roofline's peak disagree for vmap (120 B vs 1.2 kB)")
    memory = report_json(report)["memory"]
    assert memory["vmap"]["roofline_peak_bytes"] == 1200 and memory["vmap"]["roofline_agrees"] is False
    assert memory["manual"]["roofline_agrees"] is True
    assert "disagree for vmap (120 B vs 1.2 kB)" in render(report)


def test_a_timed_report_judges_each_compiled_call_under_the_roofline():
    roof = Roof("cpu", "cpu", 10e9, 100e9, "cache", 0.0, "default", {"default": 100e9}, ignores_precision=True)
    timings = {"loop": scripted.timing_of(0.155, None, estimated=True), "manual": scripted.timing_of(171e-6),
               "vmap": scripted.timing_of(9e-6)}
    report = dataclasses.replace(scripted.report(), roof=roof, timings=timings, dispatch_floor_s=1e-9)
    text = render(report)
    assert "roofline on cpu: 10 GB/s, 100 Gflop/s at any matmul precision (cached)" in text
    data = report_json(report)["roofline"]
    assert data["bandwidth_bytes_s"] == 10e9 and data["peak_flops_s"] == 100e9
    assert set(data["strategies"]) == {"manual", "vmap"}  # the loop has no one program to judge
    vmap = data["strategies"]["vmap"]
    assert vmap["intensity"] == 75.0 / 184.0  # the scripted program's flops over its bytes
    assert vmap["bound"] == "memory"  # 0.41 flop/B, below the ridge at 10
