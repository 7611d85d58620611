"""`c` copies the focused pane's text, `e` exports the report: what goes out, and under what name.

The clipboard is reached by OSC 52, which the terminal (not the remote machine) carries out, so
a copy over SSH lands on the user's own clipboard. Terminals cap OSC 52: past OSC52_LIMIT the
app says to export instead.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from jaxbatch.presentation.document import Document
    from jaxbatch.results.chunk_sweep_state import ChunkSweepState
    from jaxbatch.results.report import Report
    from jaxbatch.results.sweep_state import SweepState

OSC52_LIMIT = 100_000  # bytes; xterm's default cap is about this, some terminals allow less
WIDTH = 100  # the exported text report's width: a file has no terminal to fit


def base_name(report: Report) -> str:
    """`jaxbatch-tanh-dense-5`: safe as a file name whatever the model reference holds."""
    model = re.sub(r"[^A-Za-z0-9_.-]+", "_", report.model.rpartition("/")[2]).strip("._") or "model"
    return f"jaxbatch-{model}-{'x'.join(map(str, report.batch_shape))}"


def export(report: Report, sweep: Optional[SweepState], folder: Path,
           chunk_sweep: Optional[ChunkSweepState] = None) -> tuple[Path, Path]:
    """Write the text and JSON reports into `folder`, both from one document, with whatever the
    panes show (the sweep, the chunk sweep, the roofline); OSError says why not. The renderers
    are imported here, on the first export: the app imports this module as it starts."""
    from jaxbatch.media.json_report import report_json
    from jaxbatch.presentation.report_document import build

    doc = build(report, sweep, chunk_sweep)
    return write(folder / base_name(report), doc, report_json(report, sweep, chunk_sweep, doc))


def write(base: Path, doc: Document, data: dict, width: int = WIDTH) -> tuple[Path, Path]:
    """The document as text at `width`, and `data` (the report JSON, which holds the document's
    words) as JSON, beside each other under `base`."""
    from jaxbatch.media.text import document_text

    text_path, json_path = base.with_suffix(".txt"), base.with_suffix(".json")
    text_path.write_text(document_text(doc, width))
    json_path.write_text(json.dumps(data, indent=2) + "\n")
    return text_path, json_path


def described(path: Path) -> str:
    """`jaxbatch-eigh-512.json (8.2 MB)`: a written file and its size, for the export notice."""
    from jaxbatch.presentation.units import byte_size

    return f"{path.name} ({byte_size(path.stat().st_size)})"
