"""Bar and network figures of the counts: per-gate connections, and the tutorial example's dense warm-up."""

from __future__ import annotations

import plotly.graph_objects as go

from lstmviz.counting import DenseCount, LayerCount
from lstmviz.figures.frozen import TEMPLATE, frozen_figure
from lstmviz.style import DIM, FONT, INK, MUTED, PART_COLOURS, PART_PATTERN, SCREEN, Theme, blend, readable_on
from lstmviz.tables import GATE_PARTS, GATES, gate_parts, rows


def gate_counts_figure(layer: LayerCount, theme: Theme = SCREEN, selected: str | None = None) -> go.Figure:
    """Stacked bars: each gate's input weights x·h, recurrent weights h·h and biases; `selected` stands out.

    Parts are neutral tones with hatching (gate hues mean gates only); each bar carries its gate
    symbol as customdata, so a click on it (Streamlit's on_select) says which gate was chosen.
    """
    parts = gate_parts((layer,))
    table = rows(GATES, parts)
    labels = [str(r["gate"]) for r in table]
    symbols = [p.symbol for p in parts]
    # Dimmed by paler colours, not marker opacity: an opacity array turns off Plotly's click selection.
    opacity = [1.0 if selected in (None, sym) else DIM for sym in symbols]
    shown = [part for part in GATE_PARTS if part != "projection weights" or layer.projection]
    bars = [
        {
            "type": "bar",
            "y": labels,
            "x": [r[part] for r in table],
            "name": part,
            "orientation": "h",
            "customdata": symbols,
            "marker": {
                "color": [blend(PART_COLOURS[part], o) for o in opacity],
                "line": {"color": [blend(INK, o) for o in opacity], "width": 1},
                "pattern": {
                    "shape": PART_PATTERN[part],
                    "fgcolor": [blend(INK, o) for o in opacity],
                    "size": 6,
                    "solidity": 0.2,
                },
            },
            "text": [f"{r[part]:,}" if r[part] else "" for r in table],
            "textposition": "inside",
            "insidetextanchor": "middle",
            # Text colour per bar, from the colour it is actually drawn on (dimmed bars are paler).
            "textfont": {"color": [readable_on(blend(PART_COLOURS[part], o)) for o in opacity]},
            "hovertemplate": f"%{{y}}: %{{x:,}} {part}<br>click to follow this gate<extra></extra>",
            "showlegend": False,  # a legend swatch takes the first bar's colour, which may be dimmed
            "legendgroup": part,
        }
        for part in shown
    ]
    # The legend: one undimmed swatch per part, from traces with no bars of their own.
    swatches = [
        {
            "type": "bar",
            "x": [None],
            "y": [None],
            "name": part,
            "orientation": "h",
            "legendgroup": part,
            "marker": {
                "color": PART_COLOURS[part],
                "line": {"color": INK, "width": 1},
                "pattern": {"shape": PART_PATTERN[part], "fgcolor": INK, "size": 6, "solidity": 0.2},
            },
            "hoverinfo": "skip",
        }
        for part in shown
    ]
    totals = [
        {
            "y": r["gate"],
            "x": r["parameters"],
            "text": f"<b>= {r['parameters']:,}</b>" if sym == selected else f"= {r['parameters']:,}",
            "showarrow": False,
            "xanchor": "left",
            "xshift": 6,
            "font": {"size": theme.font_size, "color": INK},
        }
        for r, sym in zip(table, symbols, strict=True)
    ]
    ticks = [f"<b>{label}</b>" if sym == selected else label for label, sym in zip(labels, symbols, strict=True)]
    return frozen_figure(
        [*bars, *swatches],
        {
            "barmode": "stack",
            "title": {
                "text": f"{len(layer.gates)} gate dense layers · {layer.params:,} parameters",
                "font": {"size": theme.title_size},
            },
            "font": {"family": FONT, "size": theme.font_size, "color": INK},
            "yaxis": {
                "autorange": "reversed",
                "type": "category",
                "tickvals": labels,
                "ticktext": ticks,
                "tickfont": {"color": INK},
            },
            # No axis title: the chart's title says parameters, and the legend takes its place below.
            "xaxis": {"tickformat": ",d", "rangemode": "tozero"},
            "legend": {
                "orientation": "h",
                "y": 0,
                "yref": "container",
                "yanchor": "bottom",
                "font": {"color": INK},
                "traceorder": "normal",
            },
            "height": max(280, int(3.5 * theme.font_size) * len(table) + 8 * theme.font_size),
            "margin": {"l": 20, "r": 90, "t": 60, "b": 4 * theme.font_size},
            "annotations": totals,
            # A part too thin for its number at the chart's size hides it (the total and the hover say it)
            # rather than shrinking it under the size floor.
            "uniformtext": {"minsize": theme.font_size, "mode": "hide"},
            "clickmode": "event+select",
            "dragmode": False,
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
    wires = go.Scatter(x=xs, y=ys, mode="lines", line={"color": MUTED, "width": 1}, hoverinfo="skip", showlegend=False)
    fig = go.Figure(wires)
    names = ("input i", "hidden h", "output o")
    colours = ("#FFFFFF", "#BDBDBD", "#4D4D4D")  # neutral: gate hues mean gates only
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
