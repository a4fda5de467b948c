"""The explorer view: headline, cell diagram, gate counts, W/U/b heatmap, tables and exports."""

from __future__ import annotations

from functools import partial
from html import escape

import plotly.graph_objects as go
import streamlit as st

import lstmviz
from lstmviz.counting import LayerCount
from lstmviz.export import formula_latex, gate_rows, tensor_rows, to_csv, to_latex, to_markdown
from lstmviz.figures.cell_geometry import cell_geometry
from lstmviz.figures.cell_plotly import cell_figure
from lstmviz.figures.cell_svg import cell_svg
from lstmviz.report import Report
from lstmviz.snippet import framework_code
from lstmviz.style import SELECTED_FILL, Theme
from lstmviz.tables import LAYERS, TENSORS, TIMESTEPS, rows, timestep_rows
from lstmviz.ui import cached, controls, live, url
from lstmviz.ui.charts import chart_config
from lstmviz.ui.explorer_data import (
    code_heading,
    file_slug,
    framework_listing,
    gate_focus_text,
    gate_table,
    gates_heading,
    heatmap_caption,
    outputs_caption,
)
from lstmviz.ui.static_table import static_table
from lstmviz.urlvalues import Choice

EXPORT_FORMATS = (("csv", to_csv, "text/csv"), ("md", to_markdown, "text/markdown"), ("tex", to_latex, "text/x-tex"))
# Like st.code's block, without its syntax highlighter (st.html strips inline styles).
SUMMARY_CSS = f"""<style>
.lstmviz-summary {{ font-family: 'Source Code Pro', monospace; font-size: 0.78rem; line-height: 1.45;
  padding: 1rem; margin: 0; background: #f0f2f6; color: #31333f; border-radius: 0.5rem; overflow-x: auto;
  white-space: pre; }}
/* The followed gate's row in the gate table: bold (the Markdown), on the selection fill. */
[data-testid="stMain"] [data-testid="stMarkdownContainer"] tbody tr:has(> td > strong) {{
  background: {SELECTED_FILL}; }}
</style>"""
# The optional panels, one click away and in the URL as ?panel=Warm-up or ?panel=Export (the URL
# holds the option's text); each is drawn only when open.
PANELS_LABEL = "More: the tutorial's dense-network warm-up, and exports of figures, tables, formula and code"
WARM_UP, EXPORT = "Warm-up", "Export"


def render(report: Report, theme: Theme) -> None:
    """Draw the explorer for one computed report."""
    image_format = str(st.session_state.get("image_format", "png"))
    spec = report.spec
    slug = file_slug(spec)
    headline(report)
    lesson_entry()
    layer = controls.layer_picker(report.count, "Layer and direction to draw", "view_layer")
    gate = gate_focus(layer)
    timesteps(report)
    cell(report, layer, theme, gate)
    gates(layer, theme, gate, chart_config(image_format, f"{slug}-gates"))
    heatmap(layer, theme, gate, chart_config(image_format, f"{slug}-heatmap"))
    tables(report)
    # A closed expander still runs (and sends) everything inside it; a panel picker draws only the open one.
    url.clean("panel", Choice((WARM_UP, EXPORT)))
    panel = st.segmented_control(PANELS_LABEL, [WARM_UP, EXPORT], key="panel", bind=controls.URL)
    if panel == WARM_UP:
        warm_up(theme, chart_config(image_format, "lstmviz-dense-warmup"))
    elif panel == EXPORT:
        exports(report, layer, theme, image_format, slug)


def headline(report: Report) -> None:
    """The total, the formula with numbers, the total split over the framework's tensors and the gate bars;
    they follow the size sliders while they move (lstmviz.ui.live)."""
    st.title("How many parameters does this layer have, and why?")
    live.headline(report, controls.SIZE_MAX)


def _start_lesson() -> None:
    st.session_state["view"] = "lesson"
    st.session_state["step"] = 1


def lesson_entry() -> None:
    """New here? The six-step lesson, one click from the first screen."""
    st.button(
        "New here? Take the 6-step lesson: from a dense layer to this count →",
        key="start_lesson",
        on_click=_start_lesson,
        type="primary",
    )


def gate_focus(layer: LayerCount) -> str | None:
    """The gate picker, and for the followed gate its term of the formula and its slices of each tensor."""
    gate = controls.gate_picker(layer)
    if gate is not None:
        st.markdown(gate_focus_text(layer, gate))
    return gate


def timesteps(report: Report) -> None:
    """What timesteps change (shapes and cost) and what they never change (the count)."""
    st.markdown("**Timesteps change shapes and cost, never the count**")
    static_table(rows(TIMESTEPS, timestep_rows(report)))
    st.caption(
        "Per sample; None is the batch dimension. Multiply-adds count the gate matrix products only; activations "
        "are the values a training forward pass keeps per timestep: gate outputs, cell state (LSTM) and hidden output."
    )


def cell(report: Report, layer: LayerCount, theme: Theme, gate: str | None) -> None:
    """The cell diagram of the chosen layer (its SVG download is in the Export panel)."""
    st.subheader("The cell")
    st.image(cell_svg(cell_geometry(layer, report.spec.timesteps), theme, gate), width="stretch")


def _gate_chart(figure: go.Figure, name: str, gate: str | None, config: dict[str, object]) -> None:
    """A chart whose bar clicks choose the followed gate; keyed by that gate, so a new choice starts
    without Plotly's own selection styling left over from the click."""
    key = f"{name}_{gate or 'none'}"
    st.plotly_chart(
        figure,
        key=key,
        config=config,
        on_select=partial(controls.pick_gate_from, key),
        selection_mode="points",
        theme=None,  # the figure's own colours, checked for contrast, not Streamlit's lighter greys
    )


def gates(layer: LayerCount, theme: Theme, gate: str | None, config: dict[str, object]) -> None:
    """Each gate's dense layer as bars and as a table."""
    st.subheader(gates_heading(layer))
    _gate_chart(cached.gate_counts(layer, theme, gate), "gate_counts", gate, config)
    table = gate_table(layer, gate)
    static_table(rows(table.columns, table.parts), lambda row: row["gate"] in table.marked)  # followed gate in bold


def heatmap(layer: LayerCount, theme: Theme, gate: str | None, config: dict[str, object]) -> None:
    """The W/U/b heatmap of the chosen layer with seeded initial weights."""
    st.subheader("W, U and b: the gate blocks inside the fused tensors")
    st.caption(heatmap_caption(layer))
    _gate_chart(cached.heatmap_figure(layer, 0, theme, gate), "heatmap", gate, config)


def tables(report: Report) -> None:
    """Every tensor and layer, the outputs, and the framework's own summary (full width: it is 76 columns)."""
    st.subheader("Every tensor")
    tensor_col, layer_col = st.columns([3, 2])
    with tensor_col:
        static_table(rows(TENSORS, report.tensors))
    with layer_col:
        static_table(rows(LAYERS, report.layers))
        st.caption(outputs_caption(report))
    heading, text = framework_listing(report)
    st.subheader(heading)
    # A preformatted block: st.code would pull its syntax highlighter (1.5 MB of JavaScript) into the page.
    st.html(f"{SUMMARY_CSS}<pre class='lstmviz-summary'>{escape(text)}</pre>")


@st.fragment
def warm_up(theme: Theme, config: dict[str, object]) -> None:
    """The tutorial example's warm-up: a plain dense network (its sizes rerun only this panel)."""
    st.markdown("**Warm-up from the tutorial:** a plain dense network has (i×h + h×o) + (h + o) parameters")
    sizes = st.columns(3)
    dense = lstmviz.dense_params(
        int(sizes[0].number_input("inputs i", 1, 12, 3, key="dense_inputs")),
        int(sizes[1].number_input("hidden h", 1, 12, 5, key="dense_hidden")),
        int(sizes[2].number_input("outputs o", 1, 12, 2, key="dense_outputs")),
    )
    st.plotly_chart(cached.dense_network(dense, theme), key="dense_network", config=config, theme=None)
    st.markdown(
        f"Dense({dense.hidden}): {dense.inputs}×{dense.hidden} + {dense.hidden} = **{dense.hidden_params}**; "
        f"Dense({dense.outputs}): {dense.hidden}×{dense.outputs} + {dense.outputs} = **{dense.output_params}**; "
        f"total **{dense.total}**. Each LSTM gate is one such dense layer from x + h inputs to h outputs."
    )


def exports(report: Report, layer: LayerCount, theme: Theme, image_format: str, slug: str) -> None:
    """Downloads for slides and for checking the count in the framework itself."""
    spec = report.spec
    st.radio(
        "Chart downloads (the camera button on each chart)",
        ["png", "svg"],
        key="image_format",
        horizontal=True,
        captions=["3200 × 1800 pixels", "vector"],
    )
    geometry = cell_geometry(layer, spec.timesteps)
    st.download_button(
        "Download diagram (SVG)",
        cell_svg(geometry, theme),
        file_name=f"lstmviz-{spec.framework}-{spec.cell}-cell.svg",
        mime="image/svg+xml",
        key="download_svg",
        on_click="ignore",
    )
    # Built only on request: it is the one figure not needed to read the page.
    if st.toggle("Cell diagram as a chart too (its camera button saves PNG or SVG)", key="cell_chart_on"):
        st.plotly_chart(
            cell_figure(geometry, theme),
            key="cell_chart",
            config=chart_config(image_format, f"{slug}-cell"),
            theme=None,
        )
    latex = formula_latex(report.formula)
    st.markdown("**Formula** (LaTeX)")
    st.latex(latex)
    st.code(latex, language="latex", wrap_lines=True)
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
    st.markdown(code_heading(spec))
    code = framework_code(report)
    st.code(code, language="python", wrap_lines=True)  # long asserts wrap, never scroll
    st.download_button(
        "Code as .py", code, file_name=f"{slug}.py", mime="text/x-python", key="download_code", on_click="ignore"
    )
