"""The guards in `jaxbatch.testing` refuse what they can't check instead of passing: a name that
is no JAX primitive, a strategy that isn't one, a program that wasn't traced. On failure they
show the rows of the level asked about; `check_speed` without `batched=` compares with the loop."""

import re
from pathlib import Path

import jax
import jax.numpy as jnp
import pytest

from jaxbatch.lab import jaxprs, judging
from jaxbatch.testing import assert_no_primitive, assert_same_program, check_speed

README = (Path(__file__).parent.parent / "README.md").read_text()


def test_a_misspelt_primitive_is_a_value_error_naming_the_nearest():
    with pytest.raises(ValueError, match=r"^'gahter' is not the name of a JAX primitive: did you mean gather\b"):
        assert_no_primitive("tanh-dense", primitive="gahter", batch=4)


def test_a_name_the_program_holds_is_accepted_even_where_jax_lists_none(monkeypatch):
    monkeypatch.setattr(jaxprs, "primitive_names", frozenset)  # JAX known to list nothing
    assert_no_primitive("tanh-dense", primitive="squeeze", strategy="vmap", batch=4)  # the loop's program has it
    with pytest.raises(ValueError, match="'gahter' is not the name"):
        assert_no_primitive("tanh-dense", primitive="gahter", batch=4)


def test_a_strategy_that_is_none_is_a_value_error_naming_the_choices():
    with pytest.raises(ValueError, match=r"^strategy 'vamp': one of loop, manual, vmap, chunked, .*did you mean vmap"):
        assert_no_primitive("tanh-dense", primitive="gather", strategy="vamp")
    with pytest.raises(ValueError, match=r"has no 'manual' strategy \(none given: pass batched="):
        assert_no_primitive(lambda x: jnp.sin(x).sum(), ["f32[3]"], primitive="gather", strategy="manual", batch=4)


def test_a_program_that_was_not_traced_is_not_passed_as_free_of_the_primitive():
    with pytest.raises(ValueError, match=r"^loop has no program to check for gather: not traced"):
        assert_no_primitive("tanh-dense", primitive="gather", strategy="loop", batch=judging.LOOP_PROGRAM_CAP + 1)


def test_a_wrapper_primitive_counts_though_the_primitives_list_looks_through_it():
    with pytest.raises(AssertionError, match=r"^vmap's program has custom_jvp_call \(1×\)"):
        assert_no_primitive(lambda x: jax.nn.relu(x).sum(), ["f32[3]"], primitive="custom_jvp_call", batch=4)


@pytest.mark.parametrize("level, line", [("hlo", r"f32\[8,3\]\{1,0\} parameter\(0\)"),
                                         ("stablehlo", r"stablehlo\.dot_general")])
def test_same_program_shows_the_differing_rows_of_the_level_asked(level, line):
    with pytest.raises(AssertionError) as err:
        assert_same_program("tanh-dense", None, level=level)
    said = str(err.value)
    differing = int(re.search(r"\((\d+) of \d+ lines differ\)", said).group(1))
    rows = [row for row in said.splitlines()[2:] if row.startswith("  ")]
    assert len(rows) == differing and all(row[2] in "≠<>" for row in rows)
    assert re.search(line, said) and "dot_general[" not in said  # that level's text, not the jaxpr's


def test_check_speed_without_a_hand_batched_version_compares_with_the_loop(ticking_analyses):
    said = check_speed(lambda x: jnp.sin(x).sum(), ["f32[3]"], batch=8)
    assert re.fullmatch(r"<lambda> at batch \(8,\): vmap \S+ \S+ per call, \S+x the loop's \S+ \S+ \(within noise; "
                        r"no hand-batched version given: pass batched= to compare with one\)", said), said


def test_the_readme_s_guards_run_and_check_speed_prints_what_its_comment_shows(ticking_analyses, tmp_path, monkeypatch,
                                                                                 capsys):
    code = re.search(r"```python\n# my_model\.py\n(.*?)```", README, re.S).group(1)
    guards = re.search(r"```python\n(from jaxbatch\.testing import .*?)```", README, re.S).group(1)
    (tmp_path / "my_model.py").write_text(code)
    monkeypatch.syspath_prepend(str(tmp_path))
    exec(compile("from my_model import model, model_batched\n" + guards, "README", "exec"), {})
    shown = re.search(r"^print\(check_speed\(.*\n# (.*)$", guards, re.M).group(1)

    def shape(text: str) -> str:  # figures set aside: the clock is not the README's
        return re.sub(r"[\d.,]+x\b", "R", re.sub(r"[\d.,]+ (?:ns|µs|ms|s)\b", "T", text))

    assert shape(capsys.readouterr().out.strip()) == shape(shown)
