"""Draw a CellGeometry as a Plotly figure, for PNG export at slide resolution from the toolbar."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from lstmviz.figures.cell_geometry import CellGeometry
from lstmviz.figures.frozen import TEMPLATE, arrow
from lstmviz.style import FONT, INK, LINE, PAPER, SCREEN, Theme


def cell_figure(geometry: CellGeometry, theme: Theme = SCREEN) -> go.Figure:
    """The same diagram as `cell_svg`, as Plotly shapes and annotations (y grows downwards)."""
    g = geometry
    line = {"color": LINE, "width": theme.line_width}
    # Plain dicts, one Figure at the end: adding shapes one by one re-validates the layout each time.
    shapes: list[dict[str, Any]] = [
        {
            "type": "rect",
            "x0": 60,
            "y0": 45,
            "x1": g.width - 60,
            "y1": g.height - 60,
            "layer": "below",
            "line": {"color": "#BBBBBB"},
            "fillcolor": "#F4F4F4",
        }
    ]
    notes: list[dict[str, Any]] = []
    for edge in g.edges:
        points = list(edge.points)
        for (a, b), (c, d) in zip(points[:-2], points[1:-1], strict=True):
            shapes.append({"type": "line", "x0": a, "y0": b, "x1": c, "y1": d, "line": line})
        (a, b), (c, d) = points[-2], points[-1]
        # The last segment is an arrow, pointing where the wire goes.
        notes.append(arrow(c, d, a, b, LINE, theme.line_width))
        if edge.label:
            (a, b), (c, d) = points[0], points[1]
            x, y = edge.label_at or ((a + 6, (b + d) / 2) if abs(c - a) < abs(d - b) else ((a + c) / 2, b - 10))
            notes.append(
                {
                    "x": x,
                    "y": y,
                    "text": edge.label,
                    "showarrow": False,
                    "xanchor": "left",
                    "font": {"size": theme.font_size * 0.72},
                }
            )
    for node in g.nodes:
        box = {
            "x0": node.x - node.w / 2,
            "y0": node.y - node.h / 2,
            "x1": node.x + node.w / 2,
            "y1": node.y + node.h / 2,
        }
        if node.kind == "op":
            shapes.append({"type": "circle", **box, "fillcolor": PAPER, "line": line})
        elif node.kind in ("gate", "proj"):
            shapes.append(
                {
                    "type": "rect",
                    **box,
                    "fillcolor": node.colour,
                    "opacity": 0.25,
                    "line": {"color": node.colour, "width": theme.line_width * 1.5},
                }
            )
        y = node.y - 16 if node.kind == "label" else node.y
        text = "<br>".join(f"<b>{line}</b>" if k == 0 else line for k, line in enumerate(node.lines))
        notes.append({"x": node.x, "y": y, "text": text, "showarrow": False, "font": {"size": theme.font_size * 0.8}})
    notes.append(
        {"x": g.width / 2, "y": g.height - 12, "text": g.caption, "showarrow": False, "font": {"size": theme.font_size}}
    )
    return go.Figure(
        layout={
            "template": TEMPLATE,
            "shapes": shapes,
            "annotations": notes,
            "title": {"text": g.title, "x": 0.5, "font": {"size": theme.title_size}},
            "xaxis": {"visible": False, "range": [0, g.width]},
            "yaxis": {"visible": False, "range": [g.height + 20, 0], "scaleanchor": "x"},
            "font": {"family": FONT, "color": INK},
            "plot_bgcolor": PAPER,
            "paper_bgcolor": PAPER,
            "height": theme.figure_height + 80,
            "margin": {"l": 0, "r": 0, "t": 50, "b": 0},
        }
    )
