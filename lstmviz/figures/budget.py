"""The parameter-budget figure: the largest input size that fits, per number of units."""

from __future__ import annotations

import plotly.graph_objects as go

from lstmviz.figures.frozen import TEMPLATE
from lstmviz.practice import Fit
from lstmviz.style import FONT, INK, Theme


def frontier_figure(fits: list[Fit], budget: int, theme: Theme) -> go.Figure:
    """The largest input size that fits the budget, per hidden size."""
    fig = go.Figure(
        go.Scatter(
            x=[f.units for f in fits],
            y=[f.max_features for f in fits],
            customdata=[f.params for f in fits],
            mode="lines+markers",
            hovertemplate="units %{x}, features ≤ %{y}: %{customdata:,} parameters<extra></extra>",
        )
    )
    fig.update_layout(
        title={"text": f"Sizes within {budget:,} parameters", "font": {"size": theme.title_size}},
        xaxis={"title": "units h"},
        # Decades only, with separators: Plotly's in-between 2 and 5 labels on a log axis fall under 10 px.
        yaxis={"title": "largest features x", "type": "log", "dtick": 1, "tickformat": ",d"},
        font={"family": FONT, "size": theme.font_size, "color": INK},
        height=theme.figure_height,
        template=TEMPLATE,
    )
    return fig
