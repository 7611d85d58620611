"""Errors the user caused and can fix, each carrying one line that says what to do."""


class LabError(Exception):
    """A bad selection or a failing model: shown as one line, never as a traceback."""


def describe(exc: BaseException) -> str:
    """`TypeError: message`, the way Python's last traceback line names an exception."""
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# What the user's code may raise that is reported, not died of: any Exception, and SystemExit
# (a model file that calls sys.exit() must not end the app).
USER_ERRORS = (Exception, SystemExit)
