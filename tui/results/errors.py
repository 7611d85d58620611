"""Errors the user caused and can fix, each carrying one line that says what to do; and the
one line for a bug of ours, which says how to report it."""

import sys

from jaxbatch import __version__


class LabError(Exception):
    """A bad selection or a failing model: shown as one line, never as a traceback."""


def describe(exc: BaseException) -> str:
    """`TypeError: message`, the way Python's last traceback line names an exception; running
    out of memory (the host's MemoryError, XLA's RESOURCE_EXHAUSTED) says what to do first."""
    text = str(exc).strip()
    named = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    if isinstance(exc, MemoryError) or "RESOURCE_EXHAUSTED" in text:
        return f"out of memory, try a smaller batch ({named.splitlines()[0]})"
    return named


def internal_error(exc: BaseException) -> str:
    """One line for a bug of ours, with what a report of it needs (there is no tracker address
    to give: the README names none)."""
    jax = sys.modules.get("jax")
    versions = f"jaxbatch-tui {__version__}, Python {sys.version.split()[0]}"
    if jax is not None:
        versions += f", jax {getattr(jax, '__version__', '?')}"
    first = (describe(exc).splitlines() or [type(exc).__name__])[0]
    return f"internal error: {first} — a bug in {versions}; please report it with the command you ran and this line"


# What the user's code may raise that is reported, not died of: any Exception, and SystemExit
# (a model file that calls sys.exit() must not end the app).
USER_ERRORS = (Exception, SystemExit)
