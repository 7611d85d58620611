"""The command line: the report (text and JSON), the model list, and bad input."""

import json
import subprocess
import sys

import pytest

from jaxbatch.cli import main


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


def test_text_report_shows_the_same_facts(capsys):
    code, out, _ = run(capsys, "report", "--batch", "(4, 8)")
    assert code == 0
    assert "tanh-dense at batch shape (4, 8) on cpu" in out
    assert "raises TypeError:" in out and "got (3,) and (8,)." in out
    assert "einsum       agrees, max |diff|" in out
    assert "vmap         dot_general add tanh reduce_sum" in out


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
