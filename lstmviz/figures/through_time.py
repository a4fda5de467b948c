"""The run-through-time figure: the whole pass, every row over every timestep, with a step marker.

The figure holds every row's data once and never depends on t: the browser player
(lstmviz/ui/player.py) moves the step markers (Plotly.animate, no redraw), so stepping and Play
cost the server nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from math import ceil
from typing import Any

import numpy as np
import plotly.graph_objects as go
from numpy.typing import NDArray

from lstmviz.figures.frozen import frozen_figure
from lstmviz.style import FONT, INK, MUTED, PAPER, SCREEN, STATE_COLOURS, Theme, gate_text_colour

LINE_LIMIT = 8  # up to this many features/units a row is drawn as lines, above it as a heatmap
GAP_PX = 34  # between rows: room for each row's title
# Below the plot, top to bottom: tick labels, the x axis title, the colour bars in a row (horizontal, so a
# phone's narrow plot keeps its width); in pixels at the screen's font size.
COLORBARS_PX, BOTTOM_PX = 62, 130

# One colour scale per kind of quantity; the input, gates, tanh values and the cell state each get their own.
SCALES: dict[str, dict[str, Any]] = {
    "input": {"colorscale": "Greys", "title": "x_t"},
    "sigmoid": {"colorscale": "Viridis", "cmin": 0, "cmax": 1, "title": "σ gate"},
    "tanh": {"colorscale": "RdBu_r", "cmin": -1, "cmax": 1, "title": "tanh, h_t"},
    "cell": {"colorscale": "PuOr_r", "title": "c_t"},
}


@dataclass(frozen=True)
class Row:
    """One band of the figure: a title, its values (T, n) and how to colour them."""

    key: str
    title: str
    values: NDArray[np.floating]
    scale: str  # a SCALES key, or "" for lines
    colour: str = INK


def _row_px(row: Row) -> int:
    n = row.values.shape[1]
    if not row.scale:
        return 120
    return int(min(170, max(56, 14 * n)))


def _line_colours(n: int) -> list[str]:
    palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#999999"]
    return palette[:n]


def through_time_figure(rows: Sequence[Row], theme: Theme = SCREEN) -> go.Figure:
    """All rows over timesteps 1..T with a step marker on each (traces with meta "step"), no frames: the
    browser player moves the markers to its t with Plotly.animate, so the figure never depends on t."""
    steps = rows[0].values.shape[0]
    scale = theme.font_size / SCREEN.font_size
    sizes = [_row_px(r) * scale for r in rows]
    gap = GAP_PX * scale
    top, bottom = 10, int(BOTTOM_PX * scale)  # below the plot: tick labels, the axis title, the colour bars
    height = int(top + sum(sizes) + gap * len(rows) + bottom)
    plot = height - top - bottom  # paper spans the plot area only
    layout: dict[str, Any] = {
        "height": height,
        "margin": {"t": top, "b": bottom, "l": int(70 * scale), "r": 20},
        "font": {"family": FONT, "size": theme.font_size, "color": INK},
        "showlegend": False,
        "plot_bgcolor": PAPER,
    }
    traces: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    colour_axes: list[str] = []  # SCALES keys in order of first use
    y_cursor: float = plot  # pixels from the bottom of the plot area, walking down
    for k, (row, size) in enumerate(zip(rows, sizes, strict=True)):
        suffix = "" if k == 0 else str(k + 1)
        hi, lo = y_cursor - gap, y_cursor - gap - size
        y_cursor = lo
        layout[f"xaxis{suffix}"] = _time_axis(steps, suffix, last=k == len(rows) - 1)
        annotations.append(_row_title(row, hi / plot, theme))
        if row.scale and row.scale not in colour_axes:
            colour_axes.append(row.scale)
        axis = _axis_name(colour_axes.index(row.scale)) if row.scale else ""
        row_traces, yaxis, y_span = _row_traces(row, suffix, axis, theme)
        traces += row_traces
        layout[f"yaxis{suffix}"] = {"domain": _span(lo / plot, hi / plot), "anchor": f"x{suffix}", **yaxis}
        traces.append(_marker_trace(suffix, 1, y_span, theme))
    for index, scale_key in enumerate(colour_axes):
        layout[_axis_name(index)] = _colour_axis(scale_key, rows, index, len(colour_axes), plot, theme)
    layout["annotations"] = annotations
    return frozen_figure(traces, layout)


def _time_axis(steps: int, suffix: str, last: bool) -> dict[str, Any]:
    """A shared timestep axis: whole numbers, at most about 8 labels (a phone's width fits them)."""
    return {
        "domain": [0, 1],
        "anchor": f"y{suffix}",
        "tick0": 1,
        "dtick": max(1, ceil(steps / 8)),
        "range": [0.5, steps + 0.5],
        "showticklabels": last,
        "fixedrange": True,
        **({"matches": "x"} if suffix else {}),
        **({"title": {"text": "timestep t", "standoff": 4}} if last else {}),
    }


def _row_title(row: Row, y: float, theme: Theme) -> dict[str, Any]:
    return {
        "text": f"<b>{row.title}</b>",
        "xref": "paper",
        "yref": "paper",
        "x": 0,
        "y": y,
        "xanchor": "left",
        "yanchor": "bottom",
        "showarrow": False,
        "font": {"size": theme.font_size, "color": row.colour},
    }


def _row_traces(
    row: Row, suffix: str, colour_axis: str, theme: Theme
) -> tuple[list[dict[str, Any]], dict[str, Any], tuple[float, float]]:
    """One row's traces (a heatmap, or one line per unit), its y axis settings and its value span."""
    steps, n = row.values.shape
    t_axis = np.arange(1, steps + 1)
    if row.scale:
        heatmap = {
            "type": "heatmap",
            "z": np.ascontiguousarray(row.values.T.astype(np.float32)),
            "x": t_axis,
            "y": np.arange(n),
            "xaxis": f"x{suffix}",
            "yaxis": f"y{suffix}",
            "coloraxis": colour_axis,
            "hovertemplate": f"{row.title}<br>t=%{{x}}, unit %{{y}}: %{{z:.3f}}<extra></extra>",
        }
        yaxis = {"autorange": "reversed", "tick0": 0, "dtick": max(1, ceil(n / 4)), "title": {"text": "unit"}}
        return [heatmap], {**yaxis, "fixedrange": True}, (-0.5, n - 0.5)
    lines = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": t_axis,
            "y": row.values[:, j].astype(np.float32),
            "xaxis": f"x{suffix}",
            "yaxis": f"y{suffix}",
            "line": {"color": colour, "width": theme.line_width},
            "name": f"{row.title} {j}",
            "hovertemplate": f"{row.title}[{j}] at t=%{{x}}: %{{y:.3f}}<extra></extra>",
        }
        for j, colour in enumerate(_line_colours(n))
    ]
    bound = float(np.abs(row.values).max()) * 1.1 or 1.0
    yaxis = {"range": [-bound, bound], "title": {"text": "value"}, "zeroline": True, "nticks": 4, "fixedrange": True}
    return lines, yaxis, (-bound, bound)


def _colour_axis(scale: str, rows: Sequence[Row], index: int, count: int, plot: float, theme: Theme) -> dict[str, Any]:
    """One kind of value's colour scale, its bar in a row under the plot (interleaved rows never overlap)."""
    spec = dict(SCALES[scale])
    title = spec.pop("title")
    if scale == "cell":  # unbounded: symmetric about 0 over its own values
        bound = max(float(np.abs(r.values).max()) for r in rows if r.scale == "cell") or 1.0
        spec.update(cmin=-bound, cmax=bound)
    elif scale == "input":
        spec.update(cmin=min(0.0, float(rows[0].values.min())), cmax=max(1.0, float(rows[0].values.max())))
    low, high = float(spec["cmin"]), float(spec["cmax"])
    ticks = [low, (low + high) / 2, high]
    colorbar = {
        "title": {"text": title, "side": "top"},
        "orientation": "h",
        "x": index / count,
        "xanchor": "left",
        "len": 0.8 / count,
        "y": -COLORBARS_PX * theme.font_size / SCREEN.font_size / plot,
        "yanchor": "top",
        "thickness": 10,
        "tickmode": "array",
        "tickvals": ticks,
        "ticktext": [f"{v:.2g}".replace("-", "−") for v in ticks],
    }
    return {**spec, "colorbar": colorbar}


def _span(lo: float, hi: float) -> list[float]:
    """An axis domain inside [0, 1] (summed pixel heights drift by a rounding error at the edges)."""
    return [min(1.0, max(0.0, round(lo, 9))), min(1.0, max(0.0, round(hi, 9)))]


def _axis_name(index: int) -> str:
    return "coloraxis" if index == 0 else f"coloraxis{index + 1}"


def _marker_trace(suffix: str, step: int, span: tuple[float, float], theme: Theme) -> dict[str, Any]:
    """The dashed line at timestep t in one row (a trace, so frames can move it without a redraw)."""
    return {
        "type": "scatter",
        "mode": "lines",
        "x": [step, step],
        "y": list(span),
        "xaxis": f"x{suffix}",
        "yaxis": f"y{suffix}",
        "line": {"color": "#000000", "width": theme.line_width * 1.5, "dash": "dash"},
        "hoverinfo": "skip",
        "meta": "step",  # the player finds the markers it moves by this
    }


def state_colour(key: str) -> str:
    """A row's title colour: its gate's text colour (4.5:1 on white), or the state's own."""
    return STATE_COLOURS.get(key, gate_text_colour(key))


def rows_for(
    inputs: NDArray[np.floating],
    series: Mapping[str, NDArray[np.floating]],
    activations: Mapping[str, str],
    titles: Mapping[str, str],
    outputs: NDArray[np.floating],
    one_hot: bool,
) -> list[Row]:
    """The figure's rows: input, each gate, the states and the output, each on its kind's scale."""
    x_scale = "input" if one_hot or inputs.shape[1] > LINE_LIMIT else ""
    rows = [Row("input", titles.get("input", "input x_t"), inputs, x_scale, MUTED)]
    for key, values in series.items():
        kind = activations.get(key, "tanh")
        scale = "cell" if key == "cell state" else kind
        rows.append(Row(key, titles[key], values, scale, state_colour(key)))
    out_scale = "" if outputs.shape[1] <= LINE_LIMIT else "tanh"
    rows.append(Row("output", titles.get("output", "output"), outputs, out_scale, INK))
    return rows
