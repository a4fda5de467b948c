"""Cached builders: the only work that is slow at large sizes (initial weights, heatmap figure)."""

from __future__ import annotations

from dataclasses import replace

import plotly.graph_objects as go
import streamlit as st

from lstmviz.counting import breakdown
from lstmviz.figures.heatmap import heatmap_data, weight_heatmap
from lstmviz.spec import RecurrentSpec
from lstmviz.style import Theme
from lstmviz.weights import init_layer


def weight_key(spec: RecurrentSpec) -> RecurrentSpec:
    """The spec with the fields that never change weights set to defaults, for cache hits."""
    return replace(spec, timesteps=1, return_sequences=False)


@st.cache_data(max_entries=16, show_spinner=False)
def heatmap_figure(spec: RecurrentSpec, layer: int, direction: str, seed: int, theme: Theme) -> go.Figure:
    """The W/U/b heatmap of one layer and direction with seeded initial weights."""
    layer_count = breakdown(spec).layer(layer, direction)
    values = init_layer(spec, layer_count, seed)
    weights = {t.key: values[t.name] for t in layer_count.tensors}
    return weight_heatmap(heatmap_data(spec, layer_count, weights), theme)
