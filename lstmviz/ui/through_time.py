"""Run through time: a verified forward pass, step by step, with the equations and numbers at step t."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import streamlit as st
from numpy.typing import NDArray

from lstmviz.counting import LayerCount
from lstmviz.equations import CELL_STATE, HIDDEN_STATE, brief, cell_equations, live_equations
from lstmviz.figures.cell_geometry import cell_geometry
from lstmviz.figures.cell_svg import cell_svg
from lstmviz.figures.through_time import rows_for, strip_figure, strip_picks, through_time_figure
from lstmviz.figures.timeline import step_bars_figure
from lstmviz.forward import ForwardResult
from lstmviz.inputs import LECTURE_INPUTS, ONE_HOT, TUTORIAL_TOKENS, lecture_input
from lstmviz.report import Report
from lstmviz.spec import RecurrentSpec
from lstmviz.style import Theme
from lstmviz.ui import cached, controls, url
from lstmviz.ui.charts import chart_config
from lstmviz.ui.controls import URL
from lstmviz.urlvalues import Whole

# Why there is a cap: each rerun runs the pass, and the animated figure carries every gate's
# T × h values to the browser at once, so its size and the page's speed grow with h and x.
MAX_UNITS = 64
MAX_FEATURES = 256
MAX_STEPS = 200
ONE_HOT_DEPTH = 10  # the tutorial's one-hot tokens use 10 features


def _set_size(key: str, value: int) -> None:
    st.session_state[key] = value
    st.session_state[f"{key}_exact"] = value


def _fit(units: int, features: int) -> None:
    """Move the sidebar to the largest sizes this view draws."""
    _set_size("units", units)
    _set_size("features", features)


def cap_notice(spec: RecurrentSpec) -> None:
    """Past the cap: why the cap exists, and a button to the largest size that fits."""
    units, features = min(spec.units, MAX_UNITS), min(spec.features, MAX_FEATURES)
    st.info(
        f"This view runs the layer live: every change reruns the forward pass, and Play sends every gate's "
        f"T × h values to your browser at once so it can animate without the server. That stays quick and "
        f"readable up to {MAX_UNITS} units and {MAX_FEATURES} features; the sidebar has {spec.units:,} units and "
        f"{spec.features:,} features. The count does not depend on it: the explorer shows any size."
    )
    st.button(
        f"Use the largest size that fits: {features} features, {units} units",
        key="fit_size",
        on_click=_fit,
        args=(units, features),
        type="primary",
    )


def _jump(picks: tuple[int, ...]) -> None:
    """A click on a cell of the strip moves to its timestep."""
    state: Any = st.session_state.get("strip") or {}
    points = state.get("selection", {}).get("points", [])
    if points and points[0].get("curve_number") == 0:
        st.session_state["t"] = picks[int(points[0]["point_index"])]


def render(report: Report, theme: Theme) -> None:
    """Draw the run-through-time view for the sidebar's stack."""
    spec = report.spec
    st.title("Run through time")
    if spec.units > MAX_UNITS or spec.features > MAX_FEATURES:
        cap_notice(spec)
        return
    kind = str(st.radio("Input sequence", LECTURE_INPUTS, key="input_kind", horizontal=True))
    if kind == ONE_HOT and spec.features < max(TUTORIAL_TOKENS) + 1:
        st.info(f"The tutorial's one-hot tokens 4, 7, 8, 4 need at least 9 features (it uses {ONE_HOT_DEPTH}).")
        st.button(f"Use {ONE_HOT_DEPTH} features", key="one_hot_size", on_click=_set_size, args=("features", 10))
        return
    steps = len(TUTORIAL_TOKENS) if kind == ONE_HOT else min(spec.timesteps, MAX_STEPS)
    if kind != ONE_HOT and spec.timesteps > MAX_STEPS:
        st.caption(f"Showing the first {MAX_STEPS} of {spec.timesteps:,} timesteps.")
    run = replace(spec, timesteps=steps)
    result = cached.forward_pass(run, kind)
    layer = controls.layer_picker(report.count, "Layer and direction", "time_layer")
    key = (layer.layer, layer.direction)
    series = {s: a[0] for s, a in result.gates[key].items()}  # first sample: (T, h) each
    if layer.convention.has_cell_state:
        series[CELL_STATE] = result.c_t[key][0]
    series[HIDDEN_STATE] = result.h_t[key][0]
    titles = {g.kind.symbol: f"{g.kind.name} gate {g.kind.symbol} ({g.kind.activation})" for g in layer.gates}
    titles |= {CELL_STATE: "cell state c_t", HIDDEN_STATE: "hidden state h_t"}
    equations = cell_equations(layer)

    # A one-step sequence has nothing to slide through (and a 1..1 slider is an error).
    if steps > 1:
        url.clean("t", Whole(1, steps))
    else:
        url.drop("t", "this sequence has a single timestep")
    t = int(st.slider("Timestep t", 1, steps, 1, key="t", bind=URL)) if steps > 1 else 1
    i = t - 1
    picks = strip_picks(steps, t)
    st.plotly_chart(
        strip_figure(steps, t, layer.params, spec.cell, theme=theme),
        key="strip",
        on_select=lambda: _jump(picks),
        selection_mode="points",
        config=chart_config("svg", f"lstmviz-unrolled-t{t}"),
    )
    st.markdown("\n".join(f"- `{line}`" for line in live_equations(equations, series, i)))
    diagram, bars = st.columns([3, 2])
    notes = {f"gate_{s}": f"at t={t}: {brief(series[s][i])}" for s in titles if s in result.gates[key]}
    notes["h_t"] = f"at t={t}: {brief(series[HIDDEN_STATE][i])}"
    if CELL_STATE in series:
        notes["c_t"] = f"at t={t}: {brief(series[CELL_STATE][i])}"
    diagram.image(cell_svg(cell_geometry(layer, steps, notes), theme), width="stretch")
    with bars:
        st.plotly_chart(
            step_bars_figure({k: v[i] for k, v in series.items()}, titles, theme),
            key="step_bars",
            config=chart_config("png", f"lstmviz-step-{t}"),
        )
    inputs = lecture_input(kind, steps, spec.features)[0]
    top = layer.layer == spec.layers - 1
    outputs = result.outputs[0] if top else series[HIDDEN_STATE]
    names = {"input": f"input x_t ({kind}, {spec.features} features)", "output": _output_title(spec, top), **titles}
    activations = {g.kind.symbol: g.kind.activation for g in layer.gates}
    rows = rows_for(layer_input(result, layer, inputs), series, activations, names, outputs, kind == ONE_HOT)
    lines = [live_equations(equations, series, k) for k in range(steps)]
    st.subheader("The whole pass")
    st.caption(
        "Play runs in your browser, once through the sequence, then stops; the dashed line marks the step. "
        "Each kind of value has its own colour scale: σ gates 0…1, tanh values and h_t −1…1, c_t its own range."
    )
    st.plotly_chart(
        through_time_figure(rows, lines, t, theme),
        key="through_time",
        config=chart_config("png", "lstmviz-through-time"),
    )
    st.caption(
        "Weights are the explorer's seeded initial weights; the forward pass is NumPy and agrees with "
        "Keras 3 and PyTorch to 1e-5 (tested)."
    )


def layer_input(result: ForwardResult, layer: LayerCount, inputs: NDArray[np.float32]) -> NDArray[np.float32]:
    """What the layer reads at each step: the sequence, or the layer below's outputs (both directions)."""
    if layer.layer == 0:
        return inputs
    below = [a[0] for (index, _), a in result.h_t.items() if index == layer.layer - 1]
    return np.concatenate(below, axis=1)


def _output_title(spec: RecurrentSpec, top: bool) -> str:
    if not top:
        return "this layer's output h_t (the next layer's input)"
    both = " (both directions)" if spec.bidirectional else ""
    return f"layer output{both}: what return_sequences / PyTorch's output returns"
