"""Mistakes the user made, and ends that are no mistake, are told as such: one line on stderr and
exit status 2 (a closed pipe: quiet), never `internal error`, which is kept for our own bugs."""

import json
import socket
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest

from jaxbatch import __version__, cli
from jaxbatch.cli import main
from jaxbatch.lab.loader import check_reference, load_model
from jaxbatch.results.errors import LabError
from jaxbatch.results.selection import parse_aval, parse_batch_shape, parse_in_axes

COMMAND = [sys.executable, "-m", "jaxbatch"]
FIXTURES = Path(__file__).parent / "fixtures"


def one_line(capsys, argv) -> str:
    """The single stderr line `main(argv)` fails with, status 2."""
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    out, err = capsys.readouterr()
    assert exit_.value.code == 2 and err.count("\n") == 1 and err.startswith("jaxbatch-tui: "), err
    assert "internal error" not in err and "Traceback" not in err
    return err.strip()


def command_line(argv, timeout=60) -> subprocess.CompletedProcess:
    """The installed command, in a fresh process, given up (a test failure) after `timeout`."""
    return subprocess.run([*COMMAND, *argv], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def one_line_from(p: subprocess.CompletedProcess) -> str:
    assert p.returncode == 2, (p.returncode, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("jaxbatch-tui: "), p.stderr
    assert "internal error" not in p.stderr and "Traceback" not in p.stderr
    return lines[0]


def unannounced(err: str) -> str:
    """stderr without `still running` notices, which a step slowed by a busy machine may earn."""
    return "".join(line for line in err.splitlines(keepends=True) if ": still running " not in line)


def free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- 13: the user's mistakes are not our bugs ----------------------------------------------

def test_a_port_in_use_is_said_before_serving():
    with closing(socket.socket()) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        p = command_line(["--serve", "--port", str(port)])
    line = one_line_from(p)
    assert f"port {port}" in line and "in use" in line and "--port" in line
    assert "Serving" not in p.stdout  # no banner for a server that never ran


def test_a_host_that_is_no_address_is_said_before_serving():
    p = command_line(["--serve", "--host", "not a host", "--port", str(free_port())])
    line = one_line_from(p)
    assert "--host 'not a host'" in line
    assert "Serving" not in p.stdout


@pytest.mark.parametrize("argv", [["report", "--batch", "9" * 5000], ["report", "--batch", "(1, " + "7" * 5000 + ")"],
                                  ["report", "--model", "elementwise", "--input", f"f32[{'3' * 5000}]"]],
                         ids=["batch", "bracketed-batch", "input"])
def test_thousands_of_digits_are_too_large_not_an_error_of_ours(capsys, argv):
    line = one_line(capsys, argv)
    assert "too large" in line or "instances" in line


@pytest.mark.parametrize("text", ["9" * 5000, "0" * 5000 + "5"], ids=["nines", "leading-zeros"])
def test_the_parsers_take_any_number_of_digits(text):
    if text.endswith("5"):  # leading zeros are still a number
        assert parse_batch_shape(text) == (5,)
        assert parse_aval(f"f32[{text}]").shape == (5,)
        return
    for parse, typed in ((parse_batch_shape, text), (parse_aval, f"f32[{text}]")):
        with pytest.raises(LabError) as info:
            parse(typed)
        assert len(str(info.value)) < 300  # the number is not echoed back in full


def test_our_own_bug_says_how_to_report_it(capsys, monkeypatch):
    def broken():
        raise RuntimeError("a bug of ours")

    monkeypatch.setattr(cli, "_models", broken)
    with pytest.raises(SystemExit) as exit_:
        main(["models"])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.count("\n") == 1
    assert err.startswith("jaxbatch-tui: internal error: RuntimeError: a bug of ours")
    assert "please report" in err and f"jaxbatch-tui {__version__}" in err and "Python" in err


# ---- 14: a reader that stops reading ---------------------------------------------------------

@pytest.mark.parametrize("argv", [["report", "--json", "--no-timings"], ["report", "--no-timings"]],
                         ids=["json", "text"])
def test_a_closed_pipe_is_a_quiet_end(argv):
    """`jaxbatch-tui report --json | head -1`, with the reader gone before the report is written
    (closed at once, so the write always meets a closed pipe, on any machine)."""
    proc = subprocess.Popen([*COMMAND, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)
    proc.stdout.close()
    try:
        err = proc.stderr.read().decode()
        code = proc.wait(timeout=300)
    finally:
        proc.kill()
    assert code == cli.CLOSED_PIPE_STATUS == 141, err
    assert unannounced(err) == ""


def test_a_pipe_closed_after_the_first_line_is_a_quiet_end():
    """As `| head -1` does: one line read, then gone; the rest may or may not fit the pipe."""
    proc = subprocess.Popen([*COMMAND, "report", "--json", "--no-timings"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        assert proc.stdout.readline() == b"{\n"
        proc.stdout.close()
        err = proc.stderr.read().decode()
        code = proc.wait(timeout=300)
    finally:
        proc.kill()
    assert code in (0, 141) and unannounced(err) == ""


# ---- 15: a reference with a slash is a path ----------------------------------------------------

@pytest.mark.parametrize("make, words", [
    (lambda d: (d / "notes.txt").write_text("hello") and d / "notes.txt", "is not a Python file"),
    (lambda d: (d / "some_folder").mkdir() or d / "some_folder", "is a folder"),
    (lambda d: d / "missing" / "model.py", "no such file"),
    (lambda d: d / "missing.txt", "no such file"),
], ids=["text-file", "folder", "missing-py", "missing-other"])
def test_a_path_is_told_as_a_path(capsys, tmp_path, make, words):
    path = make(tmp_path)
    line = one_line(capsys, ["report", "--no-timings", "--model", f"{path}:fn", "--input", "f32[3]"])
    assert words in line and "module" not in line
    for ref in (f"{path}:fn", f"./{path.relative_to(tmp_path)}:fn"):
        with pytest.raises(LabError, match=words):
            check_reference(ref) if ref.startswith("/") else _in(tmp_path, check_reference, ref)


@pytest.mark.parametrize("name, words", [("notes.txt", "is not a Python file"), ("some_folder", "is a folder")])
def test_a_name_that_is_no_module_but_is_on_disk_is_told_as_a_path(tmp_path, name, words):
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "some_folder").mkdir()
    with pytest.raises(LabError, match=words):
        _in(tmp_path, load_model, f"{name}:fn", ("f32[3]",))


def _in(folder, fn, *args):
    import os

    before = os.getcwd()
    os.chdir(folder)
    try:
        return fn(*args)
    finally:
        os.chdir(before)


def test_a_module_name_is_still_a_module(capsys):
    with pytest.raises(LabError, match="no module named 'no_such_package'"):
        load_model("no_such_package.models:fn")


# ---- 16: the theme is checked before serving -------------------------------------------------

def test_an_unknown_theme_is_refused_before_serving():
    try:
        p = command_line(["--serve", "--theme", "nope", "--port", str(free_port())], timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("--serve --theme nope started serving")
    line = one_line_from(p)
    assert "unknown theme 'nope'" in line and "Serving" not in p.stdout


# ---- 17: brackets that don't pair are a typo ---------------------------------------------------

@pytest.mark.parametrize("text, words", [
    ("(4,8", "'(' is never closed"),
    ("4,8)", "')' was never opened"),
    ("((4,8)", "brackets inside brackets"),
    ("(4,8))", "brackets inside brackets"),
    ("(4,8]", "'(' is closed by ']'"),
    ("[4,8", "'[' is never closed"),
    ("4,(8)", "brackets must enclose the whole shape"),
    ("()", "is not a shape"),
])
def test_unbalanced_brackets_are_pointed_out(text, words):
    with pytest.raises(LabError) as info:
        parse_batch_shape(text)
    assert words in str(info.value)


@pytest.mark.parametrize("text, shape", [("5", (5,)), ("4,8", (4, 8)), ("(4, 8)", (4, 8)), (" ( 4 , 8 ) ", (4, 8)),
                                         ("[4, 8]", (4, 8)), ("(4,)", (4,)), ("4,", (4,))])
def test_the_shapes_a_user_types_still_parse(text, shape):
    assert parse_batch_shape(text) == shape


def test_in_axes_brackets_pair_too():
    assert parse_in_axes("(0, None)") == (0, None)
    with pytest.raises(LabError, match="never closed"):
        parse_in_axes("(0,None")


def test_the_cli_points_at_the_bracket(capsys):
    assert "'(' is never closed" in one_line(capsys, ["report", "--batch", "(4,8"])


# ---- 18: a model that never answers ------------------------------------------------------------

BLOCKING = str(FIXTURES / "blocking_model.py")


@pytest.mark.parametrize("fn", ["sleeps", "waits_on_a_lock"])
def test_timeout_gives_up_on_a_model_that_never_answers(fn):
    ref = f"{BLOCKING}:{fn}"
    started = time.monotonic()
    p = command_line(["report", "--model", ref, "--input", "f32[3]", "--no-timings", "--timeout", "2"], timeout=120)
    assert time.monotonic() - started < 60  # it ended, long before the model would
    line = one_line_from(p)
    assert ref in line and "2 s" in line and "--timeout" in line
    assert "blocking_model.py line" in line and fn in line  # where it waited
    assert p.stdout == ""


def test_a_quiet_model_is_announced_with_what_it_waits_for():
    """No --timeout: after a few seconds, a line says what the report is waiting for; Ctrl+C
    (here a kill, the test's own) is the way out."""
    ref = f"{BLOCKING}:sleeps"
    proc = subprocess.Popen([*COMMAND, "report", "--model", ref, "--input", "f32[3]", "--no-timings"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    lines = []
    reader = threading.Thread(target=lambda: lines.append(proc.stderr.readline()), daemon=True)
    reader.start()
    try:
        reader.join(timeout=120)  # the notice comes after a few seconds; this is for a busy machine
    finally:
        proc.kill()
        proc.communicate()
    assert lines, "no notice within 120 s"
    line = lines[0]
    assert line.startswith(f"jaxbatch-tui: still running {ref} at batch 5: waiting for the model on one instance")
    assert "blocking_model.py line" in line and "sleeps" in line
    assert "Ctrl+C stops; --timeout SECONDS gives up" in line


@pytest.mark.parametrize("argv, words", [
    (["--timeout", "2"], "--timeout applies to `report`, not to the app"),
    (["--timeout", "2", "models"], "--timeout applies to `report`, not to `models`"),
    (["--timeout", "2", "report", "--timeout", "3"], "--timeout given twice: 2 before `report` and 3 after it"),
    (["report", "--timeout", "-1"], "'-1' is not a number of seconds from 0 (no limit) to 3600"),
    (["report", "--timeout", "soon"], "'soon' is not a number of seconds"),
    (["report", "--timeout", "nan"], "'nan' is not a number of seconds"),
    (["report", "--timeout", "3601"], "'3601' is not a number of seconds"),
    (["report", "--sweep", "--sweep-budget", "0"], "'0' is not a number of seconds above 0 and up to 3600"),
])
def test_timeout_belongs_to_report_on_either_side(capsys, argv, words):
    assert words in one_line(capsys, argv)


@pytest.mark.parametrize("argv", [["report", "--timeout", "600"], ["--timeout", "600", "report"],
                                  ["report", "--timeout", "0"]], ids=["after", "before", "zero-is-no-limit"])
def test_a_model_that_answers_in_time_is_reported_as_usual(capsys, argv):
    assert main([*argv, "--json", "--no-timings"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["model"] == "tanh-dense" and unannounced(err) == ""


def test_every_step_named_for_the_notice_is_a_function_of_the_lab():
    """A step renamed in the lab would still be told (by its bare name): this says to rename it here."""
    import importlib

    from jaxbatch.lab.waiting import STEPS

    for name in STEPS:
        module, _, qualname = name.partition(":")
        found = importlib.import_module(f"jaxbatch.lab.{module}")
        for part in qualname.split("."):
            found = getattr(found, part, None)
        assert callable(found), f"jaxbatch.lab.{module} has no {qualname}: update jaxbatch.lab.waiting.STEPS"


@pytest.mark.parametrize("value, says", [("0", "chunk 0 has no instances per step"),
                                          ("x", "chunk 'x' is not a positive integer"),
                                          ("-3", "chunk '-3' is not a positive integer"),
                                          ("99999999", "more than the 65,536 instances")])
def test_a_bad_chunk_is_one_line_and_status_2(value, says, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["report", "--no-timings", "--chunk", value])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and says in err and err.count("\n") == 1


def test_chunk_means_the_same_on_either_side_and_sweep_budget_takes_either_sweep(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--chunk", "4", "report", "--chunk", "8"])
    assert exit_.value.code == 2 and "--chunk given twice" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["report", "--sweep-budget", "3"])
    assert exit_.value.code == 2 and "--sweep-budget needs --sweep or --chunk-sweep" in capsys.readouterr().err


def test_an_empty_chunk_says_what_to_type():
    from jaxbatch.results.selection import parse_chunk

    with pytest.raises(LabError, match="^no chunk size: type instances per step"):
        parse_chunk("  ")
    assert parse_chunk(" 0064 ") == 64
