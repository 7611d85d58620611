"""jaxbatch-tui: see and measure how JAX batches a program.

The package is split in two: `jaxbatch.lab` does every JAX thing and imports no UI;
the Textual app, the text report, the JSON report and the Python API (`jaxbatch.compare`,
`jaxbatch.testing`) only render what the lab returns.
"""

import importlib

__version__ = "0.1.0"

__all__ = ["compare", "sweep"]


def __getattr__(name: str):
    """`jaxbatch.compare` and `jaxbatch.sweep`, imported on first use: `import jaxbatch` stays
    light (no Textual; JAX only once the analysis runs)."""
    if name in __all__:
        # imported by name, not by an import statement: the lab imports this package (for the
        # version), and must not be seen to import the API above it
        return getattr(importlib.import_module("jaxbatch.api"), name)
    raise AttributeError(f"module 'jaxbatch' has no attribute {name!r}")
