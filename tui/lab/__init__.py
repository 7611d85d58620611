"""The lab: every JAX computation the app shows, with no UI.

Only the modules that use JAX live here (and the helper processes' plumbing); what they return,
and everything the UI reads without JAX, is in `jaxbatch.results`. Submodules are imported where
needed rather than re-exported here. Nothing in the lab imports Textual or Rich: a test checks
this in a fresh interpreter.
"""
