"""The built-in models, one per file. The catalog below is read without importing JAX, so
`jaxbatch-tui models` and the app's model list appear instantly; each module defines `MODEL`."""

# name -> (module in this package, one-line summary). The summary is written only here: each
# module's Model takes it as CATALOG[name][1].
CATALOG: dict[str, tuple[str, str]] = {
    "tanh-dense": ("tanh_dense", "the seed: tanh(M @ v + b).sum(), batched by einsum"),
    "mlp": ("mlp", "a two-layer perceptron on one vector, batched by matmul"),
    "attention": ("attention", "softmax attention over one sequence, batched by einsum"),
    "per-example-grad": ("per_example_grad", "the gradient of a loss for one example, batched by hand-derived formula"),
    "custom-vjp": ("custom_vjp", "per-example gradients through a jax.custom_vjp softplus"),
    "dynamic-slice": ("dynamic_slice", "a window at a per-instance offset: vmap makes a gather"),
    "index-update": ("index_update", "x.at[i].set(v): vmap makes a scatter, by hand a one-hot where"),
    "at-set-large": ("at_set_large", "x.at[i].set(v) on a large vector: vmap's scatter needs a batch x N copy"),
    "cond": ("cond", "lax.cond on a per-instance predicate: vmap runs both branches"),
    "while-loop": ("while_loop", "lax.while_loop with a per-instance predicate: runs until the slowest"),
    "scan-rnn": ("scan_rnn", "an RNN over one sequence with lax.scan: the batch goes inside the scan"),
    "conv-batched-kernel": ("conv_batched_kernel", "a convolution with its own kernel per instance: feature groups"),
    "sort-topk": ("sort_topk", "the k largest of one vector, by sort or top_k"),
    "argsort": ("argsort", "argsort of one vector: vmap sorts the last axis of the batch"),
    "random-keys": ("random_keys", "random numbers from one PRNG key; vmap over a batch of keys"),
    "rbg-keys": ("rbg_keys", 'random numbers from one RBG key (impl="rbg"): vmap draws them all from the first key'),
    "callback-sequential": ("callback_sequential",
                            'pure_callback(vmap_method="sequential"): vmap runs it as a loop of N steps'),
    "linear-solve": ("linear_solve", "solve A x = b for one system, batched linalg"),
    "eigh": ("eigh", "eigenvalues and eigenvector projectors of one symmetric matrix, batched eigh"),
    "elementwise": ("elementwise", "an elementwise function: runs on the batch as it is, and is right"),
    "normalize": ("normalize", "x / x.sum(): runs on the batch as it is, and is WRONG"),
    "pytree-io": ("pytree_io", "a dict in, a tuple out, a shared parameter"),
}
