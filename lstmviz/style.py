"""Colours, sizes and contrast shared by every figure, in one place (labels live in lstmviz.conventions).

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
    "j": "#009E73",  # TF1's cell candidate
    "u": "#56B4E9",  # TF1's update gate
}
# The same hues darkened for text: every gate label reaches 5:1 on white and on the diagram's grey.
GATE_TEXT = {
    "i": "#006BA8",
    "f": "#885E00",
    "c": "#007555",
    "g": "#007555",
    "o": "#A9407A",
    "z": "#156D9E",
    "r": "#AA4B00",
    "h": "#007555",
    "n": "#007555",
    "j": "#007555",
    "u": "#156D9E",
}
# Parts of a gate are not gates: neutral tones plus a hatch, so no colour means two things.
PART_COLOURS = {
    "input weights": "#4D4D4D",
    "recurrent weights": "#8C8C8C",
    "biases": "#D0D0D0",
    "projection weights": "#F0F0F0",
}
PART_PATTERN = {"input weights": "", "recurrent weights": "/", "biases": ".", "projection weights": "x"}
# The states are not gates: black for h_t, brown for c_t (no gate uses either).
STATE_COLOURS = {"hidden state": "#000000", "cell state": "#8B5A2B"}
INK = "#222222"
MUTED = "#595959"  # the lightest grey text may use: 7:1 on white
PAPER = "#FFFFFF"
LINE = "#444444"
DIAGRAM_BACK = "#F4F4F4"
SELECTED_FILL = "#FFF2B3"  # a selected table row: pale yellow, no gate hue, black text stays 18:1
DIM = 0.28  # opacity of what is not selected
WEIGHT_SCALE = "RdBu_r"  # diverging, colour-blind safe; zero is white
FONT = "Helvetica, Arial, sans-serif"


@dataclass(frozen=True)
class Theme:
    """Sizes for a screen or a projector (presentation mode)."""

    font_size: int = 13
    title_size: int = 16
    line_width: float = 1.6
    figure_height: int = 460


SCREEN = Theme()
# figure_height fits a 1280 × 720 slide with the chart's heading: 720 minus the browser's and Streamlit's bars.
PROJECTOR = Theme(font_size=20, title_size=24, line_width=3.0, figure_height=540)


def gate_colour(symbol: str) -> str:
    """The colour of a gate, by its symbol (swatches, boxes, bars)."""
    return GATE_COLOURS.get(symbol, MUTED)


def gate_text_colour(symbol: str) -> str:
    """The darkened colour of a gate for text, at least 4.5:1 on white."""
    return GATE_TEXT.get(symbol, INK)


def _luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two #RRGGBB colours (1 to 21)."""
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def blend(colour: str, opacity: float, under: str = PAPER) -> str:
    """What `colour` drawn at `opacity` over `under` looks like, as #RRGGBB."""

    def channels(c: str) -> list[int]:
        return [int(c.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]

    mixed = [round(a * opacity + b * (1 - opacity)) for a, b in zip(channels(colour), channels(under), strict=True)]
    return "#" + "".join(f"{c:02X}" for c in mixed)


def readable_on(fill: str) -> str:
    """Text colour for a bar or swatch of colour `fill`: INK if it reads at 4.5:1, else black or white."""
    if contrast(INK, fill) >= 4.5:
        return INK
    return max(("#000000", PAPER), key=lambda text: contrast(text, fill))
