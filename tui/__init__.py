"""jaxbatch-tui: see and measure how JAX batches a program.

The folders follow the flow: `jaxbatch.lab` does every JAX thing and imports no UI; it returns
`jaxbatch.results` (JAX-free figures and flags); `jaxbatch.presentation` words them once for every
medium; `jaxbatch.media` lays them out as text, JSON, HTML and Rich; the Textual app (`app`,
`widgets/`, `screens/`), the CLI and the Python API (`jaxbatch.compare`, `jaxbatch.testing`)
sit on top.
"""

import importlib

__version__ = "0.1.0"

__all__ = ["compare", "sweep", "Aval", "Model"]
_HOMES = {"compare": "jaxbatch.api", "sweep": "jaxbatch.api", "Aval": "jaxbatch.results.spec",
          "Model": "jaxbatch.results.spec"}


def __getattr__(name: str):
    """`jaxbatch.compare`, `jaxbatch.sweep`, and `Aval` and `Model` for a model file, imported on
    first use: `import jaxbatch` stays light (no Textual; JAX only once the analysis runs)."""
    if name in _HOMES:
        # imported by name, not by an import statement: the lab imports this package (for the
        # version), and must not be seen to import the API above it
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'jaxbatch' has no attribute {name!r}")
