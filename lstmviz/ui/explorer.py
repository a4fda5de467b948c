"""The explorer view: headline, cell diagram, gate counts, W/U/b heatmap, tensors and summary."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

import lstmviz
from lstmviz.cells import LAYER_CLASS
from lstmviz.counting import bias_vectors
from lstmviz.export import formula_latex, gate_rows, tensor_rows, to_csv, to_latex, to_markdown
from lstmviz.figures.cell_geometry import cell_geometry
from lstmviz.figures.cell_plotly import cell_figure
from lstmviz.figures.cell_svg import cell_svg
from lstmviz.figures.counts import gate_count_rows
from lstmviz.snippet import framework_code
from lstmviz.spec import RecurrentSpec
from lstmviz.style import FRAMEWORK_LABEL, Theme
from lstmviz.ui import cached, controls
from lstmviz.ui.charts import chart_config


def render(spec: RecurrentSpec, theme: Theme) -> None:
    """Draw the explorer for one spec."""
    image_format = str(st.session_state.get("image_format", "png"))
    slug = f"lstmviz-{spec.framework}-{spec.cell}-x{spec.features}-h{spec.units}"
    # --- core ----------------------------------------------------------------------------------
    count = lstmviz.breakdown(spec)
    formula = lstmviz.formula(spec)
    shapes = lstmviz.output_shapes(spec).as_dict()
    layer_gates = count.layers[0].gates
    label = f"{FRAMEWORK_LABEL[spec.framework]} {LAYER_CLASS[(spec.framework, spec.cell)]}"

    # --- headline ------------------------------------------------------------------------------
    st.title("How many parameters does this layer have, and why?")
    head, shape_col = st.columns([2, 3])
    with head:
        st.metric(f"{label}: total parameters", f"{count.total:,}")
        st.markdown(f"**Per layer and direction:** `{formula.symbolic}`  \n**Here:** `{formula.substituted}`")
        st.caption(
            f"{'An' if spec.cell == 'lstm' else 'A'} {LAYER_CLASS[('keras', spec.cell)]} layer is "
            f"{len(layer_gates)} dense layer{'s' if len(layer_gates) > 1 else ''} "
            f"over [h_t-1, x_t] ({', '.join(g.kind.name for g in layer_gates)}); "
            "the same W, U and b are reused at every timestep."
        )
    with shape_col:
        st.markdown("**Timesteps change shapes and cost, never the count**")
        rows = []
        for t in sorted({1, spec.timesteps, 10 * spec.timesteps}):
            other = replace(spec, timesteps=t)
            # PyTorch always returns every step; only Keras has the switch.
            every_step = replace(other, return_sequences=True) if spec.framework == "keras" else other
            run = lstmviz.cost(other)
            rows.append(
                {
                    "timesteps T": t,
                    "parameters": lstmviz.count_params(other),
                    "output shape": str(tuple(lstmviz.output_shapes(other).as_dict()["output"])).replace("None", "N"),
                    "per-timestep outputs": str(tuple(lstmviz.output_shapes(every_step).as_dict()["output"])).replace(
                        "None", "N"
                    ),
                    "multiply-adds / sequence": run.multiply_adds_per_sequence,
                    "training activations (float32)": f"{run.activation_bytes_float32 / 1024:,.1f} KiB",
                }
            )
        localized = st.column_config.NumberColumn(format="localized")
        st.dataframe(
            rows,
            hide_index=True,
            key="timesteps_table",
            column_config={"parameters": localized, "multiply-adds / sequence": localized},
        )
        st.caption(
            "Per sample. Multiply-adds count the gate matrix products only; activations are the values a "
            "training forward pass keeps per timestep: gate outputs, cell state (LSTM) and hidden output."
        )

    # --- which layer to draw -------------------------------------------------------------------
    layer = controls.layer_picker(count, "Layer and direction to draw", "view_layer")

    # --- cell diagram and gate counts ----------------------------------------------------------
    svg = cell_svg(cell_geometry(spec, layer), theme)
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
    biases = {0: "no biases", 1: "biases h", 2: "biases 2h"}[bias_vectors(spec)]
    recurrent = "h·p" if spec.proj_size else "h·h"
    st.subheader(f"Gate dense layers: input weights x·h, recurrent weights {recurrent}, {biases}")
    bars_col, table_col = st.columns([3, 2])
    with bars_col:
        st.plotly_chart(
            cached.gate_counts(layer, theme), key="gate_counts", config=chart_config(image_format, f"{slug}-gates")
        )
    with table_col:
        st.dataframe(gate_count_rows(layer), hide_index=True, key="gate_table")

    # --- the W/U/b heatmap ---------------------------------------------------------------------
    st.subheader("W, U and b: the gate blocks inside the fused tensors")
    st.caption(
        "Keras stores each gate as a column block of kernel (x, 4h) and recurrent_kernel (h, 4h); "
        "PyTorch as a row block of weight_ih (4h, x) and weight_hh (4h, h). Values are seeded initial "
        "weights drawn like the framework does (Keras glorot_uniform / orthogonal / zeros with the forget "
        "bias at 1; PyTorch U(−1/√h, 1/√h))."
    )
    st.plotly_chart(
        cached.heatmap_figure(cached.weight_key(spec), layer.layer, layer.direction, 0, theme),
        key="heatmap",
        config=chart_config(image_format, f"{slug}-heatmap"),
    )

    # --- stack, tensors and summary ------------------------------------------------------------
    stack_col, summary_col = st.columns(2)
    with stack_col:
        st.subheader("Every tensor")
        st.dataframe(
            [
                {
                    "name": t.name,
                    "layer": t.layer,
                    "direction": t.direction,
                    "shape": str(t.shape),
                    "parameters": t.params,
                }
                for t in count.tensors
            ],
            hide_index=True,
            key="tensor_table",
        )
        st.dataframe(
            [
                {"layer": lc.layer, "direction": lc.direction, "input size": lc.input_size, "parameters": lc.params}
                for lc in count.layers
            ],
            hide_index=True,
            key="layer_table",
        )
        st.caption(f"Outputs: {', '.join(f'{k} {tuple(v)}' for k, v in shapes.items())} (None = batch).")
    with summary_col:
        st.subheader("As Keras prints it" if spec.framework == "keras" else "As torchinfo would list it")
        st.code(lstmviz.keras_summary(spec) if spec.framework == "keras" else lstmviz.tensor_table(spec), language=None)

    # --- the seed's warm-up --------------------------------------------------------------------
    with st.expander("Warm-up from the tutorial: a plain dense network, (i×h + h×o) + (h + o)"):
        sizes = st.columns(3)
        dense = lstmviz.dense_params(
            int(sizes[0].number_input("inputs i", 1, 12, 3, key="dense_inputs")),
            int(sizes[1].number_input("hidden h", 1, 12, 5, key="dense_hidden")),
            int(sizes[2].number_input("outputs o", 1, 12, 2, key="dense_outputs")),
        )
        st.plotly_chart(
            cached.dense_network(dense, theme),
            key="dense_network",
            config=chart_config(image_format, "lstmviz-dense-warmup"),
        )
        st.markdown(
            f"Dense({dense.hidden}): {dense.inputs}×{dense.hidden} + {dense.hidden} = **{dense.hidden_params}**; "
            f"Dense({dense.outputs}): {dense.hidden}×{dense.outputs} + {dense.outputs} = **{dense.output_params}**; "
            f"total **{dense.total}**. Each LSTM gate is one such dense layer from x + h inputs to h outputs."
        )

    # --- exports for slides and for checking in a framework --------------------------------
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
                cell_figure(cell_geometry(spec, layer), theme),
                key="cell_chart",
                config=chart_config(image_format, f"{slug}-cell"),
            )
        st.markdown("**Formula** (LaTeX)")
        st.latex(formula_latex(spec))
        st.code(formula_latex(spec), language="latex")
        for title, table, name in (("Tensors", tensor_rows(spec), "tensors"), ("Gates", gate_rows(spec), "gates")):
            st.markdown(f"**{title} table**")
            cols = st.columns(3)
            for col, (fmt, text_of, mime) in zip(
                cols,
                (("csv", to_csv, "text/csv"), ("md", to_markdown, "text/markdown"), ("tex", to_latex, "text/x-tex")),
                strict=True,
            ):
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
        code = framework_code(spec)
        st.code(code, language="python")
        st.download_button(
            "Code as .py", code, file_name=f"{slug}.py", mime="text/x-python", key="download_code", on_click="ignore"
        )
