"""The built-in models, one per file. The catalog below is read without importing JAX, so
`jaxbatch-tui models` and the app's model list appear instantly; each module defines `MODEL`."""

# name -> (module in this package, one-line summary)
CATALOG: dict[str, tuple[str, str]] = {
    "tanh-dense": ("tanh_dense", "the seed: tanh(M @ v + b).sum(), batched by einsum"),
}
