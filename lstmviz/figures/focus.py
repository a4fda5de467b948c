"""One gate in focus on a W/U/b heatmap: the other gate blocks dimmed, the chosen one outlined."""

from __future__ import annotations

import plotly.graph_objects as go

from lstmviz.counting import LayerCount
from lstmviz.figures.heatmap import gate_span, gate_veil
from lstmviz.style import INK, PAPER, SCREEN, Theme, gate_colour

DIM_OPACITY = 0.72  # white veil over the other gates: their colours still show, faintly


def focus_gate(
    figure: go.Figure, layer: LayerCount, index: int, theme: Theme = SCREEN, colour: str | None = None
) -> go.Figure:
    """A copy of a weight heatmap of `layer` with gate `index` outlined (in its gate's colour) and the rest dimmed."""
    colour = colour or gate_colour(layer.gates[index].kind.symbol)
    outline = {"color": colour, "width": theme.line_width * 2.5}
    shapes = [
        gate_span(layer, k, outline) if k == index else gate_veil(layer, k, DIM_OPACITY)
        for k in range(len(layer.gates))
    ]
    copy = go.Figure(figure, _validate=False)  # the cached figure is shared: never modify it
    copy.layout.shapes = (*figure.to_dict()["layout"].get("shapes", ()), *shapes)  # its dict, not its objects
    return copy


def quiz_heatmap(figure: go.Figure, layer: LayerCount, index: int, theme: Theme = SCREEN) -> go.Figure:
    """The heatmap with block `index` outlined and nothing that names a gate: no labels, no hover, no trace names."""
    copy = focus_gate(figure, layer, index, theme, colour=INK)  # the gate's own colour would give it away
    copy.layout.annotations = ()
    copy.update_traces(hoverinfo="skip", hovertemplate=None, name="", customdata=None)
    # The gate strip names every block (and colours it): one neutral bar per gate, no text.
    neutral = {"color": PAPER, "line": {"color": INK}}
    copy.update_traces(selector={"type": "bar"}, text=None, hovertext=None, marker=neutral)
    return copy


def gate_targets(figure: go.Figure, layer: LayerCount) -> go.Figure:
    """A copy with one clickable point at the centre of each gate's block of W (heatmaps cannot be selected)."""
    keras, h = layer.gates_in_columns, layer.units
    centres = [k * h + (h - 1) / 2 for k in range(len(layer.gates))]
    middle = [(layer.input_size - 1) / 2] * len(centres)
    target = {
        "type": "scatter",
        "mode": "markers",
        "x": centres if keras else middle,
        "y": middle if keras else centres,
        "xaxis": "x",
        "yaxis": "y",
        "customdata": list(range(len(centres))),
        "text": [f"{g.kind.name} gate {g.kind.symbol}" for g in layer.gates],
        # Nearly invisible but clickable: a ring that says "click here" without hiding the weights.
        "marker": {"size": 22, "color": "rgba(255,255,255,0.01)", "line": {"color": INK, "width": 1.5}},
        "selected": {"marker": {"opacity": 1}},
        "unselected": {"marker": {"opacity": 1}},
        "hovertemplate": "%{text}: click to focus it in both heatmaps<extra></extra>",
        "showlegend": False,
        "name": "gate targets",
    }
    copy = go.Figure(figure, _validate=False)
    copy.add_trace(target)
    copy.layout.clickmode = "event+select"
    return copy
