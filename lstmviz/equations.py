"""A cell's update equations in its framework's notation, and the same equations with live numbers.

Keys follow lstmviz.forward: a gate's symbol, "cell state" (c_t) and "hidden state" (h_t).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from lstmviz.conventions import ACTIVATION_SYMBOL, TENSOR_LETTER
from lstmviz.counting import LayerCount, Tensor

CELL_STATE, HIDDEN_STATE = "cell state", "hidden state"
SHOWN_UNITS = 3  # up to this many units every value is written out; above it, mean and range


@dataclass(frozen=True)
class Equation:
    """One update: which series it produces, its left side and its right side."""

    key: str
    lhs: str
    rhs: str


def _candidate(symbol: str) -> str:
    # Keras names the LSTM candidate c and the GRU candidate h, which clash with the states.
    return {"c": "c̃", "h": "h̃"}.get(symbol, symbol)


def _affine(layer: LayerCount, symbol: str, reset: str = "") -> str:
    """W x_t + U h_t−1 + b for one gate, as the framework writes it; `reset` wraps the recurrent part."""
    notation, bias = layer.convention.notation, layer.bias_vectors
    w, u, b_in, b_rec = (
        t.format(s=symbol) for t in (notation.input, notation.recurrent, notation.input_bias, notation.recurrent_bias)
    )
    x_part = f"{w} x_t" + (f" + {b_in}" if bias else "")
    h_part = f"{u} h_t−1" + (f" + {b_rec}" if bias == 2 else "")
    if reset == "after":  # r ⊙ (U h + b'): the reset gate scales the recurrent product
        return f"{x_part} + r_t ⊙ ({h_part})"
    if bias == 1 and not reset:  # the tutorial's own order: W x_t + U h_t−1 + b
        return f"{w} x_t + {u} h_t−1 + {b_in}"
    if reset == "before":  # U (r ⊙ h)
        return f"{w} x_t + {u} (r_t ⊙ h_t−1)" + (f" + {b_in}" if bias else "")
    return f"{x_part} + {h_part}"


def cell_equations(layer: LayerCount) -> tuple[Equation, ...]:
    """The cell's updates in order, for one layer and direction."""
    return _UPDATES[layer.cell](layer)


def _gate_equations(layer: LayerCount, reset_gated: bool = False) -> list[Equation]:
    """One equation per gate; in a GRU the candidate's recurrent part is gated by r (before or after U)."""
    eqs = []
    for gate in layer.gates:
        s, reset = gate.kind.symbol, ""
        if reset_gated and gate.kind.activation == "tanh":
            reset = "after" if layer.reset_after else "before"
        rhs = f"{ACTIVATION_SYMBOL[gate.kind.activation]}({_affine(layer, s, reset)})"
        eqs.append(Equation(s, f"{_candidate(s)}_t", rhs))
    return eqs


def _lstm(layer: LayerCount) -> tuple[Equation, ...]:
    # Read in the update rule's order (i, f, o, c), whatever the tensor order: ONNX stores i, o, f, c.
    i, f, o, c = (layer.gates[k].kind.symbol for k in layer.convention.compute_order)
    out = f"{o}_t ⊙ tanh(c_t)"
    return (
        *_gate_equations(layer),
        Equation(CELL_STATE, "c_t", f"{f}_t ⊙ c_t−1 + {i}_t ⊙ {_candidate(c)}_t"),
        Equation(HIDDEN_STATE, "h_t", f"W_hr ({out})" if layer.projection else out),
    )


def _gru(layer: LayerCount) -> tuple[Equation, ...]:
    cand = _candidate(layer.gates[layer.convention.compute_order[-1]].kind.symbol)
    rhs = layer.convention.notation.state_update.format(cand=cand)
    return (*_gate_equations(layer, reset_gated=True), Equation(HIDDEN_STATE, "h_t", rhs))


def _rnn(layer: LayerCount) -> tuple[Equation, ...]:
    (gate,) = layer.gates
    return (Equation(HIDDEN_STATE, "h_t", f"tanh({_affine(layer, gate.kind.symbol)})"),)


# The update rule of each cell family.
_UPDATES = {"lstm": _lstm, "gru": _gru, "rnn": _rnn}


def brief(values: NDArray[np.floating]) -> str:
    """A vector in a few characters: every value when short, else its mean and range."""
    if values.size <= SHOWN_UNITS:
        return "[" + ", ".join(f"{v:.2f}" for v in values) + "]"
    return f"mean {values.mean():.2f} ({values.min():.2f} … {values.max():.2f})"


def live_equations(
    equations: tuple[Equation, ...], series: Mapping[str, NDArray[np.floating]], index: int
) -> tuple[str, ...]:
    """Each equation with its value at timestep index + 1, e.g. f_t = σ(W_f x_t + U_f h_t−1 + b_f) = [0.68, 0.51]."""
    return tuple(f"{e.lhs} = {e.rhs} = {brief(series[e.key][index])}" for e in equations if e.key in series)


@dataclass(frozen=True)
class Term:
    """One term of an equation as written, and the shape of what it names ("" for an operator)."""

    text: str
    shape: str = ""


def block_name(tensor: Tensor, symbol: str) -> str:
    """A gate block named as its framework documents it: W_f, U_f, b_f (Keras); W_if, W_hf, b_if, b_hf (PyTorch)."""
    if tensor.role == "bias" and tensor.name.startswith(("bias_ih", "bias_hh")):
        return f"b_{tensor.name[5]}{symbol}"
    if tensor.name.startswith(("weight_ih", "weight_hh")):
        return f"W_{tensor.name[7]}{symbol}"
    return f"{TENSOR_LETTER[tensor.role]}_{symbol}"


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(f"{n:,}" for n in shape) + ("," if len(shape) == 1 else "") + ")"


def _affine_terms(layer: LayerCount, named: dict[str, tuple[str, tuple[int, ...]]]) -> list[Term]:
    """W x_t + U h_t−1 + b (Keras's one bias last; PyTorch's bias beside its product), from role → (name, shape)."""
    x, h = _shape((layer.input_size,)), _shape((layer.hidden_out,))
    terms = [Term(named["input"][0], _shape(named["input"][1])), Term("x_t", x)]
    biases = [(k, v) for k, v in named.items() if k.startswith("bias")]
    if len(biases) == 2:  # one bias beside each product
        terms += [Term("+"), Term(biases[0][1][0], _shape(biases[0][1][1]))]
    terms += [Term("+"), Term(named["recurrent"][0], _shape(named["recurrent"][1])), Term("h_t−1", h)]
    for _, (name, shape) in biases[-1:]:
        terms += [Term("+"), Term(name, _shape(shape))]
    return terms


def gate_terms(layer: LayerCount, symbol: str) -> tuple[Term, ...]:
    """One gate's update with the shape of every term: f_t = σ(W_f x_t + U_f h_t−1 + b_f), W_f (3, 2) ..."""
    gate = next(g for g in layer.gates if g.kind.symbol == symbol)
    tensors = {t.name: t for t in layer.tensors}
    named: dict[str, tuple[str, tuple[int, ...]]] = {}
    for part in gate.slices:
        tensor = tensors[part.tensor]
        shape = list(tensor.shape)
        if part.axis < len(shape):
            shape[part.axis] = part.stop - part.start
        name = block_name(tensor, symbol)
        if tensor.role != "bias":
            named[tensor.role] = (name, tuple(shape))
        elif len(shape) == 2 and shape[0] == 2:  # Keras's reset-after GRU: input and recurrent bias rows
            named |= {"bias0": (name, (shape[1],)), "bias1": (name.replace("b_", "b'_"), (shape[1],))}
        else:  # ONNX's B holds both biases: the second block is b'
            taken = {v[0] for k, v in named.items() if k.startswith("bias")}
            named[f"bias{len(taken)}"] = (name.replace("b_", "b'_") if name in taken else name, tuple(shape))
    act = ACTIVATION_SYMBOL[gate.kind.activation]
    output = "h" if len(layer.gates) == 1 else _candidate(symbol)  # a one-gate cell's output is h_t itself
    out = Term(f"{output}_t", _shape((layer.units,)))
    return (out, Term(f"= {act}("), *_affine_terms(layer, named), Term(")"))


def fused_terms(layer: LayerCount) -> tuple[Term, ...]:
    """Every gate at once with the fused tensors: z = σ/tanh(W x_t + U h_t−1 + b), z holding G·h values."""
    named: dict[str, tuple[str, tuple[int, ...]]] = {}
    for tensor in layer.tensors:
        if tensor.role in ("input", "recurrent"):
            named[tensor.role] = (tensor.name, tensor.shape)
        elif tensor.role == "bias":
            named[f"bias{len([k for k in named if k.startswith('bias')])}"] = (tensor.name, tensor.shape)
    width = len(layer.gates) * layer.units
    return (Term("z_t", _shape((width,))), Term("="), *_affine_terms(layer, named))
