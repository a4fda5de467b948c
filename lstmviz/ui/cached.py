"""Cached builders: the only work that is slow at large sizes (initial weights, heatmap figure).

Each is keyed by what it draws: a hashable LayerCount (plus seed and theme), so changing
timesteps or return_sequences, which never change a layer's weights, reuses the figure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from lstmviz.counting import DenseCount, LayerCount
from lstmviz.figures.counts import dense_network_figure, gate_counts_figure
from lstmviz.figures.heatmap import HeatmapData, heatmap_data, pool_factors, weight_heatmap
from lstmviz.forward import ForwardResult, forward
from lstmviz.inputs import lecture_input
from lstmviz.modelfiles import ModelFile, RecurrentLayer, RefusedFile
from lstmviz.modelfiles.worker import read_model_bounded
from lstmviz.spec import RecurrentSpec
from lstmviz.style import Theme
from lstmviz.weights import init_layer, init_weights, means_only

# Cache keys from repr: these are frozen dataclasses whose generated repr lists every field, and
# hashing that string is ~25× cheaper than Streamlit's generic hashing of the nested dataclass
# (0.8 ms for a LayerCount), paid on every rerun for every cached call.
CHEAP_KEYS: dict[str | type[Any], Callable[[Any], Any]] = {
    LayerCount: repr,
    Theme: repr,
    RecurrentSpec: repr,
    DenseCount: repr,
}


# cache_resource hands back the same object (no unpickling copy on every rerun, as cache_data
# would make); callers only pass it to st.plotly_chart, which does not modify it.
@st.cache_resource(max_entries=16, show_spinner=False, hash_funcs=CHEAP_KEYS)
def heatmap_figure(layer: LayerCount, seed: int, theme: Theme, selected: str | None = None) -> go.Figure:
    """The W/U/b heatmap of one layer and direction with seeded initial weights; `selected` gate stands out."""
    return weight_heatmap(heatmap_blocks(layer, seed), theme, selected)


@st.cache_resource(max_entries=8, show_spinner=False, hash_funcs=CHEAP_KEYS)
def heatmap_blocks(layer: LayerCount, seed: int) -> HeatmapData:
    """The pooled gate blocks (the slow part), shared by the figures of every followed gate.

    When the heatmap is pooled, an orthogonal recurrent kernel is drawn as its pooled means only (the
    figure's title says so): the full orthogonalisation was most of a large Keras rerun.
    """
    pooling = pool_factors(layer)
    values = init_layer(layer, seed, pooling)
    weights = {t.key: values[t.name] for t in layer.tensors}
    return replace(heatmap_data(layer, weights), means_only=means_only(layer, pooling))


@st.cache_resource(max_entries=8, show_spinner=False, hash_funcs=CHEAP_KEYS)
def forward_pass(spec: RecurrentSpec, input_kind: str) -> ForwardResult:
    """The forward pass on a lecture input of spec.timesteps steps, with seeded initial weights; read-only."""
    inputs = lecture_input(input_kind, spec.timesteps, spec.features)
    return forward(spec, init_weights(spec, seed=0), inputs)


@st.cache_resource(max_entries=8, show_spinner=False, hash_funcs=CHEAP_KEYS)
def forward_on(spec: RecurrentSpec, inputs: bytes) -> ForwardResult:
    """The forward pass on one sample given as float32 bytes (T × features), seeded initial weights; read-only."""
    sample = np.frombuffer(inputs, np.float32).reshape(1, spec.timesteps, spec.features)
    return forward(spec, init_weights(spec, seed=0), sample)


@st.cache_resource(max_entries=64, show_spinner=False, hash_funcs=CHEAP_KEYS)
def gate_counts(layer: LayerCount, theme: Theme, selected: str | None = None) -> go.Figure:
    """The per-gate connection bars of one layer; `selected` gate stands out."""
    return gate_counts_figure(layer, theme, selected)


@st.cache_resource(max_entries=16, show_spinner=False, hash_funcs=CHEAP_KEYS)
def dense_network(dense: DenseCount, theme: Theme) -> go.Figure:
    """The tutorial example's warm-up network."""
    return dense_network_figure(dense, theme)


# Model files are cached by a short key (an upload's file_id, or the example's name), never by
# hashing their bytes or weights on every rerun; the underscored arguments are not hashed.
@st.cache_resource(max_entries=3, ttl=3600, show_spinner="Reading the model file…")
def read_model_file(key: str, name: str, _data: bytes) -> ModelFile | str:
    """The file read by lstmviz.modelfiles in a limited child process, or the one-line reason it was refused."""
    # Never parsed in the server: a parser pathology costs the child its 1 GiB / 10 s, not the
    # server's memory or the other sessions' time. Refusals are cached too.
    try:
        return read_model_bounded(_data, name)
    except RefusedFile as refusal:
        return str(refusal)


@st.cache_resource(max_entries=16, show_spinner=False)
def file_heatmap(key: str, index: int, lc: LayerCount, theme: Theme, _layer: RecurrentLayer) -> go.Figure:
    """The W/U/b heatmap of one layer and direction of a file, with its real weights."""
    return weight_heatmap(heatmap_data(lc, dict(_layer.weights)), theme)


@st.cache_resource(max_entries=8, show_spinner=False)
def file_forward_on(key: str, index: int, inputs: bytes, timesteps: int, _layer: RecurrentLayer) -> ForwardResult:
    """A file layer's forward pass on one sample given as float32 bytes (T × features), with the file's
    activations; read-only."""
    sample = np.frombuffer(inputs, np.float32).reshape(1, timesteps, _layer.spec.features)
    return forward(_layer.spec, _layer.weights, sample, _layer.activations or ("tanh", "sigmoid"))
