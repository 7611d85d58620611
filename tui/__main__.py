"""`python -m jaxbatch` is the same as the `jaxbatch-tui` command."""

from jaxbatch.cli import entry

entry()
