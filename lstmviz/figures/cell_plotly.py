"""Draw a CellGeometry as a Plotly figure, for PNG export at slide resolution from the toolbar."""

from __future__ import annotations

import plotly.graph_objects as go

from lstmviz.figures.cell_geometry import CellGeometry
from lstmviz.style import FONT, INK, LINE, PAPER, SCREEN, Theme


def cell_figure(geometry: CellGeometry, theme: Theme = SCREEN) -> go.Figure:
    """The same diagram as `cell_svg`, as Plotly shapes and annotations (y grows downwards)."""
    g = geometry
    fig = go.Figure()
    fig.add_shape(
        type="rect",
        x0=60,
        y0=45,
        x1=g.width - 60,
        y1=g.height - 60,
        line={"color": "#BBBBBB"},
        fillcolor="#F4F4F4",
        layer="below",
    )
    for edge in g.edges:
        *body, (x1, y1) = edge.points
        for (a, b), (c, d) in zip(body, list(body[1:]) + [(x1, y1)], strict=True):
            if (c, d) == (x1, y1):
                # The last segment is an arrow, pointing where the wire goes.
                fig.add_annotation(
                    x=c,
                    y=d,
                    ax=a,
                    ay=b,
                    xref="x",
                    yref="y",
                    axref="x",
                    ayref="y",
                    text="",
                    showarrow=True,
                    arrowhead=2,
                    arrowwidth=theme.line_width,
                    arrowcolor=LINE,
                )
            else:
                fig.add_shape(type="line", x0=a, y0=b, x1=c, y1=d, line={"color": LINE, "width": theme.line_width})
        if edge.label:
            (a, b), (c, d) = edge.points[0], edge.points[1]
            x, y = edge.label_at or ((a + 6, (b + d) / 2) if abs(c - a) < abs(d - b) else ((a + c) / 2, b - 10))
            fig.add_annotation(
                x=x, y=y, text=edge.label, showarrow=False, xanchor="left", font={"size": theme.font_size * 0.72}
            )
    for node in g.nodes:
        left, top, right, bottom = node.x - node.w / 2, node.y - node.h / 2, node.x + node.w / 2, node.y + node.h / 2
        if node.kind == "op":
            fig.add_shape(
                type="circle",
                x0=left,
                y0=top,
                x1=right,
                y1=bottom,
                fillcolor=PAPER,
                line={"color": LINE, "width": theme.line_width},
            )
        elif node.kind in ("gate", "proj"):
            fig.add_shape(
                type="rect",
                x0=left,
                y0=top,
                x1=right,
                y1=bottom,
                fillcolor=node.colour,
                opacity=0.25,
                line={"color": node.colour, "width": theme.line_width * 1.5},
            )
        y = node.y - 16 if node.kind == "label" else node.y
        text = "<br>".join(f"<b>{line}</b>" if k == 0 else line for k, line in enumerate(node.lines))
        fig.add_annotation(x=node.x, y=y, text=text, showarrow=False, font={"size": theme.font_size * 0.8})
    fig.update_layout(
        title={"text": g.title, "x": 0.5, "font": {"size": theme.title_size}},
        xaxis={"visible": False, "range": [0, g.width]},
        yaxis={"visible": False, "range": [g.height + 20, 0], "scaleanchor": "x"},
        annotations=[
            *fig.layout.annotations,
            {
                "x": g.width / 2,
                "y": g.height - 12,
                "text": g.caption,
                "showarrow": False,
                "font": {"size": theme.font_size},
            },
        ],
        font={"family": FONT, "color": INK},
        plot_bgcolor=PAPER,
        paper_bgcolor=PAPER,
        height=theme.figure_height + 80,
        margin={"l": 0, "r": 0, "t": 50, "b": 0},
    )
    return fig
