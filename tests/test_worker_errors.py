"""A failure in the background ends in a message that names it, never in a pane waiting forever."""

import pytest
from textual.widgets import Static

from jaxbatch.results import alignment
from jaxbatch.widgets.programs_view import ProgramsView
from jaxbatch.widgets.side_by_side import SideBySide

from app_helpers import make_test_app, settle, widget_text


def broken(*args, **kwargs):
    raise RuntimeError("aligner broke")


@pytest.mark.parametrize(("aligner", "keys", "what"), [
    ("align", ["2", "p"], "aligning the jaxpr of loop and vmap failed: RuntimeError: aligner broke"),
    ("aligned", ["2", "l"], "aligning the StableHLO of einsum and vmap failed: RuntimeError: aligner broke"),
])
async def test_an_alignment_that_raises_is_named_in_the_pane_and_a_notification(monkeypatch, aligner, keys, what):
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)  # the report is in: from now on only the pane's worker aligns
        monkeypatch.setattr(alignment if aligner == "align" else alignment.hlo, aligner, broken)  # what the pane asks
        monkeypatch.setattr(alignment, "_KEPT", {})  # the shared report's rows, kept by an earlier test, are not reused
        said = []
        app.notify = lambda message, **kwargs: said.append((message, kwargs.get("severity")))
        await pilot.press(*keys)
        await settle(pilot)
        verdict = widget_text(app.query_one(ProgramsView).query_one(".verdict", Static))
        assert f"✗ {what}" in verdict and "aligning…" not in verdict
        assert said == [(what, "error")]
        assert app.query_one(SideBySide).rows == []
        view = app.query_one(ProgramsView)
        view.mutate_reactive(ProgramsView.level)  # shown again: the failure still says so, and is not retried
        await settle(pilot)
        assert f"✗ {what}" in widget_text(view.query_one(".verdict", Static)) and len(said) == 1
