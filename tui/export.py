"""`c` copies the focused pane's text, `e` exports the report: what goes out, and under what name.

The clipboard is reached by OSC 52, which the terminal (not the remote machine) carries out, so
a copy over SSH lands on the user's own clipboard. Terminals cap OSC 52: past OSC52_LIMIT the
app says to export instead.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from jaxbatch.lab.results import Report
    from jaxbatch.lab.sweep_state import SweepState
    from jaxbatch.lab.timing import LiveTimings

OSC52_LIMIT = 100_000  # bytes; xterm's default cap is about this, some terminals allow less


def base_name(report: Report) -> str:
    """`jaxbatch-tanh-dense-5`: safe as a file name whatever the model reference holds."""
    model = re.sub(r"[^A-Za-z0-9_.-]+", "_", report.model.rpartition("/")[2]).strip("._") or "model"
    return f"jaxbatch-{model}-{'x'.join(map(str, report.batch_shape))}"


def with_timings(report: Report, live: Optional[LiveTimings]) -> Report:
    """The report as the app shows it: with the live timings measured so far."""
    if live is None:
        return report
    return dataclasses.replace(report, timings=live.timings, dispatch_floor_s=live.floor_s)


def export(report: Report, sweep: Optional[SweepState], folder: Path) -> tuple[Path, Path]:
    """Write the text and JSON reports into `folder`; OSError says why not. The renderers are
    imported here, on the first export: the app imports this module as it starts."""
    from jaxbatch.report_json import report_json
    from jaxbatch.report_text import render

    base = folder / base_name(report)
    data = report_json(report, sweep)
    text_path, json_path = base.with_suffix(".txt"), base.with_suffix(".json")
    text_path.write_text(render(report, sweep))
    json_path.write_text(json.dumps(data, indent=2) + "\n")
    return text_path, json_path
