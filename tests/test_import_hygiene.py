"""The lab never imports a UI, and the app never imports JAX before its first frame."""

import pkgutil
import subprocess
import sys

import jaxbatch.lab


def modules_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sys.modules))"
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    return set(p.stdout.split())


def test_the_lab_imports_no_textual_or_rich():
    lab = [f"jaxbatch.lab.{m.name}" for m in pkgutil.iter_modules(jaxbatch.lab.__path__)]
    loaded = modules_after("import " + ", ".join(lab + ["jaxbatch.report_text", "jaxbatch.models.tanh_dense"]))
    assert "jaxbatch.lab.analysis" in loaded and "jax" in loaded  # the imports really happened
    assert not {m for m in loaded if m.split(".")[0] in ("textual", "rich")}


def test_the_app_module_does_not_import_jax():
    loaded = modules_after("import jaxbatch.app, jaxbatch.cli")
    assert "textual" in loaded
    assert not {m for m in loaded if m.split(".")[0] in ("jax", "jaxlib")}
