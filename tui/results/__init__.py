"""The lab's results, free of JAX, Textual and Rich: what the UI, the presentation and the media read.

The result dataclasses (`report`, read back from a saved JSON by `saved_report`), the strategy
table, the selection and the model API (`spec`), the sweep states, the roof, the errors, and the
readers of XLA's program text. Importing any of them never pays for `import jax`; an import
contract (pyproject.toml) keeps it so, and keeps this
package from importing the lab or anything above it.
"""
