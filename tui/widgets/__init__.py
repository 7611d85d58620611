"""One widget per file; each renders part of a lab `Report` and never calls JAX."""
