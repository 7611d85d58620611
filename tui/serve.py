"""`jaxbatch-tui --serve`: the same app in a browser, served by textual-serve.

Each browser tab runs its own `python -m jaxbatch ...` with the same selection. Loopback by
default: the page runs models with the rights of whoever started the server, so binding any
other address is said out loud first (an SSH tunnel reaches loopback from afar).
"""

from __future__ import annotations

import ipaddress
import shlex
import sys
from typing import Optional

from jaxbatch.lab.selection import Selection, format_batch_shape, format_in_axes

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


def serve(selection: Selection, theme: Optional[str], host: str, port: int) -> int:
    from textual_serve.server import Server

    if not is_loopback(host):
        print(f"jaxbatch-tui: warning: serving on {host}: anyone who reaches it runs models as you. "
              f"Prefer 127.0.0.1 and an SSH tunnel: ssh -L {port}:127.0.0.1:{port} this-host", file=sys.stderr)
    Server(app_command(selection, theme), host=host, port=port, title="jaxbatch-tui").serve()
    return 0
