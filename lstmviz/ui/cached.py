"""Cached builders: the only work that is slow at large sizes (initial weights, heatmap figure)."""

from __future__ import annotations

from dataclasses import replace

import plotly.graph_objects as go
import streamlit as st

from lstmviz.counting import breakdown
from lstmviz.figures.heatmap import heatmap_data, weight_heatmap
from lstmviz.forward import ForwardResult, forward
from lstmviz.inputs import one_hot_sequence, random_inputs, sine_waves
from lstmviz.spec import RecurrentSpec
from lstmviz.style import Theme
from lstmviz.weights import init_layer, init_weights


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


@st.cache_resource(max_entries=8, show_spinner=False)
def forward_pass(spec: RecurrentSpec, input_kind: str, steps: int) -> ForwardResult:
    """The forward pass on a lecturer's input (one sample), with seeded initial weights; read-only."""
    if input_kind.startswith("one-hot"):
        inputs = one_hot_sequence((4, 7, 8, 4), depth=spec.features)
    elif input_kind == "sine waves":
        inputs = sine_waves(1, steps, spec.features, seed=0)
    else:
        inputs = random_inputs(1, steps, spec.features, seed=0)
    return forward(spec, init_weights(spec, seed=0), inputs)
