"""The W/U/b heatmap: one layer's fused tensors, cut into gate blocks, in the framework's layout.

With G gates (4 LSTM, 3 GRU, 1 SimpleRNN), Keras stacks them as column blocks of (x, G·h) kernel,
(h, G·h) recurrent_kernel and (G·h,) bias, so the figure stacks W over U over b with shared columns.
PyTorch stacks gates as row blocks of (G·h, x) weight_ih and (G·h, h) weight_hh, so the figure
puts the tensors side by side with shared rows. Large tensors are mean-pooled per gate block so
the payload stays bounded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from math import ceil
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.colors import get_colorscale

from lstmviz.conventions import TENSOR_LETTER
from lstmviz.counting import LayerCount, Tensor
from lstmviz.figures.frozen import frozen_figure
from lstmviz.style import (
    DIM,
    FONT,
    INK,
    PAPER,
    SCREEN,
    WEIGHT_SCALE,
    Theme,
    blend,
    gate_colour,
    gate_text_colour,
    readable_on,
)

# Pooled grid bounds: 256 × 512 float32 cells ≈ 0.7 MB of figure JSON. The plot area is about 900 × 300
# pixels, so a finer grid would put more than one cell on a pixel; each is drawn twice per press.
MAX_ROWS = 256
MAX_COLS = 512
HOVER_LABEL_CELLS = 4_096  # up to here each cell's hover text is sent (about 30 bytes a cell)
HOVER_UNIT_CELLS = 65_536  # up to here each cell's unit index is sent (2 bytes a cell)

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
    means_only: tuple[str, ...] = ()  # tensors whose pooled means were drawn directly (lstmviz.weights)

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


def pool_factors(layer: LayerCount, max_rows: int = MAX_ROWS, max_cols: int = MAX_COLS) -> tuple[int, int]:
    """Row and column factors the heatmap mean-pools this layer's gate blocks by (1, 1: not pooled)."""
    keras = layer.gates_in_columns
    # The axis not split by gates stacks the tensors: Keras rows (x + h + b), PyTorch columns.
    stacked = sum(_as_2d_shape(t, keras)[0 if keras else 1] for t in _drawn(layer))
    gate_axis_limit, stack_limit = (max_cols, max_rows) if keras else (max_rows, max_cols)
    gate_factor = ceil(len(layer.gates) * layer.units / gate_axis_limit)
    stack_factor = ceil(stacked / stack_limit)
    return (stack_factor, gate_factor) if keras else (gate_factor, stack_factor)


def heatmap_data(
    layer: LayerCount,
    weights: dict[str, np.ndarray],
    max_rows: int = MAX_ROWS,
    max_cols: int = MAX_COLS,
) -> HeatmapData:
    """Cut one layer's tensors (keyed by Tensor.key) into gate blocks, pooled to the bounds."""
    keras = layer.gates_in_columns
    tensors = _drawn(layer)
    h = layer.units
    row_factor, col_factor = pool_factors(layer, max_rows, max_cols)
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


def _hover(tensor: Tensor, columns: bool, pooled: bool, gate: str, unit: str = "") -> str:
    """One trace's hover text; `gate` is its cells' gate ("<br>%{customdata}" when each cell says its own)."""
    letter = _letter(tensor, columns)
    if pooled:
        return f"{letter} block mean from [%{{y}}, %{{x}}]{gate}<br>mean %{{z:.4f}}<extra></extra>"
    if tensor.role == "bias":
        index = "[%{y}, %{x}]" if len(tensor.shape) == 2 else ("[%{x}]" if columns else "[%{y}]")
        which = " (row 0: input bias, row 1: recurrent bias)" if len(tensor.shape) == 2 else ""
        return f"{letter}{index}{which}{gate}{unit}<br>value %{{z:.4f}}<extra></extra>"
    # Keras W[row, col]: row = source, col = gate unit. PyTorch weight[row, col]: row = gate unit.
    src = "%{y}" if columns else "%{x}"
    source = f"{_ROW_MEANING[tensor.role]} {src}"
    return f"{letter}[%{{y}}, %{{x}}]: {source}{gate}{unit}<br>value %{{z:.4f}}<extra></extra>"


def _gate_labels(block: Block, columns: bool) -> np.ndarray:
    """Each cell's "→ forget gate (f), unit 3", as an object array shaped like the block."""
    names = np.array([f"→ {block.gate_name} gate ({block.gate_symbol}), unit {u}" for u in block.units], dtype=object)
    return np.broadcast_to(names[None, :] if columns else names[:, None], block.values.shape)


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
    layer = data.layer
    # Colour range from the weight matrices, robust to outliers: a Keras forget bias of 1 (or
    # pooled means near 0 at large sizes) would otherwise wash out every weight.
    weights_only = [b.values.ravel() for b in data.blocks if b.tensor.role != "bias"]
    limit = float(np.percentile(np.abs(np.concatenate(weights_only)), 99)) or 1.0
    lines, labels = _gate_marks(layer, theme, selected)
    layout = _panel_axes(layer, theme)
    layout.update(
        # The title sits at the top of the figure, above the room reserved for the tensors' axis titles.
        title={
            "text": _title(data, theme),
            "font": {"size": theme.title_size},
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            # Plotly hangs half of the extra title lines above the anchor: push them down by that height.
            "pad": {"t": int(6 + 0.65 * theme.title_size * (len(_title_lines(data)) - 1))},
        },
        coloraxis={
            "colorscale": _weight_colours(),  # a name would reach plotly.js unresolved
            "cmin": -limit,
            "cmax": limit,
            "colorbar": {"title": {"text": "weight"}, "xpad": 10 + _row_label_px(layer, theme)},
        },
        font={"family": FONT, "size": theme.font_size, "color": INK},
        height=theme.figure_height,
        margin=_margins(data, theme),
        shapes=lines,
        annotations=[*layout.pop("annotations", []), *labels],
        showlegend=False,
        clickmode="event+select",
        dragmode=False,
    )
    return frozen_figure([*_traces(data), _strip(layer, theme, selected)], layout)


def _margins(data: HeatmapData, theme: Theme) -> dict[str, Any]:
    """Fixed margins with room for tick labels, axis titles and the colour bar.

    Fixed, not grown by Plotly (autoexpand, automargin): growing them measures every label and then
    draws the whole figure again, on each of the page's redraws.
    """
    layer = data.layer
    if layer.gates_in_columns:  # row indices and the short W/U/b titles left of the panels
        longest = max(_as_2d_shape(t, True)[0] for t in _drawn(layer))
        left = int(_label_px(longest, theme, True) + 2.5 * theme.font_size + 8)
    else:  # gate names left of the strip
        left = 9 * theme.font_size
    return {
        "t": _top_margin(data, theme),
        "l": left,
        # The colour bar and its tick labels, e.g. −0.006; PyTorch's row numbers before it.
        "r": int(70 + 4.5 * theme.font_size + _row_label_px(layer, theme)),
        "b": int(2.5 * theme.font_size + 10),
        "autoexpand": False,
    }


def _row_label_px(layer: LayerCount, theme: Theme) -> int:
    """Room for PyTorch's row numbers right of its panels (Keras numbers its columns underneath)."""
    return 0 if layer.gates_in_columns else int(_label_px(len(layer.gates) * layer.units, theme, True))


@cache
def _weight_colours() -> list[list[Any]]:
    """The weight colour scale as [position, colour] pairs (Plotly looks the name up in ~1 ms)."""
    return [list(stop) for stop in get_colorscale(WEIGHT_SCALE)]


def _top_margin(data: HeatmapData, theme: Theme) -> int:
    """Room above the panels for the title lines, and (PyTorch) the two-line axis titles and tick labels."""
    title_lines = len(_title_lines(data))
    # PyTorch: one line per tensor name (staggered, see _panel_titles) over the tick labels.
    above_panels = 0 if data.layer.gates_in_columns else (1.35 * len(_drawn(data.layer)) + 1.6) * theme.font_size
    return int(title_lines * 1.4 * theme.title_size + above_panels + 16)


def _suffixes(layer: LayerCount) -> list[str]:
    """Plotly axis suffixes, one panel per drawn tensor: "", "2", "3"."""
    return ["" if i == 0 else str(i + 1) for i in range(len(_drawn(layer)))]


LEGEND_CHARS = 44  # a title line of the Keras W/U/b legend: fits a compare half-column at the font size
STRIP = 0.06  # share of the figure the clickable gate strip takes along the stacking axis
STRIP_GAP = 0.05  # room for the gate axis's tick labels (PyTorch) between the strip and the tensors
# Pixels for tick spacing: a heatmap in half a column (compare, convert) gets about 330; the full
# column (900) then shows fewer ticks, never colliding ones (labels stay level: tickangle 0).
PLOT_WIDTH = 330
PHONE_PLOT_WIDTH = 150  # the narrowest plot: a heatmap on a 390 px phone, inside its margins


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
    """One panel per tensor on one shared gate axis: Keras stacks them top to bottom, PyTorch side by side.

    The gate axis is drawn once ("x" in Keras, "y" in PyTorch), so the figure has one axis per tensor
    plus that one: every axis is a few hundred measured tick labels on each redraw, the main cost of
    drawing this figure. A last, thin panel holds the gate strip: above the tensors (Keras) or left
    of them (PyTorch).
    """
    keras = layer.gates_in_columns
    tensors = _drawn(layer)
    n = len(tensors)
    sizes = [(_as_2d_shape(t, keras)[0 if keras else 1]) for t in tensors]
    share = [max(s / sum(sizes), 0.07 if keras else 0.1) for s in sizes]
    share = [s / sum(share) for s in share]
    # Keras rows can be thin (a bias is one row): short axis titles there, full names in the title.
    # PyTorch's side-by-side panels are too narrow for their names: those go on lines of their own above.
    titles = [_letter(t, keras) if keras else "" for t in tensors]
    gate_axis, stack_axis = ("x", "y") if keras else ("y", "x")
    gate_length = len(layer.gates) * layer.units
    plot_height = theme.figure_height - 150
    spans = _stack_spans(layer, share)
    suffixes = _suffixes(layer)
    # Ticks spaced by the pixels they get, so labels such as 1,024 and 1,000 never collide.
    gate_room = PLOT_WIDTH if keras else plot_height
    layout: dict[str, Any] = {
        f"{gate_axis}axis": {
            "tick0": 0,
            "dtick": nice_step(gate_length, gate_room, _label_px(gate_length, theme, keras)),
            "domain": [0.0, 1.0],
            # Keras: the column ticks under the bottom panel. PyTorch: rows read top to bottom, numbered
            # right of the last panel (left of the first they ran into the gate strip's names).
            **({"anchor": f"{stack_axis}{suffixes[-1]}"} if keras else {"anchor": "free", "position": 1.0}),
            **_FIXED_AXIS,
            **({} if keras else {"autorange": "reversed", "side": "right"}),
        }
    }
    for i, (suffix, span) in enumerate(zip(suffixes, spans, strict=True)):
        # PyTorch's panels share the width: spaced for a phone's plot, so side-by-side ticks never meet.
        room = (span[1] - span[0]) * (plot_height if keras else PHONE_PLOT_WIDTH)
        layout[f"{stack_axis}axis{suffix}"] = {  # the tensor's own axis: whole-number ticks only
            **({"title": {"text": titles[i], "font": {"size": theme.font_size}}} if titles[i] else {}),
            "tick0": 0,
            "dtick": nice_step(sizes[i], room, _label_px(sizes[i], theme, not keras)),
            "showticklabels": keras or sizes[i] > 1,  # a one-column bias needs no "0" crowding its neighbours
            "domain": list(span),
            "anchor": gate_axis,
            **_FIXED_AXIS,
            **({"autorange": "reversed"} if keras else {"side": "top"}),
        }
    if not keras:
        layout["annotations"] = _panel_titles(tensors, spans, theme)
    strip_domain = [1 - STRIP, 1.0] if keras else [0.0, STRIP]
    layout[f"{stack_axis}axis{n + 1}"] = {
        "domain": strip_domain,
        "anchor": gate_axis,
        "range": [0, 1],
        "visible": False,
        "fixedrange": True,
        "automargin": False,
    }
    return layout


# Every tensor and gate axis: no grid, and ticks laid out by nice_step, not by Plotly measuring labels
# (automargin grows the margins and draws again; an automatic angle measures every label on each draw).
_FIXED_AXIS = {"showgrid": False, "zeroline": False, "automargin": False, "tickangle": 0}


def _panel_titles(
    tensors: Sequence[Tensor], spans: Sequence[tuple[float, float]], theme: Theme
) -> list[dict[str, Any]]:
    """PyTorch's tensor names above its side-by-side panels, one line each (the first highest), so no two
    meet however narrow a panel is: from a panel's left edge, or (right half) ending at its right edge."""
    line, ticks = 1.35 * theme.font_size, 1.6 * theme.font_size
    return [
        {
            "text": f"{t.name} {t.shape}",
            "xref": "paper",
            "yref": "paper",
            "x": lo if lo < 0.5 else hi,
            "xanchor": "left" if lo < 0.5 else "right",
            "y": 1,
            "yanchor": "bottom",
            "yshift": ticks + line * (len(tensors) - 1 - i),
            "showarrow": False,
            "font": {"size": theme.font_size, "color": INK},
        }
        for i, (t, (lo, hi)) in enumerate(zip(tensors, spans, strict=True))
    ]


def _stack_spans(layer: LayerCount, share: list[float]) -> list[tuple[float, float]]:
    """Each tensor panel's span along the stacking axis (paper fraction), the strip's room left free."""
    if layer.gates_in_columns:
        spans = _domains(share[::-1], 0.04)[::-1]
        return [(a * (1 - STRIP - STRIP_GAP), b * (1 - STRIP - STRIP_GAP)) for a, b in spans]
    return [
        (STRIP + STRIP_GAP + a * (1 - STRIP - STRIP_GAP), STRIP + STRIP_GAP + b * (1 - STRIP - STRIP_GAP))
        for a, b in _domains(share, 0.02)
    ]


def tensor_span(layer: LayerCount) -> tuple[float, float]:
    """Where the tensor panels lie along the stacking axis (paper fraction): gate marks span all of them."""
    return (0.0, 1 - STRIP - STRIP_GAP) if layer.gates_in_columns else (STRIP + STRIP_GAP, 1.0)


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
    # Names only where every one fits its block in a half-column plot: Plotly shrinks text that does not
    # fit a bar (to 9.6 px for "c cell candidate"); the gate picker and the hover name them anyway.
    room = PLOT_WIDTH / len(symbols) - 8
    named = keras and all(len(f"{s} {names[s]}") * 0.6 * theme.font_size <= room for s in symbols)
    text = [f"<b>{s}</b> {names[s]}" if named else f"<b>{s}</b>" for s in symbols]
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
        "constraintext": "none",  # a gate's symbol keeps the chart's size however thin its bar
        "textangle": 0,
        "textfont": {"color": inks, "size": theme.font_size},
        "showlegend": False,
    }
    if keras:
        trace.update(x=centres, y=[1] * len(symbols), xaxis="x", yaxis=f"y{n + 1}", orientation="v")
    else:
        trace.update(y=centres, x=[1] * len(symbols), yaxis="y", xaxis=f"x{n + 1}", orientation="h")
    return trace


def _traces(data: HeatmapData) -> list[dict[str, Any]]:
    """The gate blocks as heatmap traces, each in its tensor's panel.

    Up to HOVER_LABEL_CELLS cells (the sizes a slider press redraws most), one trace per tensor, its
    blocks side by side, each cell's gate and unit sent as text for its hover: each trace is drawn to
    its own canvas, and the page draws the figure twice per press. Larger layers keep one trace per
    gate block, whose hover names its gate, with unit indices up to HOVER_UNIT_CELLS cells; each
    block is evenly spaced, which lets Plotly draw it one pixel per cell (a pooled block's last
    bucket can be short, so a whole tensor is not).
    """
    layer, keras = data.layer, data.layer.gates_in_columns
    cells = sum(b.values.size for b in data.blocks)
    labelled = not data.pooled and cells <= HOVER_LABEL_CELLS
    with_units = not data.pooled and cells <= HOVER_UNIT_CELLS
    gate_axis = 1 if keras else 0  # gate blocks sit side by side along this array axis
    traces = []
    for suffix, tensor in zip(_suffixes(layer), _drawn(layer), strict=True):
        blocks = [b for b in data.blocks if b.tensor is tensor]
        for piece in [blocks] if labelled else [[b] for b in blocks]:
            along_gates = np.concatenate([b.cols if keras else b.rows for b in piece]).astype(np.int32)
            along_stack = (piece[0].rows if keras else piece[0].cols).astype(np.int32)
            trace: dict[str, Any] = {
                "type": "heatmap",
                "z": np.concatenate([b.values for b in piece], axis=gate_axis),
                "x": along_gates if keras else along_stack,
                "y": along_stack if keras else along_gates,
                # The gate axis is shared; the stacking axis is the tensor's own.
                "xaxis": "x" if keras else f"x{suffix}",
                "yaxis": f"y{suffix}" if keras else "y",
                "coloraxis": "coloraxis",
                "name": tensor.name,
            }
            if labelled:
                labels = np.concatenate([_gate_labels(b, keras) for b in piece], axis=gate_axis)
                trace["customdata"] = labels.tolist()
                trace["hovertemplate"] = _hover(tensor, keras, data.pooled, "<br>%{customdata}")
            else:
                (block,) = piece
                gate = f"<br>→ {block.gate_name} gate ({block.gate_symbol})"
                if with_units:
                    units = block.units.astype(np.int16 if layer.units < 32_768 else np.int32)
                    shaped = units[None, :] if keras else units[:, None]
                    trace["customdata"] = np.ascontiguousarray(np.broadcast_to(shaped, block.values.shape))
                trace["hovertemplate"] = _hover(tensor, keras, data.pooled, gate, ", unit %{customdata}" * with_units)
            traces.append(trace)
    return traces


def gate_span(layer: LayerCount, k: int, line: dict[str, Any], fill: str = "rgba(0,0,0,0)") -> dict[str, Any]:
    """A rectangle over gate k's blocks in every tensor panel at once (the gate axis is shared)."""
    gate_axis, stack_axis = ("x", "y") if layer.gates_in_columns else ("y", "x")
    low, high = tensor_span(layer)
    edge = k * layer.units - 0.5
    return {
        "type": "rect",
        f"{gate_axis}ref": gate_axis,
        f"{stack_axis}ref": "paper",
        f"{gate_axis}0": edge,
        f"{gate_axis}1": edge + layer.units,
        f"{stack_axis}0": low,
        f"{stack_axis}1": high,
        "line": line,
        "fillcolor": fill,
        "opacity": 1,  # the template's shape default is 0.3, which made borders faint
    }


def gate_veil(layer: LayerCount, k: int, opacity: float) -> dict[str, Any]:
    """A white veil of `opacity` over gate k's blocks in every tensor panel: the gate shows faintly."""
    return {**gate_span(layer, k, {"width": 0}, PAPER), "opacity": opacity}


def _gate_marks(
    layer: LayerCount, theme: Theme, selected: str | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Gate boundaries across every panel (white under black, visible on any cell colour), the other
    gates veiled and the selected gate outlined, and (PyTorch) gate names left of the strip."""
    keras, h = layer.gates_in_columns, layer.units
    gate_axis, stack_axis = ("x", "y") if keras else ("y", "x")
    low, high = tensor_span(layer)
    lines: list[dict[str, Any]] = []
    labels: list[dict[str, Any]] = []
    if selected is not None:  # the look of drawing the other gates at opacity DIM
        lines += [gate_veil(layer, k, 1 - DIM) for k, gate in enumerate(layer.gates) if gate.kind.symbol != selected]
    for k, gate in enumerate(layer.gates):
        edge = k * h - 0.5
        for colour, width in ((PAPER, theme.line_width * 3), (INK, theme.line_width)) if k else ():
            lines.append(
                {
                    "type": "line",
                    f"{gate_axis}ref": gate_axis,
                    f"{stack_axis}ref": "paper",
                    f"{gate_axis}0": edge,
                    f"{gate_axis}1": edge,
                    f"{stack_axis}0": low,
                    f"{stack_axis}1": high,
                    "line": {"color": colour, "width": width},
                    "opacity": 1,
                }
            )
        if gate.kind.symbol == selected:
            lines.append(gate_span(layer, k, {"color": INK, "width": theme.line_width * 2.5}))
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


def _title_lines(data: HeatmapData) -> list[str]:
    """Layer and count; Keras's W/U/b legend (at most LEGEND_CHARS a line); whether cells are pooled."""
    layer = data.layer
    lines = [f"{layer.convention.label} · {layer.title} · {layer.params:,} parameters"]
    if layer.gates_in_columns:
        legend = [f"{_letter(t, True)} = {t.name} {t.shape}" for t in _drawn(layer)]
        current = ""
        for item in legend:
            if current and len(current) + 3 + len(item) > LEGEND_CHARS:
                lines.append(current)
                current = item
            else:
                current = f"{current} · {item}" if current else item
        lines.append(current)
    if data.pooled:
        lines.append(f"pooled: each cell is the mean of up to {data.row_factor} × {data.col_factor} weights")
    if data.means_only:
        gh = f"{len(layer.gates)}h" if len(layer.gates) > 1 else "h"
        lines.append(
            f"{', '.join(data.means_only)}: each cell drawn from the distribution of an orthogonal"
            f" matrix's pooled mean, N(0, 1/(n·{gh})), not orthogonalised in full"
        )
    return lines


def _title(data: HeatmapData, theme: Theme) -> str:
    """The title's lines; the ones after the first at the chart's font size (never under the floor)."""
    first, *rest = _title_lines(data)
    return "<br>".join([first, *(f"<span style='font-size:{theme.font_size}px'>{line}</span>" for line in rest)])
