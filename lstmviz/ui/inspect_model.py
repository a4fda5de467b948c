"""The inspect view: open a real model file (or a shipped example) and see its gates with the real weights."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import streamlit as st

from lstmviz.counting import LayerCount, breakdown
from lstmviz.figures.cell_geometry import cell_geometry
from lstmviz.figures.cell_svg import cell_svg
from lstmviz.figures.timeline import activations_figure
from lstmviz.inputs import LECTURE_INPUTS, ONE_HOT
from lstmviz.inspection import count_check, gate_stats, model_rows
from lstmviz.readers import MAX_FILE_BYTES, MAX_PARAMS, ModelFile, RecurrentLayer
from lstmviz.report import Report
from lstmviz.spec import convention_of
from lstmviz.style import Theme
from lstmviz.tables import GATE_STATS, MODEL_LAYERS, rows
from lstmviz.ui import cached, controls, convert_panel, url
from lstmviz.ui.charts import chart_config
from lstmviz.ui.controls import URL
from lstmviz.ui.text import text
from lstmviz.urlvalues import Choice

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
EXAMPLES = {  # file → what it is, as the picker shows it
    "keras_sine_lstm.keras": "Keras LSTM(16) trained on sine waves (.keras)",
    "torch_encoder_proj.safetensors": "PyTorch encoder.rnn: 2-layer bidirectional LSTM with proj_size (.safetensors)",
    "keras_gru_both.h5": "Keras GRUs, reset_after True and False (legacy .h5)",
}
UPLOAD = "upload a file"
MAX_TIME_UNITS = 128  # the through-time heatmaps draw one row per unit
MAX_TIME_STEPS = 100


def render(report: Report, theme: Theme) -> None:
    """Draw the inspect view; the sidebar's spec is not used (the file describes its own layers)."""
    st.title("Inspect your own model")
    st.caption(
        "Open a Keras (.keras, .h5, .weights.h5), PyTorch (.safetensors, or torch.save .pt/.pth/.bin/.ckpt) or "
        "ONNX file. It is read as data in a separate process limited to 1 GB and 10 s: nothing in it is executed "
        "(lstmviz's own pickle reader imports and calls nothing), and files over "
        f"{MAX_FILE_BYTES // 10**6} MB ({MAX_FILE_BYTES:,} bytes) or {MAX_PARAMS:,} parameters are refused. "
        "The sidebar drives the other views."
    )
    loaded = source()
    if loaded is None:
        return
    name, key, model = loaded
    if isinstance(model, str):
        st.error(f"Refused, nothing was loaded: {text(model)}")
        return
    summary(name, model)
    if not model.layers:
        st.info("This file has no LSTM, GRU or RNN layer to look inside.")
        return
    labels = [f"{layer.name} ({layer.params:,} parameters)" for layer in model.layers]
    pick = labels.index(st.selectbox("Recurrent layer", labels, key="inspect_layer")) if len(labels) > 1 else 0
    layer = model.layers[pick]
    count(layer)
    lc = controls.layer_picker(breakdown(layer.spec), "Layer and direction to draw", "inspect_direction")
    cell(layer, lc, theme)
    weights(key, pick, layer, lc, theme)
    statistics(layer)
    through_time(key, pick, layer, lc, theme)
    convert_panel.render(model, theme, name, key)


def source() -> tuple[str, str, ModelFile | str] | None:
    """The file to inspect: an upload or a shipped example (kept in the URL as model=)."""
    url.clean("model", Choice((UPLOAD, *EXAMPLES)))
    choice = str(st.radio("Model file", [UPLOAD, *EXAMPLES], key="model", bind=URL, captions=["", *EXAMPLES.values()]))
    if choice == UPLOAD:
        kept = uploaded_file()
        if kept is None:
            st.info("Upload a model file, or pick one of the examples above.")
            return None
        name, key, data = kept
        return name, key, cached.read_model_file(key, name, data)
    key = f"example:{choice}"
    return choice, key, cached.read_model_file(key, choice, (EXAMPLES_DIR / choice).read_bytes())


KEPT = "inspect_kept_upload"  # session state: (name, key, bytes) of the last upload


def uploaded_file() -> tuple[str, str, bytes] | None:
    """The upload, kept for the session: other views drop the uploader widget, not the file."""
    upload = st.file_uploader("Model file", type=None, key="inspect_upload", label_visibility="collapsed")
    if upload is not None:
        st.session_state[KEPT] = (upload.name, f"upload:{upload.file_id}", upload.getvalue())
        return st.session_state[KEPT]  # type: ignore[no-any-return]
    kept = st.session_state.get(KEPT)
    if kept is None:
        return None
    left, right = st.columns([4, 1], vertical_alignment="center")
    left.caption(f"Still open from earlier in this session: {text(kept[0])}. Upload another file to replace it.")
    if right.button("Close it", key="inspect_close_upload"):
        del st.session_state[KEPT]
        return None
    return kept  # type: ignore[no-any-return]


def summary(name: str, model: ModelFile) -> None:
    """Every layer's count and the total, each recurrent layer checked against lstmviz's formula."""
    st.metric(f"{text(name)} ({model.format}): total parameters", f"{model.total_params:,}")
    st.dataframe(
        rows(MODEL_LAYERS, model_rows(model)),
        hide_index=True,
        key="model_table",
        column_config={"parameters": st.column_config.NumberColumn(format="localized")},
    )
    for note in model.notes:
        st.caption(f"Note: {text(note)}.")


def count(layer: RecurrentLayer) -> None:
    """The layer's stored count against the formula for the sizes read from the file."""
    check = count_check(layer)
    spec = layer.spec
    how = "inferred from tensor names and shapes" if layer.inferred else "read from the file's config"
    st.subheader(f"{text(layer.name)}: {convention_of(spec).label}")
    st.markdown(
        f"x = {spec.features} features, h = {spec.units} units"
        + (f", p = {spec.proj_size}" if spec.proj_size else "")
        + (f", {spec.layers} layers" if spec.layers > 1 else "")
        + (", bidirectional" if spec.bidirectional else "")
        + ("" if spec.bias else ", no bias")
        + f" ({how})."
    )
    (st.success if check.matches else st.error)(check.text)  # numbers and lstmviz's own words only
    if layer.activation != "default" and layer.activations in (None, ("tanh", "sigmoid")):
        st.warning(f"Non-default activation ({text(layer.activation)}): the through-time run below uses the defaults.")
    elif layer.activation != "default":
        st.info(f"Non-default activation ({text(layer.activation)}): the through-time run below uses it.")


def cell(layer: RecurrentLayer, lc: LayerCount, theme: Theme) -> None:
    """The cell diagram with the sizes read from the file."""
    st.image(cell_svg(cell_geometry(lc, layer.spec.timesteps), theme), width="stretch")


def weights(key: str, index: int, layer: RecurrentLayer, lc: LayerCount, theme: Theme) -> None:
    """The heatmap of the file's real weights, cut into gate blocks."""
    st.markdown("**The real weights, cut into gate blocks**")
    slug = f"lstmviz-{layer.name}-{lc.layer}-{lc.direction}-weights".replace("/", "-")
    st.plotly_chart(
        cached.file_heatmap(key, index, lc, theme, layer), key="inspect_heatmap", config=chart_config("png", slug)
    )


def statistics(layer: RecurrentLayer) -> None:
    """Per-gate norms and means, and what the forget gate's bias says about training."""
    stats = gate_stats(layer)
    st.markdown("**Per gate: weight norms, means and bias**")
    st.dataframe(rows(GATE_STATS, stats), hide_index=True, key="gate_stats")
    forget = [s for s in stats if s.symbol == "f" and s.bias_mean is not None]
    if forget:
        means = ", ".join(f"{s.bias_mean:.3f} (layer {s.layer} {s.direction})" for s in forget)
        st.caption(
            f"Forget-gate bias, mean: {means}. Keras starts it at 1 (unit_forget_bias); "
            "PyTorch starts every bias near 0, and the forget gate's effective bias is b_ih + b_hh."
        )


def through_time(key: str, index: int, layer: RecurrentLayer, lc: LayerCount, theme: Theme) -> None:
    """The file's weights run on a lecture input, gates and states at every timestep."""
    spec = layer.spec
    st.markdown("**Through time, with these weights**")
    if spec.units > MAX_TIME_UNITS:
        st.info(f"The run draws up to {MAX_TIME_UNITS} units; this layer has {spec.units}.")
        return
    kind = str(st.radio("Input sequence", LECTURE_INPUTS, key="inspect_input", horizontal=True))
    if kind == ONE_HOT and spec.features < 9:
        st.info("The tutorial's one-hot tokens 4, 7, 8, 4 need at least 9 features.")
        return
    steps = min(spec.timesteps, MAX_TIME_STEPS)
    result = cached.file_forward(key, index, kind, steps, layer)
    at = (lc.layer, lc.direction)
    series: dict[str, np.ndarray] = {s: a[0] for s, a in result.gates[at].items()}
    if convention_of(spec).has_cell_state:
        series["cell state"] = result.c_t[at][0]
    series["hidden state"] = result.h_t[at][0]
    names = {g.kind.symbol: f"{g.kind.name} gate {g.kind.symbol} ({g.kind.activation})" for g in lc.gates}
    names.update({"cell state": "cell state c_t", "hidden state": "hidden state h_t"})
    signed = frozenset(
        {"cell state", "hidden state"} | {g.kind.symbol for g in lc.gates if g.kind.activation == "tanh"}
    )
    last = next(iter(series.values())).shape[0]
    st.plotly_chart(
        activations_figure(series, last, names, signed, theme),
        key="inspect_activations",
        config=chart_config("png", "lstmviz-inspect-activations"),
    )
