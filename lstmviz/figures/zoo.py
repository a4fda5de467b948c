"""Figures of a zoo layer: gate bars, the tensors as heatmaps in the framework's own layout, the run, the cell.

Pure builders: a count (and weights or a run) in, a Plotly figure out.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lstmviz.conventions import ACTIVATION_SYMBOL
from lstmviz.style import (
    DIAGRAM_BACK,
    FONT,
    INK,
    MUTED,
    PART_COLOURS,
    PART_PATTERN,
    SCREEN,
    STATE_COLOURS,
    WEIGHT_SCALE,
    Theme,
    gate_colour,
    gate_text_colour,
    readable_on,
)
from lstmviz.zoo import TensorLayout, ZooCount
from lstmviz.zoo.forward import ZooRun
from lstmviz.zoo.tables import gate_shares

# The tensor roles drawn as the existing parts (grey tones and hatching; hues mean gates only).
ROLE_PART = {
    "input": "input weights",
    "recurrent": "recurrent weights",
    "bias": "biases",
    "projection": "projection weights",
    "peephole": "peephole weights",
}
_PEEPHOLE = ("#B3B3B3", "\\")
MAX_CELLS = (48, 96)  # a heatmap panel's rows and columns before pooling


def _part_style(part: str) -> tuple[str, str]:
    if part == "peephole weights":
        return _PEEPHOLE
    return PART_COLOURS[part], PART_PATTERN[part]


def _layout(fig: go.Figure, theme: Theme, height: int, bottom: int = 10, top: int = 40) -> go.Figure:
    fig.update_layout(
        font={"family": FONT, "size": theme.font_size, "color": INK},
        paper_bgcolor="#FFFFFF",
        plot_bgcolor="#FFFFFF",
        height=height,
        margin={"l": 30, "r": 10, "t": top, "b": bottom},
    )
    return fig


def zoo_gate_bars(count: ZooCount, theme: Theme = SCREEN) -> go.Figure:
    """Each gate's parameters as stacked bars of its parts (a kernel over [x, h] split by its rows)."""
    shares = gate_shares(count)
    split: list[dict[str, int]] = []
    for share in shares:
        parts: dict[str, int] = {}
        for role, params in share.parts.items():
            if role == "input+recurrent":  # TF1: the first x rows of the kernel read x, the rest h
                rows = count.options.features + count.options.hidden_out
                parts["input weights"] = parts.get("input weights", 0) + params * count.options.features // rows
                parts["recurrent weights"] = (
                    parts.get("recurrent weights", 0) + params - params * count.options.features // rows
                )
            else:
                parts[ROLE_PART[role]] = parts.get(ROLE_PART[role], 0) + params
        split.append(parts)
    labels = [f"{s.symbol} {s.name}" if s.symbol != s.name else s.name for s in shares]
    fig = go.Figure()
    for part in [p for p in ROLE_PART.values() if any(p in s for s in split)]:
        colour, pattern = _part_style(part)
        values = [s.get(part, 0) for s in split]
        fig.add_bar(
            y=labels,
            x=values,
            name=part,
            orientation="h",
            marker={
                "color": colour,
                "line": {"color": INK, "width": 1},
                "pattern": {"shape": pattern, "fgcolor": INK, "size": 6, "solidity": 0.2},
            },
            text=[f"{v:,}" if v else "" for v in values],
            textposition="inside",
            insidetextanchor="middle",
            textfont={"color": readable_on(colour)},
            hovertemplate=f"%{{y}}: %{{x:,}} {part}<extra></extra>",
        )
    fig.update_layout(
        barmode="stack",
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0, "title": {"text": "parameters: "}},
        yaxis={"autorange": "reversed", "automargin": True},
    )
    return _layout(fig, theme, 170 + 42 * len(labels), bottom=30, top=80)


def _as_matrix(t: TensorLayout, value: np.ndarray, taps: int) -> tuple[np.ndarray, str]:
    """A tensor as a 2-D matrix in its own layout; a convolution kernel pooled over its spatial taps."""
    if len(t.shape) > 2:
        sides = " × ".join(map(str, t.shape[:-2]))
        pooled = value.reshape(-1, *t.shape[-2:]).mean(axis=0)
        return pooled, f"{t.name}<br>mean of {taps} taps ({sides})"
    if len(t.shape) == 1:
        return value.reshape(1, -1), t.name
    return value, t.name  # the shape is in the tensor table and the hover


def _pool(matrix: np.ndarray) -> tuple[np.ndarray, bool]:
    """Block means down to MAX_CELLS, so a large layer stays a light figure."""
    rows, cols = matrix.shape
    fr, fc = math.ceil(rows / MAX_CELLS[0]), math.ceil(cols / MAX_CELLS[1])
    if fr == 1 and fc == 1:
        return matrix, False
    padded = np.full((math.ceil(rows / fr) * fr, math.ceil(cols / fc) * fc), np.nan)
    padded[:rows, :cols] = matrix
    blocks = padded.reshape(padded.shape[0] // fr, fr, padded.shape[1] // fc, fc)
    return np.nanmean(blocks, axis=(1, 3)), True


def zoo_heatmap(count: ZooCount, weights: dict[str, np.ndarray], theme: Theme = SCREEN) -> go.Figure:
    """One panel per tensor in the framework's own layout; gate blocks marked along the gate axis."""
    tensors = count.tensors
    columns = 4 if len(tensors) >= 8 else min(3, len(tensors))
    rows = math.ceil(len(tensors) / columns)
    titles, matrices = [], []
    for t in tensors:
        matrix, title = _as_matrix(t, np.asarray(weights[t.name], dtype=float), count.options.taps)
        matrix, pooled = _pool(matrix)
        titles.append(title + (" (pooled)" if pooled else ""))
        matrices.append(matrix)
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=titles, horizontal_spacing=0.06, vertical_spacing=0.12)
    limit = max(float(np.nanmax(np.abs(m))) for m in matrices) or 1.0
    for n, (t, matrix) in enumerate(zip(tensors, matrices, strict=True)):
        row, col = n // columns + 1, n % columns + 1
        fig.add_heatmap(
            z=matrix,
            zmin=-limit,
            zmax=limit,
            colorscale=WEIGHT_SCALE,
            showscale=n == 0,
            colorbar={"title": {"text": "weight"}, "len": 0.6},
            hovertemplate=f"{t.name}[%{{y}}, %{{x}}] = %{{z:.3f}}<extra></extra>",
            row=row,
            col=col,
        )
        fig.update_yaxes(autorange="reversed", showticklabels=False, row=row, col=col)
        fig.update_xaxes(showticklabels=False, row=row, col=col)
        _mark_gates(fig, t, matrix.shape, row, col)
    fig.update_annotations(font={"size": theme.font_size - 1, "color": INK})
    return _layout(fig, theme, 80 + 210 * rows, bottom=30)


def _mark_gates(fig: go.Figure, t: TensorLayout, shape: tuple[int, ...], row: int, col: int) -> None:
    """Lines between the gate blocks and each block's symbol in its gate's text colour."""
    if len(t.gates) < 2:
        if t.gates:
            fig.add_annotation(
                text=f"<b>{t.gates[0]}</b>",
                xref="x domain",
                yref="y domain",
                x=0.5,
                y=0.0,
                yanchor="top",  # under the panel: its title sits above
                showarrow=False,
                font={"color": gate_text_colour(t.gates[0])},
                row=row,
                col=col,
            )
        return
    along = shape[1] if t.axis == -1 or len(t.shape) == 1 else shape[0]
    size = along / len(t.gates)
    for n, symbol in enumerate(t.gates):
        middle = (n + 0.5) * size - 0.5
        if n:
            edge = n * size - 0.5
            line = {"color": INK, "width": 1.5}
            if t.axis == -1 or len(t.shape) == 1:
                fig.add_vline(x=edge, line=line, row=row, col=col)
            else:
                fig.add_hline(y=edge, line=line, row=row, col=col)
        font = {"color": gate_text_colour(symbol), "size": 12}
        if t.axis == -1 or len(t.shape) == 1:
            fig.add_annotation(
                text=f"<b>{symbol}</b>",
                x=middle,
                yref="y domain",
                y=0.0,
                yanchor="top",  # under the panel: its title sits above
                showarrow=False,
                font=font,
                row=row,
                col=col,
            )
        else:
            fig.add_annotation(
                text=f"<b>{symbol}</b>",
                y=middle,
                xref="x domain",
                x=0.0,
                xanchor="right",
                showarrow=False,
                font=font,
                row=row,
                col=col,
            )


def zoo_run_figure(count: ZooCount, run: ZooRun, theme: Theme = SCREEN) -> go.Figure:
    """Every gate and h_t over time, one row each (a convolutional cell's values averaged over space)."""
    names = [*run.gates, "h_t"]
    fig = make_subplots(rows=len(names), cols=1, shared_xaxes=True, vertical_spacing=0.04, subplot_titles=names)
    for n, name in enumerate(names):
        values = run.outputs if name == "h_t" else run.gates[name]
        series = values.reshape(values.shape[0], -1, values.shape[-1]).mean(axis=1)  # (T, units)
        fig.add_heatmap(
            z=series.T,
            zmin=-1,
            zmax=1,
            colorscale=WEIGHT_SCALE,
            showscale=n == 0,
            hovertemplate=f"{name}: t=%{{x}}, unit %{{y}} = %{{z:.3f}}<extra></extra>",
            row=n + 1,
            col=1,
        )
    fig.update_xaxes(title_text="timestep t", row=len(names), col=1)
    return _layout(fig, theme, 90 + 110 * len(names))


def zoo_cell_figure(count: ZooCount, theme: Theme = SCREEN) -> go.Figure:
    """The cell: x_t and h_t−1 into each gate (a convolution where it is one), peepholes and projection drawn."""
    r, o = count.record, count.options
    fig = go.Figure()
    gates = r.gates
    width = 1.6
    xs = [1.0 + n * (width + 0.4) for n in range(len(gates))]
    conv = f"conv {'×'.join(map(str, o.kernel_size))}" if r.conv_dims else "dense"
    for x, gate in zip(xs, gates, strict=True):
        colour = gate_colour(gate.symbol)
        fig.add_shape(type="rect", x0=x, x1=x + width, y0=2.0, y1=3.0, fillcolor=colour, line={"color": INK})
        fig.add_annotation(
            x=x + width / 2,
            y=2.5,
            showarrow=False,
            text=f"<b>{gate.symbol}</b><br>{ACTIVATION_SYMBOL.get(gate.activation)}",
            font={"color": readable_on(colour), "size": theme.font_size},
        )
        fig.add_annotation(
            x=x + width / 2,
            y=2.0,
            ax=x + width / 2,
            ay=0.9,
            xref="x",
            yref="y",
            axref="x",
            ayref="y",
            showarrow=True,
            arrowhead=2,
            arrowcolor=MUTED,
            text="",
        )
    right = xs[-1] + width
    fig.add_shape(type="rect", x0=xs[0], x1=right, y0=0.3, y1=0.9, fillcolor=DIAGRAM_BACK, line={"color": INK})
    concatenated = any(t.role == "input+recurrent" for t in count.tensors)
    fig.add_annotation(
        x=(xs[0] + right) / 2, y=0.6, showarrow=False, text="[x_t, h_t−1]" if concatenated else "x_t, h_t−1"
    )
    if r.has_cell_state:
        fig.add_shape(
            type="line",
            x0=xs[0] - 0.6,
            x1=right + 0.6,
            y0=3.6,
            y1=3.6,
            line={"color": STATE_COLOURS["cell state"], "width": 3},
        )
        fig.add_annotation(
            x=xs[0] - 0.6,
            y=3.85,
            text="c_t−1 → c_t",
            showarrow=False,
            xanchor="left",
            font={"color": STATE_COLOURS["cell state"]},
        )
        if o.use_peepholes:
            for x, gate in zip(xs, gates, strict=True):
                if gate.symbol in "ifo":
                    fig.add_shape(
                        type="line",
                        x0=x + width / 2,
                        x1=x + width / 2,
                        y0=3.6,
                        y1=3.0,
                        line={"color": STATE_COLOURS["cell state"], "dash": "dot", "width": 2},
                    )
    out_x = right + 1.4
    fig.add_shape(type="rect", x0=out_x, x1=out_x + 1.8, y0=2.0, y1=3.0, fillcolor="#FFFFFF", line={"color": INK})
    fig.add_annotation(x=out_x + 0.9, y=2.5, showarrow=False, text=f"h_t ({o.units})")
    if o.num_proj:
        fig.add_shape(
            type="rect",
            x0=out_x,
            x1=out_x + 1.8,
            y0=0.3,
            y1=1.3,
            fillcolor=PART_COLOURS["projection weights"],
            line={"color": INK, "dash": "dash"},
        )
        fig.add_annotation(x=out_x + 0.9, y=0.8, showarrow=False, text=f"proj<br>({o.units}, {o.num_proj})")
        fig.add_annotation(
            x=out_x + 0.9,
            y=1.3,
            ax=out_x + 0.9,
            ay=2.0,
            xref="x",
            yref="y",
            axref="x",
            ayref="y",
            showarrow=True,
            arrowhead=2,
            arrowcolor=INK,
            text="",
        )
    fig.update_xaxes(visible=False, range=[0, out_x + 2.2])
    fig.update_yaxes(visible=False, range=[0, 4.2])
    fig.update_layout(showlegend=False, title={"text": f"one step ({conv})", "font": {"size": theme.font_size}})
    return _layout(fig, theme, 280)


def zoo_cell_key(count: ZooCount) -> str:
    """The words the cell figure leaves out (it must fit a phone): gate names, what each box computes, extras."""
    r, o = count.record, count.options
    conv = f"a {'×'.join(map(str, o.kernel_size))} convolution" if r.conv_dims else "a dense layer"
    concat = any(t.role == "input+recurrent" for t in count.tensors)
    reads = "one kernel over [x_t, h_t−1] concatenated" if concat else "x_t and h_t−1 through their own weights"
    recurrent = f"the projected h_t−1 (p = {o.num_proj})" if o.num_proj else f"h_t−1 ({o.hidden_out})"
    parts = [
        " · ".join(f"{g.symbol} {g.name}" for g in r.gates) + f": each box is {conv} ({reads}) and its activation",
        f"x_t has {o.features} {'channels' if r.conv_dims else 'features'}; the recurrent input is {recurrent}",
    ]
    if o.use_peepholes:
        parts.append(
            "Dotted: the peepholes w_i_diag, w_f_diag, w_o_diag let i, f (old c) and o (new c) see the cell state"
        )
    if o.num_proj:
        parts.append(f"Dashed: the projection kernel ({o.units}, {o.num_proj}) maps h_t to the p values fed back")
    return ". ".join(parts) + "."
