"""The guided lesson: the tutorial's argument step by step, each step a deep link."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import streamlit as st

import lstmviz
from lstmviz.cells import LAYER_CLASS
from lstmviz.figures.cell_geometry import cell_geometry
from lstmviz.figures.cell_svg import cell_svg
from lstmviz.report import Report, build_report
from lstmviz.spec import RecurrentSpec
from lstmviz.style import Theme
from lstmviz.ui import cached, url
from lstmviz.ui.charts import chart_config
from lstmviz.ui.controls import URL
from lstmviz.urlvalues import Whole


def dense_warm_up(lesson: Report, theme: Theme) -> None:
    """Step 1: a dense layer has one weight per connection and one bias per output."""
    dense = lstmviz.dense_params(3, 5, 2)
    st.markdown(
        "A dense layer has one weight per connection and one bias per output neuron. For a "
        f"{dense.inputs} → {dense.hidden} → {dense.outputs} network: "
        f"({dense.inputs}×{dense.hidden} + {dense.hidden}×{dense.outputs}) + ({dense.hidden} + {dense.outputs}) "
        f"= {dense.hidden_params} + {dense.output_params} = **{dense.total}**."
    )
    st.plotly_chart(
        cached.dense_network(dense, theme), key="lesson_dense", config=chart_config("png", "lstmviz-lesson-dense")
    )


def one_gate(lesson: Report, theme: Theme) -> None:
    """Step 2: the forget gate is a dense layer over [h_t-1, x_t]."""
    x, h = lesson.spec.features, lesson.spec.units
    layer = lesson.layers[0]
    forget = layer.gates[1]
    st.markdown(
        f"The forget gate reads h_t-1 ({h}) and x_t ({x}): **{x + h} inputs**, and outputs h = {h} "
        f"values. As a dense layer: ({x} + {h}) × {h} + {h} = **{forget.params}** parameters "
        f"({forget.input_weights} input weights, {forget.recurrent_weights} recurrent weights, "
        f"{forget.biases} biases)."
    )
    st.image(cell_svg(cell_geometry(layer, lesson.spec.timesteps), theme), width="stretch")


def four_gates(lesson: Report, theme: Theme) -> None:
    """Step 3: four such dense layers make an LSTM."""
    f = lesson.formula
    st.markdown(
        f"Input, forget, candidate and output gates are four such dense layers: `{f.symbolic}` = `{f.substituted}`."
    )
    st.plotly_chart(
        cached.gate_counts(lesson.layers[0], theme),
        key="lesson_gates",
        config=chart_config("png", "lstmviz-lesson-gates"),
    )


def fused_tensors(lesson: Report, theme: Theme) -> None:
    """Step 4: Keras fuses the gates into W, U and b, one block per gate."""
    h, layer = lesson.spec.units, lesson.layers[0]
    shapes = {t.name: t.shape for t in layer.tensors}
    st.markdown(
        f"Keras fuses the four gates: W = kernel {shapes['kernel']}, U = recurrent_kernel "
        f"{shapes['recurrent_kernel']}, b = bias {shapes['bias']}. Why 4h = {4 * h}? Each gate owns "
        f"a block of {h} columns, in the order i, f, c, o:"
    )
    st.code(
        "\n".join(
            f"W_{g.kind.symbol} = W[:, {s.start}:{s.stop}]   # {g.kind.name}"
            for g in layer.gates
            for s in g.slices
            if s.tensor == "kernel"
        ),
        language="python",
    )
    st.plotly_chart(
        cached.heatmap_figure(layer, 0, theme),
        key="lesson_heatmap",
        config=chart_config("png", "lstmviz-lesson-heatmap"),
    )


def timesteps(lesson: Report, theme: Theme) -> None:
    """Step 5: the same weights at every timestep; only outputs and compute grow with T."""
    st.markdown(
        "The same W, U and b are used at every timestep, so the count never depends on T. "
        "What does grow with T is the output (with return_sequences) and the compute:"
    )
    sequences = replace(lesson.spec, return_sequences=True)
    st.dataframe(
        [
            {
                "timesteps": t,
                "parameters": lesson.total,  # the same report: timesteps never change the count
                "sequence output shape": str(
                    tuple(lstmviz.output_shapes(replace(sequences, timesteps=t)).as_dict()["output"])
                ),
                "multiply-adds": replace(lesson.cost, timesteps=t).multiply_adds_per_sequence,
            }
            for t in (1, 10, 100, 1000)
        ],
        hide_index=True,
    )


def frameworks(lesson: Report, theme: Theme) -> None:
    """Step 6: PyTorch's two biases, GRU's three gates, and each framework's gate order."""
    x, h = lesson.spec.features, lesson.spec.units
    rows = []
    for framework, cell, extra in (
        ("keras", "lstm", {}),
        ("keras", "gru", {"reset_after": True}),
        ("keras", "gru", {"reset_after": False}),
        ("keras", "rnn", {}),
        ("pytorch", "lstm", {}),
        ("pytorch", "gru", {}),
        ("pytorch", "rnn", {}),
    ):
        other = build_report(RecurrentSpec(framework=framework, cell=cell, features=x, units=h, **extra))
        rows.append(
            {
                "layer": LAYER_CLASS[(framework, cell)] + (f" reset_after={extra['reset_after']}" if extra else ""),
                "framework": framework,
                "parameters": other.total,
                "formula": other.formula.substituted,
                "gate order": ", ".join(g.kind.symbol for g in other.layers[0].gates),
            }
        )
    st.markdown(
        "PyTorch keeps two bias vectors per gate (b_ih and b_hh), so its LSTM has 4h more parameters "
        "than Keras'. A GRU has three gates; Keras' default reset_after=True also keeps two biases. "
        "Gate orders differ, which matters when you slice the fused tensors."
    )
    st.dataframe(rows, hide_index=True)


STEPS: tuple[tuple[str, Callable[[Report, Theme], None]], ...] = (  # step n in the URL (?step=n) → title, drawer
    ("A dense layer, to warm up", dense_warm_up),
    ("One gate is one dense layer", one_gate),
    ("Four gates make an LSTM", four_gates),
    ("W, U and b hold the four gates side by side", fused_tensors),
    ("Why timesteps don't matter", timesteps),
    ("How PyTorch and GRU differ", frameworks),
)


def render(report: Report, theme: Theme) -> None:
    """Draw one step of the lesson for the sidebar's features and units (a Keras LSTM, as the tutorial)."""
    url.clean("step", Whole(1, len(STEPS)))
    step = int(st.slider("Step", 1, len(STEPS), 1, key="step", bind=URL))
    x, h = report.spec.features, report.spec.units
    title, draw = STEPS[step - 1]
    st.title(f"Step {step}. {title}")
    st.caption(f"Link to this step: ?view=lesson&step={step}&features={x}&units={h}")
    draw(build_report(RecurrentSpec(features=x, units=h, timesteps=report.spec.timesteps)), theme)
