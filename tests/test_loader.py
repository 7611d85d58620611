"""Finding a model: built-in names, files and modules, and one clear line for each failure."""

import pytest

from jaxbatch.lab.loader import load_model
from jaxbatch.models import CATALOG
from jaxbatch.results.errors import LabError


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_every_catalog_entry_loads_with_its_summary(name):
    model = load_model(name)
    assert model.name == name and model.summary == CATALOG[name][1]


def test_a_file_reference_loads_its_model(fixture_ref):
    assert load_model(fixture_ref("pytree_model")).name == "pytree-test"


def test_a_module_reference_loads(monkeypatch):
    assert load_model("jaxbatch.models.tanh_dense:MODEL").name == "tanh-dense"


@pytest.mark.parametrize(
    "ref, words",
    [
        ("nope", "unknown model 'nope': built-in models are tanh-dense"),
        ("missing/file.py:MODEL", "no such file missing/file.py"),
        ("x.py:not-a-name", "'not-a-name' is not a Python name"),
        ("no_such_package_xyz.mod:MODEL", "no module named 'no_such_package_xyz'"),
    ],
)
def test_bad_references(ref, words):
    with pytest.raises(LabError, match=words):
        load_model(ref)


@pytest.mark.parametrize(
    "name, attr, words",
    [
        ("syntax_error_model", "MODEL", r"syntax_error_model.py line 1: SyntaxError"),
        ("import_error_model", "MODEL", r"raised RuntimeError: cannot import me"),
        ("raises_model", "missing", r"has no attribute 'missing'"),
        ("raises_model", "not_a_model", r"not_a_model is not a Model or a function \(it is int\)"),
    ],
)
def test_broken_user_files(fixture_ref, name, attr, words):
    with pytest.raises(LabError, match=words):
        load_model(fixture_ref(name, attr))
