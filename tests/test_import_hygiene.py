"""The lab never imports a UI, and the app never imports JAX before its first frame; the layering
contracts in pyproject.toml ([tool.importlinter]) hold."""

import os
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import jaxbatch.lab
import jaxbatch.results

ROOT = Path(__file__).resolve().parent.parent


def modules_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sys.modules))"
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    return set(p.stdout.split())


def test_the_lab_imports_no_textual_or_rich():
    lab = [f"jaxbatch.lab.{m.name}" for m in pkgutil.iter_modules(jaxbatch.lab.__path__)]
    loaded = modules_after("import " + ", ".join(lab + ["jaxbatch.media.text", "jaxbatch.models.tanh_dense"]))
    assert "jaxbatch.lab.analysis" in loaded and "jax" in loaded  # the imports really happened
    assert not {m for m in loaded if m.split(".")[0] in ("textual", "rich")}
    assert not {m for m in loaded if m.startswith("jaxbatch.widgets")}  # the report's words are the presentation's


def test_the_results_import_no_jax_and_no_ui():
    results = [f"jaxbatch.results.{m.name}" for m in pkgutil.iter_modules(jaxbatch.results.__path__)]
    loaded = modules_after("import " + ", ".join(results))
    assert "jaxbatch.results.report" in loaded  # the imports really happened
    assert not {m for m in loaded if m.split(".")[0] in ("jax", "jaxlib", "textual", "rich")}
    assert not {m for m in loaded if m.startswith("jaxbatch.lab.")}


def test_the_app_module_does_not_import_jax():
    loaded = modules_after("import jaxbatch.app, jaxbatch.cli")
    assert "textual" in loaded
    assert not {m for m in loaded if m.split(".")[0] in ("jax", "jaxlib")}


def installed_layout(dest: Path) -> Path:
    """A copy of the package laid out as it is installed, `models/` inside `jaxbatch/`: import-linter
    finds modules by walking the package's one folder, and the install maps two (tui/ and models/)."""
    shutil.copytree(ROOT / "tui", dest / "jaxbatch", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "models", dest / "jaxbatch" / "models", ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """`lint-imports` with pyproject.toml's contracts, on the package found under `root`."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
           "COLUMNS": "200"}
    code = ("import sys; from importlinter.cli import lint_imports; "
            "sys.exit(lint_imports(config_filename=sys.argv[1], no_cache=True))")
    return subprocess.run([sys.executable, "-c", code, str(ROOT / "pyproject.toml")],
                          cwd=root, env=env, capture_output=True, text=True, timeout=120)


def test_the_import_contracts_hold(tmp_path):
    p = lint_imports(installed_layout(tmp_path))
    assert p.returncode == 0, p.stdout + p.stderr
    assert "4 kept, 0 broken" in p.stdout  # every contract ran, on the installed layout


def test_the_contracts_catch_a_leak_in_every_layer(tmp_path):
    root = installed_layout(tmp_path)
    (root / "jaxbatch" / "lab" / "leak.py").write_text("import textual\n")
    (root / "jaxbatch" / "models" / "leak.py").write_text("from jaxbatch.lab import analysis\n")
    (root / "jaxbatch" / "presentation" / "leak.py").write_text("import jax\n")
    (root / "jaxbatch" / "results" / "leak.py").write_text("from jaxbatch.lab import analysis\n")
    p = lint_imports(root)
    assert p.returncode == 1 and "0 kept, 4 broken" in p.stdout, p.stdout + p.stderr
    assert "jaxbatch.lab.leak -> textual" in p.stdout
    assert "jaxbatch.models.leak -> jaxbatch.lab.analysis" in p.stdout
    assert "jaxbatch.presentation.leak -> jax" in p.stdout
    assert "jaxbatch.results.leak -> jaxbatch.lab.analysis" in p.stdout
