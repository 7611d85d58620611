"""The command line: the report (text and JSON), the model list, and bad input."""

import json
import os
import re
import subprocess
import sys

import pytest

from jaxbatch.cli import main

pytestmark = pytest.mark.usefixtures("shared_analyses")  # the reports main makes in this process


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_report_json_is_the_seed(capsys):
    code, out, _ = run(capsys, "report", "--model", "tanh-dense", "--batch", "5", "--json", "--no-timings")
    data = json.loads(out)
    assert code == 0
    assert data["single"]["output"] == pytest.approx(1.7771413, abs=1e-7)
    assert data["strategies"]["vmap"]["output"] == pytest.approx(
        [-0.14736587, 0.47015858, 1.8918197, 0.21948916, 1.0849661], abs=1e-7
    )


def test_text_report_shows_the_same_facts(capsys, ticking_analyses):
    code, out, _ = run(capsys, "report", "--batch", "(4, 8)")
    assert code == 0
    assert "tanh-dense at batch shape (4, 8) on cpu" in out
    assert "raises TypeError:" in out and "got (3,) and (8,)." in " ".join(out.split())  # wrapped at words
    assert "einsum       agrees " in out  # "agrees exactly" or "agrees within float32 tolerance ..."
    assert re.search(r"\n  vmap +dot_general add tanh reduce_sum\n", out)


def test_models_lists_name_first(capsys):
    code, out, _ = run(capsys, "models")
    assert code == 0 and out.splitlines()[0].split()[0] == "tanh-dense"


@pytest.mark.parametrize(
    "argv, words",
    [
        (["report", "--batch", "abc"], "'abc' is not a positive integer"),
        (["report", "--batch", "0"], "a batch dimension of 0"),
        (["report", "--batch", "-3"], "'-3' is not a positive integer"),
        (["report", "--batch", "1e12"], "'1e12' is not a positive integer"),
        (["report", "--model", "nope"], "unknown model 'nope'"),
        (["report", "--device", "gpu"], "no gpu device"),
        (["--model", "nope"], "unknown model 'nope'"),
        (["--frobnicate"], "unrecognized arguments: --frobnicate"),
        (["--theme", "nope"], "unknown theme 'nope': choose from textual-dark"),
        (["--batch", "4", "report", "--batch", "8"], "--batch given twice: 4 before `report` and 8 after it"),
        (["-m", "mlp", "report", "--model", "elementwise"], "--model given twice"),
        (["--device", "tpu", "report"], "no tpu device"),
        (["report", "--device", "tpu"], "no tpu device"),
        (["--theme", "nord", "report"], "--theme applies to the app, not to `report`"),
        (["--serve", "report"], "--serve applies to the app, not to `report`"),
        (["--port", "9000"], "--port and --host apply only with --serve"),
        (["--model", "mlp", "models"], "--model does not apply to `models`"),
        (["models", "--batch", "3"], "unrecognized arguments: --batch 3"),
        (["--json", "report"], "unrecognized arguments: --json"),
        (["report", "--sweep-budget", "5"], "--sweep-budget needs --sweep"),
        (["report", "--precision", "fast"], "precision 'fast' is not one of default, high, highest"),
    ],
)
def test_bad_input_is_one_line_and_status_2(capsys, argv, words):
    with pytest.raises(SystemExit) as info:
        main(argv)
    _, err = capsys.readouterr()
    assert info.value.code == 2
    assert err.count("\n") == 1 and err.startswith("jaxbatch-tui: ") and words in err


def test_no_traceback_from_the_installed_command(fixture_ref):
    """End to end through the console script: a model that raises is one line, status 2."""
    p = subprocess.run(
        [sys.executable, "-m", "jaxbatch", "report", "--model", fixture_ref("raises_model"), "--batch", "3"],
        capture_output=True, text=True, timeout=120,
    )
    assert p.returncode == 2, p.stderr
    assert p.stderr.strip().splitlines() == [
        "jaxbatch-tui: raises-test raised on one instance: ValueError: the user's model exploded"
    ]
    assert p.stdout == ""


def user_function(fixture_ref):
    return ["--model", fixture_ref("user_functions", "score"), "--input", "f32[3]", "--input", "f32[3,2]",
            "--in-axes", "0,None", "--batched", fixture_ref("user_functions", "score_batched")]


@pytest.mark.parametrize("where", ["before", "after"])
@pytest.mark.parametrize("options, effect", [
    (lambda ref: ["--model", "elementwise"], lambda d: d["model"] == "elementwise"),
    (lambda ref: ["-b", "4,2"], lambda d: d["batch_shape"] == [4, 2]),
    (lambda ref: ["--device", "0"], lambda d: d["device"]["platform"] == "cpu"),
    (lambda ref: ["--precision", "HIGHEST"], lambda d: d["precision"] == d["selection"]["precision"] == "highest"),
    (user_function, lambda d: d["single"]["arg_avals"] == ["f32[3]", "f32[3,2]"] and d["in_axes"] == [0, None]
     and d["strategies"]["manual"]["label"] == "score_batched"),
], ids=["model", "batch", "device", "precision", "user-function"])
def test_each_option_means_the_same_before_and_after_report(capsys, fixture_ref, where, options, effect):
    argv = options(fixture_ref)
    argv = [*argv, "report"] if where == "before" else ["report", *argv]
    code, out, _ = run(capsys, *argv, "--json", "--no-timings")
    assert code == 0 and effect(json.loads(out))


def test_an_option_given_the_same_on_both_sides_is_one_option_and_inputs_add_up(capsys, fixture_ref):
    argv = ["--batch", "3", "--input", "f32[3]", "report", "--batch", "3", "--input", "f32[3,2]"]
    code, out, _ = run(capsys, "--model", fixture_ref("user_functions", "score"), *argv, "--json", "--no-timings")
    data = json.loads(out)
    assert code == 0 and data["batch_shape"] == [3] and data["single"]["arg_avals"] == ["f32[3]", "f32[3,2]"]


@pytest.mark.parametrize("argv", [["--host-devices", "4", "report", "--batch", "64"],
                                  ["report", "--batch", "64", "--host-devices", "4"]], ids=["before", "after"])
def test_host_devices_count_before_and_after_report(argv):
    """The issue's command: JAX must start with 4 devices, so in a fresh process."""
    env = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}
    p = subprocess.run([sys.executable, "-m", "jaxbatch", *argv, "--json", "--no-timings"],
                       capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert data["devices"] == 4 and data["batch_shape"] == [64]
