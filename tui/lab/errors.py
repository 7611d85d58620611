"""Errors the user caused and can fix, each carrying one line that says what to do."""


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


# What the user's code may raise that is reported, not died of: any Exception, and SystemExit
# (a model file that calls sys.exit() must not end the app).
USER_ERRORS = (Exception, SystemExit)
