"""What each cell is made of: its gates, in each framework's own order."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GateKind:
    """One gate's dense layer: its name, symbol and activation."""

    name: str
    symbol: str
    activation: str


_I = GateKind("input", "i", "sigmoid")
_F = GateKind("forget", "f", "sigmoid")
_O = GateKind("output", "o", "sigmoid")
_Z = GateKind("update", "z", "sigmoid")
_R = GateKind("reset", "r", "sigmoid")

# Gate blocks in the order each framework stacks them inside its fused tensors:
# Keras kernel columns / PyTorch weight rows.
_GATES: dict[tuple[str, str], tuple[GateKind, ...]] = {
    ("keras", "lstm"): (_I, _F, GateKind("cell candidate", "c", "tanh"), _O),
    ("pytorch", "lstm"): (_I, _F, GateKind("cell candidate", "g", "tanh"), _O),
    ("keras", "gru"): (_Z, _R, GateKind("candidate", "h", "tanh")),
    ("pytorch", "gru"): (_R, _Z, GateKind("new", "n", "tanh")),
    ("onnx", "lstm"): (_I, _O, _F, GateKind("cell candidate", "c", "tanh")),  # ONNX LSTM: i, o, f, c
    ("onnx", "gru"): (_Z, _R, GateKind("candidate", "h", "tanh")),  # ONNX GRU: z, r, h
    ("keras", "rnn"): (GateKind("hidden", "h", "tanh"),),
    ("pytorch", "rnn"): (GateKind("hidden", "h", "tanh"),),
    ("onnx", "rnn"): (GateKind("hidden", "h", "tanh"),),
}

LAYER_CLASS = {
    ("keras", "lstm"): "LSTM",
    ("keras", "gru"): "GRU",
    ("keras", "rnn"): "SimpleRNN",
    ("pytorch", "lstm"): "nn.LSTM",
    ("pytorch", "gru"): "nn.GRU",
    ("pytorch", "rnn"): "nn.RNN",
    ("onnx", "lstm"): "LSTM",  # operator names
    ("onnx", "gru"): "GRU",
    ("onnx", "rnn"): "RNN",
}


def class_name(framework: str, cell: str) -> str:
    """The layer's class name in its framework's namespace: LSTM, SimpleRNN, RNN (no "nn.")."""
    return LAYER_CLASS[(framework, cell)].removeprefix("nn.")


def gate_kinds(framework: str, cell: str) -> tuple[GateKind, ...]:
    """The gates of a cell in the framework's tensor order."""
    return _GATES[(framework, cell)]
