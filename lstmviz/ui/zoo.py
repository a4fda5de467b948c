"""The layer zoo on the page: the sidebar's class picker (`?layer=flax.linen.GRUCell`) and its views."""

from __future__ import annotations

from typing import Final

import streamlit as st
from streamlit.runtime.state.session_state_proxy import get_session_state

from lstmviz.cli.zoo import SPEC_PATHS, canonical_path
from lstmviz.figures.zoo import zoo_cell_figure, zoo_cell_key, zoo_gate_bars, zoo_heatmap, zoo_run_figure
from lstmviz.spec import RecurrentSpec
from lstmviz.style import Theme
from lstmviz.ui import url
from lstmviz.ui.charts import chart_config
from lstmviz.ui.static_table import static_table
from lstmviz.urlvalues import Choice, Flag, Whole
from lstmviz.zoo import RECORDS, ZooCount, ZooOptions, find_zoo, zoo_count
from lstmviz.zoo.forward import zoo_forward
from lstmviz.zoo.snippet import zoo_code
from lstmviz.zoo.tables import (
    differences,
    equivalents,
    gate_rows,
    other_conventions_rows,
    seeded_weights,
    sine_inputs,
    tensor_rows,
)

URL: Final = "query-params"
SPEC_CHOICE: Final = "framework and cell below"
LAYER_KEY: Final = "layer"
CHOICES = (SPEC_CHOICE, *(r.class_path for r in RECORDS))  # RECORDS are listed framework by framework
GROUPS = " · ".join(dict.fromkeys(r.framework.label for r in RECORDS))
KERNEL_MAX = 7
PROJ_MAX = 1024
RUN_STEPS = 24


def _spec_class_to_radios() -> None:
    """?layer=keras.layers.LSTM (one of the radios' classes) becomes ?framework=keras&cell=lstm."""
    with get_session_state().query_params() as qp:
        values = qp.get_all(LAYER_KEY)
    if not values:
        return
    name = canonical_path(values[-1]).lower()
    record = find_zoo(name)
    if record is not None and values[-1] != record.class_path:  # an alias or another letter case: the path
        url.put(LAYER_KEY, record.class_path)
    elif name in SPEC_PATHS:
        framework, cell = SPEC_PATHS[name]
        url.put(LAYER_KEY, SPEC_CHOICE)
        url.put("framework", framework)
        url.put("cell", cell)


def layer_picker() -> str | None:
    """The sidebar's class picker, grouped by framework; returns a zoo class path or None (the radios)."""
    with st.sidebar:
        _spec_class_to_radios()
        url.clean(LAYER_KEY, Choice(CHOICES))
        chosen = st.selectbox(
            f"Layer class ({GROUPS})",
            CHOICES,
            key=LAYER_KEY,
            bind=URL,
            help="Each framework's own class path. The first choice uses the Framework and Cell radios below "
            "(Keras 3, PyTorch and ONNX LSTM, GRU and SimpleRNN).",
        )
    return None if chosen == SPEC_CHOICE else str(chosen)


def zoo_options(path: str, spec: RecurrentSpec) -> ZooCount:
    """The chosen class at the sidebar's sizes, with its own options drawn in the sidebar."""
    record = find_zoo(path)
    assert record is not None  # the picker offers records only
    fields: dict[str, object] = {"features": spec.features, "units": spec.units}
    with st.sidebar:
        st.header(record.class_name)
        st.caption(
            f"{record.framework.label}: features x = {'input channels' if record.conv_dims else 'input size'}, "
            f"units h = {'filters' if record.conv_dims else 'hidden size'}."
        )
        if record.conv_dims:
            url.clean("kernel_size", Whole(1, KERNEL_MAX))
            side = int(st.slider("Kernel size k (every axis)", 1, KERNEL_MAX, 3, key="kernel_size", bind=URL))
            fields["kernel_size"] = (side,) * (record.conv_dims if record.conv_dims > 0 else 2)
        if "bias" in record.options:
            fields["bias"] = spec.bias
        elif not spec.bias:
            st.caption(f"{record.class_name} has no bias option: Use bias is ignored.")
        if "use_peepholes" in record.options:
            url.clean("use_peepholes", Flag())
            fields["use_peepholes"] = bool(st.checkbox("use_peepholes", False, key="use_peepholes", bind=URL))
        if "num_proj" in record.options:  # TF1 projects to any size, smaller or larger than units
            url.clean("num_proj", Whole(0, PROJ_MAX))
            fields["num_proj"] = int(st.number_input("num_proj (0 = none)", 0, PROJ_MAX, 0, key="num_proj", bind=URL))
        if "reset_gate" in record.options:
            url.clean("reset_gate", Flag())
            fields["reset_gate"] = bool(st.checkbox("reset_gate", True, key="reset_gate", bind=URL))
        if "reset_after" in record.options:  # its own key: the Keras GRU radios' reset_after may be drawn too
            url.clean("cell_reset_after", Flag())
            fields["reset_after"] = bool(st.checkbox("reset_after", True, key="cell_reset_after", bind=URL))
    return zoo_count(record, ZooOptions(**fields))  # type: ignore[arg-type]


def render(count: ZooCount, view: str, theme: Theme) -> None:
    """Draw the chosen view for a zoo class."""
    headline(count)
    if view == "through time":
        run(count, theme)
    elif view == "compare":
        compare(count)
    elif view == "lesson":
        st.subheader("Other conventions")
        other_conventions(count.options.features, count.options.units)
    elif view in ("practice", "inspect"):
        st.info(f"The {view} view works with Keras 3, PyTorch and ONNX layers: choose '{SPEC_CHOICE}' in the sidebar.")
    else:
        explorer(count, theme)


def headline(count: ZooCount) -> None:
    """The total and the formula with this layer's numbers."""
    st.title(f"{count.record.class_path}: {count.total:,} parameters")
    st.markdown(f"`{count.symbolic}`  \n`{count.substituted}`")


def explorer(count: ZooCount, theme: Theme) -> None:
    """Tensors, the cell, gate counts, the heatmap, what trips users up and code that checks the count."""
    slug = f"lstmviz-{count.record.class_name}-x{count.options.features}-h{count.options.units}"
    st.subheader("Every tensor, as the framework names, shapes and orders it")
    static_table(tensor_rows(count))
    st.subheader("The cell")
    st.plotly_chart(zoo_cell_figure(count, theme), theme=None, config=chart_config("png", f"{slug}-cell"))
    st.caption(zoo_cell_key(count))
    st.subheader("Each gate's parameters")
    st.plotly_chart(zoo_gate_bars(count, theme), theme=None, config=chart_config("png", f"{slug}-gates"))
    static_table(gate_rows(count))
    st.subheader("The tensors in the framework's own layout")
    caption = "Seeded initial weights; gate blocks marked along the axis that stacks them."
    if count.record.conv_dims:
        taps = count.options.taps
        caption += f" Each convolution kernel: per gate over its last axis, averaged over its {taps} spatial taps."
    st.caption(caption)
    st.plotly_chart(
        zoo_heatmap(count, seeded_weights(count), theme), theme=None, config=chart_config("png", f"{slug}-heatmap")
    )
    st.subheader("What trips users up")
    st.markdown("\n".join(f"- {n}" for n in count.record.notes))
    st.subheader("Build it and check the count")
    st.code(zoo_code(count), language="python")


def run(count: ZooCount, theme: Theme) -> None:
    """The forward pass on sine waves from a zero state, with seeded weights."""
    st.subheader("Through time: every gate and h_t on sine waves")
    result = zoo_forward(count, seeded_weights(count), sine_inputs(count, RUN_STEPS))
    st.caption(
        "lstmviz's NumPy forward pass, checked against the framework's own run to 1e-5 "
        "(tests/data/golden_zoo_forward.npz)."
        + (" Convolutional cells: values averaged over space." if count.record.conv_dims else "")
    )
    st.plotly_chart(zoo_run_figure(count, result, theme), theme=None)


def compare(count: ZooCount) -> None:
    """Beside the Keras 3 and PyTorch layers of the same family, with one sentence per difference."""
    st.subheader("Beside Keras 3 and PyTorch")
    rows = [{"class": count.record.class_path, "parameters": count.total, "formula": count.substituted}]
    rows += [{"class": p, "parameters": n, "formula": f} for p, n, f in equivalents(count)]
    static_table(rows)
    st.markdown("\n".join(f"- {s}" for s in differences(count)))


def other_conventions(features: int, units: int) -> None:
    """The short table of every other convention at these sizes (the lesson's last step shows it too)."""
    st.caption(f"Every other layer class lstmviz counts, at x = {features}, h = {units} (ConvLSTM: 3-wide kernels).")
    static_table(other_conventions_rows(features, units))
