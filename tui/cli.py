"""The command line: open the app, print a report, or list the models.

Every bad input ends in one line on stderr and exit status 2; nothing the user typed is
evaluated. JAX is imported only by the commands that compute, after arguments are checked.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
from typing import TYPE_CHECKING, NoReturn, Optional, Sequence

from jaxbatch import __version__
from jaxbatch.gpu_memory import take_gpu_memory_as_needed
from jaxbatch.results.errors import LabError, internal_error
from jaxbatch.results.selection import (
    DEFAULT_CHUNK,
    DEFAULT_DEVICE,
    DEFAULT_MODEL,
    DEFAULT_PRECISION,
    PRECISIONS,
    Selection,
    format_batch_shape,
    parse_aval,
    parse_batch_shape,
    parse_chunk,
    parse_in_axes,
    parse_precision,
)

if TYPE_CHECKING:
    from jaxbatch.results.report import Report

PROG = "jaxbatch-tui"
HOST_DEVICES_FLAG = "--xla_force_host_platform_device_count"
MAX_HOST_DEVICES = 256


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        fail(message)


def fail(message: str) -> NoReturn:
    """One line on stderr, and status 2; where stderr is a terminal that is gone (a hang-up),
    there is no one to tell: the status alone."""
    with contextlib.suppress(OSError):
        print(f"{PROG}: {message}", file=sys.stderr)
    raise SystemExit(2)


# The options that choose what to analyse, and their defaults. Both the main parser and `report`
# take them; `report`'s land under AFTER + name, so `_resolved` can tell where each was given.
SELECTION = {"model": DEFAULT_MODEL, "batch": "5", "device": DEFAULT_DEVICE, "host_devices": None,
             "input": [], "in_axes": None, "batched": None, "chunk": None, "precision": None}
APP = {"theme": None, "serve": False, "port": 8000, "host": "127.0.0.1", "compare": None}  # the app's alone
REPORT = {"json": False, "no_timings": False, "sweep": False, "chunk_sweep": False,  # after `report` only
          "sweep_budget": None}
REPORT_EITHER_SIDE = {"timeout": None}  # `report`'s, but before it too, as the selection options are
# `report | head -1`: the reader left, a normal end. The status a shell reports for a writer
# that SIGPIPE ended (128 + 13), as for `yes | head -1`; under `set -o pipefail` a script still
# learns the report was cut short, which 0 would hide.
CLOSED_PIPE_STATUS = 141
NOTICE_AFTER_S = 5.0  # `report` making no progress this long (its stack still, not compiling) says so on stderr
AFTER = "after_"
# The commands that take no selection, and what they do instead.
NO_SELECTION = {"models": "lists every built-in model", "diff": "compares two saved reports"}


def _selection_options(prefix: str) -> argparse.ArgumentParser:
    """The selection options, without defaults (argparse.SUPPRESS): an option left out is not
    set at all, so a subcommand's copy can't overwrite a value given before it."""
    common = _Parser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument("--model", "-m", dest=prefix + "model", metavar="MODEL",
                        help="built-in name (see `models`), path/to/file.py:ATTR or package.module:ATTR")
    common.add_argument("--batch", "-b", dest=prefix + "batch", metavar="SHAPE",
                        help="batch shape: 5, 4,8 or '(4, 8)'")
    common.add_argument("--device", "-d", dest=prefix + "device", metavar="DEVICE",
                        help="cpu, gpu, tpu or a device index")
    common.add_argument("--chunk", "-k", dest=prefix + "chunk", metavar="K",
                        help=f"instances per step of the chunked strategy, lax.map(..., batch_size=K) "
                             f"(default {DEFAULT_CHUNK})")
    common.add_argument("--precision", dest=prefix + "precision", metavar="P",
                        help=f"matmul precision: {', '.join(PRECISIONS)} (default {DEFAULT_PRECISION}: JAX's own, "
                             "what your code runs at; TF32 for float32 matmuls on NVIDIA GPUs)")
    common.add_argument("--host-devices", dest=prefix + "host_devices", type=_device_count, metavar="N",
                        help="simulate N CPU devices (set before JAX starts), to see the sharded strategies anywhere")
    user = common.add_argument_group("your own function (--model path/to/file.py:fn)")
    user.add_argument("--input", "-i", dest=prefix + "input", action="append", metavar="AVAL",
                      help="dtype and shape of one argument for ONE instance, e.g. 'f32[3]' or 'i32[]'; "
                           "once per argument")
    user.add_argument("--in-axes", dest=prefix + "in_axes", metavar="AXES",
                      help="per argument 0 (batched) or None (shared by every instance), e.g. '0,None'")
    user.add_argument("--batched", dest=prefix + "batched", metavar="REF",
                      help="your hand-batched version: path/to/file.py:fn_batched")
    return common


def _timeout_option(parser: argparse.ArgumentParser, prefix: str) -> None:
    parser.add_argument("--timeout", dest=prefix + "timeout", type=_timeout_seconds, metavar="SECONDS",
                        help=("" if prefix else "with `report`: ") + "give up (exit status 2) if the report is not "
                        "done after this many seconds, sweep included; without it (or with 0) a model that blocks "
                        "is waited for, with a notice")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, parents=[_selection_options("")], argument_default=argparse.SUPPRESS,
                     description="See how JAX batches a model written for one instance: loop, hand-batched, vmap.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("--theme", metavar="NAME", help="a Textual theme, e.g. nord or ansi-dark (for 16-colour "
                        "terminals); NO_COLOR=1 turns colour off")
    _timeout_option(parser, "")
    parser.add_argument("--compare", metavar="A.json", help="show a saved report (`report --json > A.json`) beside "
                        "this run, as what changed from it (pane 6)")
    web = parser.add_argument_group("in a browser")
    web.add_argument("--serve", action="store_true", help="serve the app to a browser (textual-serve)")
    web.add_argument("--port", type=_port, help="port to serve on (default 8000)")
    web.add_argument("--host", help="address to serve on (default 127.0.0.1, this machine only)")
    sub = parser.add_subparsers(dest="command", metavar="{report,models,diff}")
    report = sub.add_parser("report", parents=[_selection_options(AFTER)], argument_default=argparse.SUPPRESS,
                            help="print the analysis headless (the options above work after `report` too)")
    report.add_argument("--json", action="store_true", help="print the report as JSON")
    report.add_argument("--no-timings", action="store_true",
                        help="skip the timings (compile, per call, per instance, dispatch floor)")
    report.add_argument("--sweep", action="store_true",
                        help="also time every strategy at batch sizes 1, 2, 4, ... (bounded by --sweep-budget)")
    report.add_argument("--chunk-sweep", action="store_true",
                        help="also time the chunked strategy at k = 1, 2, 4, ... up to the batch, against vmap, "
                             "and name the best trade-off of time and memory")
    report.add_argument("--sweep-budget", type=_budget_seconds, metavar="SECONDS",
                        help="start no new batch size (or chunk size) after this many seconds (default 30 each; "
                             "needs --sweep or --chunk-sweep)")
    _timeout_option(report, AFTER)
    sub.add_parser("models", help="list the built-in models, name first")
    diff = sub.add_parser("diff", help="what changed between two saved reports of one model (`report --json > A.json`)")
    diff.add_argument("a", metavar="A.json", help="the report before: another JAX, device or version of the code")
    diff.add_argument("b", metavar="B.json", help="the report after")
    diff.add_argument("--json", action="store_true", help="print the changes as JSON")
    return parser


def _resolved(args: argparse.Namespace) -> argparse.Namespace:
    """Every option set once, defaults filled in; an option that would be silently dropped (given
    twice differently, or meaningless for the command) refused."""
    given, command = vars(args), args.command
    for name, default in SELECTION.items():
        flag = "--" + name.replace("_", "-")
        before, after = given.pop(name, None), given.pop(AFTER + name, None)
        if command in NO_SELECTION and before is not None:
            fail(f"{flag} does not apply to `{command}`, which {NO_SELECTION[command]}")
        if name == "input":
            given[name] = (before or []) + (after or [])  # every --input, in the order typed
            continue
        if before is not None and after is not None and before != after:
            fail(f"{flag} given twice: {before} before `{command}` and {after} after it; give it once")
        value = before if before is not None else after
        given[name] = default if value is None else value
    for name in REPORT_EITHER_SIDE:
        flag = "--" + name.replace("_", "-")
        before, after = given.pop(name, None), given.pop(AFTER + name, None)
        if (before is not None or after is not None) and command != "report":
            fail(f"{flag} applies to `report`, not to {f'`{command}`' if command else 'the app'}")
        if before is not None and after is not None and before != after:
            fail(f"{flag} given twice: {before:g} before `{command}` and {after:g} after it; give it once")
        given[name] = before if before is not None else after
    app_only = [name for name in APP if name in given]
    if command is not None and app_only:
        fail(f"--{app_only[0]} applies to the app, not to `{command}`")
    if not given.get("serve") and ({"port", "host"} & set(given)):
        fail("--port and --host apply only with --serve")
    if "sweep_budget" in given and "sweep" not in given and "chunk_sweep" not in given:
        fail("--sweep-budget needs --sweep or --chunk-sweep")
    return argparse.Namespace(**{**APP, **REPORT, **REPORT_EITHER_SIDE, **given})


def parse_selection(args: argparse.Namespace) -> Selection:
    from jaxbatch.lab.loader import check_reference

    try:
        shape = parse_batch_shape(args.batch)
        check_reference(args.model)
        inputs = tuple(str(parse_aval(text)) for text in args.input)
        in_axes = None if args.in_axes is None else parse_in_axes(args.in_axes)
        chunk = DEFAULT_CHUNK if args.chunk is None else parse_chunk(args.chunk)
        precision = DEFAULT_PRECISION if args.precision is None else parse_precision(args.precision)
        if args.batched is not None:
            check_reference(args.batched)
    except LabError as exc:
        fail(str(exc))
    if inputs:  # the function's own in_axes, which its --batched twin is written for
        return Selection(args.model, shape, args.device, inputs, None, args.batched, in_axes, chunk, precision)
    return Selection(args.model, shape, args.device, in_axes=in_axes, batched=args.batched, chunk=chunk,
                     precision=precision)


def entry() -> NoReturn:
    """The installed command (and `python -m jaxbatch`): `main`, then the process ends without
    Python's finalization, which would tear JAX down around a lab thread still inside XLA (an
    abort, status 134, when `q` came mid-analysis). Everything was written and flushed by then."""
    try:
        status = main()
    except KeyboardInterrupt:  # ctrl+c while the options were read: nothing had started
        status = 130
    except SystemExit as exc:  # fail(), --help, --version: the status they ask for
        status = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
        if isinstance(exc.code, str):
            with contextlib.suppress(OSError):  # a terminal gone: no one to tell
                print(exc.code, file=sys.stderr)
    _exit_now(status)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """The command's exit status: 0, 2 for anything the user can fix (one line on stderr), 130 on
    Ctrl+C, CLOSED_PIPE_STATUS when whoever read the output stopped reading."""
    try:
        try:
            return _main(argv)
        finally:
            if sys.stdout is not None:
                try:
                    sys.stdout.flush()  # a reader gone shows here at the latest, not in Python's teardown
                except BrokenPipeError:
                    raise
                except OSError:  # the terminal itself is gone (a hang-up): there is no one to tell
                    pass
    except BrokenPipeError:
        return _stdout_closed()


def _main(argv: Optional[Sequence[str]]) -> int:
    args = _resolved(build_parser().parse_args(argv))
    take_gpu_memory_as_needed()  # before JAX starts, as --host-devices must be
    if args.host_devices:
        _simulate_host_devices(args.host_devices)
    try:
        if args.command == "models":
            return _models()
        if args.command == "diff":
            return _diff(args.a, args.b, args.json)
        selection = parse_selection(args)
        if args.command == "report":
            return _report(selection, as_json=args.json, timings=not args.no_timings, sweep=args.sweep,
                           chunk_sweep=args.chunk_sweep, budget=args.sweep_budget, timeout=args.timeout or None)
        _check_theme(args.theme)
        compare = _saved(args.compare) if args.compare else None
        if args.serve:
            if compare:
                fail("--compare applies to the app in this terminal, not with --serve")
            from jaxbatch.serve import serve

            return serve(selection, args.theme, args.host, args.port)
        return _app(selection, args.theme, compare)
    except KeyboardInterrupt:  # ctrl+c before the app took the keys: it quits, as its key does; a report stops short
        return 0 if args.command is None else 130
    except BrokenPipeError:
        raise  # stdout closed: main's to end quietly
    except LabError as exc:  # the user's to fix, wherever it was found
        fail(str(exc))
    except Exception as exc:  # a bug of ours: still one line, never a traceback
        fail(internal_error(exc))


def _stdout_closed() -> int:
    """The reader went away (`report | head -1`): end quietly, as any Unix tool does. stdout now
    points at /dev/null, so that nothing left to flush fails again as Python exits."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    return CLOSED_PIPE_STATUS


def _models() -> int:
    from jaxbatch.models import CATALOG

    width = max(map(len, CATALOG))
    for name, (_, summary) in CATALOG.items():
        print(f"{name:<{width}}  {summary}")
    return 0


def _diff(a_path: str, b_path: str, as_json: bool) -> int:
    from jaxbatch.media.diff import NotComparable, check_report, diff, diff_lines

    try:
        a, b = (check_report(_read_json(path), path) for path in (a_path, b_path))
        changes = diff(a, b)
    except NotComparable as exc:
        fail(str(exc))
    if as_json:
        print(json.dumps(changes, indent=2))
    else:
        print("\n".join(diff_lines(changes, a_path, b_path)))
    return 0


def _read_json(path: str):
    try:
        with open(path) as f:
            return json.load(f)
    except OSError as exc:
        fail(f"{path}: {exc.strerror or exc}")
    except (ValueError, UnicodeDecodeError) as exc:
        fail(f"{path} is not JSON ({exc}): save a report with `jaxbatch-tui report --json > FILE`")


def _device_count(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) <= MAX_HOST_DEVICES:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of devices (1-{MAX_HOST_DEVICES})")
    return int(text)


def _simulate_host_devices(n: int) -> None:
    """XLA reads its flags once, when JAX starts: this must come before any `import jax` (the
    timing helper and the browser's app processes inherit it)."""
    if "jax" in sys.modules:
        fail("--host-devices must be given before JAX starts (it was imported already)")
    os.environ["XLA_FLAGS"] = host_devices_flags(os.environ.get("XLA_FLAGS", ""), n)


def host_devices_flags(flags: str, n: int) -> str:
    """XLA_FLAGS with N simulated host devices, whatever count `flags` asked for before."""
    kept = [f for f in flags.split() if not f.startswith(HOST_DEVICES_FLAG)]
    return " ".join([*kept, f"{HOST_DEVICES_FLAG}={n}"])


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1-65535)")
    return int(text)


def _seconds(text: str, zero_means: str = "") -> float:
    """Seconds up to an hour; 0 only where it means something (`zero_means`, said in the message)."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    low = 0 <= value if zero_means else 0 < value
    if not (low and value <= 3600):  # NaN fails both
        span = f"from 0 ({zero_means}) to 3600" if zero_means else "above 0 and up to 3600"
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds {span}")
    return value


def _timeout_seconds(text: str) -> float:
    """`--timeout`: 0 is no limit, as leaving it out is (and as GNU timeout reads 0)."""
    return _seconds(text, "no limit")


def _budget_seconds(text: str) -> float:
    """`--sweep-budget`: a budget of 0 would time nothing, so it is refused."""
    return _seconds(text)


def _report(selection: Selection, as_json: bool, timings: bool, sweep: bool = False, chunk_sweep: bool = False,
            budget: Optional[float] = None, timeout: Optional[float] = None) -> int:
    """`budget`: seconds for each sweep asked for, None for the default. `timeout`: seconds after
    which to give up, or None to wait (saying what for)."""
    import time

    from jaxbatch.lab.analysis import analyze  # imports JAX, before any clock starts

    def compute():
        report = analyze(selection, timer=time.perf_counter if timings else None)
        return (report, _sweep(selection, budget) if sweep else None,
                _chunk_sweep(selection, budget) if chunk_sweep else None)

    try:  # what the user's model prints goes to stderr: stdout holds the report
        with contextlib.redirect_stdout(sys.stderr):
            report, sizes, chunks = _watched(compute, selection, timeout)
    except LabError as exc:
        fail(str(exc))
    if as_json:
        from jaxbatch.media.json_report import report_json

        print(json.dumps(report_json(report, sizes, chunks), indent=2))
    else:
        from jaxbatch.media.text import render

        sys.stdout.write(render(report, sizes, chunks))
    return 0


def _watched(compute, selection: Selection, timeout: Optional[float], clock=None, look=None, poll_s: float = 0.2):
    """`compute()`, run in a thread while this one samples its stack every `poll_s`: a thread
    that makes no progress for NOTICE_AFTER_S (waiting.Quiet: its stack still, and not in XLA's
    compiler) is announced on stderr (what it waits for, and the way out), and past `timeout`
    the command gives up. Its exception, if any, is raised here. `clock` (seconds) and `look`
    (a thread's waiting.Stack) are for tests."""
    import threading
    import time

    from jaxbatch.lab import waiting

    clock, look = clock or time.monotonic, look or waiting.stack
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = compute()
        except BaseException as exc:  # raised again in the main thread, which decides
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="report", daemon=True)
    start = clock()
    worker.start()
    quiet = waiting.Quiet(NOTICE_AFTER_S, start)
    try:
        while worker.is_alive():
            worker.join(poll_s)
            if not worker.is_alive():
                break
            now, stack = clock(), look(worker)
            if timeout is not None and now - start >= timeout:
                _give_up(f"{selection.model} has run {timeout:g} s without an answer (--timeout {timeout:g}); "
                         f"it was waiting for {waiting.waiting_for(stack)}")
            what = quiet.notice(stack, now)
            if what:
                way_out = "--timeout SECONDS gives up" if timeout is None else f"--timeout gives up at {timeout:g} s"
                clear = "\r\033[K" if sys.stderr.isatty() else ""  # over the sweep's progress line
                print(f"{clear}{PROG}: still running {selection.model} at batch "
                      f"{format_batch_shape(selection.batch_shape)}: waiting for {what} "
                      f"(Ctrl+C stops; {way_out})", file=sys.stderr, flush=True)
    except KeyboardInterrupt:
        if worker.is_alive():
            _exit_now(130)
        raise
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _give_up(message: str) -> NoReturn:
    print(f"{PROG}: {message}", file=sys.stderr)
    _exit_now(2)


def _exit_now(status: int) -> NoReturn:
    """End the process while the model's thread still runs. A Python thread can't be stopped,
    and Python's own exit would then run atexit handlers and finalize JAX around a thread that
    may be inside XLA or hold a lock they need: it can hang there, or crash (the test suite met
    that: every test passed, then exit 139). What was written is flushed first; the rest of the
    teardown has nothing to keep."""
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(status)


def _sweep(selection: Selection, budget):
    """The sweep over batch sizes, with one progress line on stderr when it is a terminal."""
    from jaxbatch.lab.sweep import sweep

    return _progressing(sweep(selection, budget_s=budget),
                        lambda s: f"sweep: batch {s.sizes[-1]:,} ({len(s.sizes)}/{len(s.planned)})")


def _chunk_sweep(selection: Selection, budget):
    """The sweep over chunk sizes at the selection's batch, with a progress line likewise."""
    from jaxbatch.lab.chunk_sweep import chunk_sweep

    return _progressing(chunk_sweep(selection, budget_s=budget),
                        lambda s: f"chunk sweep: k={s.ks[-1]:,} ({len(s.ks)}/{len(s.planned)})" if s.ks else "")


def _progressing(states, line):
    """The last of `states`, saying `line(state)` on stderr after each when it is a terminal."""
    state = None
    for state in states:
        if sys.stderr.isatty():
            print(f"\r\033[K{line(state)}", end="", file=sys.stderr, flush=True)
    if sys.stderr.isatty():
        print("\r\033[K", end="", file=sys.stderr, flush=True)
    return state


def _check_theme(theme: Optional[str]) -> None:
    """Before the app opens, here or in a browser (where a bad theme would leave a tab blank)."""
    from textual.theme import BUILTIN_THEMES

    if theme is not None and theme not in BUILTIN_THEMES:
        fail(f"unknown theme {theme!r}: choose from {', '.join(BUILTIN_THEMES)}")


def _app(selection: Selection, theme: Optional[str], compare=None) -> int:
    """The app, with the process's stderr in a log while it draws (`stderr_log`); after, one
    line says where that log is, if anything was written to it."""
    from jaxbatch.quitting import HANGUP, TERMINATED, Deadline, unable_to_draw

    # Started under `nohup` (or by anything that ignores hang-ups), the app would outlive its
    # terminal with nobody to draw for: a hang-up ends it, whatever its parent ignores.
    if signal.getsignal(signal.SIGHUP) == signal.SIG_IGN:
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
    deadline = Deadline()  # the terminal's modes, before it is checked: one that goes after is watched for
    if deadline.hung_up:  # gone before the app began, its hang-up signal blocked: no one to tell
        return HANGUP
    why = unable_to_draw()
    if why:
        fail(f"{why}; `{PROG} report` prints the same analysis as text")
    deadline.watch_terminal()
    from jaxbatch.app import make_app
    from jaxbatch.stderr_log import lines_in, new_log, stderr_to

    log = new_log()
    app = make_app(selection, theme=theme, compare=compare, log=log, deadline=deadline)
    try:
        with stderr_to(log):
            app.run()
    except OSError:  # the terminal went with a hang-up: drawing on or restoring it fails; no one to tell
        if app.return_code == HANGUP or not sys.stdin.isatty():  # a tty no more: hung up, SIGHUP yet to come
            return HANGUP
        raise
    lines = lines_in(log)
    with contextlib.suppress(OSError):  # the terminal may be gone (a hang-up)
        if app.return_code not in (0, HANGUP, TERMINATED):  # Textual wrote the traceback of a bug of ours: the log
            print(f"{PROG}: internal error: the app stopped on an exception — a bug in {PROG} {__version__}; "
                  f"please report it with the command you ran and its traceback, in {log}", file=sys.stderr)
        elif lines:
            print(f"{PROG}: what was written to stderr while the app ran ({lines:,} line{'s' if lines > 1 else ''}: "
                  f"XLA's logs, your model's output, warnings) is in {log}", file=sys.stderr)
    return app.return_code or 0


def _saved(path: str) -> tuple[str, Report]:
    """`--compare`'s report, read and checked before the app opens."""
    from jaxbatch.media.diff import NotComparable, check_report

    try:
        return path, check_report(_read_json(path), path)
    except NotComparable as exc:
        fail(str(exc))


