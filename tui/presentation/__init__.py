"""The presentation layer: results into the words and rows a person reads, once, for every view.

No Textual, no Rich, no JAX (an import-linter contract in pyproject.toml checks it): the text
report assembles these words into lines, and the app's panes only style them.
"""
