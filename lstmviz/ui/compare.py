"""The compare view: the sidebar's layer side by side with its counterparts, each difference called out."""

from __future__ import annotations

from typing import Any

import streamlit as st

from lstmviz.compare import MODES, Comparison, Side, compare, gate_role, matching_gate
from lstmviz.counting import LayerCount
from lstmviz.figures.focus import focus_gate, gate_targets
from lstmviz.report import Report
from lstmviz.spec import RecurrentSpec, option_applies
from lstmviz.style import Theme
from lstmviz.ui import cached, controls
from lstmviz.ui.charts import chart_config

MODE_LABEL = {
    "frameworks": "Keras vs PyTorch",
    "cells": "LSTM vs GRU vs SimpleRNN",
    "directions": "one direction vs bidirectional",
}


def render(report: Report, theme: Theme) -> None:
    """Draw the comparison chosen in the view for the sidebar's sizes."""
    spec = report.spec
    st.title("Compare")
    mode = controls.mode_picker("Compare", MODES, "compare", MODE_LABEL, label_visibility="collapsed")
    st.caption(
        f"The same x = {spec.features:,} features, h = {spec.units:,} units, T = {spec.timesteps:,} timesteps "
        f"and {spec.layers} layer{'s' if spec.layers > 1 else ''} from the sidebar, side by side."
    )
    comparison = compare(spec, mode)
    totals(comparison)
    differences(comparison)
    if mode == "frameworks":
        heatmaps(comparison, spec, report.layers[0], theme)


def totals(comparison: Comparison) -> None:
    """One column per side: its count, formula and tensors."""
    for column, side in zip(st.columns(len(comparison.sides)), comparison.sides, strict=True):
        with column:
            st.metric(side.label, f"{side.report.total:,}")
            st.markdown(f"`{side.report.formula.substituted}`")
            st.caption(", ".join(f"{t.name} {t.shape}" for t in side.report.layers[0].tensors))


def differences(comparison: Comparison) -> None:
    """The differences, one sentence each."""
    st.subheader("What differs, and why")
    st.markdown("\n".join(f"- {sentence}" for sentence in comparison.differences))


def _select_from_chart(chart_key: str, side: Side, sidebar: LayerCount) -> None:
    """A click on a gate block of either heatmap follows that gate in both, by the sidebar framework's symbol."""
    state: Any = st.session_state.get(chart_key) or {}
    points = state.get("selection", {}).get("points", [])
    gates = side.report.layers[0].gates
    # Only the gate targets can be selected (heatmaps cannot): one point per gate, in gate order.
    index = points[0].get("point_index") if points else None
    if isinstance(index, int) and 0 <= index < len(gates):
        match = matching_gate(sidebar, gate_role(gates[index]))
        st.session_state[controls.GATE_KEY] = match.kind.symbol if match else None


def heatmaps(comparison: Comparison, spec: RecurrentSpec, sidebar: LayerCount, theme: Theme) -> None:
    """Keras's and PyTorch's W/U/b heatmaps side by side, the followed gate highlighted in both.

    The followed gate is the explorer's own control (?gate= in the sidebar framework's symbols), so
    a tour through every view keeps it as it is."""
    # A Keras GRU's reset_after changes only its bias row: draw the sidebar's choice beside PyTorch.
    first_side = comparison.sides[
        1 if option_applies("reset_after", "keras", spec.cell) and not spec.reset_after else 0
    ]
    shown = (first_side, comparison.sides[-1])
    st.subheader("The same gates in each framework's layout")
    chosen = controls.gate_picker(sidebar)
    for column, (k, side) in zip(st.columns(2), enumerate(shown), strict=True):
        layer = side.report.layers[0]
        figure = cached.heatmap_figure(layer, 0, theme)
        match = matching_gate(layer, chosen) if chosen is not None else None
        if match is not None:
            figure = focus_gate(figure, layer, layer.gates.index(match), theme)
        figure = gate_targets(figure, layer)
        chart_key = f"compare_heatmap_{k}"
        with column:
            st.plotly_chart(
                figure,
                key=chart_key,
                config=chart_config("png", f"lstmviz-compare-{layer.framework}-{layer.cell}"),
                on_select=lambda key=chart_key, s=side: _select_from_chart(key, s, sidebar),
                selection_mode="points",
                theme=None,
            )
            if match is not None:
                st.caption(f"{side.label}: {match.kind.name} gate {match.kind.symbol}, {match.params:,} parameters")
