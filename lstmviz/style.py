"""Colours and labels shared by every figure, in one place.

Gate colours come from the Okabe-Ito palette, which stays distinguishable under the common
colour-vision deficiencies; weight values use a diverging blue-red scale centred on zero.
"""

from __future__ import annotations

from dataclasses import dataclass

# Okabe-Ito, keyed by gate symbol; the candidate gate shares green across frameworks.
GATE_COLOURS = {
    "i": "#0072B2",  # blue
    "f": "#E69F00",  # orange
    "c": "#009E73",  # bluish green
    "g": "#009E73",
    "o": "#CC79A7",  # reddish purple
    "z": "#56B4E9",  # sky blue
    "r": "#D55E00",  # vermillion
    "h": "#009E73",
    "n": "#009E73",
}
PART_COLOURS = {
    "input weights": "#0072B2",
    "recurrent weights": "#E69F00",
    "biases": "#009E73",
    "projection weights": "#CC79A7",
}
# The states are not gates: black for h_t, brown for c_t (no gate uses either).
STATE_COLOURS = {"hidden state": "#000000", "cell state": "#8B5A2B"}
INK = "#222222"
MUTED = "#666666"
PAPER = "#FFFFFF"
LINE = "#444444"
WEIGHT_SCALE = "RdBu_r"  # diverging, colour-blind safe; zero is white
FONT = "Helvetica, Arial, sans-serif"

ACTIVATION_SYMBOL = {"sigmoid": "σ", "tanh": "tanh"}
FRAMEWORK_LABEL = {"keras": "Keras 3", "pytorch": "PyTorch", "onnx": "ONNX"}
CELL_LABEL = {"lstm": "LSTM", "gru": "GRU", "rnn": "SimpleRNN / RNN"}
TENSOR_LETTER = {"input": "W", "recurrent": "U", "bias": "b", "projection": "W_hr"}  # the lesson's names


@dataclass(frozen=True)
class Theme:
    """Sizes for a screen or a projector (presentation mode)."""

    font_size: int = 13
    title_size: int = 16
    line_width: float = 1.6
    figure_height: int = 460


SCREEN = Theme()
PROJECTOR = Theme(font_size=20, title_size=26, line_width=3.0, figure_height=620)


def gate_colour(symbol: str) -> str:
    """The colour of a gate, by its symbol."""
    return GATE_COLOURS.get(symbol, MUTED)
