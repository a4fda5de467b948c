"""Bar and network figures of the counts: per-gate connections, and the tutorial example's dense warm-up."""

from __future__ import annotations

import plotly.graph_objects as go

from lstmviz.counting import DenseCount, LayerCount
from lstmviz.figures.fast import TEMPLATE, fast_figure
from lstmviz.style import FONT, INK, MUTED, PART_COLOURS, SCREEN, Theme
from lstmviz.tables import GATE_PARTS, GATES, gate_parts, rows


def gate_counts_figure(layer: LayerCount, theme: Theme = SCREEN) -> go.Figure:
    """Stacked bars: each gate's input weights x·h, recurrent weights h·h and biases."""
    table = rows(GATES, gate_parts((layer,)))
    labels = [str(r["gate"]) for r in table]
    bars = [
        {
            "type": "bar",
            "y": labels,
            "x": [r[part] for r in table],
            "name": part,
            "orientation": "h",
            "marker": {"color": PART_COLOURS[part]},
            "text": [f"{r[part]:,}" if r[part] else "" for r in table],
            "textposition": "inside",
            "hovertemplate": f"%{{y}}: %{{x:,}} {part}<extra></extra>",
        }
        for part in GATE_PARTS
        if part != "projection weights" or layer.projection
    ]
    totals = [
        {
            "y": r["gate"],
            "x": r["parameters"],
            "text": f"= {r['parameters']:,}",
            "showarrow": False,
            "xanchor": "left",
            "xshift": 6,
            "font": {"size": theme.font_size, "color": INK},
        }
        for r in table
    ]
    return fast_figure(
        bars,
        {
            "barmode": "stack",
            "title": {
                "text": f"{len(layer.gates)} gate dense layers, together {layer.params:,} parameters",
                "font": {"size": theme.title_size},
            },
            "font": {"family": FONT, "size": theme.font_size, "color": INK},
            "yaxis": {"autorange": "reversed", "type": "category"},
            "xaxis": {"title": {"text": "parameters"}},
            "legend": {"orientation": "h", "y": -0.25},
            "height": max(260, 70 * len(table) + 140),
            "margin": {"l": 20, "r": 70, "t": 60, "b": 20},
            "annotations": totals,
        },
    )


def dense_network_figure(dense: DenseCount, theme: Theme = SCREEN) -> go.Figure:
    """The tutorial example's warm-up network drawn as neurons and connections, each layer's count labelled."""
    sizes = (dense.inputs, dense.hidden, dense.outputs)
    points = [[(k, (n - 1) / 2 - j) for j in range(n)] for k, n in enumerate(sizes)]
    xs: list[float | None] = []
    ys: list[float | None] = []
    for left, right in zip(points, points[1:], strict=False):
        for a in left:
            for b in right:
                xs += [a[0], b[0], None]
                ys += [a[1], b[1], None]
    fig = go.Figure(
        go.Scatter(x=xs, y=ys, mode="lines", line={"color": MUTED, "width": 1}, hoverinfo="skip", showlegend=False)
    )
    names = ("input i", "hidden h", "output o")
    colours = ("#56B4E9", "#E69F00", "#009E73")
    for k, layer_points in enumerate(points):
        fig.add_trace(
            go.Scatter(
                x=[p[0] for p in layer_points],
                y=[p[1] for p in layer_points],
                mode="markers",
                marker={"size": 22, "color": colours[k], "line": {"color": INK, "width": 1}},
                name=f"{names[k]} = {sizes[k]}",
                hovertemplate=f"{names[k]}<extra></extra>",
            )
        )
    labels = (
        (0.5, f"{dense.inputs}×{dense.hidden} + {dense.hidden} = {dense.hidden_params}"),
        (1.5, f"{dense.hidden}×{dense.outputs} + {dense.outputs} = {dense.output_params}"),
    )
    top = max(sizes) / 2 + 0.3
    for x, text in labels:
        fig.add_annotation(x=x, y=top, text=text, showarrow=False, font={"size": theme.font_size})
    fig.update_layout(
        title={"text": f"Warm-up: (i×h + h×o) + (h + o) = {dense.total}", "font": {"size": theme.title_size}},
        font={"family": FONT, "size": theme.font_size, "color": INK},
        xaxis={"visible": False},
        yaxis={"visible": False},
        showlegend=True,
        legend={"orientation": "h", "y": -0.05},
        height=max(300, 55 * max(sizes) + 120),
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        template=TEMPLATE,
    )
    return fig
