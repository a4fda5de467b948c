"""Cached builders: the only work that is slow at large sizes (initial weights, heatmap figure)."""

from __future__ import annotations

from dataclasses import replace

import plotly.graph_objects as go
import streamlit as st

from lstmviz.counting import DenseCount, LayerCount, breakdown
from lstmviz.figures.counts import dense_network_figure, gate_counts_figure
from lstmviz.figures.heatmap import heatmap_data, weight_heatmap
from lstmviz.forward import ForwardResult, forward
from lstmviz.inputs import lecture_input
from lstmviz.spec import RecurrentSpec
from lstmviz.style import Theme
from lstmviz.weights import init_layer, init_weights


def weight_key(spec: RecurrentSpec) -> RecurrentSpec:
    """The spec with the fields that never change weights (timesteps, return_sequences) fixed, for cache hits."""
    return replace(spec, timesteps=1, return_sequences=False)


# cache_resource hands back the same figure object (no unpickling copy on every rerun); callers
# only pass it to st.plotly_chart, which does not modify it.
@st.cache_resource(max_entries=16, show_spinner=False)
def heatmap_figure(spec: RecurrentSpec, layer: int, direction: str, seed: int, theme: Theme) -> go.Figure:
    """The W/U/b heatmap of one layer and direction with seeded initial weights."""
    layer_count = breakdown(spec).layer(layer, direction)
    values = init_layer(spec, layer_count, seed)
    weights = {t.key: values[t.name] for t in layer_count.tensors}
    return weight_heatmap(heatmap_data(spec, layer_count, weights), theme)


@st.cache_resource(max_entries=8, show_spinner=False)
def forward_pass(spec: RecurrentSpec, input_kind: str) -> ForwardResult:
    """The forward pass on a lecture input of spec.timesteps steps, with seeded initial weights; read-only."""
    inputs = lecture_input(input_kind, spec.timesteps, spec.features)
    return forward(spec, init_weights(spec, seed=0), inputs)


@st.cache_resource(max_entries=64, show_spinner=False)
def gate_counts(layer: LayerCount, theme: Theme) -> go.Figure:
    """The per-gate connection bars of one layer."""
    return gate_counts_figure(layer, theme)


@st.cache_resource(max_entries=16, show_spinner=False)
def dense_network(dense: DenseCount, theme: Theme) -> go.Figure:
    """The seed's warm-up network."""
    return dense_network_figure(dense, theme)
