"""Convert a recurrent layer's weights between Keras 3 and PyTorch layouts, and prove it.

Keras keeps gates as column blocks of kernel (x, G·h), recurrent_kernel (h, G·h) and one bias
(G·h,) or, in a reset-after GRU, (2, G·h); PyTorch keeps them as row blocks of weight_ih (G·h, x),
weight_hh (G·h, h) and two biases. LSTM gate blocks keep their order (i, f, c/g, o); GRU blocks
go from Keras z, r, h to PyTorch r, z, n. The proof runs lstmviz.forward on both sides with the
same inputs; a conversion whose outputs differ by more than TOLERANCE is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from lstmviz.conventions import FRAMEWORK_LABEL, GateKind, convention, gate_kinds
from lstmviz.counting import LayerCount, Tensor, breakdown
from lstmviz.forward import forward
from lstmviz.inputs import random_inputs
from lstmviz.spec import RecurrentSpec, option_applies

TARGETS = ("pytorch", "keras")
TOLERANCE = 1e-5
PROOF_BATCH = 2
PROOF_TIMESTEPS = 40
PEEPHOLES = "peephole connections (an ONNX LSTM's P) exist in neither a Keras 3 LSTM nor nn.LSTM"

Array = NDArray[np.float32]


class ConversionRefused(ValueError):
    """A layer that cannot be converted; the message says why, in one line."""


@dataclass(frozen=True)
class Proof:
    """Both layouts run on the same inputs: the largest output difference and how many outputs."""

    max_abs_diff: float
    batch: int
    timesteps: int
    width: int  # outputs per timestep: directions × units

    @property
    def ok(self) -> bool:
        """Whether the two sides agree within TOLERANCE."""
        return self.max_abs_diff <= TOLERANCE

    @property
    def outputs(self) -> int:
        """Number of output values compared."""
        return self.batch * self.timesteps * self.width

    @property
    def text(self) -> str:
        """One line, e.g. 'max |Δ| = 3.1e-07 over 2×40×4 outputs'."""
        return f"max |Δ| = {self.max_abs_diff:.1e} over {self.batch}×{self.timesteps}×{self.width} outputs"


@dataclass(frozen=True, eq=False)
class Conversion:
    """One layer in both layouts (read-only weights keyed by `Tensor.key`) and the proof they agree."""

    name: str
    source: RecurrentSpec
    source_weights: Mapping[str, Array]
    target: RecurrentSpec
    target_weights: Mapping[str, Array]
    proof: Proof


def refusal(spec: RecurrentSpec, to: str, *, activation: str = "default", peepholes: bool = False) -> str | None:
    """Why `spec` cannot become a `to` layer (one line), or None when it can."""
    if to not in TARGETS:
        return f"the target must be one of {', '.join(TARGETS)}; got {to!r}"
    if spec.framework == to:
        return f"the layer is already in {to} layout"
    if peepholes:
        return PEEPHOLES
    if spec.framework not in TARGETS:
        return f"convert reads Keras and PyTorch layers, not {spec.framework} ones"
    if "go_backwards" in activation or "merge_mode" in activation:
        return (
            f"{activation}: nn.LSTM, nn.GRU and nn.RNN read forward in time and concatenate the two "
            "directions, so this layer has no PyTorch twin"
        )
    if activation != "default":
        return (
            f"non-default activation ({activation}): nn.LSTM, nn.GRU and lstmviz's proof compute only "
            "tanh with sigmoid gates"
        )
    if not spec.uses_reset_after and convention(to, spec.cell).fixed.get("reset_after"):
        return (
            "a Keras GRU with reset_after=False applies the reset gate before the recurrent matmul; "
            "nn.GRU always applies it after, so it has no PyTorch twin"
        )
    if spec.proj_size:
        return f"a PyTorch LSTM with proj_size={spec.proj_size} projects h_t through weight_hr; no Keras layer does"
    return None


def target_spec(spec: RecurrentSpec, to: str) -> RecurrentSpec:
    """The twin layer in the `to` framework; raises ConversionRefused when there is none."""
    why = refusal(spec, to)
    if why is not None:
        raise ConversionRefused(why)
    # A Keras twin returns the whole sequence, as every PyTorch module does; a GRU twin in Keras
    # resets after the matmul, as nn.GRU does.
    # (reset_after is True on every other layer too: it is refused off its default.)
    sequences = option_applies("return_sequences", to, spec.cell)
    return replace(spec, framework=to, return_sequences=sequences, reset_after=True)


def gate_order(cell: str, source: str, target: str) -> tuple[int, ...]:
    """For each gate block of the target layout, the index of the source block it comes from."""
    kinds = gate_kinds(source, cell)
    return tuple(_twin(kind, kinds) for kind in gate_kinds(target, cell))


def _twin(kind: GateKind, kinds: tuple[GateKind, ...]) -> int:
    # Sigmoid gates share names across frameworks (input, forget, update, reset, ...); the one
    # tanh block is the candidate, named "candidate" in Keras and "new" in PyTorch.
    for index, other in enumerate(kinds):
        if other.name == kind.name or (kind.activation == "tanh" and other.activation == "tanh"):
            return index
    raise AssertionError(f"no twin for gate {kind.name!r}")  # cells.py lists the same gates for both


@dataclass(frozen=True)
class GateMove:
    """Where one gate's block sits before and after converting: block index and symbol on each side."""

    name: str  # the gate's name in the source framework
    source_symbol: str
    source_block: int
    target_symbol: str
    target_block: int

    @property
    def moved(self) -> bool:
        """Whether the block changes position (the GRU's update and reset gates do)."""
        return self.source_block != self.target_block


def gate_moves(spec: RecurrentSpec, to: str) -> tuple[GateMove, ...]:
    """Every gate of `spec` in source order, with its block position in the `to` layout."""
    order = gate_order(spec.cell, spec.framework, to)
    source, target = gate_kinds(spec.framework, spec.cell), gate_kinds(to, spec.cell)
    return tuple(
        GateMove(kind.name, kind.symbol, k, target[order.index(k)].symbol, order.index(k))
        for k, kind in enumerate(source)
    )


def gate_move_rows(spec: RecurrentSpec, to: str) -> list[dict[str, str]]:
    """A table of where each gate's input-weight block goes, e.g. kernel[:, 0:2] -> weight_ih[2:4, :]."""
    h = spec.units

    def where(framework: str, block: int) -> str:
        record, span = convention(framework, spec.cell), f"{block * h}:{(block + 1) * h}"
        name = record.input_rule.base_name
        return f"{name}[:, {span}]" if record.gates_in_columns else f"{name}[{span}, :]"

    return [
        {
            "gate": f"{move.name} ({move.source_symbol})",
            FRAMEWORK_LABEL[spec.framework]: where(spec.framework, move.source_block),
            FRAMEWORK_LABEL[to]: f"{where(to, move.target_block)} ({move.target_symbol})",
            "moved": "yes" if move.moved else "no",
        }
        for move in gate_moves(spec, to)
    ]


def _blocks(a: Array, order: tuple[int, ...], h: int, axis: int) -> Array:
    """The gate blocks of `a` along `axis`, rearranged so block k is source block order[k]."""
    parts = [np.take(a, range(k * h, (k + 1) * h), axis=axis) for k in order]
    return np.ascontiguousarray(np.concatenate(parts, axis=axis), dtype=np.float32)


def _by_name(layer: LayerCount, weights: Mapping[str, NDArray[np.generic]]) -> dict[str, Array]:
    # Tensors of one layer and direction keyed by role ("input", ...), with two PyTorch biases told apart.
    out: dict[str, Array] = {}
    for tensor in layer.tensors:
        role = tensor.role
        if role == "bias" and tensor.name.startswith("bias_hh"):
            role = "bias_hh"
        out[role] = np.asarray(weights[tensor.key], dtype=np.float32)
    return out


def _to_pytorch(src: dict[str, Array], tensors: tuple[Tensor, ...], order: tuple[int, ...], h: int) -> dict[str, Array]:
    w_ih = _blocks(src["input"], order, h, axis=1).T  # (x, G·h) -> (G·h, x)
    w_hh = _blocks(src["recurrent"], order, h, axis=1).T
    values = {"input": np.ascontiguousarray(w_ih), "recurrent": np.ascontiguousarray(w_hh)}
    if "bias" in src:
        bias = src["bias"]
        if bias.ndim == 2:  # reset-after GRU: row 0 is the input bias, row 1 the recurrent one
            values["bias"], values["bias_hh"] = _blocks(bias[0], order, h, 0), _blocks(bias[1], order, h, 0)
        else:  # one Keras bias: all of it is added outside the recurrence, like bias_ih
            values["bias"], values["bias_hh"] = _blocks(bias, order, h, 0), np.zeros_like(bias)
    return _keyed(tensors, values)


def _to_keras(src: dict[str, Array], tensors: tuple[Tensor, ...], order: tuple[int, ...], h: int) -> dict[str, Array]:
    values = {
        "input": _blocks(src["input"].T, order, h, axis=1),  # (G·h, x) -> (x, G·h)
        "recurrent": _blocks(src["recurrent"].T, order, h, axis=1),
    }
    if "bias" in src:
        b_ih, b_hh = _blocks(src["bias"], order, h, 0), _blocks(src["bias_hh"], order, h, 0)
        bias_shape = next(t.shape for t in tensors if t.role == "bias")
        # A GRU keeps both rows (its recurrent candidate bias sits inside r * (...)); an LSTM or
        # RNN adds both biases before any nonlinearity, so Keras's one bias is their sum.
        values["bias"] = np.stack([b_ih, b_hh]) if len(bias_shape) == 2 else b_ih + b_hh
    return _keyed(tensors, values)


def _keyed(tensors: tuple[Tensor, ...], values: dict[str, Array]) -> dict[str, Array]:
    out = {}
    for tensor in tensors:
        role = "bias_hh" if tensor.role == "bias" and tensor.name.startswith("bias_hh") else tensor.role
        out[tensor.key] = values[role]
    return out


def convert_weights(
    spec: RecurrentSpec, weights: Mapping[str, NDArray[np.generic]], to: str
) -> tuple[RecurrentSpec, dict[str, Array]]:
    """The twin spec and its float32 weights (keyed by `Tensor.key`); raises ConversionRefused."""
    target = target_spec(spec, to)
    order = gate_order(spec.cell, spec.framework, to)
    mapper = {"pytorch": _to_pytorch, "keras": _to_keras}[to]  # TARGETS
    out: dict[str, Array] = {}
    for src_layer, dst_layer in zip(breakdown(spec).layers, breakdown(target).layers, strict=True):
        out.update(mapper(_by_name(src_layer, weights), dst_layer.tensors, order, spec.units))
    return target, out


def prove(
    source: RecurrentSpec,
    source_weights: Mapping[str, NDArray[np.generic]],
    target: RecurrentSpec,
    target_weights: Mapping[str, NDArray[np.generic]],
    seed: int = 0,
) -> Proof:
    """Run both layouts on the same seeded inputs (PROOF_BATCH × PROOF_TIMESTEPS) and compare outputs."""
    inputs = random_inputs(PROOF_BATCH, PROOF_TIMESTEPS, source.features, seed=seed)
    a = forward(source, source_weights, inputs).outputs
    b = forward(target, target_weights, inputs).outputs
    diff = float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64)))) if a.shape == b.shape else np.inf
    return Proof(diff, PROOF_BATCH, PROOF_TIMESTEPS, a.shape[2])


def convert(
    spec: RecurrentSpec,
    weights: Mapping[str, NDArray[np.generic]],
    to: str,
    *,
    name: str = "",
    activation: str = "default",
    peepholes: bool = False,
) -> Conversion:
    """Convert one layer to the `to` framework and prove it; raises ConversionRefused with one line."""
    label = f"{name}: " if name else ""
    why = refusal(spec, to, activation=activation, peepholes=peepholes)
    if why is not None:
        raise ConversionRefused(label + why)
    try:
        target, converted = convert_weights(spec, weights, to)
        proof = prove(spec, weights, target, converted)
    except (KeyError, ValueError) as error:  # weights missing, misshapen or not finite
        raise ConversionRefused(f"{label}{error}") from None
    if not proof.ok:
        raise ConversionRefused(
            f"{label}the converted layer's outputs differ ({proof.text} > {TOLERANCE:g}); not written"
        )
    return Conversion(
        name=name,
        source=spec,
        source_weights=MappingProxyType({k: _frozen(v) for k, v in weights.items()}),
        target=target,
        target_weights=MappingProxyType({k: _frozen(v) for k, v in converted.items()}),
        proof=proof,
    )


def _frozen(a: NDArray[np.generic]) -> Array:
    out = np.array(a, dtype=np.float32)  # a private copy, so the caller's arrays stay theirs
    out.flags.writeable = False
    return out


def count_change(source_spec: RecurrentSpec, target_spec: RecurrentSpec) -> str:
    """Why the count changes (or not) from source to target, in one sentence, e.g. "1,600 Keras 3 parameters
    → 1,664 PyTorch (+64: PyTorch keeps 2 bias vectors per gate, Keras 3 1; the second, bias_hh, is zero)"."""
    source, target = breakdown(source_spec), breakdown(target_spec)
    before, after = source.total, target.total
    src, dst = FRAMEWORK_LABEL[source_spec.framework], FRAMEWORK_LABEL[target_spec.framework]
    head = f"{before:,} {src} parameters → {after:,} {dst}"
    if after == before:
        return f"{head}: the same count, only the layout changes"
    m, n = source.layers[0].bias_vectors, target.layers[0].bias_vectors
    extra = [t.name for t in target.layers[0].tensors if t.role == "bias"][m:]
    why = (
        f"{dst} keeps {n} bias vectors per gate, {src} {m}; the extra one ({', '.join(extra)}) is written as zeros"
        if after > before
        else f"{src}'s {m} bias vectors per gate are summed into {dst}'s {n}"
    )
    return f"{head} ({after - before:+,}: {why})"
