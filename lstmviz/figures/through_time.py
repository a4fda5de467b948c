"""The run-through-time figures: the whole pass as one animated figure, and the unrolled strip.

The animated figure holds every row's data once; its frames move only the step markers, the live
values and the equations, so Play runs in the browser (Plotly.animate) with no server work per
frame, and stops after one pass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from math import ceil
from typing import Any

import numpy as np
import plotly.graph_objects as go
from numpy.typing import NDArray

from lstmviz.conventions import CELL_STATES
from lstmviz.figures.frozen import arrow, frozen_figure
from lstmviz.style import FONT, INK, LINE, MUTED, PAPER, SCREEN, STATE_COLOURS, Theme, gate_colour

FRAME_MS = 30  # requested 33 frames/s; rendering sets the real rate (bench/bench_play.py measures it)
LINE_LIMIT = 8  # up to this many features/units a row is drawn as lines, above it as a heatmap
GAP_PX = 34  # between rows: room for each row's title
BOX = 0.27  # half a strip cell's width, in cells
CURRENT, CURRENT_FILL = "#D55E00", "#FBE3D6"  # current strip cell: vermillion edge, light fill
EQUATION_LINE_PX = 21
# Below the plot, top to bottom: the x axis title, Play buttons, the frame slider, the colour bars in a row
# (horizontal, so a phone's narrow plot keeps its width).
BUTTONS_PX, SLIDER_PX, COLORBARS_PX, BOTTOM_PX = 48, 92, 178, 236

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


def through_time_figure(
    rows: Sequence[Row],
    equations: Sequence[Sequence[str]],
    step: int,
    theme: Theme = SCREEN,
) -> go.Figure:
    """All rows over timesteps 1..T, a step marker on each, the equations at step t above; frames for Play."""
    steps = rows[0].values.shape[0]
    lines = max(len(e) for e in equations)
    eq_px = EQUATION_LINE_PX * lines * theme.font_size / SCREEN.font_size + 16
    sizes = [_row_px(r) * theme.font_size / SCREEN.font_size for r in rows]
    top, bottom = 40, BOTTOM_PX  # title of the first row; below the plot, see BOTTOM_PX
    height = int(top + eq_px + sum(sizes) + GAP_PX * len(rows) + bottom)
    plot = height - top - bottom  # paper spans the plot area only
    y_cursor: float = plot  # pixels from the bottom of the plot area, walking down
    layout: dict[str, Any] = {
        "height": height,
        "margin": {"t": top, "b": bottom, "l": 70, "r": 20},
        "font": {"family": FONT, "size": theme.font_size, "color": INK},
        "showlegend": False,
        "plot_bgcolor": PAPER,
    }
    traces: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    moving: list[int] = []  # indices of the traces the frames move
    marker_builders: list[Any] = []
    # The equations: a text trace on an axis of its own, above the rows.
    eq_top, eq_bottom = y_cursor, y_cursor - eq_px
    layout["xaxis99"] = {"domain": [0, 1], "range": [0, 1], "visible": False, "anchor": "y99", "fixedrange": True}
    layout["yaxis99"] = {
        "domain": _span(eq_bottom / plot, eq_top / plot),
        "range": [lines - 0.5, -0.5],
        "visible": False,
        "anchor": "x99",
        "fixedrange": True,
    }
    moving.append(len(traces))
    traces.append(_equation_trace(equations[step - 1], lines, theme))
    marker_builders.append(lambda i: {"text": list(equations[i]) + [""] * (lines - len(equations[i]))})
    y_cursor = eq_bottom
    dtick = max(1, ceil(steps / 20))
    t_axis = np.arange(1, steps + 1)
    colour_axes: list[str] = []  # SCALES keys in order of first use
    for k, (row, size) in enumerate(zip(rows, sizes, strict=True)):
        suffix = "" if k == 0 else str(k + 1)
        hi, lo = y_cursor - GAP_PX, y_cursor - GAP_PX - size
        y_cursor = lo
        n = row.values.shape[1]
        layout[f"xaxis{suffix}"] = {
            "domain": [0, 1],
            "anchor": f"y{suffix}",
            "tick0": 1,
            "dtick": dtick,
            "range": [0.5, steps + 0.5],
            "showticklabels": k == len(rows) - 1,
            **({"matches": "x"} if k else {}),
            **({"title": {"text": "timestep t"}} if k == len(rows) - 1 else {}),
        }
        yaxis: dict[str, Any] = {"domain": _span(lo / plot, hi / plot), "anchor": f"x{suffix}", "fixedrange": True}
        annotations.append(
            {
                "text": f"<b>{row.title}</b>",
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": hi / plot,
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": theme.font_size, "color": row.colour},
            }
        )
        if row.scale:
            if row.scale not in colour_axes:
                colour_axes.append(row.scale)
            axis = _axis_name(colour_axes.index(row.scale))
            traces.append(
                {
                    "type": "heatmap",
                    "z": np.ascontiguousarray(row.values.T.astype(np.float32)),
                    "x": t_axis,
                    "y": np.arange(n),
                    "xaxis": f"x{suffix}",
                    "yaxis": f"y{suffix}",
                    "coloraxis": axis,
                    "hovertemplate": f"{row.title}<br>t=%{{x}}, unit %{{y}}: %{{z:.3f}}<extra></extra>",
                }
            )
            yaxis.update(autorange="reversed", tick0=0, dtick=max(1, ceil(n / 6)), title={"text": "unit"})
            y_span = (-0.5, n - 0.5)
        else:
            for j, colour in enumerate(_line_colours(n)):
                traces.append(
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
                )
            bound = float(np.abs(row.values).max()) * 1.1 or 1.0
            yaxis.update(range=[-bound, bound], title={"text": "value"}, zeroline=True)
            y_span = (-bound, bound)
            moving.append(len(traces))
            traces.append(_dots_trace(row, suffix, step))
            marker_builders.append(lambda i, r=row: {"x": [i + 1] * r.values.shape[1], "y": r.values[i].tolist()})
        layout[f"yaxis{suffix}"] = yaxis
        moving.append(len(traces))
        traces.append(_marker_trace(suffix, step, y_span, theme))
        marker_builders.append(lambda i: {"x": [i + 1, i + 1]})
    for index, scale in enumerate(colour_axes):
        spec = dict(SCALES[scale])
        title = spec.pop("title")
        if scale == "cell":  # unbounded: symmetric about 0 over its own values
            bound = max(float(np.abs(r.values).max()) for r in rows if r.scale == "cell") or 1.0
            spec.update(cmin=-bound, cmax=bound)
        elif scale == "input":
            spec.update(cmin=min(0.0, float(rows[0].values.min())), cmax=max(1.0, float(rows[0].values.max())))
        # In a row under the plot, so scales whose rows interleave never overlap.
        colorbar = {
            "title": {"text": title, "side": "top"},
            "orientation": "h",
            "x": index / len(colour_axes),
            "xanchor": "left",
            "len": 0.8 / len(colour_axes),
            "y": -COLORBARS_PX / plot,
            "yanchor": "top",
            "thickness": 10,
        }
        layout[_axis_name(index)] = {**spec, "colorbar": colorbar}
    layout["annotations"] = annotations
    frames = [
        {"name": str(i + 1), "data": [build(i) for build in marker_builders], "traces": moving} for i in range(steps)
    ]
    layout.update(_controls(steps, step))
    return frozen_figure(traces, layout, frames if steps > 1 else None)


def _span(lo: float, hi: float) -> list[float]:
    """An axis domain inside [0, 1] (summed pixel heights drift by a rounding error at the edges)."""
    return [min(1.0, max(0.0, round(lo, 9))), min(1.0, max(0.0, round(hi, 9)))]


def _axis_name(index: int) -> str:
    return "coloraxis" if index == 0 else f"coloraxis{index + 1}"


def _equation_trace(text: Sequence[str], lines: int, theme: Theme) -> dict[str, Any]:
    return {
        "type": "scatter",
        "mode": "text",
        "x": [0] * lines,
        "y": list(range(lines)),
        "text": list(text) + [""] * (lines - len(text)),
        "textposition": "middle right",
        "textfont": {"family": FONT, "size": theme.font_size, "color": INK},
        "xaxis": "x99",
        "yaxis": "y99",
        "hoverinfo": "skip",
        "cliponaxis": False,
    }


def _dots_trace(row: Row, suffix: str, step: int) -> dict[str, Any]:
    n = row.values.shape[1]
    return {
        "type": "scatter",
        "mode": "markers",
        "x": [step] * n,
        "y": row.values[step - 1].tolist(),
        "xaxis": f"x{suffix}",
        "yaxis": f"y{suffix}",
        "marker": {"color": _line_colours(n), "size": 9, "line": {"color": PAPER, "width": 1}},
        "hoverinfo": "skip",
    }


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
    }


def _controls(steps: int, step: int) -> dict[str, Any]:
    """Play (one pass from t, or from 1), Pause, and a slider over the frames; all in the browser."""
    if steps < 2:
        return {}
    play = {"frame": {"duration": FRAME_MS, "redraw": False}, "transition": {"duration": 0}, "mode": "immediate"}
    names = [str(t) for t in range(1, steps + 1)]
    return {
        "updatemenus": [
            {
                "type": "buttons",
                "direction": "left",
                "x": 0,
                "y": 0,
                "xanchor": "left",
                "yanchor": "top",
                "pad": {"t": BUTTONS_PX, "r": 10},
                "showactive": False,
                # Explicit frame lists: Plotly knows no current frame until one has played, and a
                # finite list plays once and stops.
                "buttons": [
                    {"label": f"▶ Play from t = {step}", "method": "animate", "args": [names[step - 1 :], play]},
                    {"label": "⟲ Play from 1", "method": "animate", "args": [names, play]},
                    {
                        "label": "❚❚ Pause",
                        "method": "animate",
                        "args": [[None], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}],
                    },
                    {"label": "▶ Resume", "method": "animate", "args": [None, {**play, "fromcurrent": True}]},
                ],
            }
        ],
        "sliders": [
            {
                "active": step - 1,
                "x": 0,
                "len": 1,
                "y": 0,
                "yanchor": "top",
                "pad": {"t": SLIDER_PX},
                "currentvalue": {"prefix": "t = ", "font": {"color": INK}},
                "steps": [
                    {
                        "label": str(t),
                        "method": "animate",
                        "args": [[str(t)], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}],
                    }
                    for t in range(1, steps + 1)
                ],
            }
        ],
    }


def strip_picks(steps: int, step: int, shown: int = 7) -> tuple[int, ...]:
    """The timesteps the strip draws: the first few, the current one and the last."""
    return tuple(sorted({*range(1, min(steps, shown - 2) + 1), step, steps}))


def strip_figure(steps: int, step: int, params: int, cell: str, theme: Theme = SCREEN) -> go.Figure:
    """The layer unrolled through time: the same W, U, b feed every cell, h_t (and c_t) run along; click a cell."""
    picks = strip_picks(steps, step)
    xs = list(range(len(picks)))
    current = [t == step for t in picks]
    cells = {
        "type": "scatter",
        "mode": "markers+text",
        "x": xs,
        "y": [0] * len(xs),
        "customdata": picks,
        "text": [f"t = {t}" for t in picks],
        "textposition": "middle center",
        "textfont": {"size": theme.font_size, "color": INK},
        # The boxes are shapes (they scale with the width); the markers are invisible click targets whose
        # colour still says which cell is the current one.
        "marker": {"symbol": "square", "size": 40, "opacity": 0, "color": [CURRENT if c else PAPER for c in current]},
        "hovertemplate": "timestep %{customdata}: click to jump here<extra></extra>",
        "selected": {"marker": {"opacity": 0}},  # a click selects; nothing should fade or show
        "unselected": {"marker": {"opacity": 0}},
        "name": "cells",
    }
    boxes = [
        {
            "type": "rect",
            "x0": k - BOX,
            "x1": k + BOX,
            "y0": -0.42,
            "y1": 0.42,
            "fillcolor": CURRENT_FILL if c else "#F4F4F4",
            "opacity": 1,
            "line": {"color": CURRENT if c else LINE, "width": theme.line_width * (2 if c else 1)},
            "layer": "below",
        }
        for k, c in enumerate(current)
    ]
    inputs = {
        "type": "scatter",
        "mode": "text",
        "x": xs,
        "y": [-1.05] * len(xs),
        "text": [f"x_{t}" for t in picks],
        "textfont": {"size": theme.font_size, "color": INK},
        "hoverinfo": "skip",
    }
    state = ", ".join(f"{s}_t" for s in CELL_STATES[cell])
    annotations: list[dict[str, Any]] = [
        {
            "x": (len(xs) - 1) / 2,
            "y": 1.35,
            "text": f"W, U, b: {params:,} parameters, shared by every timestep",
            "showarrow": False,
            "bgcolor": "#FFF3D6",
            "bordercolor": "#E69F00",
            "borderpad": 6,
            "font": {"size": theme.font_size, "color": INK},
        }
    ]
    for k, t in enumerate(picks):
        # Weights down into every cell, input up into it.
        annotations.append(_arrow(k, 0.45, (len(xs) - 1) / 2, 1.2, "#E69F00", dash=True))  # weights down
        annotations.append(_arrow(k, -0.45, k, -0.85, LINE))
        if k:
            gap = t - picks[k - 1] > 1
            label = f"… h_{t - 1}" if gap else state.replace("t", str(picks[k - 1]))
            annotations.append(_arrow(k - BOX, 0, k - 1 + BOX, 0, LINE))
            annotations.append(
                {"x": k - 0.5, "y": 0.32, "text": label, "showarrow": False, "font": {"size": theme.font_size * 0.85}}
            )
    layout = {
        "height": 260 * theme.font_size / SCREEN.font_size,
        "margin": {"t": 10, "b": 10, "l": 10, "r": 10},
        "xaxis": {"visible": False, "range": [-0.6, len(xs) - 0.4], "fixedrange": True},
        "yaxis": {"visible": False, "range": [-1.3, 1.6], "fixedrange": True},
        "showlegend": False,
        "annotations": annotations,
        "shapes": boxes,
        "font": {"family": FONT, "size": theme.font_size, "color": INK},
        "clickmode": "event+select",
        "dragmode": False,
    }
    return frozen_figure([cells, inputs], layout)


def _arrow(x: float, y: float, ax: float, ay: float, colour: str, dash: bool = False) -> dict[str, Any]:
    """An arrow from (ax, ay) to (x, y) in data coordinates; `dash` for the shared weights' faint ones."""
    drawn = arrow(x, y, ax, ay, "#C98A00" if dash else colour, 1.4)
    return {**drawn, "standoff": 0, "opacity": 0.8 if dash else 1}


def state_colour(key: str) -> str:
    """A row's title colour: its gate's colour, or the state's own."""
    return STATE_COLOURS.get(key, gate_colour(key))


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
