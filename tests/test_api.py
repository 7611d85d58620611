"""The Python API (`jaxbatch.compare`, `jaxbatch.sweep`) and its guards (`jaxbatch.testing`):
the same facts as the command line, shown through Rich and HTML, failing in the app's words."""

import json
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest

import jaxbatch
from jaxbatch.media.json_report import report_json
from jaxbatch.presentation.notes import manual_missing_text
from jaxbatch.results.errors import LabError
from jaxbatch.testing import assert_no_primitive, assert_same_program, assert_vmap_agrees, check_speed

FIXTURES = Path(__file__).parent / "fixtures"
pytestmark = pytest.mark.usefixtures("shared_analyses")  # the CLI's and the API's analyses


def score(x, w):  # as tests/fixtures/user_functions.py:score
    return jnp.tanh(x @ w).sum()


def score_batched(xb, w):
    return jnp.tanh(xb @ w).sum(1)


def test_importing_jaxbatch_imports_neither_textual_nor_jax():
    code = "import sys, jaxbatch; jaxbatch.compare; print(sorted({'textual', 'jax', 'rich'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_model_file_imports_aval_and_model_from_jaxbatch_or_from_where_they_were():
    code = ("import sys, jaxbatch; from jaxbatch import Aval, Model; import jaxbatch.lab.spec as old; "
            "print(old.Model is Model and old.Aval is Aval and Model.__module__ == 'jaxbatch.results.spec', "
            "sorted({'textual', 'jax', 'rich'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True []"


def test_the_api_gives_the_facts_the_command_line_gives():
    ref = f"{FIXTURES / 'user_functions.py'}:score"
    cli = subprocess.run([sys.executable, "-m", "jaxbatch", "report", "--json", "--no-timings", "--model", ref,
                          "--input", "f32[3]", "--input", "f32[3,2]", "--in-axes", "0,None",
                          "--batched", f"{FIXTURES / 'user_functions.py'}:score_batched", "--batch", "6"],
                         capture_output=True, text=True, check=True)
    theirs = json.loads(cli.stdout)
    mine = report_json(jaxbatch.compare(score, [np.zeros(3, np.float32), "f32[3,2]"], batch=6, batched=score_batched,
                                        in_axes=(0, None)))
    for key in ("batch_shape", "in_axes", "chunk", "single", "jaxpr", "primitives", "alignment", "hlo_verdict",
                "memory", "same_program", "fits_up_to"):
        if key == "fits_up_to":  # against the RAM available now, which moves between the two runs
            assert set(mine[key]) == set(theirs[key])
            continue
        assert mine[key] == theirs[key], key
    for key in ("loop", "manual", "vmap", "chunked"):
        assert mine["strategies"][key]["output"] == theirs["strategies"][key]["output"], key
        assert mine["strategies"][key].get("agreement") == theirs["strategies"][key].get("agreement"), key


def test_built_in_models_by_name_and_what_is_wrong_said_as_the_app_says_it():
    r = jaxbatch.compare("dynamic-slice", batch=(2, 4), chunk=3)
    assert r.batch_shape == (2, 4) and r.strategies["chunked"].label == "chunked k=3"
    with pytest.raises(LabError, match="a batch dimension of 0 has no instances"):
        jaxbatch.compare("tanh-dense", batch=0)
    with pytest.raises(LabError, match="is not a positive integer"):
        jaxbatch.compare("tanh-dense", batch=(4, -1))
    with pytest.raises(LabError, match="give one instance's example arguments"):
        jaxbatch.compare(score)
    with pytest.raises(LabError, match="in_axes has 1 entries for 2 arguments"):
        jaxbatch.compare(score, ["f32[3]", "f32[3,2]"], in_axes=(0,))


def test_a_python_function_without_a_file_is_analysed_and_float64_says_why_it_can_t_help():
    r = jaxbatch.compare(lambda x: jnp.tanh(x).sum(), ["f32[4]"], batch=5)
    assert r.model == "<lambda>" and r.strategies["vmap"].agreement.agrees
    assert manual_missing_text(r.manual_missing) == "none given: pass batched=your_batched_function"


def test_the_report_shows_itself_in_rich_with_the_jaxprs_highlighted():
    from rich.console import Console
    from rich.syntax import Syntax

    from jaxbatch.media.rich_render import rich_lines
    from jaxbatch.presentation.report_document import build

    r = jaxbatch.compare("tanh-dense", batch=5)
    assert [p for p in rich_lines(build(r), 80) if isinstance(p, Syntax)] and str(r).startswith("jaxbatch-tui report")
    console = Console(record=True, width=80, color_system="truecolor")
    console.print(r)
    text = console.export_text()
    assert "Jaxpr: vmap" in text and "dot_general" in text and "agrees exactly" in text
    assert "…" not in text and max(map(len, text.splitlines())) <= 80  # every verdict whole, within the width


def test_the_report_and_the_sweep_have_short_reprs_and_the_sweep_says_its_progress(capsys):
    r = jaxbatch.compare("tanh-dense", batch=64)
    assert len(repr(r)) < 300 and "tanh-dense" in repr(r) and "vmap agrees" in repr(r)
    state = jaxbatch.sweep("tanh-dense", budget_s=0.01, progress=True)
    assert len(repr(state)) < 300 and "time budget" in repr(state)
    assert str(state).startswith("Sweep on cpu") and "per instance" in str(state)
    said = capsys.readouterr().err.splitlines()
    assert said and all(line.startswith("SweepState(") for line in said)  # a line as each size is measured


class _Tags(HTMLParser):
    VOID = {"br", "meta", "img", "hr", "input", "link"}

    def __init__(self):
        super().__init__()
        self.stack, self.seen, self.classes = [], [], set()

    def handle_starttag(self, tag, attrs):
        self.seen.append(tag)
        self.classes.update(v for k, v in attrs if k == "class")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (self.stack[-5:], tag)
        self.stack.pop()


def test_the_report_shows_itself_in_jupyter_as_html(ticking_analyses):
    r = jaxbatch.compare("dynamic-slice", batch=5, timings=True)
    page = r._repr_html_()
    tags = _Tags()
    tags.feed(page)
    tags.close()
    assert tags.stack == [] and tags.seen.count("table") >= 3  # outputs, aligned programs, memory, timings
    assert {"differ", "only_left"} <= tags.classes and "n" in tags.classes  # rows and Pygments' token classes
    assert "gather" in page and "agrees" in page and "per call" in page and "&lt;" not in r.model


def test_the_sweep_from_python_stops_on_its_budget():
    state = jaxbatch.sweep("tanh-dense", budget_s=0.01)
    assert state.sizes == (1,) and "time budget" in state.stopped


def test_guards_pass_on_what_holds_and_fail_in_the_app_s_words(shared_analyses):
    assert assert_vmap_agrees("tanh-dense").model == "tanh-dense"
    assert_no_primitive("tanh-dense", primitive="gather")
    assert_same_program(score, score_batched, ["f32[3]", "f32[3,2]"], in_axes=(0, None), level="hlo")
    with pytest.raises(AssertionError, match=r"^rbg-keys at batch \(8,\): vmap DIFFERS: .* off the loop"):
        assert_vmap_agrees("rbg-keys")
    with pytest.raises(AssertionError, match=r"^vmap's program has gather \(1×\); .*take_along_axis has 1×") as err:
        assert_no_primitive("dynamic-slice", primitive="gather")
    assert "\n  ≠ " in str(err.value) and "gather[" in str(err.value)  # the aligned rows where it is
    with pytest.raises(AssertionError, match=r"^tanh-dense: hand-batched and vmap at the optimized HLO level differ: "
                                             r"XLA's programs differ in shapes, layout or operand order") as err:
        assert_same_program("tanh-dense", None, level="hlo")
    assert "one program? jaxpr differs · StableHLO differs · HLO differs" in str(err.value)
    with pytest.raises(ValueError, match="level 'llvm'"):
        assert_same_program("tanh-dense", None, level="llvm")


def test_check_speed_says_the_ratio_and_fails_nothing(ticking_analyses):
    said = check_speed("tanh-dense", batch=64)
    assert said.startswith("tanh-dense at batch (64,): vmap ") and "einsum's" in said


@pytest.mark.parametrize("function", [jaxbatch.api.compare, jaxbatch.api.sweep, assert_vmap_agrees,
                                      assert_no_primitive, assert_same_program, check_speed],
                         ids=lambda f: f.__name__)
def test_each_public_function_says_its_parameters_returns_and_raises(function):
    """As Rich and Textual do: an Args section naming every parameter, then Returns and Raises."""
    import inspect
    import re

    doc = inspect.getdoc(function)
    sections = [line for line in doc.splitlines() if line in ("Args:", "Returns:", "Raises:")]
    assert sections == ["Args:", "Returns:", "Raises:"], function.__name__
    args = doc.split("Args:")[1].split("Returns:")[0]
    named = {n.strip() for line in args.splitlines() if (m := re.match(r"    ([\w*, ]+):", line))
             for n in m.group(1).split(",")}
    assert set(inspect.signature(function).parameters) - {n.lstrip("*") for n in named} == set()
