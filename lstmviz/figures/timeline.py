"""Run-through-time figures: activations over time, and the unrolled strip that reuses W, U, b."""

from __future__ import annotations

from html import escape

import numpy as np
import plotly.graph_objects as go
from numpy.typing import NDArray
from plotly.subplots import make_subplots

from lstmviz.figures.fast import TEMPLATE
from lstmviz.style import FONT, INK, LINE, PAPER, SCREEN, Theme, gate_colour

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
                marker_color=LINE if key in STATES else gate_colour(key),
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


def unrolled_svg(timesteps: int, step: int, params: int, shown: int = 7, theme: Theme = SCREEN) -> str:
    """The layer unrolled through time: every cell reads the same W, U, b; timestep `step` is highlighted."""
    # Show the first cells, the current one and the last, with gaps drawn as "…".
    picks = sorted({*range(1, min(timesteps, shown - 2) + 1), step, timesteps})
    width, box, gap = 140 * len(picks) + 60, 90, 50
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} 250" width="100%" font-family="{FONT}">',
        f'<rect width="100%" height="100%" fill="{PAPER}"/>',
        f'<rect x="{width / 2 - 170}" y="8" width="340" height="40" rx="8" fill="#FFF3D6" stroke="#E69F00"/>',
        f'<text x="{width / 2}" y="33" font-size="{theme.font_size}" text-anchor="middle" fill="{INK}">'
        f"W, U, b: {params:,} parameters, shared</text>",
    ]
    previous = None
    for k, t in enumerate(picks):
        x = 40 + k * 140
        current = t == step
        fill, stroke = ("#D55E00", "#D55E00") if current else ("#F4F4F4", LINE)
        opacity = 0.25 if current else 1
        parts += [
            f'<line x1="{x + box / 2}" y1="48" x2="{x + box / 2}" y2="110" stroke="#E69F00" stroke-dasharray="4 3"/>',
            f'<rect x="{x}" y="110" width="{box}" height="60" rx="8" fill="{fill}" fill-opacity="{opacity}" '
            f'stroke="{stroke}" stroke-width="{theme.line_width * (2 if current else 1)}"/>',
            f'<text x="{x + box / 2}" y="146" font-size="{theme.font_size}" text-anchor="middle" fill="{INK}">'
            f"cell, t={t}</text>",
            f'<text x="{x + box / 2}" y="200" font-size="{theme.font_size * 0.9}" text-anchor="middle" fill="{INK}">'
            f"x_{t}</text>",
            f'<line x1="{x + box / 2}" y1="185" x2="{x + box / 2}" y2="170" stroke="{LINE}"/>',
        ]
        if previous is not None:
            skipped = t - previous > 1
            parts.append(
                f'<line x1="{x - gap}" y1="140" x2="{x}" y2="140" stroke="{LINE}" stroke-width="{theme.line_width}"/>'
            )
            if skipped:
                parts.append(
                    f'<text x="{x - gap / 2}" y="132" font-size="{theme.font_size}" text-anchor="middle" '
                    f'fill="{INK}">…</text>'
                )
        previous = t
    caption = f"{timesteps:,} timesteps, one set of weights: timesteps never change the parameter count"
    parts.append(
        f'<text x="{width / 2}" y="238" font-size="{theme.font_size}" text-anchor="middle" fill="{INK}">'
        f"{escape(caption)}</text></svg>"
    )
    return "".join(parts)
