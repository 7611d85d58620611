"""The notebook under examples/ runs, top to bottom, as a script: what it shows still works."""

import json
import subprocess
import sys
from pathlib import Path

NOTEBOOK = Path(__file__).parent.parent / "examples" / "vmap_or_by_hand.ipynb"


def test_the_notebook_runs_as_a_script(tmp_path):
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    code = "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    script = tmp_path / "notebook.py"
    script.write_text(code)
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.startswith("agrees {'pair': ['manual', 'vmap'], 'jaxpr': True")
    assert "vmap's program has gather (1×)" in run.stdout and "Out of memory (" in run.stdout
