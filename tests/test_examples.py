"""The notebook under examples/ runs, top to bottom, as a script: what it shows still works."""

import json
import runpy
from pathlib import Path

NOTEBOOK = Path(__file__).parent.parent / "examples" / "vmap_or_by_hand.ipynb"


def test_the_notebook_runs_as_a_script(tmp_path, capsys, shared_analyses):
    """In this process (the run's shared reports where it names a built-in model): what runs it
    is no part of what it shows."""
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    code = "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    script = tmp_path / "notebook.py"
    script.write_text(code)
    runpy.run_path(str(script), run_name="__main__")
    out = capsys.readouterr().out
    assert out.startswith("agrees SameProgram(pair=('manual', 'vmap'), jaxpr=True")
    assert "vmap's program has gather (1×)" in out and "Out of memory (" in out
