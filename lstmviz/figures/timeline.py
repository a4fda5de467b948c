"""Run-through-time figure at one timestep: each gate's and state's values, unit by unit."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from numpy.typing import NDArray

from lstmviz.style import FONT, INK, SCREEN, STATE_COLOURS, Theme, gate_colour


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
        template="simple_white",
    )
    return fig
