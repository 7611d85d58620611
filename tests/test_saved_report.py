"""Report.from_json: a saved report read back is the report that was saved, as far as its JSON
carries it: written again, it gives the same JSON, its words said anew from the facts."""

import dataclasses
import json

import pytest

from jaxbatch.media.json_report import report_json
from jaxbatch.models import CATALOG
from jaxbatch.results import hlo
from jaxbatch.results.hlo_cost import NOT_SPLIT, TRIP_COUNT_UNKNOWN
from jaxbatch.results.report import (
    CompilingLoop,
    ErrorInfo,
    Fit,
    FitUnknown,
    Growth,
    NonFinite,
    NotSharded,
    Report,
    Roof,
    SameProgram,
)
from jaxbatch.results.selection import Selection
from jaxbatch.results.timing import Timings

import scripted


def saved(report: Report) -> dict:
    """The report as `report --json` writes it, read back from the text."""
    return json.loads(json.dumps(report_json(report), allow_nan=False))


def facts(data: dict) -> dict:
    """Everything but the document: it shows outputs as NumPy prints them and the flattened
    equations, which the JSON does not carry (the words it says are checked key by key)."""
    return {k: v for k, v in data.items() if k != "document"}


def assert_round_trip(report: Report) -> None:
    data = saved(report)
    again = saved(Report.from_json(data))
    assert facts(again) == facts(data)
    assert again["document"]["title"] == data["document"]["title"]


@pytest.mark.parametrize("model", list(CATALOG))
def test_every_built_in_model_s_report_round_trips(model):
    from reports import analyze

    # 8: the sharded strategies run too; the truth tests' reports, shared in the run
    assert_round_trip(analyze(Selection(model, (8,), "cpu")))


def consistent(report: Report) -> Report:
    """A scripted report with what the lab always gives beside its programs: the HLO comparison."""
    left, vmap = report.strategies["manual"], report.strategies["vmap"]
    return dataclasses.replace(report, hlo_comparison=hlo.compare(left.hlo, vmap.hlo, left.label, "vmap"))


def timed(report: Report) -> Report:
    roof = Roof("cpu", "cpu", 20e9, 40e9, "cache", 0.0, "highest", {"default": 50e9, "highest": 40e9})
    timings = {"loop": scripted.timing_of(0.155, None, estimated=True), "manual": scripted.timing_of(171e-6),
               "vmap": scripted.timing_of(9e-6)}
    return dataclasses.replace(report, timings=Timings(timings, 6e-6, roof),
                               selection=Selection(precision="highest"))


SCRIPTED = {
    "seed": lambda: scripted.report(),
    "wrong and raised": lambda: scripted.report(
        {"loop": scripted.strategy("loop"), "manual": scripted.strategy("manual", scripted.wrong()),
         "vmap": scripted.strategy("vmap", scripted.within())},
        single=scripted.on_batch(error=ErrorInfo("TypeError", "dot_general requires ..."))),
    "timed, with the roofline": lambda: timed(scripted.report()),
    "notes and fits": lambda: scripted.report(
        warnings=[CompilingLoop(3, 4), NonFinite("vmap", "vmap", 2, 1)], sharded_note=NotSharded(5, 4, "cpu"),
        vmap_loop=scripted.vmap_loop(), same_program=SameProgram(("manual", "vmap"), False, False, None),
        fits={"vmap": Fit(1000, method="linear", batches=(5, 10, 1000), compiles=2, peak_bytes=10**9,
                          growth=Growth((5, 10), 24.0, None)),
              "manual": Fit(None, batches=(5,), unknown=FitUnknown("compile_failed", 16, "ValueError: no"))},
        memory_limit_bytes=2 * 10**9, memory_limit_source="host", chunk=64, source_hash="abc"),
}


@pytest.mark.parametrize("name", list(SCRIPTED))
def test_scripted_reports_round_trip(name):
    assert_round_trip(consistent(SCRIPTED[name]()))


def test_the_roof_and_timings_come_back_typed():
    report = consistent(timed(scripted.report()))
    back = Report.from_json(saved(report))
    assert back.timings == Timings(report.timings.by_strategy, report.timings.floor_s,
                                   dataclasses.replace(report.roof, source="saved", measured_at=None))
    assert back.roof.peak_flops_s == 40e9 and back.selection == report.selection


def test_an_older_file_reads_with_what_it_has():
    data = saved(consistent(timed(scripted.report())))
    for key in ("summary", "jax_version", "selection", "hlo", "roofline", "dispatch_floor_s", "fits_up_to", "device"):
        del data[key]
    del data["timings"]["vmap"]["q1_s"]
    old = Report.from_json(data)
    assert old.timings.floor_s is None and old.roof is None and old.timings["vmap"].q1_s is None
    assert old.strategies["vmap"].hlo is None and old.selection is None and old.summary == ""
    assert facts(saved(old))["strategies"] == facts(data)["strategies"]


@pytest.mark.parametrize("why", [TRIP_COUNT_UNKNOWN, NOT_SPLIT])
def test_why_a_cost_is_xla_s_own_comes_back_and_is_read_off_an_older_file_s_words(why):
    report = scripted.report()
    vmap = report.strategies["vmap"]
    vmap = dataclasses.replace(vmap, hlo=dataclasses.replace(vmap.hlo, flops=None, flops_xla=229.0, xla_only=why))
    report = consistent(dataclasses.replace(report, strategies={**report.strategies, "vmap": vmap}))
    assert_round_trip(report)
    data = saved(report)
    del data["hlo"]["vmap"]["xla_only"]  # written before the flag was: only its words
    assert data["hlo"]["vmap"]["cost_note"]
    assert Report.from_json(data).strategies["vmap"].hlo.xla_only == why


@pytest.mark.parametrize("data", [[1, 2], {"model": "tanh-dense"}, "report", None,
                                  {"model": "m", "batch_shape": [5], "strategies": {"vmap": 3}}])
def test_what_is_not_a_report_is_one_clear_value_error(data):
    with pytest.raises(ValueError, match=r"^not a jaxbatch-tui report") as raised:
        Report.from_json(data)
    assert "\n" not in str(raised.value)
