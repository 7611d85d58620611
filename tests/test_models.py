"""Every built-in model: its strategies agree with the loop, and its note's claims are in its programs."""

import re

import pytest

from jaxbatch.lab.analysis import analyze
from jaxbatch.lab.loader import load_model
from jaxbatch.lab.selection import Selection
from jaxbatch.models import CATALOG


@pytest.fixture(scope="module", params=sorted(CATALOG))
def analysed(request):
    return load_model(request.param), analyze(Selection(request.param, (5,), "cpu"))


def test_every_strategy_agrees_with_the_loop(analysed):
    model, report = analysed
    for key, strategy in report.strategies.items():
        assert strategy.error is None, (key, strategy.error)
        assert strategy.agrees, (key, strategy.max_abs_diff, strategy.reason)


def test_the_programs_show_what_the_note_claims(analysed):
    model, report = analysed
    assert model.note and model.source and model.signature
    for key, pattern in model.signature:
        assert re.search(pattern, report.strategies[key].jaxpr), (key, pattern)


def test_a_second_batch_dimension_runs_too(analysed):
    model, _ = analysed
    report = analyze(Selection(model.name, (2, 3), "cpu"))
    assert all(s.agrees for s in report.strategies.values())


def test_the_text_report_gives_the_note_and_its_source(analysed):
    from jaxbatch.report_text import render

    model, report = analysed
    text = " ".join(render(report).split())
    assert " ".join(model.note.split()) in text and f"Source: {' '.join(model.source.split())}" in text
