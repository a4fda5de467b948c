"""Run-through-time figures: activations over time (the inspect view's), and every value at one timestep."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from numpy.typing import NDArray
from plotly.subplots import make_subplots

from lstmviz.figures.frozen import TEMPLATE
from lstmviz.style import FONT, INK, SCREEN, STATE_COLOURS, Theme, gate_colour

ACTIVATION_SCALE = "Viridis"  # sequential and colour-blind safe: gate values run 0..1, states -1..1
STATES = ("cell state", "hidden state")  # series keys that are states, not gates


def activations_figure(
    series: dict[str, NDArray[np.float32]],
    step: int,
    names: dict[str, str],
    signed: frozenset[str] = frozenset(STATES),
    theme: Theme = SCREEN,
) -> go.Figure:
    """One heatmap row per series (timesteps × units, first sample), a line marking timestep `step`.

    Series in `signed` (states, tanh gates) use a diverging scale centred on 0; sigmoid gates 0..1.
    """
    keys = list(series)
    fig = make_subplots(
        rows=len(keys), cols=1, shared_xaxes=True, vertical_spacing=0.03, subplot_titles=[names[k] for k in keys]
    )
    for row, key in enumerate(keys, start=1):
        values = series[key]  # (T, units)
        fig.add_trace(
            go.Heatmap(
                z=values.T,  # units down, time across
                x=np.arange(1, values.shape[0] + 1),  # timesteps 1..T, as the slider counts
                coloraxis="coloraxis2" if key in signed else "coloraxis",
                hovertemplate=f"{names[key]}<br>t=%{{x}}, unit %{{y}}: %{{z:.3f}}<extra></extra>",
            ),
            row=row,
            col=1,
        )
        # Black and dashed: visible on both the viridis gates and the red-blue states.
        fig.add_vline(
            x=step, line={"color": "#000000", "width": theme.line_width * 1.5, "dash": "dash"}, row=row, col=1
        )
        fig.update_yaxes(title={"text": "unit"}, autorange="reversed", row=row, col=1)
    fig.update_xaxes(title={"text": "timestep t"}, row=len(keys), col=1)
    fig.update_layout(
        coloraxis={
            "colorscale": ACTIVATION_SCALE,
            "cmin": 0,
            "cmax": 1,
            "colorbar": {"title": "gate", "x": 1.0, "len": 0.45, "y": 0.78},
        },
        coloraxis2={
            "colorscale": "RdBu_r",
            "cmid": 0,
            "colorbar": {"title": "state", "x": 1.0, "len": 0.45, "y": 0.22},
        },
        font={"family": FONT, "size": theme.font_size, "color": INK},
        height=max(theme.figure_height, 120 * len(keys) + 80),
        margin={"t": 40, "l": 60, "r": 20, "b": 50},
        template=TEMPLATE,
    )
    return fig


def step_bars_figure(values: dict[str, NDArray[np.float32]], names: dict[str, str], theme: Theme = SCREEN) -> go.Figure:
    """Each gate's activations at one timestep, unit by unit (first sample)."""
    bound = max(1.05, 1.05 * max(float(np.abs(v).max()) for v in values.values()))
    fig = go.Figure()
    for key, v in values.items():
        fig.add_trace(
            go.Bar(
                x=[f"unit {u}" for u in range(v.size)],
                y=v,
                name=names[key],
                marker_color=STATE_COLOURS.get(key, gate_colour(key)),  # states apart from each other and the gates
                hovertemplate=f"{names[key]}, %{{x}}: %{{y:.3f}}<extra></extra>",
            )
        )
    fig.update_layout(
        barmode="group",
        # Gates live in -1..1, the cell state does not: the range grows to fit it.
        yaxis={"title": "value", "range": [-bound, bound]},
        font={"family": FONT, "size": theme.font_size, "color": INK},
        height=theme.figure_height * 0.7,
        legend={"orientation": "h", "y": -0.2},
        margin={"t": 20, "l": 60, "r": 20, "b": 40},
        template=TEMPLATE,
    )
    return fig
