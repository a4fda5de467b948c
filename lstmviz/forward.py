"""A NumPy forward pass of LSTM, GRU and SimpleRNN stacks that matches Keras 3 and PyTorch.

Weights come keyed by `Tensor.key` in the framework's own layout; the pass starts from zero
states and runs in float32. It always uses the input's own number of timesteps T (the spec's
`timesteps` only matters for shapes shown elsewhere) and always returns every timestep: a
Keras layer with return_sequences=False returns `ForwardResult.last_output`.

Lesson notation: N batch, T timesteps, x input size, h units, h_out = proj_size or h,
G gates, D directions, L layers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from lstmviz.conventions import BIAS, INPUT, PROJECTION, RECURRENT, TensorRule
from lstmviz.counting import DIRECTIONS, Breakdown, LayerCount, breakdown
from lstmviz.spec import RecurrentSpec, SpecTypeError, convention_of

Array = NDArray[np.float32]

# Upper bound on the float32 values one pass keeps (gates, states, outputs): about 400 MB.
MAX_TRACE_VALUES = 100_000_000


def _tanh(a: Array) -> None:
    np.tanh(a, out=a)


def _sigmoid(a: Array) -> None:
    with np.errstate(over="ignore"):  # exp(-a) overflows to inf for a < -88: 1 / inf = 0 exactly
        np.negative(a, out=a)
        np.exp(a, out=a)
        a += 1.0
        np.reciprocal(a, out=a)


def _relu(a: Array) -> None:
    np.maximum(a, 0.0, out=a)


def _linear(a: Array) -> None:
    return None


def _hard_sigmoid_keras2(a: Array) -> None:
    a *= 0.2  # Keras 1 and 2: clip(0.2 x + 0.5, 0, 1)
    a += 0.5
    np.clip(a, 0.0, 1.0, out=a)


def _hard_sigmoid_keras3(a: Array) -> None:
    a += 3.0  # Keras 3: relu6(x + 3) / 6
    np.clip(a, 0.0, 6.0, out=a)
    a /= 6.0


# In-place activations by name: `activation` (candidate and cell output) and `recurrent_activation` (gates).
ACTIVATIONS = {
    "tanh": _tanh,
    "sigmoid": _sigmoid,
    "relu": _relu,
    "linear": _linear,
    "hard_sigmoid_keras2": _hard_sigmoid_keras2,
    "hard_sigmoid_keras3": _hard_sigmoid_keras3,
}
DEFAULT_ACTIVATIONS = ("tanh", "sigmoid")


@dataclass(frozen=True)
class _Acts:
    """The two activations of a non-default cell: `act` for candidate and output, `gate` for the gates."""

    act: Callable[[Array], None]
    gate: Callable[[Array], None]


@dataclass(frozen=True, eq=False)
class ForwardResult:
    """Outputs, final states and per-timestep gate activations of one forward pass (read-only).

    outputs: (N, T, D·h_out) the last layer's outputs, directions concatenated on the last axis,
        backward outputs in original time order (as Keras Bidirectional and PyTorch give them).
    h_n: (D·L, N, h_out) final hidden states in PyTorch's layout, row l·D + d; the backward
        direction's final state is the one after reading x_0.  c_n: (D·L, N, h), LSTM only.
    gates[(layer, direction)][symbol]: (N, T, h) a gate's activations, in framework gate order;
        direction is "forward" or "backward", symbols as in lstmviz.conventions (i f c o, r z n, ...).
    h_t / c_t[(layer, direction)]: (N, T, h_out) / (N, T, h) the states after each timestep;
        c_t for an LSTM only. Backward directions are indexed by original time too.
    """

    spec: RecurrentSpec
    outputs: Array
    h_n: Array
    c_n: Array | None
    gates: Mapping[tuple[int, str], Mapping[str, Array]]
    h_t: Mapping[tuple[int, str], Array]
    c_t: Mapping[tuple[int, str], Array]

    @property
    def last_output(self) -> Array:
        """(N, D·h_out) what a Keras top layer returns with return_sequences=False."""
        d = self.spec.directions
        top = self.h_n[-d:]  # (D, N, h_out): forward after x_{T-1}, backward after x_0
        return np.concatenate(list(top), axis=-1)


@dataclass(frozen=True)
class _Cell:
    """One layer and direction's weights, made ready for the loop."""

    units: int
    W: Array  # (x, G·h) gate blocks in compute order; sigmoid blocks pre-halved (see _reorder)
    U: Array  # (h_out, G·h) same layout
    b: Array  # (G·h,) every bias that can be added before the recurrence
    b_hn: Array | None  # (h,) recurrent candidate bias of a reset-after GRU: it sits inside r * (...)
    P: Array | None  # (h, p) PyTorch LSTM projection
    reset_after: bool
    symbols: tuple[str, ...]  # gate symbols in compute order


def forward(
    spec: RecurrentSpec,
    weights: Mapping[str, NDArray[np.generic]],
    inputs: NDArray[np.generic],
    activations: tuple[str, str] = DEFAULT_ACTIVATIONS,
) -> ForwardResult:
    """Run the stack on inputs (N, T, x) with the given framework-layout weights.

    `activations` is (activation, recurrent_activation), names from ACTIVATIONS; tanh and sigmoid by default.
    """
    if not (isinstance(activations, tuple) and len(activations) == 2 and all(a in ACTIVATIONS for a in activations)):
        raise ValueError(f"activations must be two of {', '.join(ACTIVATIONS)}; got {str(activations)[:60]}")
    acts = (
        None if activations == DEFAULT_ACTIVATIONS else _Acts(ACTIVATIONS[activations[0]], ACTIVATIONS[activations[1]])
    )
    count = breakdown(spec)
    if not isinstance(weights, Mapping):
        raise SpecTypeError(f"weights must be a mapping of tensor key to array, got {type(weights).__name__}")
    x = _check_inputs(spec, inputs)
    _check_weights(count, weights)
    n, t_len = x.shape[0], x.shape[1]
    record = convention_of(spec)
    g, h, h_out, d = len(record.gates), spec.units, spec.hidden_out, spec.directions
    kept = t_len * n * d * spec.layers * (g * h + h + h_out)
    if kept > MAX_TRACE_VALUES:
        raise ValueError(f"this pass would keep {kept:,} values (gates and states); the limit is {MAX_TRACE_VALUES:,}")

    # Time-major (T, N, ·) so each step reads one contiguous (N, ·) slab.
    seq: Array = np.ascontiguousarray(x.transpose(1, 0, 2))
    gates: dict[tuple[int, str], Mapping[str, Array]] = {}
    h_t: dict[tuple[int, str], Array] = {}
    c_t: dict[tuple[int, str], Array] = {}
    h_n, c_n = [], []
    for layer in range(spec.layers):
        out = np.empty((t_len, n, d * h_out), np.float32)  # (T, N, D·h_out): next layer's input
        for k, direction in enumerate(DIRECTIONS[:d]):
            cell = _prepare(spec, count.layer(layer, direction), weights, halve=acts is None)
            # One matmul projects every timestep: (T·N, x)@(x, G·h) -> (T·N, G·h). Splitting it into
            # cache-sized chunks was measured and gained nothing.
            zs = (seq.reshape(t_len * n, -1) @ cell.W).reshape(t_len, n, g * h)
            zs += cell.b  # z_t = x_t W + b for every step; the loop adds h U and activates in place
            hs = out[:, :, k * h_out : (k + 1) * h_out]  # (T, N, h_out) this direction's half
            cs = np.empty((t_len, n, h), np.float32) if record.has_cell_state else None
            steps = range(t_len - 1, -1, -1) if direction == "backward" else range(t_len)
            if cs is not None:
                _run_lstm(cell, zs, hs, cs, steps, acts)
            else:
                _RUNS[record.cell](cell, zs, hs, steps, acts)
            last = 0 if direction == "backward" else t_len - 1  # where each direction stops
            blocks = {s: _frozen(zs[:, :, i * h : (i + 1) * h].transpose(1, 0, 2)) for i, s in enumerate(cell.symbols)}
            gates[(layer, direction)] = MappingProxyType({s: blocks[s] for s in _kinds(spec)})
            h_t[(layer, direction)] = _frozen(hs.transpose(1, 0, 2))
            h_n.append(hs[last])
            if cs is not None:
                c_t[(layer, direction)] = _frozen(cs.transpose(1, 0, 2))
                c_n.append(cs[last])
        seq = out
    return ForwardResult(
        spec=spec,
        outputs=_frozen(np.ascontiguousarray(seq.transpose(1, 0, 2))),
        h_n=_frozen(np.stack(h_n)),
        c_n=_frozen(np.stack(c_n)) if c_n else None,
        gates=MappingProxyType(gates),
        h_t=MappingProxyType(h_t),
        c_t=MappingProxyType(c_t),
    )


def _run_lstm(cell: _Cell, zs: Array, hs: Array, cs: Array, steps: Iterable[int], acts: _Acts | None) -> None:
    # Gate activations overwrite zs in place, so the trace costs no extra memory or copies.
    n, h = zs.shape[1], cell.units
    h_prev = np.zeros((n, hs.shape[2]), np.float32)
    c_prev = np.zeros((n, h), np.float32)
    rec = np.empty((n, 4 * h), np.float32)
    tmp = np.empty((n, h), np.float32)
    i, f, o, g = (zs[:, :, k * h : (k + 1) * h] for k in range(4))  # (T, N, h) each, compute order
    for t in steps:
        z = zs[t]
        np.matmul(h_prev, cell.U, out=rec)  # (N, h_out)@(h_out, 4h) -> (N, 4h)
        z += rec  # z = x W + b + h U
        if acts is None:
            _activate(z, 3 * h)
        else:
            acts.gate(z[:, : 3 * h])
            acts.act(z[:, 3 * h :])
        c = cs[t]
        np.multiply(f[t], c_prev, out=c)  # c_t = f * c_{t-1} + i * g
        np.multiply(i[t], g[t], out=tmp)
        c += tmp
        if acts is None:
            np.tanh(c, out=tmp)
        else:
            tmp[...] = c
            acts.act(tmp)
        if cell.P is None:
            np.multiply(o[t], tmp, out=hs[t])  # h_t = o * tanh(c_t)
        else:
            tmp *= o[t]
            np.matmul(tmp, cell.P, out=hs[t])  # h_t = (o * tanh(c_t)) W_hr^T: (N, h)@(h, p) -> (N, p)
        h_prev, c_prev = hs[t], c


def _run_gru(cell: _Cell, zs: Array, hs: Array, steps: Iterable[int], acts: _Acts | None) -> None:
    # Blocks r, z, candidate. Both frameworks: h_t = z * h_{t-1} + (1 - z) * n = n + z * (h_{t-1} - n).
    n, h = zs.shape[1], cell.units
    h_prev = np.zeros((n, h), np.float32)
    tmp = np.empty((n, h), np.float32)
    if cell.reset_after:
        rec = np.empty((n, 3 * h), np.float32)
    else:
        rec = np.empty((n, 2 * h), np.float32)
        u_rz, u_n = np.ascontiguousarray(cell.U[:, : 2 * h]), np.ascontiguousarray(cell.U[:, 2 * h :])
        rec_n = np.empty((n, h), np.float32)
    for t in steps:
        z = zs[t]
        rz, r, update, cand = z[:, : 2 * h], z[:, :h], z[:, h : 2 * h], z[:, 2 * h :]  # update gate is "z"
        if cell.reset_after:
            np.matmul(h_prev, cell.U, out=rec)  # (N, h)@(h, 3h) -> (N, 3h)
            rz += rec[:, : 2 * h]
            if acts is None:
                _activate(rz, 2 * h)
            else:
                acts.gate(rz)
            if cell.b_hn is not None:
                rec[:, 2 * h :] += cell.b_hn
            np.multiply(r, rec[:, 2 * h :], out=tmp)  # n = tanh(x W_n + b_in + r * (h U_n + b_hn))
            cand += tmp
        else:
            np.matmul(h_prev, u_rz, out=rec)  # (N, h)@(h, 2h) -> (N, 2h)
            rz += rec
            if acts is None:
                _activate(rz, 2 * h)
            else:
                acts.gate(rz)
            np.multiply(r, h_prev, out=tmp)
            np.matmul(tmp, u_n, out=rec_n)  # Keras reset_after=False: n = tanh(x W_n + (r * h) U_n + b)
            cand += rec_n
        if acts is None:
            np.tanh(cand, out=cand)
        else:
            acts.act(cand)
        np.subtract(h_prev, cand, out=tmp)
        tmp *= update
        np.add(cand, tmp, out=hs[t])
        h_prev = hs[t]


def _run_rnn(cell: _Cell, zs: Array, hs: Array, steps: Iterable[int], acts: _Acts | None) -> None:
    n = zs.shape[1]
    h_prev = np.zeros((n, cell.units), np.float32)
    rec = np.empty_like(h_prev)
    for t in steps:
        np.matmul(h_prev, cell.U, out=rec)  # (N, h)@(h, h) -> (N, h)
        zs[t] += rec
        if acts is None:
            np.tanh(zs[t], out=zs[t])  # h_t = tanh(x W + h U + b)
        else:
            acts.act(zs[t])
        hs[t] = zs[t]
        h_prev = hs[t]


def _activate(z: Array, sigmoid_width: int) -> None:
    # One tanh over every block; sigmoid(a) = (1 + tanh(a / 2)) / 2, and the a / 2 is already
    # in the weights, so the sigmoid blocks only need the final affine step.
    np.tanh(z, out=z)
    s = z[:, :sigmoid_width]
    s *= 0.5
    s += 0.5


def _kinds(spec: RecurrentSpec) -> tuple[str, ...]:
    return tuple(kind.symbol for kind in convention_of(spec).gates)


# The update rules without a cell state, by the record's cell.
_RUNS = {"gru": _run_gru, "rnn": _run_rnn}


def _prepare(
    spec: RecurrentSpec, layer: LayerCount, weights: Mapping[str, NDArray[np.generic]], halve: bool = True
) -> _Cell:
    """Turn one layer and direction's tensors into (x, G·h) / (h_out, G·h) compute layout.

    `halve`: pre-halve the sigmoid blocks for the tanh form of the sigmoid (default activations only).
    """
    record = layer.convention
    kinds = record.gates
    h, order = spec.units, record.compute_order
    sig = sum(kind.activation == "sigmoid" for kind in kinds) * h if halve else 0
    w = {t.role: _f32(weights[t.key]) for t in layer.tensors if t.role != BIAS}
    W, U, proj = w[INPUT], w[RECURRENT], w.get(PROJECTION)
    # Gates are column blocks (Keras) or row blocks (PyTorch, ONNX W[d] and R[d]).
    axis = 1 if record.gates_in_columns else 0
    sides: dict[str, Array] = {}
    for t in layer.tensors:
        if t.role == BIAS and t.rule is not None:
            sides |= _bias_sides(t.rule, _f32(weights[t.key]), len(kinds) * h)
    b_in, b_rec = sides.get(INPUT), sides.get(RECURRENT)
    b = np.zeros(len(kinds) * h, np.float32) if b_in is None else b_in.copy()
    b_hn = None
    if b_rec is not None:
        b_rec = b_rec.copy()
        if spec.uses_reset_after:
            cand = order[-1]  # the candidate's recurrent bias must stay inside r * (...)
            b_hn = b_rec[cand * h : (cand + 1) * h].copy()
            b_rec[cand * h : (cand + 1) * h] = 0.0
        b += b_rec
    W, U = _reorder(W, axis, order, h, sig), _reorder(U, axis, order, h, sig)
    if axis == 0:
        # PyTorch's (G·h, x) used through a transposed view: BLAS reads it as fast, and a
        # transposing copy would cost more than the whole input projection at batch 1.
        W, U = W.T, U.T
    return _Cell(
        units=h,
        W=W,
        U=U,
        b=_reorder(b, 0, order, h, sig),
        b_hn=b_hn,
        P=None if proj is None else proj.T,  # (p, h) -> (h, p) view
        reset_after=spec.uses_reset_after,
        symbols=tuple(kinds[k].symbol for k in order),
    )


def _bias_sides(rule: TensorRule, value: Array, g_h: int) -> dict[str, Array]:
    """A bias tensor's vectors by the product they are added to: one side, or two as rows (Keras's (2, G·h))
    or as halves along the gate axis (ONNX's B[d] = [Wb, Rb])."""
    if len(rule.sides) == 1:
        return {rule.sides[0]: value}
    parts = [value[k * g_h : (k + 1) * g_h] for k in range(rule.repeats)] if rule.repeats > 1 else list(value)
    return dict(zip(rule.sides, parts, strict=True))


def _reorder(a: Array, axis: int, order: tuple[int, ...], h: int, sigmoid_width: int) -> Array:
    """Gate blocks of `a` along `axis` in compute order (a fresh array), sigmoid blocks halved."""
    # Whole-block concatenation copies memory in order; a fancy-index gather is ~20x slower.
    out = np.concatenate([a[k * h : (k + 1) * h] if axis == 0 else a[:, k * h : (k + 1) * h] for k in order], axis)
    # Halving by a power of two is exact, so tanh(z / 2) sees exactly the framework's z / 2.
    if axis == 0:
        out[:sigmoid_width] *= 0.5
    else:
        out[:, :sigmoid_width] *= 0.5
    return out


def _f32(a: NDArray[np.generic]) -> Array:
    return np.asarray(a, dtype=np.float32)


def _frozen(a: Array) -> Array:
    a.flags.writeable = False
    return a


def _check_inputs(spec: RecurrentSpec, inputs: NDArray[np.generic]) -> Array:
    if inputs is None or isinstance(inputs, str | bytes | Mapping):
        raise SpecTypeError(f"inputs must be an array (batch, timesteps, features), got {type(inputs).__name__}")
    x = np.asarray(inputs)
    if x.ndim != 3 or x.shape[2] != spec.features:
        raise ValueError(
            f"inputs must be (batch, timesteps, features): expected (N, T, {spec.features}), got {x.shape}"
        )
    if x.shape[0] < 1 or x.shape[1] < 1:
        raise ValueError(f"inputs need at least one sample and one timestep, got shape {x.shape}")
    if not (np.issubdtype(x.dtype, np.floating) or np.issubdtype(x.dtype, np.integer) or x.dtype == np.bool_):
        raise ValueError(f"inputs must be real numbers, got dtype {x.dtype}")
    x = x.astype(np.float32, copy=False)
    if not np.isfinite(x).all():
        raise ValueError("inputs contain NaN or infinity")
    return x


def _check_weights(count: Breakdown, weights: Mapping[str, NDArray[np.generic]]) -> None:
    expected = {t.key: t.shape for t in count.tensors}
    for key, shape in expected.items():
        if key not in weights:
            raise ValueError(f"missing weight {key!r}: expected shape {shape}, got none")
        value = np.asarray(weights[key])
        # Real floats only: a cast would drop an imaginary part or parse strings without a word.
        if not np.issubdtype(value.dtype, np.floating):
            raise ValueError(f"weight {key!r} must hold real floating-point numbers, got dtype {value.dtype}")
        got = value.shape
        if got != shape:
            raise ValueError(f"weight {key!r} has the wrong shape: expected {shape}, got {got}")
        if not np.isfinite(value).all():
            raise ValueError(f"weight {key!r} contains NaN or infinity")
    for key in weights:
        if key not in expected:
            raise ValueError(f"unexpected weight {key!r}: expected no such tensor, got shape {np.shape(weights[key])}")
