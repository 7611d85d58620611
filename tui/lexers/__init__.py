"""Pygments lexers for the program views (jaxpr, StableHLO, HLO), registered as entry points."""
