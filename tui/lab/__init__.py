"""The lab: every JAX computation the app shows, with no UI.

Submodules are imported where needed rather than re-exported here, so that parsing a batch
shape (`jaxbatch.lab.selection`) never pays for `import jax`. Nothing in the lab imports
Textual or Rich: a test checks this in a fresh interpreter.
"""
