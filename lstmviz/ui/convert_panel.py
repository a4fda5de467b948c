"""The inspect view's Convert panel: the other framework's file to download, its proof, gate blocks before and after."""

from __future__ import annotations

import hashlib
from pathlib import PurePath

import plotly.graph_objects as go
import streamlit as st

from lstmviz.convert import ConversionRefused, gate_move_rows
from lstmviz.convert_model import SUFFIX, ConvertedModel, convert_model, target_for
from lstmviz.counting import breakdown
from lstmviz.figures.heatmap import heatmap_data, weight_heatmap
from lstmviz.readers import ModelFile
from lstmviz.style import FRAMEWORK_LABEL, Theme
from lstmviz.ui import controls
from lstmviz.ui.charts import chart_config


def _digest(model: ModelFile) -> str:
    # Hashing the weights (bounded by the readers' parameter cap) makes equal files share one conversion.
    digest = hashlib.sha256(repr((model.format, model.other_layers)).encode())
    for layer in model.layers:
        digest.update(repr((layer.name, layer.spec, layer.activation, sorted(layer.source_keys.items()))).encode())
        for key in sorted(layer.weights):
            digest.update(key.encode())
            digest.update(layer.weights[key].tobytes())
    return digest.hexdigest()


@st.cache_resource(max_entries=4, show_spinner=False, hash_funcs={ModelFile: _digest})
def _converted(model: ModelFile, to: str, out_name: str, module: str | None) -> ConvertedModel | str:
    """The conversion, or the one-line reason it was refused."""
    try:
        return convert_model(model, to, out_name, module=module)
    except ConversionRefused as error:
        return str(error)


def _file_digest(converted: ConvertedModel) -> str:
    return hashlib.sha256(converted.data).hexdigest()  # the written file holds every converted weight


@st.cache_resource(max_entries=8, show_spinner=False, hash_funcs={ConvertedModel: _file_digest})
def _heatmaps(converted: ConvertedModel, index: int, row: int, theme: Theme) -> tuple[go.Figure, go.Figure]:
    """One layer and direction's gate blocks in the source layout and in the converted one."""
    conversion = converted.conversions[index]
    figures = []
    for spec, weights in (
        (conversion.source, conversion.source_weights),
        (conversion.target, conversion.target_weights),
    ):
        layer = breakdown(spec).layers[row]
        figures.append(weight_heatmap(heatmap_data(spec, layer, dict(weights)), theme))
    return figures[0], figures[1]


def render(model: ModelFile, theme: Theme, filename: str = "model") -> None:
    """Offer the converted file, show each layer's proof and the gate blocks before and after."""
    st.subheader("Convert")
    to = target_for(model)
    if to is None:
        st.caption("Convert works on Keras files (.keras, .h5, .weights.h5) and PyTorch .safetensors state dicts.")
        return
    out_name = PurePath(filename).name.removesuffix(".weights.h5").split(".")[0] + SUFFIX[to]
    module = None
    if to == "keras" and len(model.layers) > 1:  # a .keras file holds one PyTorch module
        module = st.selectbox("Module to convert", [layer.name for layer in model.layers], key="convert_module")
    converted = _converted(model, to, out_name, module)
    if isinstance(converted, str):
        st.warning(f"Not converted: {converted}")
        return
    source_label, target_label = FRAMEWORK_LABEL[converted.conversions[0].source.framework], FRAMEWORK_LABEL[to]
    st.markdown(
        f"**{source_label} → {target_label}.** Both layouts ran through lstmviz's forward pass on the same "
        "inputs; the file is offered only when their outputs agree within 1e-5."
    )
    for line in converted.proof_lines:
        st.markdown(f"- `{line}`")
    st.download_button(
        f"Download {out_name}", converted.data, file_name=out_name, mime="application/octet-stream", key="convert_file"
    )
    for note in converted.notes:
        st.caption(note)
    with st.expander(f"{'PyTorch' if to == 'pytorch' else 'Keras'} code that loads {out_name}"):
        st.code(converted.code, language="python")

    # --- gate blocks before and after --------------------------------------------------------------
    names = [c.name for c in converted.conversions]
    index = names.index(st.selectbox("Layer to compare", names, key="convert_layer")) if len(names) > 1 else 0
    conversion = converted.conversions[index]
    count = breakdown(conversion.source)
    layer = controls.layer_picker(count, "Layer and direction to compare", "convert_direction")
    st.dataframe(gate_move_rows(conversion.source, to), hide_index=True, key="convert_moves")
    before, after = _heatmaps(converted, index, count.layers.index(layer), theme)
    left, right = st.columns(2)
    with left:
        st.markdown(f"**Before: {source_label}**")
        st.plotly_chart(before, key="convert_before", config=chart_config("png", f"{out_name}-before"))
    with right:
        st.markdown(f"**After: {target_label}**")
        st.plotly_chart(after, key="convert_after", config=chart_config("png", f"{out_name}-after"))
