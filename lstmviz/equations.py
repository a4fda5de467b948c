"""A cell's update equations in its framework's notation, and the same equations with live numbers.

Keys follow lstmviz.forward: a gate's symbol, "cell state" (c_t) and "hidden state" (h_t).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from lstmviz.counting import LayerCount

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
