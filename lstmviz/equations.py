"""A cell's update equations in its framework's notation, and the same equations with live numbers.

Keys follow lstmviz.forward: a gate's symbol, "cell state" (c_t) and "hidden state" (h_t).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from lstmviz.conventions import TENSOR_LETTER
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
    keras, bias = layer.framework == "keras", layer.bias_vectors
    w, u = (f"W_{symbol}", f"U_{symbol}") if keras else (f"W_i{symbol}", f"W_h{symbol}")
    b_in, b_rec = (f"b_{symbol}", f"b'_{symbol}") if keras else (f"b_i{symbol}", f"b_h{symbol}")
    if layer.cell == "rnn":
        w, u, b_in, b_rec = ("W", "U", "b", "b'") if keras else ("W_ih", "W_hh", "b_ih", "b_hh")
    x_part = f"{w} x_t" + (f" + {b_in}" if bias else "")
    h_part = f"{u} h_t−1" + (f" + {b_rec}" if bias == 2 else "")
    if reset == "after":  # r ⊙ (U h + b'): the reset gate scales the recurrent product
        return f"{x_part} + r_t ⊙ ({h_part})"
    if keras and bias == 1 and not reset:  # the tutorial's own order: W x_t + U h_t−1 + b
        return f"{w} x_t + {u} h_t−1 + {b_in}"
    if reset == "before":  # U (r ⊙ h)
        return f"{w} x_t + {u} (r_t ⊙ h_t−1)" + (f" + {b_in}" if bias else "")
    return f"{x_part} + {h_part}"


def cell_equations(layer: LayerCount) -> tuple[Equation, ...]:
    """The cell's updates in order, for one layer and direction."""
    gates = {g.kind.symbol: g for g in layer.gates}
    act = {"sigmoid": "σ", "tanh": "tanh"}
    eqs: list[Equation] = []
    if layer.cell == "rnn":
        (gate,) = layer.gates
        return (Equation(HIDDEN_STATE, "h_t", f"tanh({_affine(layer, gate.kind.symbol)})"),)
    for s, gate in gates.items():
        reset = ""
        if layer.cell == "gru" and gate.kind.activation == "tanh":
            reset = "after" if layer.reset_after else "before"
        eqs.append(Equation(s, f"{_candidate(s)}_t", f"{act[gate.kind.activation]}({_affine(layer, s, reset)})"))
    if layer.cell == "lstm":
        i, f, c, o = (g.kind.symbol for g in layer.gates)
        eqs.append(Equation(CELL_STATE, "c_t", f"{f}_t ⊙ c_t−1 + {i}_t ⊙ {_candidate(c)}_t"))
        out = f"{o}_t ⊙ tanh(c_t)"
        eqs.append(Equation(HIDDEN_STATE, "h_t", f"W_hr ({out})" if layer.projection else out))
    else:
        cand = _candidate(layer.gates[2].kind.symbol)
        rhs = (
            f"z_t ⊙ h_t−1 + (1 − z_t) ⊙ {cand}_t"
            if layer.framework == "keras"
            else f"(1 − z_t) ⊙ {cand}_t + z_t ⊙ h_t−1"
        )
        eqs.append(Equation(HIDDEN_STATE, "h_t", rhs))
    return tuple(eqs)


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
    act = {"sigmoid": "σ", "tanh": "tanh"}[gate.kind.activation]
    output = "h" if layer.cell == "rnn" else _candidate(symbol)
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
