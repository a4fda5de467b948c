"""Seeded initial weights that follow each framework's own initialisers.

Each record names its initialisers. Keras: kernel glorot_uniform, recurrent_kernel orthogonal, bias
zeros (the LSTM forget block ones: unit_forget_bias). PyTorch: every tensor U(-1/sqrt(h), 1/sqrt(h)). The distributions
are the frameworks'; the random streams are NumPy's, so values differ from a framework's own.

Work is bounded: a call that would draw more than MAX_WEIGHT_VALUES parameters (200 MB as
float32, a few seconds) is refused with a ValueError before anything is allocated. The explorer's
largest layer (1024 × 1024, stacked input 2048) draws 12.6 million; bigger stacks are pooled.
"""

from __future__ import annotations

import itertools

import numpy as np

from lstmviz.counting import LayerCount, Tensor, breakdown
from lstmviz.spec import RecurrentSpec, SpecTypeError, require_instance

MAX_WEIGHT_VALUES = 50_000_000


def _glorot_uniform(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    fan_in, fan_out = shape
    limit = np.float32(np.sqrt(6.0 / (fan_in + fan_out)))
    return _uniform(rng, shape, limit)


def _uniform(rng: np.random.Generator, shape: tuple[int, ...], limit: np.float32) -> np.ndarray:
    # Drawn in float32 directly: half the time and memory of drawing float64 and casting.
    return (rng.random(shape, dtype=np.float32) * 2 - 1) * limit


def _orthogonal(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    rows, cols = shape
    a = rng.standard_normal((max(rows, cols), min(rows, cols)), dtype=np.float32)
    return _orthonormal_columns(a).T if rows < cols else _orthonormal_columns(a)


def _orthonormal_columns(a: np.ndarray) -> np.ndarray:
    """Q of a = QR with diag(R) > 0: Keras' q * sign(diag(r)), the uniform (Haar) draw."""
    tall, wide = a.shape
    if tall >= 2 * wide:
        # For a tall Gaussian matrix (condition number about 3-4) Q = a R⁻¹ with R from the Cholesky
        # factor of aᵀa is the same Q (to float32 rounding), and matrix products are 3× faster
        # than a QR here.
        lower = np.linalg.cholesky(a.T @ a)  # (wide, wide), aᵀa = L Lᵀ, R = Lᵀ
        return _times_upper(a, _lower_inverse(lower).T)
    q, r = np.linalg.qr(a)  # (tall, wide): orthonormal columns
    return (q * np.sign(np.diag(r))).astype(np.float32)


_INVERSE_BLOCK = 128  # below this a general inverse is as fast as splitting further


def _lower_inverse(lower: np.ndarray) -> np.ndarray:
    """Inverse of a lower-triangular matrix by 2 × 2 blocks: [[A, 0], [B, C]]⁻¹ = [[A⁻¹, 0], [-C⁻¹BA⁻¹, C⁻¹]].

    Matrix products instead of a general LU inverse: about 10× faster at 1024 (NumPy has no triangular
    inverse), and as accurate here because L comes from a well-conditioned Gram matrix.
    """
    n = lower.shape[0]
    if n <= _INVERSE_BLOCK:
        return np.linalg.inv(lower)
    k = n // 2
    top, bottom = _lower_inverse(lower[:k, :k]), _lower_inverse(lower[k:, k:])
    inverse = np.zeros_like(lower)
    inverse[:k, :k] = top
    inverse[k:, k:] = bottom
    inverse[k:, :k] = -(bottom @ lower[k:, :k]) @ top
    return inverse


def _times_upper(a: np.ndarray, upper: np.ndarray, blocks: int = 4) -> np.ndarray:
    """a @ upper for an upper-triangular `upper`, skipping its zero triangle: column block j of the
    product needs only the first rows of block j of `upper` (10/16 of the full product's work)."""
    n = upper.shape[0]
    edges = [n * k // blocks for k in range(blocks + 1)]
    out = np.empty((a.shape[0], n), dtype=np.result_type(a, upper))
    for start, stop in itertools.pairwise(edges):
        np.matmul(a[:, :stop], upper[:stop, start:stop], out=out[:, start:stop])
    return out


def _buckets(length: int, factor: int) -> np.ndarray:
    """Sizes of the pooling buckets along an axis: `factor` each, the last one what is left."""
    return np.diff(np.append(np.arange(0, length, factor), length))


def orthogonal_pooled(
    rng: np.random.Generator, shape: tuple[int, int], pooling: tuple[int, int], gate_size: int, gates_in_columns: bool
) -> np.ndarray:
    """A stand-in for an orthogonal tensor that is only ever shown mean-pooled: constant on each bucket.

    The heatmap pools each gate block in row_factor × col_factor buckets (restarting at every block).
    The mean of n entries of a uniformly drawn (Haar) orthogonal r × c matrix has mean 0 and variance
    1 / (n · max(r, c)): each entry has variance 1 / max(r, c), and flipping the sign of one row or column
    keeps the distribution, so distinct entries are uncorrelated. Each bucket's value is drawn from that
    normal; no QR of the full matrix (at 1024 × 4096, most of a rerun) is made.
    """
    rows, cols = shape
    row_factor, col_factor = pooling
    scale = 1.0 / max(rows, cols)
    if gates_in_columns:
        row_sizes = _buckets(rows, row_factor)
        col_sizes = np.tile(_buckets(gate_size, col_factor), cols // gate_size)
    else:
        row_sizes = np.tile(_buckets(gate_size, row_factor), rows // gate_size)
        col_sizes = _buckets(cols, col_factor)
    counts = np.outer(row_sizes, col_sizes)
    spread: np.ndarray = np.sqrt(scale / counts)
    means = rng.standard_normal((len(row_sizes), len(col_sizes)), dtype=np.float32) * spread.astype(np.float32)
    return np.repeat(np.repeat(means, row_sizes, axis=0), col_sizes, axis=1)


def _zeros(rng: np.random.Generator, shape: tuple[int, ...], layer: LayerCount) -> np.ndarray:
    return np.zeros(shape, dtype=np.float32)


def _uniform_inv_sqrt_h(rng: np.random.Generator, shape: tuple[int, ...], layer: LayerCount) -> np.ndarray:
    return _uniform(rng, shape, np.float32(1.0 / np.sqrt(layer.units)))


# A record's initialiser names -> how to draw a tensor of that shape.
_INITIALIZERS = {
    "glorot_uniform": lambda rng, shape, layer: _glorot_uniform(rng, shape),
    "orthogonal": lambda rng, shape, layer: _orthogonal(rng, shape),
    "zeros": _zeros,
    "uniform_inv_sqrt_h": _uniform_inv_sqrt_h,
}


def _initial(
    rng: np.random.Generator, tensor: Tensor, layer: LayerCount, pooling: tuple[int, int] | None = None
) -> np.ndarray:
    """One tensor drawn by its record's initialiser; a forget-gate bias init (unit_forget_bias) fills its block."""
    record = layer.convention
    if pooling is not None and tensor.name in means_only(layer, pooling):
        shape = (tensor.shape[0], tensor.shape[1])
        return orthogonal_pooled(rng, shape, pooling, layer.units, layer.gates_in_columns)
    value: np.ndarray = _INITIALIZERS[record.initializers[tensor.role]](rng, tensor.shape, layer)
    if tensor.role == "bias" and record.forget_bias:
        forget = next(g for g in layer.gates if g.kind.name == "forget")
        for s in forget.slices:
            if s.tensor == tensor.name:
                value[(slice(None),) * s.axis + (slice(s.start, s.stop),)] = record.forget_bias
    return value


def means_only(layer: LayerCount, pooling: tuple[int, int] | None) -> tuple[str, ...]:
    """Names of the tensors `init_layer` draws as pooled means only: orthogonal ones (Keras's recurrent kernel)."""
    if pooling is None or pooling == (1, 1):
        return ()
    initializers = layer.convention.initializers
    return tuple(t.name for t in layer.tensors if initializers[t.role] == "orthogonal" and len(t.shape) == 2)


def init_layer(layer: LayerCount, seed: int = 0, pooling: tuple[int, int] | None = None) -> dict[str, np.ndarray]:
    """Initial float32 tensors of one layer and direction, keyed by framework tensor name.

    `pooling` (row, column factors of a mean-pooled heatmap): an orthogonal tensor is then drawn as its
    bucket means only (`orthogonal_pooled`), for drawing, never for computing with.
    """
    require_instance(layer, LayerCount, "layer", "a LayerCount (lstmviz.breakdown(spec).layer(...))")
    _check_seed(seed)
    _check_budget(layer.params, f"layer {layer.layer} {layer.direction}")
    # One stream per (seed, layer, direction): a layer's values don't depend on the others.
    rng = np.random.default_rng([seed, layer.layer, 0 if layer.direction == "forward" else 1])
    return {t.name: _initial(rng, t, layer, pooling) for t in layer.tensors}


def init_weights(spec: RecurrentSpec, seed: int = 0) -> dict[str, np.ndarray]:
    """Initial tensors of the whole stack keyed by `Tensor.key`, in framework order."""
    count = breakdown(spec)
    _check_seed(seed)
    _check_budget(count.total, "the stack")
    weights: dict[str, np.ndarray] = {}
    for layer in count.layers:
        values = init_layer(layer, seed)
        weights.update({t.key: values[t.name] for t in layer.tensors})
    return weights


def _check_seed(seed: object) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise SpecTypeError(f"seed must be a whole number, got {type(seed).__name__} {seed!r:.60}")
    if seed < 0:
        raise ValueError(f"seed must be at least 0, got {seed}")


def _check_budget(params: int, what: str) -> None:
    # Checked on the count (closed form, instant) before a single value is drawn.
    if params > MAX_WEIGHT_VALUES:
        raise ValueError(
            f"{what} has {params:,} parameters ({4 * params / 2**30:,.1f} GiB as float32); initial weights are "
            f"drawn for at most {MAX_WEIGHT_VALUES:,}"
        )
