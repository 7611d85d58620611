"""`jaxbatch-tui --serve`: the same app in a browser, served by textual-serve.

Each browser tab runs its own `python -m jaxbatch ...` with the same selection. Loopback by
default: the page runs models with the rights of whoever started the server, so binding any
other address is said out loud first (an SSH tunnel reaches loopback from afar).
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import shlex
import socket
import sys
from typing import Optional

from jaxbatch.results.errors import LabError
from jaxbatch.results.selection import Selection, format_batch_shape, format_in_axes

LOOPBACK_NAMES = {"localhost"}


def app_command(selection: Selection, theme: Optional[str]) -> str:
    """The command line that opens the app on `selection`, for textual-serve to run."""
    argv = [sys.executable, "-m", "jaxbatch", "--model", selection.model,
            "--batch", format_batch_shape(selection.batch_shape), "--device", selection.device]
    for aval in selection.inputs:
        argv += ["--input", aval]
    axes = selection.fn_in_axes or selection.in_axes
    if axes is not None:
        argv += ["--in-axes", format_in_axes(axes)]
    if selection.batched:
        argv += ["--batched", selection.batched]
    if theme:
        argv += ["--theme", theme]  # --host-devices travels in XLA_FLAGS, which the app inherits
    return shlex.join(argv)


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_address(host: str, port: int) -> None:
    """Bind `host`:`port` the way the server will (every address the name resolves to, with
    SO_REUSEADDR, as asyncio does), then let go: an address that isn't this machine's, or a
    port that is taken, is the user's to fix, said before any banner claims the server runs."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, socket.gaierror) and exc.strerror else str(exc)
        raise LabError(f"--host {host!r} is not an address this machine can serve on ({reason}); "
                       "the default, 127.0.0.1, is this machine only") from None
    with contextlib.ExitStack() as bound:
        for family, kind, proto, _, address in infos:
            sock = bound.enter_context(socket.socket(family, kind, proto))
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6 and hasattr(socket, "IPPROTO_IPV6"):
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                sock.bind(address)
            except OSError as exc:
                raise LabError(bind_problem(exc, host, port)) from None


def bind_problem(exc: OSError, host: str, port: int) -> str:
    """What a failed bind means to the user, in one line."""
    if exc.errno == errno.EADDRINUSE:
        return f"port {port} on {host} is in use (another server?): choose another with --port"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"port {port} on {host} needs privileges this user lacks: choose one above 1023 with --port"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"--host {host!r} is not an address of this machine: give one of its own, or 0.0.0.0 for all"
    return f"cannot serve on {host}:{port}: {exc.strerror or exc}"


def serve(selection: Selection, theme: Optional[str], host: str, port: int) -> int:
    from textual_serve.server import Server

    check_address(host, port)
    if not is_loopback(host):
        print(f"jaxbatch-tui: warning: serving on {host}: anyone who reaches it runs models as you. "
              f"Prefer 127.0.0.1 and an SSH tunnel: ssh -L {port}:127.0.0.1:{port} this-host", file=sys.stderr)
    try:
        Server(app_command(selection, theme), host=host, port=port, title="jaxbatch-tui").serve()
    except OSError as exc:  # taken in the instant since check_address let go of it
        if exc.errno not in (errno.EADDRINUSE, errno.EACCES, errno.EPERM, errno.EADDRNOTAVAIL):
            raise
        raise LabError(bind_problem(exc, host, port)) from None
    return 0
