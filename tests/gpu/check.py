"""Run every GPU check (tests/gpu) and print a summary a person can paste into a note:

    python tests/gpu/check.py [pytest options...]

One line per check, its outcome and the figures it recorded, then the totals. Exit status is
pytest's. On a machine without a GPU every check is skipped, and the summary says why
(JAXBATCH_GPU_TESTS_DEVICE=cpu runs them on the CPU instead, as a dry run of their code).
"""

from __future__ import annotations

import platform
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).parent


class Summary:
    """Collects each check's outcome, duration and recorded figures as pytest reports them."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, float, list[str]]] = []
        self.start = time.monotonic()

    def pytest_runtest_logreport(self, report) -> None:
        if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
            figures = [str(v) for k, v in report.user_properties if k == "figure"]
            if report.skipped and isinstance(report.longrepr, tuple):
                figures.append(f"skipped: {report.longrepr[2]}")
            name = report.nodeid.split("::", 1)[-1]
            self.rows.append((report.outcome.upper(), name, report.duration, figures))


    def pytest_terminal_summary(self, terminalreporter) -> None:
        """Printed here, inside pytest: tests/conftest.py ends the process once pytest is done."""
        write = terminalreporter.write_line
        write("")
        write("== jaxbatch-tui GPU checks ==")
        write(versions())
        for outcome, name, seconds, figures in self.rows:
            write(f"{outcome:<7} {name}  ({seconds:.1f} s)")
            for figure in figures:
                write(f"        {figure}")
        counts = {o: sum(1 for row in self.rows if row[0] == o) for o in ("PASSED", "FAILED", "SKIPPED")}
        write(f"{counts['PASSED']} passed, {counts['FAILED']} failed, {counts['SKIPPED']} skipped "
              f"in {time.monotonic() - self.start:.0f} s")


def versions() -> str:
    import jax
    import jaxlib

    try:
        devices = ", ".join(f"{d.platform}:{d.id} {d.device_kind}" for d in jax.devices())
    except RuntimeError as exc:
        devices = f"none ({exc})"
    return f"jax {jax.__version__}, jaxlib {jaxlib.__version__}, python {platform.python_version()}; devices: {devices}"


def main(argv: list[str]) -> int:
    return int(pytest.main([str(HERE), "-q", "-p", "no:randomly", "--no-header", *argv], plugins=[Summary()]))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
