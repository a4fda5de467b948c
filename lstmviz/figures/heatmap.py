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
from lstmviz.style import FONT, FRAMEWORK_LABEL, INK, SCREEN, TENSOR_LETTER, WEIGHT_SCALE, Theme, gate_colour

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
            # Biases are never pooled along the stack: they are one or two lines already.
            rf, cf = row_factor, col_factor
            if tensor.role == "bias":
                rf, cf = (1, col_factor) if keras else (row_factor, 1)
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


def weight_heatmap(data: HeatmapData, theme: Theme = SCREEN) -> go.Figure:
    """The heatmap figure: tensors in the framework's layout, gate blocks outlined and labelled."""
    layer, keras = data.layer, data.layer.gates_in_columns
    # Colour range from the weight matrices, robust to outliers: a Keras forget bias of 1 (or
    # pooled means near 0 at large sizes) would otherwise wash out every weight.
    weights_only = [b.values.ravel() for b in data.blocks if b.tensor.role != "bias"]
    limit = float(np.percentile(np.abs(np.concatenate(weights_only)), 99)) or 1.0
    lines, labels = _gate_marks(layer, theme)
    layout = _panel_axes(layer, theme)
    layout.update(
        title={"text": _title(data), "font": {"size": theme.title_size}},
        coloraxis={
            "colorscale": get_colorscale(WEIGHT_SCALE),  # a name would reach plotly.js unresolved
            "cmin": -limit,
            "cmax": limit,
            "colorbar": {"title": {"text": "weight"}},
        },
        font={"family": FONT, "size": theme.font_size, "color": INK},
        height=theme.figure_height,
        margin={"t": (130 if keras else 170) + (30 if data.pooled else 0), "l": 20 if keras else 190, "r": 20, "b": 40},
        shapes=lines,
        annotations=labels,
    )
    return fast_figure(_traces(data), layout)


def _suffixes(layer: LayerCount) -> list[str]:
    """Plotly axis suffixes, one panel per drawn tensor: "", "2", "3"."""
    return ["" if i == 0 else str(i + 1) for i in range(len(_drawn(layer)))]


def _panel_axes(layer: LayerCount, theme: Theme) -> dict[str, Any]:
    """One panel per tensor: Keras stacks them top to bottom sharing columns, PyTorch side by side sharing rows."""
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
    gate_ticks = {"tick0": 0, "dtick": max(1, ceil(len(layer.gates) * layer.units / 16))}
    # What make_subplots would do, written out so the figure is built in one step.
    spans = _domains(share[::-1], 0.04)[::-1] if keras else _domains(share, 0.02)
    layout: dict[str, Any] = {}
    for i, (suffix, span) in enumerate(zip(_suffixes(layer), spans, strict=True)):
        own = {  # the tensor's own axis: whole-number ticks only, an index is never 0.5
            "title": {"text": titles[i], "font": {"size": theme.font_size}},
            "tick0": 0,
            "dtick": max(1, ceil(sizes[i] / 8)),
            "domain": list(span),
            "anchor": f"{gate_axis}{suffix}",
        }
        shared: dict[str, Any] = {**gate_ticks, "anchor": f"{stack_axis}{suffix}"}
        if i:
            shared["matches"] = gate_axis
        # Rows read top to bottom; the shared axis shows its ticks once, next to the gate labels.
        if keras:
            own["autorange"] = "reversed"
            shared["showticklabels"] = i == n - 1
        else:
            own["side"] = "top"
            shared["autorange"] = "reversed"
            shared["showticklabels"] = i == 0
        layout[f"{stack_axis}axis{suffix}"], layout[f"{gate_axis}axis{suffix}"] = own, shared
    return layout


def _traces(data: HeatmapData) -> list[dict[str, Any]]:
    """One heatmap trace per gate block, in its tensor's panel."""
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
        }
        if with_units:
            trace["customdata"] = np.ascontiguousarray(custom)
        traces.append(trace)
    return traces


def _gate_marks(layer: LayerCount, theme: Theme) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Gate boundaries in every panel, and gate labels along the gate axis."""
    keras, h = layer.gates_in_columns, layer.units
    gate_axis, stack_axis = ("x", "y") if keras else ("y", "x")
    boundary = {"color": INK, "width": theme.line_width}
    lines: list[dict[str, Any]] = []
    labels: list[dict[str, Any]] = []
    for k, gate in enumerate(layer.gates):
        edge, centre = k * h - 0.5, k * h + (h - 1) / 2
        for suffix in _suffixes(layer) if k else []:
            lines.append(
                {
                    "type": "line",
                    f"{gate_axis}ref": f"{gate_axis}{suffix}",
                    f"{stack_axis}ref": f"{stack_axis}{suffix} domain",
                    f"{gate_axis}0": edge,
                    f"{gate_axis}1": edge,
                    f"{stack_axis}0": 0,
                    f"{stack_axis}1": 1,
                    "line": boundary,
                }
            )
        label = {
            gate_axis: centre,
            f"{gate_axis}ref": gate_axis,
            f"{stack_axis}ref": "paper",
            "text": f"<b>{gate.kind.symbol}</b> {gate.kind.name}",
            "showarrow": False,
            "font": {"color": gate_colour(gate.kind.symbol), "size": theme.font_size},
        }
        # Keras: above the top panel; PyTorch: left of the rows, right-aligned.
        if keras:
            label.update(y=1.0, yshift=theme.font_size + 2)
        else:
            label.update(x=0.0, xshift=-44, xanchor="right")
        labels.append(label)
    return lines, labels


def _title(data: HeatmapData) -> str:
    """Layer, count, Keras's W/U/b legend, and whether cells are pooled."""
    layer = data.layer
    title = (
        f"{FRAMEWORK_LABEL[layer.framework]} {LAYER_CLASS[(layer.framework, layer.cell)]}"
        f" · layer {layer.layer} {layer.direction} · {layer.params:,} parameters"
    )
    if layer.gates_in_columns:
        title += "<br><sup>" + " · ".join(f"{_letter(t, True)} = {t.name} {t.shape}" for t in _drawn(layer)) + "</sup>"
    if data.pooled:
        title += (
            f"<br><sup>pooled: each cell is the mean of up to {data.row_factor} × {data.col_factor} weights"
            " (per gate block); hover shows where a block starts</sup>"
        )
    return title
