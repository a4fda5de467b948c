"""Run through time: a verified forward pass, step by step, with the equations and numbers at step t."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import streamlit as st
from numpy.typing import NDArray

from lstmviz.counting import LayerCount
from lstmviz.equations import HIDDEN_STATE
from lstmviz.figures.cell_geometry import cell_geometry
from lstmviz.figures.cell_svg import cell_svg
from lstmviz.figures.through_time import rows_for, state_colour, through_time_figure
from lstmviz.forward import ForwardResult
from lstmviz.inputs import (
    LECTURE_INPUTS,
    ONE_HOT,
    OWN_NUMBERS,
    OWN_TOKENS,
    TUTORIAL_TOKENS,
    lecture_input,
    typed_numbers,
    typed_tokens,
)
from lstmviz.playback import playback, player_data
from lstmviz.report import Report
from lstmviz.spec import RecurrentSpec
from lstmviz.style import STATE_COLOURS, Theme, gate_colour
from lstmviz.ui import cached, controls, url
from lstmviz.ui.charts import chart_config
from lstmviz.ui.controls import URL
from lstmviz.ui.player import player
from lstmviz.urlvalues import Choice, Whole

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


def sequence(spec: RecurrentSpec, key: str = "input_kind") -> tuple[str, NDArray[np.float32]] | None:
    """The chosen input as (kind, one sample (T, features)), or None after saying why it cannot run.

    `key` names the choice (the view's is in the URL as ?input_kind=); typed sequences are kept per choice."""
    kinds = (*LECTURE_INPUTS, OWN_NUMBERS, OWN_TOKENS)
    if key == "input_kind":
        url.clean(key, Choice(kinds))
        kind = str(st.radio("Input sequence", kinds, key=key, horizontal=True, bind=URL))
    else:
        kind = str(st.radio("Input sequence", kinds, key=key, horizontal=True))
    if kind == ONE_HOT and spec.features < max(TUTORIAL_TOKENS) + 1:
        st.info(f"The tutorial's one-hot tokens 4, 7, 8, 4 need at least 9 features (it uses {ONE_HOT_DEPTH}).")
        if key == "input_kind":  # the sidebar's layer can grow; a file's cannot
            st.button(f"Use {ONE_HOT_DEPTH} features", key="one_hot_size", on_click=_set_size, args=("features", 10))
        return None
    if kind in (OWN_NUMBERS, OWN_TOKENS):
        tokens = kind == OWN_TOKENS
        help_text = (
            f"token ids 0 … {spec.features - 1}, one per timestep, each fed one-hot over the {spec.features} features"
            if tokens
            else f"one number per timestep (fed to every feature), or rows of {spec.features} numbers separated by ;"
        )
        default = "4 7 8 4" if tokens else "0.5, 1, -0.5, 0, 1"
        prefix = "" if key == "input_kind" else f"{key}_"
        text = st.text_input(f"Your sequence: {help_text}", value=default, key=f"{prefix}typed_{kind}", max_chars=4000)
        try:
            values = (typed_tokens if tokens else typed_numbers)(text, spec.features, MAX_STEPS)
        except ValueError as error:
            st.warning(f"Not run: {error}")
            return None
        return kind, values
    steps = len(TUTORIAL_TOKENS) if kind == ONE_HOT else min(spec.timesteps, MAX_STEPS)
    if kind != ONE_HOT and spec.timesteps > MAX_STEPS:
        st.caption(f"Showing the first {MAX_STEPS} of {spec.timesteps:,} timesteps.")
    return kind, lecture_input(kind, steps, spec.features)[0]


def _timestep(steps: int) -> int:
    """The step in the URL (?t=), checked; a one-step sequence has nothing to step through."""
    if steps < 2:
        url.drop("t", "this sequence has a single timestep")
        return 1
    url.clean("t", Whole(1, steps))
    return int(st.query_params.get("t", "1"))


def _player_stopped() -> None:
    """The player stopped at a step: that step goes into the URL (?t=), so a link reopens it."""
    state: Any = st.session_state.get("player") or {}
    t = state.get("t") if hasattr(state, "get") else None
    if isinstance(t, int) and t >= 1:
        st.query_params["t"] = str(t)


def render(report: Report, theme: Theme) -> None:
    """Draw the run-through-time view for the sidebar's stack."""
    spec = report.spec
    st.title("Run through time")
    if spec.units > MAX_UNITS or spec.features > MAX_FEATURES:
        cap_notice(spec)
        return
    chosen = sequence(spec)
    if chosen is None:
        return
    kind, inputs = chosen
    run = replace(spec, timesteps=int(inputs.shape[0]))
    result = cached.forward_on(run, inputs.tobytes())
    layer = controls.layer_picker(report.count, "Layer and direction", "time_layer")
    with st.container(key="keep_caption_time"):  # kept on a projector
        st.caption(
            "One t for the strip, the cell, the values, the equations and the whole pass; "
            "the same W, U, b at every step."
        )
    run_section(Run(spec, result, layer, kind, inputs), theme)
    st.caption(
        "Weights are the explorer's seeded initial weights; the forward pass is NumPy and agrees with "
        "Keras 3 and PyTorch to 1e-5 (tested)."
    )


@dataclass(frozen=True)
class Run:
    """One forward pass to show: the layer's spec, the result, the layer and direction, and its input."""

    spec: RecurrentSpec
    result: ForwardResult
    layer: LayerCount
    kind: str
    inputs: NDArray[np.float32]


def run_section(run: Run, theme: Theme, key: str = "") -> None:
    """The player (strip, cell, values, equations at t) and the whole-pass figure its t moves.

    `key` tells runs on one page apart (the inspect view's layers); the view's own run keeps ?t=."""
    layer, spec = run.layer, run.spec
    play = playback(run.result, layer)
    player_key, figure_key = (f"player_{key}", f"through_time_{key}") if key else ("player", "through_time")
    colours = {s.key: state_colour(s.key) for s in play.series}
    fills = {s.key: STATE_COLOURS.get(s.key, gate_colour(s.key)) for s in play.series}
    data = player_data(play, colours, fills) | {
        "params": layer.params,
        "diagram": cell_svg(cell_geometry(layer, play.steps), theme, controls.selected_gate(layer)),
        "followed": controls.selected_gate(layer),
        "plot": figure_key,
    }
    t = _timestep(play.steps) if not key else 1
    player(data, t, theme.font_size, on_stop=_player_stopped if not key else _nothing, key=player_key)
    series = play.values()
    top = layer.layer == spec.layers - 1
    outputs = run.result.outputs[0] if top else series[HIDDEN_STATE]
    titles = {s.key: s.title for s in play.series}
    names = {"input": f"input x_t ({run.kind}, {spec.features} features)", "output": _output_title(spec, top)}
    activations = {s.key: s.activation or "tanh" for s in play.series}
    one_hot = run.kind in (ONE_HOT, OWN_TOKENS)
    rows = rows_for(layer_input(run.result, layer, run.inputs), series, activations, names | titles, outputs, one_hot)
    st.markdown("**The whole pass**")
    st.caption(
        "The dashed line marks the player's t. Each kind of value has its own colour scale: σ gates 0…1, "
        "tanh values and h_t −1…1, c_t its own range."
    )
    st.plotly_chart(
        through_time_figure(rows, theme),
        key=figure_key,
        theme=None,
        config=chart_config("png", f"lstmviz-{figure_key.replace('_', '-')}"),
    )


def _nothing() -> None:
    """A player whose t goes nowhere else (the inspect view's runs)."""


def layer_input(result: ForwardResult, layer: LayerCount, inputs: NDArray[np.float32]) -> NDArray[np.float32]:
    """What the layer reads at each step: the sequence, or the layer below's outputs (both directions)."""
    if layer.layer == 0:
        return inputs
    below = [a[0] for (index, _), a in result.h_t.items() if index == layer.layer - 1]
    return np.concatenate(below, axis=1)


def _output_title(spec: RecurrentSpec, top: bool) -> str:
    if not top:
        return "output h_t (the next layer's input)"
    return "layer output" + (" (both directions)" if spec.bidirectional else "")
