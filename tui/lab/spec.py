"""Where `Aval` and `Model` were, for model files written before they moved: `from jaxbatch import
Aval, Model` is their home now (jaxbatch.results.spec)."""

from jaxbatch.results.spec import Aval, Model

__all__ = ["Aval", "Model"]
