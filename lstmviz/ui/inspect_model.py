"""The inspect view: open a real model file (or a shipped example) and see its gates with the real weights."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import streamlit as st

from lstmviz.counting import LayerCount, breakdown
from lstmviz.figures.cell_geometry import cell_geometry
from lstmviz.figures.cell_svg import cell_svg
from lstmviz.modelfiles import MAX_FILE_BYTES, MAX_PARAMS, ModelFile, RecurrentLayer
from lstmviz.modelfiles.inspection import count_check, gate_stats, model_rows
from lstmviz.report import Report
from lstmviz.spec import RecurrentSpec, convention_of
from lstmviz.style import Theme
from lstmviz.tables import GATE_STATS, MODEL_LAYERS, rows
from lstmviz.ui import cached, controls, convert_panel, url, zoo
from lstmviz.ui import through_time as time_view
from lstmviz.ui.charts import chart_config
from lstmviz.ui.controls import URL
from lstmviz.ui.lesson import TUTORIAL
from lstmviz.ui.static_table import static_table
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
    open_elsewhere(layer)
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
    static_table(rows(MODEL_LAYERS, model_rows(model)))  # a plain table: wraps on a phone, no canvas grid
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


# The sidebar's widgets a layer's spec sets (the lesson's tutorial reset names the same ones).
SIDEBAR_KEYS = tuple(TUTORIAL)


def _open_in(view: str, spec: RecurrentSpec) -> None:
    """Put the file layer's sizes into the sidebar and open `view` on them."""
    st.session_state.update({key: getattr(spec, key.removesuffix("_exact")) for key in SIDEBAR_KEYS})
    st.session_state[zoo.LAYER_KEY] = zoo.SPEC_CHOICE  # the radios' layer, not a zoo class
    st.session_state["view"] = view


def open_elsewhere(layer: RecurrentLayer) -> None:
    """Open this layer's sizes in the explorer, the lesson or compare (within the sidebar's ranges)."""
    spec = layer.spec
    if max(spec.features, spec.units) > controls.SIZE_MAX:
        st.caption(f"(The other views draw up to {controls.SIZE_MAX:,} features and units.)")
        return
    for column, view in zip(st.columns(3), ("explorer", "lesson", "compare"), strict=True):
        column.button(f"Open this layer in the {view}", key=f"open_{view}", on_click=_open_in, args=(view, spec))


def cell(layer: RecurrentLayer, lc: LayerCount, theme: Theme) -> None:
    """The cell diagram with the sizes read from the file."""
    st.image(cell_svg(cell_geometry(lc, layer.spec.timesteps), theme), width="stretch")


def weights(key: str, index: int, layer: RecurrentLayer, lc: LayerCount, theme: Theme) -> None:
    """The heatmap of the file's real weights, cut into gate blocks."""
    st.markdown("**The real weights, cut into gate blocks**")
    slug = f"lstmviz-{layer.name}-{lc.layer}-{lc.direction}-weights".replace("/", "-")
    st.plotly_chart(
        cached.file_heatmap(key, index, lc, theme, layer), key="inspect_heatmap", config=chart_config("png", slug),
        theme=None,
    )


def statistics(layer: RecurrentLayer) -> None:
    """Per-gate norms and means, and what the forget gate's bias says about training."""
    stats = gate_stats(layer)
    st.markdown("**Per gate: weight norms, means and bias**")
    static_table(rows(GATE_STATS, stats))
    forget = [s for s in stats if s.symbol == "f" and s.bias_mean is not None]
    if forget:
        means = ", ".join(f"{s.bias_mean:.3f} (layer {s.layer} {s.direction})" for s in forget)
        st.caption(
            f"Forget-gate bias, mean: {means}. Keras starts it at 1 (unit_forget_bias); "
            "PyTorch starts every bias near 0, and the forget gate's effective bias is b_ih + b_hh."
        )


def through_time(key: str, index: int, layer: RecurrentLayer, lc: LayerCount, theme: Theme) -> None:
    """The file's weights run on a lecture input or your own sequence: the run-through-time player."""
    spec = layer.spec
    st.markdown("**Through time, with these weights**")
    if spec.units > MAX_TIME_UNITS:
        st.info(f"The run draws up to {MAX_TIME_UNITS} units; this layer has {spec.units}.")
        return
    chosen = time_view.sequence(replace(spec, timesteps=min(spec.timesteps, MAX_TIME_STEPS)), f"inspect_input_{index}")
    if chosen is None:
        return
    kind, inputs = chosen
    result = cached.file_forward_on(key, index, inputs.tobytes(), int(inputs.shape[0]), layer)
    time_view.run_section(time_view.Run(spec, result, lc, kind, inputs), theme, key=f"inspect_{index}")
