"""Run through time: step a verified forward pass and watch the gates act on the states."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import streamlit as st
from numpy.typing import NDArray

from lstmviz.figures.cell_geometry import cell_geometry
from lstmviz.figures.cell_svg import cell_svg
from lstmviz.figures.timeline import activations_figure, step_bars_figure, unrolled_svg
from lstmviz.inputs import LECTURE_INPUTS, ONE_HOT
from lstmviz.report import Report
from lstmviz.style import Theme
from lstmviz.ui import cached, controls, url
from lstmviz.ui.charts import chart_config
from lstmviz.ui.controls import URL
from lstmviz.urlvalues import Whole

# A forward pass per rerun must stay instant and its figures small.
MAX_UNITS = 64
MAX_FEATURES = 256
MAX_STEPS = 200


def _brief(v: NDArray[np.float32]) -> str:
    """A vector in a few characters: every value when short, else its mean and range."""
    if v.size <= 2:
        return "[" + ", ".join(f"{x:.2f}" for x in v) + "]"
    return f"{v.mean():.2f} ({v.min():.2f}…{v.max():.2f})"


def render(report: Report, theme: Theme) -> None:
    """Draw the run-through-time view for the sidebar's stack."""
    spec = report.spec
    st.title("Run through time")
    if spec.units > MAX_UNITS or spec.features > MAX_FEATURES:
        st.info(
            f"This view runs the layer live, so it draws up to {MAX_UNITS} units and {MAX_FEATURES} features; "
            f"the sidebar has {spec.units} units and {spec.features} features. Lower them to watch it run."
        )
        return
    kind = str(st.radio("Input sequence", LECTURE_INPUTS, key="input_kind", horizontal=True))
    if kind == ONE_HOT and spec.features < 9:
        st.info("The tutorial's one-hot tokens 4, 7, 8, 4 need at least 9 features (it uses 10).")
        return
    steps = 4 if kind == ONE_HOT else min(spec.timesteps, MAX_STEPS)
    if kind != ONE_HOT and spec.timesteps > MAX_STEPS:
        st.caption(f"Showing the first {MAX_STEPS} of {spec.timesteps} timesteps.")
    result = cached.forward_pass(replace(spec, timesteps=steps), kind)
    layer = controls.layer_picker(report.count, "Layer and direction", "time_layer")
    key = (layer.layer, layer.direction)
    gates = {s: a[0] for s, a in result.gates[key].items()}  # first sample: (T, h) each
    states = {"hidden state": result.h_t[key][0]}
    if spec.cell == "lstm":
        states = {"cell state": result.c_t[key][0], **states}
    labels = {g.kind.symbol: f"{g.kind.name} gate {g.kind.symbol} ({g.kind.activation})" for g in layer.gates}
    labels.update({"cell state": "cell state c_t", "hidden state": "hidden state h_t"})
    signed = frozenset(
        {"cell state", "hidden state"} | {g.kind.symbol for g in layer.gates if g.kind.activation == "tanh"}
    )

    playing = bool(st.toggle("Play", False, key="play", help="Step through the timesteps on a loop."))

    @st.fragment(run_every=0.8 if playing else None)
    def step_view() -> None:
        if playing:
            st.session_state["t"] = int(st.session_state.get("t", 1)) % steps + 1
        # A one-step sequence has nothing to slide through (and a 1..1 slider is an error).
        if steps > 1:
            url.clean("t", Whole(1, steps))
        else:
            url.drop("t", "this sequence has a single timestep")
        t = int(st.slider("Timestep t", 1, steps, 1, key="t", bind=URL)) if steps > 1 else 1
        i = t - 1
        notes = {f"gate_{s}": f"at t={t}: {_brief(v[i])}" for s, v in gates.items()}
        notes["h_t"] = f"mean {states['hidden state'][i].mean():.2f}"
        if "cell state" in states:
            notes["c_t"] = f"mean {states['cell state'][i].mean():.2f}"
        st.image(cell_svg(cell_geometry(layer, steps, notes), theme), width="stretch")
        strip = unrolled_svg(steps, t, layer.params, theme=theme)
        st.image(strip, width="stretch")
        st.download_button(
            "Download unrolled strip (SVG)",
            strip,
            file_name=f"lstmviz-unrolled-t{t}.svg",
            mime="image/svg+xml",
            key="download_strip",
            on_click="ignore",
        )
        values = {**{s: v[i] for s, v in gates.items()}, **{k: v[i] for k, v in states.items()}}
        st.plotly_chart(
            step_bars_figure(values, labels, theme), key="step_bars", config=chart_config("png", f"lstmviz-step-{t}")
        )
        st.plotly_chart(
            activations_figure({**gates, **states}, t, labels, signed, theme),
            key="activations",
            config=chart_config("png", "lstmviz-activations"),
        )

    step_view()
    st.caption(
        "Weights are the explorer's seeded initial weights; the forward pass is NumPy and agrees with "
        "Keras 3 and PyTorch to 1e-5 (tested). The dashed line marks timestep t."
    )
