"""The inspect view's Convert panel: the other framework's file to download, its proof, gate blocks before and after."""

from __future__ import annotations

from pathlib import PurePath

import plotly.graph_objects as go
import streamlit as st

from lstmviz.conventions import FRAMEWORK_LABEL
from lstmviz.counting import breakdown
from lstmviz.figures.heatmap import heatmap_data, weight_heatmap
from lstmviz.modelfiles import ModelFile, RefusedFile
from lstmviz.modelfiles.convert import ConversionRefused, count_change, gate_move_rows
from lstmviz.modelfiles.convert_file import SUFFIX, TARGET, ConvertedModel, target_for
from lstmviz.modelfiles.worker import convert_read_model_bounded
from lstmviz.style import Theme
from lstmviz.ui import controls
from lstmviz.ui.charts import chart_config
from lstmviz.ui.text import text


# Cached by the inspect view's short file key (an upload's file_id or the example's name), never by
# hashing the weights, as lstmviz.ui.cached does for the file itself. An entry holds up to three
# copies of the weights (both layouts and the written file), so few entries and an hour at most.
@st.cache_resource(max_entries=2, ttl=3600, show_spinner="Converting and checking…")
def _converted(key: str, to: str, out_name: str, module: str | None, _model: ModelFile) -> ConvertedModel | str:
    """The conversion (made and proved in a limited child process), or the one-line reason it was refused."""
    try:
        return convert_read_model_bounded(_model, to, out_name, module)
    except (ConversionRefused, RefusedFile) as error:
        return str(error)


@st.cache_resource(max_entries=8, show_spinner=False)
def _heatmaps(
    key: str, module: str | None, index: int, row: int, theme: Theme, _converted: ConvertedModel
) -> tuple[go.Figure, go.Figure]:
    """One layer and direction's gate blocks in the source layout and in the converted one."""
    conversion = _converted.conversions[index]
    figures = []
    for spec, weights in (
        (conversion.source, conversion.source_weights),
        (conversion.target, conversion.target_weights),
    ):
        layer = breakdown(spec).layers[row]
        figures.append(weight_heatmap(heatmap_data(layer, dict(weights)), theme))
    return figures[0], figures[1]


ALL_LAYERS = "every recurrent layer"


def _module_picker(model: ModelFile, to: str) -> str | None:
    """Which layer to convert when there are several: one (a .keras file holds one PyTorch module) or all."""
    names = [layer.name for layer in model.layers]
    if len(names) < 2:
        return None
    options = names if TARGET[to].one_module else [ALL_LAYERS, *names]
    choice = str(st.selectbox("Layer to convert", options, key="convert_module"))
    return None if choice == ALL_LAYERS else choice


def render(model: ModelFile, theme: Theme, filename: str, key: str) -> None:
    """Offer the converted file, show each layer's proof and the gate blocks before and after."""
    st.subheader("Convert")
    to = target_for(model)
    if to is None:
        st.caption("Convert works on Keras files (.keras, .h5, .weights.h5) and PyTorch .safetensors state dicts.")
        return
    out_name = PurePath(filename).name.removesuffix(".weights.h5").split(".")[0] + SUFFIX[to]
    module = _module_picker(model, to)
    # Converting proves every layer with two forward passes: done when asked, not on every page load.
    request = (key, to, module)
    target_label = FRAMEWORK_LABEL[to]
    if st.button(f"Convert to {target_label} and prove it", key="convert_go"):
        st.session_state["convert_request"] = request
    if st.session_state.get("convert_request") != request:
        st.caption(f"Writes {text(out_name)} and runs both layouts on the same inputs before offering it.")
        return
    converted = _converted(key, to, out_name, module, model)
    if isinstance(converted, str):
        st.warning(f"Not converted: {text(converted)}")
        return
    source_label = FRAMEWORK_LABEL[converted.conversions[0].source.framework]
    st.markdown(
        f"**{source_label} → {target_label}.** Both layouts ran through lstmviz's forward pass on the same "
        "inputs; the file is offered only when their outputs agree within 1e-5."
    )
    for c in converted.conversions:
        st.success(f"{text(c.name)}: {c.proof.text} ✓")
    for line in converted.assumptions:
        st.caption(f"Assumed: {text(line)}")
    for c in converted.conversions:
        st.markdown(f"**{text(c.name)}:** {count_change(c.source, c.target)}.")
    st.download_button(
        f"Download {text(out_name)}",
        converted.data,
        file_name=out_name,
        mime="application/octet-stream",
        key="convert_file",
    )
    for note in converted.notes:
        st.caption(text(note))
    with st.expander(f"{'PyTorch' if to == 'pytorch' else 'Keras'} code that loads {text(out_name)}"):
        st.code(converted.code, language="python")

    # --- gate blocks before and after --------------------------------------------------------------
    names = [c.name for c in converted.conversions]
    index = names.index(st.selectbox("Layer to compare", names, key="convert_layer")) if len(names) > 1 else 0
    conversion = converted.conversions[index]
    count = breakdown(conversion.source)
    layer = controls.layer_picker(count, "Layer and direction to compare", "convert_direction")
    st.dataframe(gate_move_rows(conversion.source, to), hide_index=True, key="convert_moves")
    before, after = _heatmaps(key, module, index, count.layers.index(layer), theme, converted)
    left, right = st.columns(2)
    with left:
        st.markdown(f"**Before: {source_label}**")
        st.plotly_chart(before, key="convert_before", config=chart_config("png", f"{out_name}-before"), theme=None)
    with right:
        st.markdown(f"**After: {target_label}**")
        st.plotly_chart(after, key="convert_after", config=chart_config("png", f"{out_name}-after"), theme=None)
