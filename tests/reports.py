"""One analysis per selection for the whole test run, shared by every test that asks for it.

An analysis is deterministic (inputs are seeded; no clock is read without a timer), so the report
a test gets from here is the real one, computed once. Only what can't change during the run is
kept: untimed analyses of a built-in model, one of tests/fixtures or of tests/truth/models.py
(files no test edits), under the environment they were made in (a fixture model may read it).
A test that patches the lab
calls jaxbatch.lab.analysis.analyze itself, or keeps its own `Reports`.

The run's processes (pytest-xdist's workers) share the reports through files in the folder
STORE_VAR names, which the first process sets and the workers inherit. Reports are shared, so
none may be changed: the session's end checks that none was (`changed`).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import pickle
import tempfile
import threading
from pathlib import Path
from typing import Callable, Optional

from jaxbatch.lab.analysis import analyze as analyze_afresh
from jaxbatch.models import CATALOG
from jaxbatch.results.report import Report
from jaxbatch.results.selection import Selection

from conftest import FIXTURES, STORE_VAR

# Variables that differ between the run's processes, or from test to test, and that no analysis reads.
UNREAD = ("PYTEST_", "XDG_CACHE_HOME", "XDG_STATE_HOME")


class Reports:
    """`analysis.analyze`, cached under `name`: the first answers (what `first` is given: the
    loop's outputs, then the first report) are kept too, and given again in order."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._kept: dict[tuple, tuple[bytes, tuple, Report]] = {}
        self._lock = threading.Lock()
        _every.append(self)

    def __call__(self, selection: Selection, timer=None, first: Optional[Callable[[object], object]] = None,
                 **options) -> Report:
        key = None if timer is not None or options else _key(selection)
        if key is None:
            return analyze_afresh(selection, timer, first=first, **options)
        kept = self._kept.get(key)
        if kept is None:
            path = self._path(key)
            with open(path.with_suffix(".lock"), "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)  # one analysis of it at a time, in all the run's processes
                kept = self._load(path, key)
                if kept is None:
                    return self._make(path, key, selection, first)  # `first` was given its answer meanwhile
        for answer in kept[1] if first is not None else ():
            first(answer)
        return kept[2]

    def _make(self, path: Path, key: tuple, selection: Selection, first) -> Report:
        firsts: list = []

        def keep_first(answer) -> None:
            firsts.append(answer)
            if first is not None:
                first(answer)

        report = analyze_afresh(selection, first=keep_first)
        kept = (pickle.dumps((tuple(firsts), report)), tuple(firsts), report)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as f:
            f.write(kept[0])
        os.replace(f.name, path)
        with self._lock:
            return self._kept.setdefault(key, kept)[2]

    def _load(self, path: Path, key: tuple) -> Optional[tuple[bytes, tuple, Report]]:
        """What another process made."""
        try:
            pickled = path.read_bytes()
        except FileNotFoundError:
            return None
        firsts, report = pickle.loads(pickled)
        with self._lock:  # the bytes this process makes of them, to compare with at the end
            return self._kept.setdefault(key, (pickle.dumps((firsts, report)), firsts, report))

    def _path(self, key: tuple) -> Path:
        folder = Path(os.environ[STORE_VAR]) / self.name
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{hashlib.sha256(repr(key).encode()).hexdigest()}.pickle"

    def changed(self) -> list[Selection]:
        with self._lock:
            kept = list(self._kept.items())
        return [key[0] for key, (pickled, firsts, report) in kept if pickle.dumps((firsts, report)) != pickled]


# Model files no test edits: tests/fixtures, and the truth tests' models of known loop counts.
KEPT_FILES = (FIXTURES.resolve(), (Path(__file__).parent / "truth" / "models.py").resolve())


def _key(selection: Selection) -> Optional[tuple]:
    """What the analysis of `selection` depends on, or None where it may change during the run."""
    for ref in filter(None, (selection.model, selection.batched)):
        path = Path(ref.rpartition(":")[0]).resolve()
        if ref not in CATALOG and not any(path == kept or path.is_relative_to(kept) for kept in KEPT_FILES):
            return None
    return selection, tuple(sorted((k, v) for k, v in os.environ.items() if not k.startswith(UNREAD)))


_every: list[Reports] = []


def changed() -> list[Selection]:
    """The selections whose kept report (or first answer) a test changed."""
    return [selection for reports in _every for selection in reports.changed()]


analyze = Reports("lab")
