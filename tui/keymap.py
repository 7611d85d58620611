"""The user's keymap: `$XDG_CONFIG_HOME/jaxbatch-tui/keymap.toml` (default ~/.config/...).

    [keys]
    "pane.outputs" = "f2"    # a binding id (the help screen lists them) = keys, comma-separated
    "copy" = "y,ctrl+y"

Only keys that survive tmux and SSH are taken: letters, digits, F1-F10, arrows and a few named
keys, alone or with ctrl. Anything else, and ids that don't exist, are named in one message and
skipped; the rest of the file still applies.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterable

_KEY = re.compile(r"^(ctrl\+)?([a-z0-9]|f[1-9]|f10|up|down|left|right|home|end|pageup|pagedown|space|tab|enter"
                  r"|escape|question_mark)$|^[A-Z]$")


def config_path() -> Path:
    home = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(home) / "jaxbatch-tui" / "keymap.toml"


def load_keymap(path: Path, known_ids: Iterable[str]) -> tuple[dict[str, str], list[str]]:
    """The keymap to apply and the problems found; no file is an empty keymap, not a problem.
    `known_ids` is read only when the file has keys (the app's are lazy: they import every pane)."""
    import tomllib  # here, not at the top: the app imports this module as it starts, for config_path

    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        return {}, []
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return {}, [f"{path}: {exc}"]
    keys = data.get("keys", {})
    if not isinstance(keys, dict):
        return {}, [f"{path}: [keys] must be a table of binding id = \"keys\""]
    if not keys:
        return {}, []
    known, keymap, problems = set(known_ids), {}, []
    for binding_id, value in keys.items():
        if binding_id not in known:
            problems.append(f"no binding {binding_id!r}")
        elif not isinstance(value, str) or not all(_KEY.match(k.strip()) for k in value.split(",")):
            problems.append(f"{binding_id} = {value!r}: use letters, digits, f1-f10, arrows, ctrl+letter")
        else:
            keymap[binding_id] = ",".join(k.strip() for k in value.split(","))
    return keymap, [f"{path}: {'; '.join(problems)}"] if problems else []
