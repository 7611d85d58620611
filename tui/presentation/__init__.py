"""The presentation layer: results into the words and rows a person reads, once, for every view.

No Textual, no Rich, no JAX (an import-linter contract in pyproject.toml checks it). The report
is made into one typed document (`report_document.build`, blocks in `document`), which the text
report, the HTML, Rich, the export and the JSON's `document` lay out; the app's panes style the
same words.
"""
