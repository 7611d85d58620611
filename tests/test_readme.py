"""Every README claim about what the app shows, read from the README itself and checked against
the app: a claim that stops being true fails here, whichever of the two changed."""

import json
import re
import shlex
from pathlib import Path

import jax
import numpy as np
import pytest

from jaxbatch import cli
from jaxbatch.cli import main
from jaxbatch.lab import analysis
from jaxbatch.lab.devices import inventory
from jaxbatch.lab.inputs import draw_args
from jaxbatch.lab.loader import load_model
from jaxbatch.media.text import render
from jaxbatch.models import CATALOG
from jaxbatch.presentation.notes import program_note_text, sharded_note_text
from jaxbatch.results.selection import Selection, parse_batch_shape
from jaxbatch.results.spec import Aval
from jaxbatch.widgets.programs_view import available_pairs

import reports
from app_helpers import scripted_sweep
from clocks import ticking

README = (Path(__file__).parent.parent / "README.md").read_text()
pytestmark = pytest.mark.usefixtures("shared_analyses")  # the reports the commands make in this process


def section(start: str, end: str) -> str:
    return README[README.index(start):README.index(end)]


def prose(text: str) -> str:
    """Line breaks and indentation as single spaces, so a claim can be quoted whole."""
    return " ".join(text.split())


def claim(pattern: str, text: str = README) -> re.Match:
    found = re.search(pattern, prose(text))
    assert found, f"the README no longer says {pattern!r}: update this test with it"
    return found


USE = section("## Use", "### Across devices")
ACROSS = section("### Across devices", "**GPU users:**")
OWN = section("## Your own model", "## How it is built")
# command -> its comment, for each line of the Use section's command block
COMMANDS = dict(re.findall(r"^(jaxbatch-tui\b.*?)\s+# (.*)$", USE[:USE.index("```\n\n")], re.M))


def report(capsys, argv: list[str]) -> str:
    assert main(argv) == 0
    return capsys.readouterr().out


# ---- the opening ---------------------------------------------------------------------------------

def test_the_seeds_einsum_and_vmap_lay_the_batch_out_differently():
    found = claim(r"einsum computes `dot_general (\w) (\w) -> (\S+)` and sums axis (\d), vmap computes "
                  r"`dot_general (\w) (\w) -> (\S+)` and sums axis (\d)\. Same primitives, different layout\.")
    analysed = reports.analyze(Selection())
    for key, (x, y, out, axis) in (("manual", found.groups()[:4]), ("vmap", found.groups()[4:])):
        eqns = analysed.strategies[key].eqns
        dot = next(e for e in eqns if e.primitive == "dot_general")
        assert re.search(rf":{re.escape(out)} = dot_general\[.*\] {x} {y}$", dot.text), dot.text
        assert next(e for e in eqns if e.primitive == "reduce_sum").params["axes"] == f"({axis},)"
    assert analysed.strategies["manual"].primitives == analysed.strategies["vmap"].primitives
    assert {r.status for r in analysed.alignment.rows} != {"same"}


# ---- Use -----------------------------------------------------------------------------------------

CHECKED = set()


def checks(command: str):
    """Marks the test that checks one command of the Use section (all must have one)."""
    CHECKED.add(command)
    return lambda test: test


def test_every_command_under_use_has_a_check():
    assert set(COMMANDS) == CHECKED


@checks("jaxbatch-tui")
def test_no_options_open_the_seeds_model(monkeypatch):
    name, batch = claim(r"the seed's model, ([\w-]+), at batch (\d+)", COMMANDS["jaxbatch-tui"]).groups()
    opened = []
    monkeypatch.setattr(cli, "_app", lambda selection, *args, **kwargs: opened.append(selection) or 0)
    assert main([]) == 0
    assert opened[0].model == name and opened[0].batch_shape == (int(batch),)


@checks("jaxbatch-tui --model tanh-dense --batch 4,8")
def test_two_batch_dimensions_loop_over_every_instance(capsys):
    command = "jaxbatch-tui --model tanh-dense --batch 4,8"
    n = int(claim(r"two batch dimensions: nested vmap, a loop over all (\d+)", COMMANDS[command]).group(1))
    data = json.loads(report(capsys, ["report", *shlex.split(command)[1:], "--json", "--no-timings"]))
    assert data["batch_shape"] == [4, 8] and 4 * 8 == n
    assert data["primitives"]["loop"].count("tanh") == n  # one copy of the model per instance
    vmap = data["strategies"]["vmap"]
    assert vmap["agrees"] and [len(row) for row in vmap["output"]] == [8, 8, 8, 8]  # nested: 4 of 8


@checks("jaxbatch-tui report --batch 5")
def test_the_report_is_the_same_facts_as_text(capsys, ticking_analyses):
    assert COMMANDS["jaxbatch-tui report --batch 5"] == "the same facts as text, no UI"
    out = report(capsys, shlex.split("report --batch 5"))
    assert out.startswith("jaxbatch-tui report: tanh-dense at batch shape (5,)")
    headings = ("One instance", "Whole batch", "Strategies", "Aligned jaxprs", "Below the jaxpr", "Timings on cpu")
    for heading in headings:
        assert f"\n{heading}" in out, heading


@checks("jaxbatch-tui report --json --no-timings")
def test_the_json_report(capsys):
    assert COMMANDS["jaxbatch-tui report --json --no-timings"] == "... as JSON, for scripts and checks"
    data = json.loads(report(capsys, shlex.split("report --json --no-timings")))
    assert data["model"] == "tanh-dense" and set(data["strategies"]) >= {"loop", "manual", "vmap"}
    assert "timings" not in data


@checks("jaxbatch-tui report --batch 4096 --sweep")
def test_the_sweep_command_prints_timings_and_the_sweep(capsys, monkeypatch, ticking_analyses):
    """The sweep itself is a stand-in: up to 2^20 it takes half a minute by design (test_sweep runs it)."""
    assert COMMANDS["jaxbatch-tui report --batch 4096 --sweep"] == "with timings (default) and the batch-size sweep"
    asked = []
    monkeypatch.setattr(cli, "_sweep", lambda selection, budget: asked.append(selection) or scripted_sweep())
    out = report(capsys, shlex.split("report --batch 4096 --sweep"))
    assert asked[0].batch_shape == (4096,)
    assert "\nTimings on cpu" in out and "\nSweep on cpu" in out


@checks("jaxbatch-tui models")
def test_models_lists_them_name_first(capsys):
    assert COMMANDS["jaxbatch-tui models"] == "the built-in models, name first"
    assert [line.split()[0] for line in report(capsys, ["models"]).splitlines()] == list(CATALOG)


@checks("jaxbatch-tui --host-devices 4 --batch 64")
def test_simulated_devices_shard_the_batch(capsys):
    command = "jaxbatch-tui --host-devices 4 --batch 64"
    n = int(claim(r"(\d+) simulated CPU devices: the batch sharded over them too", COMMANDS[command]).group(1))
    assert len(jax.devices("cpu")) == n  # conftest.py sets the flag --host-devices sets, before JAX starts
    data = json.loads(report(capsys, ["report", "--batch", "64", "--json", "--no-timings"]))
    assert data["devices"] == n
    assert data["strategies"]["sharded"]["agrees"] and data["strategies"]["shard_map"]["agrees"]


@checks("jaxbatch-tui --model per-example-grad")
def test_the_count_of_built_in_models_and_their_notes(capsys):
    n = int(claim(r"one of (\d+) built-in models, each with what to notice",
                  COMMANDS["jaxbatch-tui --model per-example-grad"]).group(1))
    assert n == len(CATALOG) and all(load_model(name).note for name in CATALOG)
    out = prose(report(capsys, shlex.split("report --model per-example-grad --no-timings")))
    assert prose(load_model("per-example-grad").note) in out


@checks("jaxbatch-tui --model callback-sequential")
def test_the_loop_vmap_makes_of_a_sequential_callback_is_said_first(capsys):
    command = "jaxbatch-tui --model callback-sequential"
    steps = claim(r"vmap runs it as a loop of (\d+) steps, said first", COMMANDS[command]).group(1)
    out = report(capsys, ["report", *shlex.split(command)[1:], "--no-timings"])
    assert re.search(rf"^  vmap +vmap runs your function as a loop of {steps} steps", out, re.M)  # the first line
    assert re.search(rf"vmap runs your function as a loop of {steps} steps [^.]* lacks\) agrees", prose(out))


def test_batch_shapes_are_written_three_ways():
    shapes = claim(r"`--batch` takes `([^`]+)`, `([^`]+)` or `([^`]+)`", USE).groups()
    assert [parse_batch_shape(s) for s in shapes] == [(5,), (4, 8), (4, 8)]


def test_a_device_jax_cannot_see_is_one_line_and_status_2_and_the_report_gives_jaxs_reason(capsys):
    claim(r"A device JAX can't see is an error, never a silent fallback, and the timings pane and the report "
          r"name each missing backend with JAX's reason\. Bad input of any kind is one line on stderr and exit "
          r"status 2\.", USE)
    missing = inventory().missing
    assert missing, "every backend is present here: nothing to check"
    platform, why = next(iter(missing.items()))
    with pytest.raises(SystemExit) as exit_:
        main(["report", "--device", platform, "--no-timings"])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.count("\n") == 1 and f"no {platform} device" in err
    assert prose(f"no {platform}: {why}") in prose(report(capsys, ["report", "--no-timings"]))


# ---- Across devices ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sharded8():
    return analysis.analyze(Selection("tanh-dense", (8,), "cpu"), timer=ticking())


def test_the_sharded_jaxpr_shows_the_mesh_axis_in_its_types(sharded8):
    reads = claim(r"an Explicit mesh axis, so its jaxpr reads `([^`]+)`", ACROSS).group(1)
    assert reads in sharded8.strategies["sharded"].jaxpr


def test_a_primitive_without_explicit_axes_gets_an_auto_axis_and_the_pane_says_so():
    claim(r"where a primitive doesn't support that yet, an Auto axis, and the pane says so", ACROSS)
    analysed = reports.analyze(Selection("while-loop", (8,), "cpu"))
    note = program_note_text(analysed.strategies["sharded"].program_note)
    assert note.startswith("Explicit mesh axes raised") and "@batch" not in analysed.strategies["sharded"].jaxpr
    assert prose(f"Jaxpr: sharded: {note}") in prose(render(analysed))


def test_both_are_checked_shown_beside_vmap_and_timed_with_speedup_and_efficiency(sharded8):
    claim(r"Both are checked against the loop, shown in the program views \(`p` pairs them with vmap\) and timed, "
          r"with their speed-up over vmap on one device and the scaling efficiency", ACROSS)
    claim(r"Simulated CPU devices share the machine's cores", ACROSS)
    for key in ("sharded", "shard_map"):
        assert sharded8.strategies[key].agrees and key in sharded8.timings
        assert ("vmap", key) in available_pairs(sharded8, "jaxpr")
    assert ("sharded over 4 cpu devices: 1.00x vmap on one, 25% scaling efficiency, 200 ms per device per call "
            "(simulated devices share this machine's cores)") in prose(render(sharded8))


def test_a_batch_that_does_not_divide_is_not_padded_and_a_multiple_is_suggested():
    claim(r"A batch that doesn't divide by the device count is not padded \(padding would change the program\): "
          r"the pane says so and suggests a multiple", ACROSS)
    analysed = reports.analyze(Selection("tanh-dense", (5,), "cpu"))
    assert "sharded" not in analysed.strategies and "shard_map" not in analysed.strategies
    note = sharded_note_text(analysed.sharded_note)
    assert "not padded" in note and note.endswith("try a multiple of 4")
    assert f"\n  sharded      {note.split()[0]}" in render(analysed)  # in the verdicts' column
    assert prose(f"sharded {note}") in prose(render(analysed))


# ---- Your own model -----------------------------------------------------------------------------

def own_commands(tmp_path, monkeypatch) -> list[list[str]]:
    """The example file written out, and the arguments of both its commands."""
    code = "\n".join(re.findall(r"```python\n# my_model\.py.*?\n(.*?)```", OWN, re.S))
    (tmp_path / "my_model.py").write_text(code)
    monkeypatch.chdir(tmp_path)
    commands = re.findall(r"```sh\n(jaxbatch-tui --model my_model\.py.*?)\n```", OWN, re.S)
    assert len(commands) == 2
    return [shlex.split(c)[1:] for c in commands]


def test_the_example_file_and_both_commands_run_and_match_the_note(tmp_path, monkeypatch, capsys):
    note = claim(r'note="([^"]+)"', OWN).group(1)
    same = "identical up to variable names"
    assert same in note
    for argv in own_commands(tmp_path, monkeypatch):
        data = json.loads(report(capsys, ["report", *argv, "--json", "--no-timings"]))
        assert data["strategies"]["manual"]["agrees"] and data["strategies"]["vmap"]["agrees"]
        assert data["alignment"]["verdict"].endswith(same)
        assert {r["status"] for r in data["alignment"]["rows"]} == {"same"}


def test_one_instance_and_the_shared_argument_as_the_comment_says(tmp_path, monkeypatch, capsys):
    x, w = claim(r"# one instance: x is (\S+); w, (\S+), is shared by all", OWN).groups()
    argv = own_commands(tmp_path, monkeypatch)[0]
    data = json.loads(report(capsys, ["report", *argv, "--json", "--no-timings"]))
    assert data["single"]["arg_avals"] == [x, w]
    assert data["single"]["batch_avals"] == [x.replace("[", "[8,"), w]  # --batch 8; w not batched


def test_without_batched_the_hand_batched_column_says_none_was_given(tmp_path, monkeypatch, capsys):
    claim(r"Without `--batched` the hand-batched column says none was given and the rest works", OWN)
    argv = own_commands(tmp_path, monkeypatch)[0]
    at = argv.index("--batched")
    out = report(capsys, ["report", *argv[:at], *argv[at + 2:], "--no-timings"])
    assert re.search(r"^  hand-batched +none given\b", out, re.M)
    assert re.search(r"^  vmap +agrees", out, re.M)


def test_inputs_are_seeded_floats_standard_normal_and_integers_0_to_7():
    low, high = map(int, claim(r"floats standard normal, integers in (\d+)\.\.(\d+)", OWN).groups())
    floats, ints = draw_args(np.random.default_rng(0), (Aval((10_000,)), Aval((1000,), "int32")), (0, 0), ())
    assert abs(floats.mean()) < 0.05 and abs(floats.std() - 1) < 0.05
    assert set(np.unique(ints)) == set(range(low, high + 1))
    again = draw_args(np.random.default_rng(0), (Aval((10_000,)), Aval((1000,), "int32")), (0, 0), ())
    assert np.array_equal(floats, again[0]) and np.array_equal(ints, again[1])


BAD = {  # what the README lists, each as a file and the flags it is run with
    "a syntax error": ("def model(x:\n", ["--input", "f32[3]"]),
    "the wrong number of arguments": ("def model(x, y):\n    return x + y\n", ["--input", "f32[3]"]),
    "an exception": ("def model(x):\n    raise RuntimeError('no')\n", ["--input", "f32[3]"]),
    "a string for an output": ("def model(x):\n    return 'x'\n", ["--input", "f32[3]"]),
}


def test_every_mistake_the_readme_lists_is_checked():
    listed = claim(r"What your code does wrong \(([^)]*)\) is one clear line in the app's status bar, or on "
                   r"stderr with exit status 2 from `report`", OWN).group(1)
    assert re.split(r", (?:and )?", listed) == list(BAD)


@pytest.mark.parametrize("what", BAD)
def test_what_the_users_code_does_wrong_is_one_line_and_status_2(what, tmp_path, capsys):
    code, flags = BAD[what]
    (tmp_path / "bad.py").write_text(code)
    with pytest.raises(SystemExit) as exit_:
        main(["report", "--model", f"{tmp_path / 'bad.py'}:model", *flags, "--no-timings"])
    out, err = capsys.readouterr()
    assert exit_.value.code == 2 and out == "" and err.count("\n") == 1, err


def test_a_nan_output_is_stated_and_compared_not_an_error(tmp_path, capsys):
    claim(r"A NaN or infinite output is not an error: .* the JSON's `warnings`\) while comparing the rest as "
          r"usual, NaN equal to NaN; `report` exits 0\.", OWN)
    (tmp_path / "nan.py").write_text("import jax.numpy as jnp\n\ndef model(x):\n    return jnp.log(x - 10.0)\n")
    data = json.loads(report(capsys, ["report", "--model", f"{tmp_path / 'nan.py'}:model", "--input", "f32[3]",
                                      "--json", "--no-timings"]))
    assert any("NaN" in w for w in data["warnings"]) and data["strategies"]["vmap"]["agrees"] is True


def test_what_the_users_code_prints_goes_to_stderr(tmp_path, capsys):
    claim(r"what it prints goes to stderr, never into the report or onto the screen", OWN)
    (tmp_path / "chatty.py").write_text("def model(x):\n    print('hello from the model')\n    return x * 2\n")
    assert main(["report", "--model", f"{tmp_path / 'chatty.py'}:model", "--input", "f32[3]", "--json",
                 "--no-timings"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["strategies"]["vmap"]["agrees"] and "hello from the model" in err


# ---- How it is built ----------------------------------------------------------------------------

def test_the_program_lexers_are_registered_with_pygments():
    from pygments.lexers import get_lexer_by_name

    aliases = claim(r"`pygmentize -l (\w+)`, `-l (\w+)` and `-l (\w+)` work").groups()
    assert [type(get_lexer_by_name(a)).__module__.split(".")[0] for a in aliases] == ["jaxbatch"] * 3
