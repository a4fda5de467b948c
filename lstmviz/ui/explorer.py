"""The explorer view: headline, cell diagram, gate counts, W/U/b heatmap, tables and exports."""

from __future__ import annotations

import streamlit as st

import lstmviz
from lstmviz.cells import LAYER_CLASS
from lstmviz.counting import LayerCount
from lstmviz.export import formula_latex, gate_rows, tensor_rows, to_csv, to_latex, to_markdown
from lstmviz.figures.cell_geometry import cell_geometry
from lstmviz.figures.cell_plotly import cell_figure
from lstmviz.figures.cell_svg import cell_svg
from lstmviz.report import Report
from lstmviz.snippet import framework_code
from lstmviz.style import FRAMEWORK_LABEL, Theme
from lstmviz.tables import LAYER_GATES, LAYERS, TENSORS, TIMESTEPS, gate_parts, rows, timestep_rows
from lstmviz.ui import cached, controls
from lstmviz.ui.charts import chart_config

EXPORT_FORMATS = (("csv", to_csv, "text/csv"), ("md", to_markdown, "text/markdown"), ("tex", to_latex, "text/x-tex"))


def render(report: Report, theme: Theme) -> None:
    """Draw the explorer for one computed report."""
    image_format = str(st.session_state.get("image_format", "png"))
    spec = report.spec
    slug = f"lstmviz-{spec.framework}-{spec.cell}-x{spec.features}-h{spec.units}"
    headline(report)
    layer = controls.layer_picker(report.count, "Layer and direction to draw", "view_layer")
    cell(report, layer, theme)
    gates(report, layer, theme, chart_config(image_format, f"{slug}-gates"))
    heatmap(layer, theme, chart_config(image_format, f"{slug}-heatmap"))
    tables(report)
    warm_up(theme, chart_config(image_format, "lstmviz-dense-warmup"))
    exports(report, layer, theme, image_format, slug)


def headline(report: Report) -> None:
    """The total, the formula with numbers, and what timesteps do and do not change."""
    spec, formula = report.spec, report.formula
    layer_gates = report.layers[0].gates
    st.title("How many parameters does this layer have, and why?")
    head, shape_col = st.columns([2, 3])
    with head:
        label = f"{FRAMEWORK_LABEL[spec.framework]} {LAYER_CLASS[(spec.framework, spec.cell)]}"
        st.metric(f"{label}: total parameters", f"{report.total:,}")
        st.markdown(f"**Per layer and direction:** `{formula.symbolic}`  \n**Here:** `{formula.substituted}`")
        st.caption(
            f"{'An' if spec.cell == 'lstm' else 'A'} {LAYER_CLASS[('keras', spec.cell)]} layer is "
            f"{len(layer_gates)} dense layer{'s' if len(layer_gates) > 1 else ''} "
            f"over [h_t-1, x_t] ({', '.join(g.kind.name for g in layer_gates)}); "
            "the same W, U and b are reused at every timestep."
        )
    with shape_col:
        st.markdown("**Timesteps change shapes and cost, never the count**")
        localized = st.column_config.NumberColumn(format="localized")
        st.dataframe(
            rows(TIMESTEPS, timestep_rows(report)),
            hide_index=True,
            key="timesteps_table",
            column_config={"parameters": localized, "multiply-adds / sequence": localized},
        )
        st.caption(
            "Per sample. Multiply-adds count the gate matrix products only; activations are the values a "
            "training forward pass keeps per timestep: gate outputs, cell state (LSTM) and hidden output."
        )


def cell(report: Report, layer: LayerCount, theme: Theme) -> None:
    """The cell diagram of the chosen layer, with its SVG download."""
    spec = report.spec
    svg = cell_svg(cell_geometry(layer, spec.timesteps), theme)
    st.subheader("The cell")
    st.image(svg, width="stretch")
    st.download_button(
        "Download diagram (SVG)",
        svg,
        file_name=f"lstmviz-{spec.framework}-{spec.cell}-cell.svg",
        mime="image/svg+xml",
        key="download_svg",
        on_click="ignore",
    )


def gates(report: Report, layer: LayerCount, theme: Theme, config: dict[str, object]) -> None:
    """Each gate's dense layer as bars and as a table."""
    biases = {0: "no biases", 1: "biases h", 2: "biases 2h"}[layer.bias_vectors]
    recurrent = "h·p" if layer.projection else "h·h"
    st.subheader(f"Gate dense layers: input weights x·h, recurrent weights {recurrent}, {biases}")
    bars_col, table_col = st.columns([3, 2])
    with bars_col:
        st.plotly_chart(cached.gate_counts(layer, theme), key="gate_counts", config=config)
    with table_col:
        st.dataframe(rows(LAYER_GATES, gate_parts((layer,))), hide_index=True, key="gate_table")


def heatmap(layer: LayerCount, theme: Theme, config: dict[str, object]) -> None:
    """The W/U/b heatmap of the chosen layer with seeded initial weights."""
    gh = f"{len(layer.gates)}h" if len(layer.gates) > 1 else "h"
    st.subheader("W, U and b: the gate blocks inside the fused tensors")
    st.caption(
        f"Keras stores each gate as a column block of kernel (x, {gh}) and recurrent_kernel (h, {gh}); "
        f"PyTorch as a row block of weight_ih ({gh}, x) and weight_hh ({gh}, h); ONNX as a row block of "
        f"W[d] ({gh}, x) and R[d] ({gh}, h), with B[d] = [Wb, Rb] drawn as two columns. Values are seeded initial "
        "weights drawn like the framework does (Keras glorot_uniform / orthogonal / zeros with the forget "
        "bias at 1; PyTorch and ONNX, as torch.onnx exports it, U(−1/√h, 1/√h))."
    )
    st.plotly_chart(cached.heatmap_figure(layer, 0, theme), key="heatmap", config=config)


def tables(report: Report) -> None:
    """Every tensor and layer, the outputs, and the framework's own summary."""
    spec = report.spec
    stack_col, summary_col = st.columns(2)
    with stack_col:
        st.subheader("Every tensor")
        st.dataframe(rows(TENSORS, report.tensors), hide_index=True, key="tensor_table")
        st.dataframe(rows(LAYERS, report.layers), hide_index=True, key="layer_table")
        outputs = ", ".join(f"{k} {tuple(v)}" for k, v in report.outputs.as_dict().items())
        st.caption(f"Outputs: {outputs} (None = batch).")
    with summary_col:
        st.subheader(
            {
                "keras": "As Keras prints it",
                "pytorch": "As torchinfo would list it",
                "onnx": "W, R, B per direction (ONNX stacks the directions on axis 0)",
            }[spec.framework]
        )
        text = lstmviz.keras_summary(report.count) if spec.framework == "keras" else lstmviz.tensor_table(report.count)
        st.code(text, language=None)


def warm_up(theme: Theme, config: dict[str, object]) -> None:
    """The tutorial example's warm-up: a plain dense network."""
    with st.expander("Warm-up from the tutorial: a plain dense network, (i×h + h×o) + (h + o)"):
        sizes = st.columns(3)
        dense = lstmviz.dense_params(
            int(sizes[0].number_input("inputs i", 1, 12, 3, key="dense_inputs")),
            int(sizes[1].number_input("hidden h", 1, 12, 5, key="dense_hidden")),
            int(sizes[2].number_input("outputs o", 1, 12, 2, key="dense_outputs")),
        )
        st.plotly_chart(cached.dense_network(dense, theme), key="dense_network", config=config)
        st.markdown(
            f"Dense({dense.hidden}): {dense.inputs}×{dense.hidden} + {dense.hidden} = **{dense.hidden_params}**; "
            f"Dense({dense.outputs}): {dense.hidden}×{dense.outputs} + {dense.outputs} = **{dense.output_params}**; "
            f"total **{dense.total}**. Each LSTM gate is one such dense layer from x + h inputs to h outputs."
        )


def exports(report: Report, layer: LayerCount, theme: Theme, image_format: str, slug: str) -> None:
    """Downloads for slides and for checking the count in the framework itself."""
    spec = report.spec
    with st.expander("Export: figures, tables, formula and code"):
        st.radio(
            "Chart downloads (the camera button on each chart)",
            ["png", "svg"],
            key="image_format",
            horizontal=True,
            captions=["3200 × 1800 pixels", "vector"],
        )
        # Built only on request: it is the one figure not needed to read the page.
        if st.toggle("Cell diagram as a chart too (its camera button saves PNG or SVG)", key="cell_chart_on"):
            st.plotly_chart(
                cell_figure(cell_geometry(layer, spec.timesteps), theme),
                key="cell_chart",
                config=chart_config(image_format, f"{slug}-cell"),
            )
        latex = formula_latex(report.formula)
        st.markdown("**Formula** (LaTeX)")
        st.latex(latex)
        st.code(latex, language="latex")
        for title, table, name in (("Tensors", tensor_rows(report), "tensors"), ("Gates", gate_rows(report), "gates")):
            st.markdown(f"**{title} table**")
            for col, (fmt, text_of, mime) in zip(st.columns(3), EXPORT_FORMATS, strict=True):
                col.download_button(
                    f"{title} as .{fmt}",
                    text_of(table),
                    file_name=f"{slug}-{name}.{fmt}",
                    mime=mime,
                    key=f"download_{name}_{fmt}",
                    on_click="ignore",
                )
        st.markdown(
            f"**Check it in {FRAMEWORK_LABEL[spec.framework]}**: this code builds the layer and asserts the count"
        )
        code = framework_code(report)
        st.code(code, language="python")
        st.download_button(
            "Code as .py", code, file_name=f"{slug}.py", mime="text/x-python", key="download_code", on_click="ignore"
        )
