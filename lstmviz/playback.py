"""What the run-through-time view plays: every value of one layer and direction at every timestep.

Pure: a ForwardResult and a LayerCount in, one frozen Playback out; the browser player reads it once
and moves through it with no server work per frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from lstmviz.counting import LayerCount
from lstmviz.equations import CELL_STATE, HIDDEN_STATE, cell_equations, live_equations
from lstmviz.forward import ForwardResult

TABLE_UNITS = 8  # the live table writes out at most this many units; the whole-pass figure shows all


@dataclass(frozen=True)
class Series:
    """One quantity over time: its key (gate symbol or state), title, colour key and values (T, h)."""

    key: str
    title: str
    activation: str  # "sigmoid", "tanh" or "" for the cell state (unbounded)
    values: NDArray[np.float32]


@dataclass(frozen=True)
class Playback:
    """One layer and direction through time: the series, and the equations with numbers at each step."""

    steps: int
    series: tuple[Series, ...]
    equations: tuple[tuple[str, ...], ...]  # [t - 1] → each update with its value at step t

    def values(self) -> dict[str, NDArray[np.float32]]:
        """Key → (T, h) values."""
        return {s.key: s.values for s in self.series}


def layer_series(result: ForwardResult, layer: LayerCount) -> tuple[Series, ...]:
    """Each gate, then c_t (LSTM) and h_t, of the first sample, for one layer and direction."""
    key = (layer.layer, layer.direction)
    gates = result.gates[key]
    out = [
        Series(g.kind.symbol, f"{g.kind.name} gate {g.kind.symbol}", g.kind.activation, gates[g.kind.symbol][0])
        for g in layer.gates
        if g.kind.symbol in gates
    ]
    if layer.convention.has_cell_state:
        out.append(Series(CELL_STATE, "cell state c_t", "", result.c_t[key][0]))
    out.append(Series(HIDDEN_STATE, "hidden state h_t", "tanh", result.h_t[key][0]))
    return tuple(out)


def playback(result: ForwardResult, layer: LayerCount) -> Playback:
    """Every value and every equation with numbers at each step, for one layer and direction."""
    series = layer_series(result, layer)
    values = {s.key: s.values for s in series}
    steps = int(series[0].values.shape[0])
    equations = cell_equations(layer)
    return Playback(steps, series, tuple(live_equations(equations, values, i) for i in range(steps)))


def player_data(
    play: Playback, colours: dict[str, str], fills: dict[str, str], units: int = TABLE_UNITS
) -> dict[str, Any]:
    """The player's JSON: steps, each series' title, text colour, bar colour and first `units` values per
    step (3 decimals), and the equations with numbers at each step."""
    return {
        "steps": play.steps,
        "equations": [list(lines) for lines in play.equations],
        "rows": [
            {
                "key": s.key,
                "title": s.title,
                "colour": colours.get(s.key, "#222222"),
                "fill": fills.get(s.key, "#222222"),
                "bounded": bool(s.activation),
                "low": 0.0 if s.activation == "sigmoid" else -1.0,
                "values": np.round(s.values[:, :units].astype(np.float64), 3).tolist(),
            }
            for s in play.series
        ],
        "units": int(play.series[0].values.shape[1]),
    }
