"""jaxbatch-tui: see and measure how JAX batches a program.

The package is split in two: `jaxbatch.lab` does every JAX thing and imports no UI;
the Textual app, the text report and the JSON report only render what the lab returns.
"""

__version__ = "0.1.0"
