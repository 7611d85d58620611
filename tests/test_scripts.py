"""The scripts beside the package (the benches, the screenshots, the GPU check) still import what
they use: a module moved or renamed in a refactor breaks them only when someone next runs one.
Each is loaded as a module, not run: its `main` is defined and nothing at its top level raised."""

import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
SCRIPTS = sorted([*ROOT.glob("tests/bench/*.py"), ROOT / "screenshots" / "make_screenshots.py",
                  ROOT / "tests" / "gpu" / "check.py"])


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_each_script_loads_and_has_a_main(script):
    names = runpy.run_path(str(script), run_name="loaded_by_a_test")
    assert callable(names.get("main")), f"{script.name} has no main()"
