"""The W/U/b heatmap: one layer's fused tensors, cut into gate blocks, in the framework's layout.

With G gates (4 LSTM, 3 GRU, 1 SimpleRNN), Keras stacks them as column blocks of (x, G·h) kernel,
(h, G·h) recurrent_kernel and (G·h,) bias, so the figure stacks W over U over b with shared columns.
PyTorch stacks gates as row blocks of (G·h, x) weight_ih and (G·h, h) weight_hh, so the figure
puts the tensors side by side with shared rows. Large tensors are mean-pooled per gate block so
the payload stays bounded.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.colors import get_colorscale

from lstmviz.cells import LAYER_CLASS
from lstmviz.counting import LayerCount, Tensor
from lstmviz.figures.fast import fast_figure
from lstmviz.style import (
    DIM,
    FONT,
    FRAMEWORK_LABEL,
    INK,
    PAPER,
    SCREEN,
    TENSOR_LETTER,
    WEIGHT_SCALE,
    Theme,
    blend,
    gate_colour,
    gate_text_colour,
    readable_on,
)

MAX_ROWS = 256  # pooled grid bounds: 256 × 1024 float32 cells ≈ 1.4 MB of figure JSON
MAX_COLS = 1024
HOVER_UNIT_CELLS = 65_536  # per-cell unit indices in the hover only up to this many cells

_ROW_MEANING = {"input": "input feature", "recurrent": "hidden unit"}


@dataclass(frozen=True)
class Block:
    """One gate's block of one tensor, pooled to at most the grid bounds."""

    tensor: Tensor
    gate_index: int
    gate_symbol: str
    gate_name: str
    values: np.ndarray  # (rows, cols) float32 block means
    rows: np.ndarray  # tensor index where each pooled row starts
    cols: np.ndarray  # tensor index where each pooled column starts
    units: np.ndarray  # unit index within the gate, per pooled cell along the gate axis


@dataclass(frozen=True)
class HeatmapData:
    """All blocks of one layer and direction, and how much they were pooled."""

    layer: LayerCount
    blocks: tuple[Block, ...]
    row_factor: int
    col_factor: int

    @property
    def pooled(self) -> bool:
        """Whether a cell stands for more than one weight."""
        return self.row_factor > 1 or self.col_factor > 1


def pool_mean(matrix: np.ndarray, row_factor: int, col_factor: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean of each row_factor × col_factor bucket (the last bucket may be smaller)."""
    rows = np.arange(0, matrix.shape[0], row_factor)
    cols = np.arange(0, matrix.shape[1], col_factor)
    sums = np.add.reduceat(np.add.reduceat(matrix, rows, axis=0), cols, axis=1)
    counts = np.outer(np.diff(rows, append=matrix.shape[0]), np.diff(cols, append=matrix.shape[1]))
    return (sums / counts).astype(np.float32), rows, cols


def _as_2d(value: np.ndarray, columns: bool, tensor: Tensor | None = None) -> np.ndarray:
    # A 1-D bias is one row (Keras, gates along columns) or one column (PyTorch, gates along rows);
    # ONNX's B[d] = [Wb, Rb] is two columns, so each gate's block holds both of its biases.
    if value.ndim == 2:
        return value
    if tensor is not None and _two_column_bias(tensor):
        return value.reshape(2, -1).T
    return value[None, :] if columns else value[:, None]


def _two_column_bias(tensor: Tensor) -> bool:
    return tensor.role == "bias" and tensor.name == "B"


def _as_2d_shape(tensor: Tensor, columns: bool) -> tuple[int, int]:
    if len(tensor.shape) == 2:
        return tensor.shape[0], tensor.shape[1]
    if _two_column_bias(tensor):
        return tensor.shape[0] // 2, 2
    return (1, tensor.shape[0]) if columns else (tensor.shape[0], 1)


def _drawn(layer: LayerCount) -> list[Tensor]:
    """The tensors cut into gate blocks: all but a projection, which belongs to no gate."""
    return [t for t in layer.tensors if t.role != "projection"]


def heatmap_data(
    layer: LayerCount,
    weights: dict[str, np.ndarray],
    max_rows: int = MAX_ROWS,
    max_cols: int = MAX_COLS,
) -> HeatmapData:
    """Cut one layer's tensors (keyed by Tensor.key) into gate blocks, pooled to the bounds."""
    keras = layer.gates_in_columns
    tensors = _drawn(layer)
    h, gates = layer.units, len(layer.gates)
    # The axis not split by gates stacks the tensors: Keras rows (x + h + b), PyTorch columns.
    stacked = sum(_as_2d_shape(t, keras)[0 if keras else 1] for t in tensors)
    gate_axis_limit, stack_limit = (max_cols, max_rows) if keras else (max_rows, max_cols)
    gate_factor = ceil(gates * h / gate_axis_limit)
    stack_factor = ceil(stacked / stack_limit)
    row_factor, col_factor = (stack_factor, gate_factor) if keras else (gate_factor, stack_factor)
    blocks = []
    for tensor in tensors:
        matrix = _as_2d(weights[tensor.key], keras, tensor)
        for k, gate in enumerate(layer.gates):
            part = matrix[:, k * h : (k + 1) * h] if keras else matrix[k * h : (k + 1) * h, :]
            # Biases are never pooled along the stack (they are one or two lines already), so they
            # average the same number of values along the gate axis instead: a mean of fewer values
            # spreads wider and would saturate the weights' colour scale.
            rf, cf = row_factor, col_factor
            if tensor.role == "bias":
                same = min(h, row_factor * col_factor)
                rf, cf = (1, same) if keras else (same, 1)
            values, rows, cols = pool_mean(part, rf, cf)
            along_gate = cols if keras else rows
            offset = k * h
            blocks.append(
                Block(
                    tensor,
                    k,
                    gate.kind.symbol,
                    gate.kind.name,
                    values,
                    rows if keras else rows + offset,
                    cols + offset if keras else cols,
                    along_gate,
                )
            )
    return HeatmapData(layer, tuple(blocks), row_factor, col_factor)


def _letter(tensor: Tensor, columns: bool) -> str:
    # Keras's W, U, b letters; PyTorch's tensor names already say which is which.
    return TENSOR_LETTER[tensor.role] if columns else tensor.name


def _hover(block: Block, columns: bool, pooled: bool, with_units: bool) -> str:
    t = block.tensor
    letter = _letter(t, columns)
    gate = f"{block.gate_name} gate ({block.gate_symbol})"
    if pooled:
        return f"{letter} block mean from [%{{y}}, %{{x}}]<br>{gate}<br>mean %{{z:.4f}}<extra></extra>"
    unit = ", unit %{customdata}" if with_units else ""
    if t.role == "bias":
        index = "[%{y}, %{x}]" if len(t.shape) == 2 else ("[%{x}]" if columns else "[%{y}]")
        which = ""
        if len(t.shape) == 2:
            which = " (row 0: input bias, row 1: recurrent bias)"
        return f"{letter}{index}: {gate}{unit}{which}<br>value %{{z:.4f}}<extra></extra>"
    source = _ROW_MEANING[t.role]
    # Keras W[row, col]: row = source, col = gate unit. PyTorch weight[row, col]: row = gate unit.
    src = "%{y}" if columns else "%{x}"
    return f"{letter}[%{{y}}, %{{x}}]: {source} {src} → {gate}{unit}<br>value %{{z:.4f}}<extra></extra>"


def _domains(shares: list[float], gap: float) -> list[tuple[float, float]]:
    """Split [0, 1] into consecutive spans proportional to `shares`, `gap` apart."""
    room = 1 - gap * (len(shares) - 1)
    spans, start = [], 0.0
    for share in shares:
        spans.append((start, min(1.0, start + share * room)))
        start += share * room + gap
    return spans


def weight_heatmap(data: HeatmapData, theme: Theme = SCREEN, selected: str | None = None) -> go.Figure:
    """The heatmap figure: tensors in the framework's layout, gate blocks outlined and labelled.

    A strip of gate bars along the gate axis names each block and is what a click selects (heatmap
    cells send no selection to Streamlit); the `selected` gate's blocks stay bright, the rest dim.
    """
    layer, keras = data.layer, data.layer.gates_in_columns
    # Colour range from the weight matrices, robust to outliers: a Keras forget bias of 1 (or
    # pooled means near 0 at large sizes) would otherwise wash out every weight.
    weights_only = [b.values.ravel() for b in data.blocks if b.tensor.role != "bias"]
    limit = float(np.percentile(np.abs(np.concatenate(weights_only)), 99)) or 1.0
    lines, labels = _gate_marks(layer, theme, selected)
    layout = _panel_axes(layer, theme)
    layout.update(
        # The title sits at the top of the figure, above the room reserved for the tensors' axis titles.
        title={
            "text": _title(data),
            "font": {"size": theme.title_size},
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            # Plotly hangs extra title lines above the anchor: push them down by their height.
            "pad": {"t": int(6 + 1.3 * theme.title_size * (1 + data.pooled + layer.gates_in_columns - 1))},
        },
        coloraxis={
            "colorscale": get_colorscale(WEIGHT_SCALE),  # a name would reach plotly.js unresolved
            "cmin": -limit,
            "cmax": limit,
            "colorbar": {"title": {"text": "weight"}},
        },
        font={"family": FONT, "size": theme.font_size, "color": INK},
        height=theme.figure_height,
        margin={"t": _top_margin(data, theme), "l": 20 if keras else 9 * theme.font_size, "r": 20, "b": 40},
        shapes=lines,
        annotations=labels,
        showlegend=False,
        clickmode="event+select",
        dragmode=False,
    )
    return fast_figure([*_traces(data, selected), _strip(layer, theme, selected)], layout)


def _top_margin(data: HeatmapData, theme: Theme) -> int:
    """Room above the panels for the title lines, and (PyTorch) the two-line axis titles and tick labels."""
    title_lines = 1 + data.layer.gates_in_columns + data.pooled
    above_panels = 0 if data.layer.gates_in_columns else 4.2 * theme.font_size
    return int(title_lines * 1.4 * theme.title_size + above_panels + 16)


def _suffixes(layer: LayerCount) -> list[str]:
    """Plotly axis suffixes, one panel per drawn tensor: "", "2", "3"."""
    return ["" if i == 0 else str(i + 1) for i in range(len(_drawn(layer)))]


STRIP = 0.06  # share of the figure the clickable gate strip takes along the stacking axis
STRIP_GAP = 0.05  # room for the gate axis's tick labels (PyTorch) between the strip and the tensors
PLOT_WIDTH = 900  # pixels a chart gets in the main column at 1280-1400 px windows, for tick spacing


def nice_step(length: int, room_px: float, label_px: float) -> int:
    """A 1-2-5 tick step for an axis of `length` indices in `room_px` pixels, labels `label_px` apart."""
    wanted = max(1.0, length / max(1.0, room_px / label_px))
    decade = 1
    while True:
        for factor in (1, 2, 5):
            if factor * decade >= wanted:
                return factor * decade
        decade *= 10


def _label_px(length: int, theme: Theme, across: bool) -> float:
    """Room one tick label needs: its width along a horizontal axis, its height along a vertical one."""
    return (len(f"{length:,}") * 0.62 + 1.5) * theme.font_size if across else theme.font_size * 2.0


def _panel_axes(layer: LayerCount, theme: Theme) -> dict[str, Any]:
    """One panel per tensor: Keras stacks them top to bottom sharing columns, PyTorch side by side sharing rows.

    A last, thin panel holds the gate strip: above the tensors (Keras) or left of them (PyTorch).
    """
    keras = layer.gates_in_columns
    tensors = _drawn(layer)
    n = len(tensors)
    sizes = [(_as_2d_shape(t, keras)[0 if keras else 1]) for t in tensors]
    share = [max(s / sum(sizes), 0.07 if keras else 0.1) for s in sizes]
    share = [s / sum(share) for s in share]
    # Keras rows can be thin (a bias is one row): short axis titles there, full names in the title.
    titles = [_letter(t, keras) if keras else f"{t.name}<br>{t.shape}" for t in tensors]
    # The gate axis and the stacking axis, by Plotly letter.
    gate_axis, stack_axis = ("x", "y") if keras else ("y", "x")
    gate_length = len(layer.gates) * layer.units
    plot_height = theme.figure_height - 150
    # Ticks spaced by the pixels they get, so labels such as 1,024 and 1,000 never collide.
    gate_room = PLOT_WIDTH if keras else plot_height
    gate_ticks = {"tick0": 0, "dtick": nice_step(gate_length, gate_room, _label_px(gate_length, theme, keras))}
    # What make_subplots would do, written out so the figure is built in one step.
    if keras:
        spans = _domains(share[::-1], 0.04)[::-1]
        spans = [(a * (1 - STRIP - STRIP_GAP), b * (1 - STRIP - STRIP_GAP)) for a, b in spans]
    else:
        spans = [
            (STRIP + STRIP_GAP + a * (1 - STRIP - STRIP_GAP), STRIP + STRIP_GAP + b * (1 - STRIP - STRIP_GAP))
            for a, b in _domains(share, 0.02)
        ]
    layout: dict[str, Any] = {}
    for i, (suffix, span) in enumerate(zip(_suffixes(layer), spans, strict=True)):
        room = (span[1] - span[0]) * (plot_height if keras else PLOT_WIDTH)
        own = {  # the tensor's own axis: whole-number ticks only, an index is never 0.5
            "title": {"text": titles[i], "font": {"size": theme.font_size}},
            "tick0": 0,
            "dtick": nice_step(sizes[i], room, _label_px(sizes[i], theme, not keras)),
            "domain": list(span),
            "anchor": f"{gate_axis}{suffix}",
            "showgrid": False,
        }
        shared: dict[str, Any] = {**gate_ticks, "anchor": f"{stack_axis}{suffix}", "showgrid": False}
        if i:
            shared["matches"] = gate_axis
        # Rows read top to bottom; the shared axis shows its ticks once.
        if keras:
            own["autorange"] = "reversed"
            shared["showticklabels"] = i == n - 1
        else:
            own["side"] = "top"
            shared["autorange"] = "reversed"
            shared["showticklabels"] = i == 0
        layout[f"{stack_axis}axis{suffix}"], layout[f"{gate_axis}axis{suffix}"] = own, shared
    strip_domain = [1 - STRIP, 1.0] if keras else [0.0, STRIP]
    layout[f"{stack_axis}axis{n + 1}"] = {
        "domain": strip_domain,
        "anchor": gate_axis,
        "range": [0, 1],
        "visible": False,
        "fixedrange": True,
    }
    return layout


def _strip(layer: LayerCount, theme: Theme, selected: str | None) -> dict[str, Any]:
    """The gate strip: one bar per gate block, in its gate's colour; a click on it selects the gate."""
    keras, h = layer.gates_in_columns, layer.units
    n = len(_drawn(layer))
    symbols = [g.kind.symbol for g in layer.gates]
    centres = [k * h + (h - 1) / 2 for k in range(len(symbols))]
    fills = [gate_colour(s) for s in symbols]
    opacity = [1.0 if selected in (None, s) else DIM for s in symbols]
    # Black or white text, whichever reads better on the colour the bar is drawn in.
    inks = [readable_on(blend(f, o)) for f, o in zip(fills, opacity, strict=True)]
    names = {g.kind.symbol: g.kind.name for g in layer.gates}
    text = [f"<b>{s}</b> {names[s]}" if keras else f"<b>{s}</b>" for s in symbols]
    slices = {s: ", ".join(layer.slice_texts(s)) for s in symbols}
    trace: dict[str, Any] = {
        "type": "bar",
        "name": "gates",
        "base": 0,
        "width": h,
        "customdata": symbols,
        "hovertext": [f"{names[s]} gate ({s}): {slices[s]}" for s in symbols],
        "hovertemplate": "%{hovertext}<br>click to follow this gate<extra></extra>",
        "marker": {
            # Paler colours, not an opacity array, which would turn off Plotly's click selection.
            "color": [blend(f, o) for f, o in zip(fills, opacity, strict=True)],
            "line": {"color": [INK if s == selected else PAPER for s in symbols], "width": 2},
        },
        "text": text,
        "textposition": "inside",
        "insidetextanchor": "middle",
        "textangle": 0,
        "textfont": {"color": inks, "size": theme.font_size},
        "showlegend": False,
    }
    if keras:
        trace.update(x=centres, y=[1] * len(symbols), xaxis="x", yaxis=f"y{n + 1}", orientation="v")
    else:
        trace.update(y=centres, x=[1] * len(symbols), yaxis="y", xaxis=f"x{n + 1}", orientation="h")
    return trace


def _traces(data: HeatmapData, selected: str | None = None) -> list[dict[str, Any]]:
    """One heatmap trace per gate block, in its tensor's panel; blocks of other gates than `selected` dim."""
    layer, keras = data.layer, data.layer.gates_in_columns
    tensors, suffixes = _drawn(layer), _suffixes(layer)
    cells = sum(b.values.size for b in data.blocks)
    with_units = not data.pooled and cells <= HOVER_UNIT_CELLS
    traces = []
    for block in data.blocks:
        suffix = suffixes[tensors.index(block.tensor)]
        units = block.units.astype(np.int16 if layer.units < 32_768 else np.int32)
        custom = np.broadcast_to(units[None, :] if keras else units[:, None], block.values.shape)
        trace = {
            "type": "heatmap",
            "z": block.values,
            "x": block.cols.astype(np.int32),
            "y": block.rows.astype(np.int32),
            "xaxis": f"x{suffix}",
            "yaxis": f"y{suffix}",
            "coloraxis": "coloraxis",
            "hovertemplate": _hover(block, keras, data.pooled, with_units),
            "name": f"{block.tensor.name} · {block.gate_symbol}",
            "opacity": 1.0 if selected in (None, block.gate_symbol) else DIM,
        }
        if with_units:
            trace["customdata"] = np.ascontiguousarray(custom)
        traces.append(trace)
    return traces


def _gate_marks(
    layer: LayerCount, theme: Theme, selected: str | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Gate boundaries in every panel (white under black, visible on any cell colour), the selected
    gate's outline, and (PyTorch) gate names left of the strip."""
    keras, h = layer.gates_in_columns, layer.units
    gate_axis, stack_axis = ("x", "y") if keras else ("y", "x")
    lines: list[dict[str, Any]] = []
    labels: list[dict[str, Any]] = []

    def across(suffix: str, at: float, line: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "line",
            f"{gate_axis}ref": f"{gate_axis}{suffix}",
            f"{stack_axis}ref": f"{stack_axis}{suffix} domain",
            f"{gate_axis}0": at,
            f"{gate_axis}1": at,
            f"{stack_axis}0": 0,
            f"{stack_axis}1": 1,
            "line": line,
            "opacity": 1,  # the template's shape default is 0.3, which made borders faint
        }

    for k, gate in enumerate(layer.gates):
        edge = k * h - 0.5
        for suffix in _suffixes(layer) if k else []:
            lines.append(across(suffix, edge, {"color": PAPER, "width": theme.line_width * 3}))
            lines.append(across(suffix, edge, {"color": INK, "width": theme.line_width}))
        if gate.kind.symbol == selected:
            for suffix in _suffixes(layer):
                lines.append(
                    {
                        "type": "rect",
                        f"{gate_axis}ref": f"{gate_axis}{suffix}",
                        f"{stack_axis}ref": f"{stack_axis}{suffix} domain",
                        f"{gate_axis}0": edge,
                        f"{gate_axis}1": edge + h,
                        f"{stack_axis}0": 0,
                        f"{stack_axis}1": 1,
                        "line": {"color": INK, "width": theme.line_width * 2.5},
                        "fillcolor": "rgba(0,0,0,0)",
                        "opacity": 1,
                    }
                )
        if not keras:  # the strip is too thin for names: they go left of it, in the gate's text colour
            labels.append(
                {
                    "y": k * h + (h - 1) / 2,
                    "yref": "y",
                    "x": 0.0,
                    "xref": "paper",
                    "xanchor": "right",
                    "xshift": -6,
                    "text": f"<b>{gate.kind.symbol}</b> {gate.kind.name}",
                    "showarrow": False,
                    "font": {"color": gate_text_colour(gate.kind.symbol), "size": theme.font_size},
                }
            )
    return lines, labels


def _title(data: HeatmapData) -> str:
    """Layer, count, Keras's W/U/b legend, and whether cells are pooled."""
    layer = data.layer
    title = (
        f"{FRAMEWORK_LABEL[layer.framework]} {LAYER_CLASS[(layer.framework, layer.cell)]}"
        f" · {layer.title} · {layer.params:,} parameters"
    )
    if layer.gates_in_columns:
        title += "<br><sup>" + " · ".join(f"{_letter(t, True)} = {t.name} {t.shape}" for t in _drawn(layer)) + "</sup>"
    if data.pooled:
        title += (
            f"<br><sup>pooled: each cell is the mean of up to {data.row_factor} × {data.col_factor} weights"
            " (per gate block); hover shows where a block starts</sup>"
        )
    return title
