"""The guided lesson: the tutorial's argument step by step, each step a deep link."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

import lstmviz
from lstmviz.cells import LAYER_CLASS
from lstmviz.figures.cell_geometry import cell_geometry
from lstmviz.figures.cell_svg import cell_svg
from lstmviz.spec import RecurrentSpec
from lstmviz.style import Theme
from lstmviz.ui import cached, url
from lstmviz.ui.charts import chart_config
from lstmviz.ui.controls import URL
from lstmviz.urlvalues import Whole

STEPS = (
    "A dense layer, to warm up",
    "One gate is one dense layer",
    "Four gates make an LSTM",
    "W, U and b hold the four gates side by side",
    "Why timesteps don't matter",
    "How PyTorch and GRU differ",
)


def render(spec: RecurrentSpec, theme: Theme) -> None:
    """Draw one step of the lesson for the sidebar's features and units (a Keras LSTM, as the tutorial)."""
    url.clean("step", Whole(1, len(STEPS)))
    step = int(st.slider("Step", 1, len(STEPS), 1, key="step", bind=URL))
    x, h = spec.features, spec.units
    lesson = RecurrentSpec(features=x, units=h, timesteps=spec.timesteps)
    layer = lstmviz.breakdown(lesson).layer(0)
    forget = layer.gates[1]
    st.title(f"Step {step}. {STEPS[step - 1]}")
    st.caption(f"Link to this step: ?view=lesson&step={step}&features={x}&units={h}")
    if step == 1:
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
    elif step == 2:
        st.markdown(
            f"The forget gate reads h_t-1 ({h}) and x_t ({x}): **{x + h} inputs**, and outputs h = {h} "
            f"values. As a dense layer: ({x} + {h}) × {h} + {h} = **{forget.params}** parameters "
            f"({forget.input_weights} input weights, {forget.recurrent_weights} recurrent weights, "
            f"{forget.biases} biases)."
        )
        st.image(cell_svg(cell_geometry(lesson, layer), theme), width="stretch")
    elif step == 3:
        f = lstmviz.formula(lesson)
        st.markdown(
            f"Input, forget, candidate and output gates are four such dense layers: `{f.symbolic}` = `{f.substituted}`."
        )
        st.plotly_chart(
            cached.gate_counts(layer, theme), key="lesson_gates", config=chart_config("png", "lstmviz-lesson-gates")
        )
    elif step == 4:
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
            cached.heatmap_figure(cached.weight_key(lesson), 0, "forward", 0, theme),
            key="lesson_heatmap",
            config=chart_config("png", "lstmviz-lesson-heatmap"),
        )
    elif step == 5:
        st.markdown(
            "The same W, U and b are used at every timestep, so the count never depends on T. "
            "What does grow with T is the output (with return_sequences) and the compute:"
        )
        st.dataframe(
            [
                {
                    "timesteps": t,
                    "parameters": lstmviz.count_params(replace(lesson, timesteps=t)),
                    "sequence output shape": str(
                        tuple(
                            lstmviz.output_shapes(replace(lesson, timesteps=t, return_sequences=True)).as_dict()[
                                "output"
                            ]
                        )
                    ),
                    "multiply-adds": lstmviz.cost(replace(lesson, timesteps=t)).multiply_adds_per_sequence,
                }
                for t in (1, 10, 100, 1000)
            ],
            hide_index=True,
        )
    else:
        rows = []
        for framework in ("keras", "pytorch"):
            for cell in ("lstm", "gru", "rnn"):
                variants = (
                    [{}]
                    if not (framework == "keras" and cell == "gru")
                    else [
                        {"reset_after": True},
                        {"reset_after": False},
                    ]
                )
                for extra in variants:
                    other = RecurrentSpec(framework=framework, cell=cell, features=x, units=h, **extra)
                    gates = lstmviz.breakdown(other).layer(0).gates
                    rows.append(
                        {
                            "layer": LAYER_CLASS[(framework, cell)]
                            + (f" reset_after={extra['reset_after']}" if extra else ""),
                            "framework": framework,
                            "parameters": lstmviz.count_params(other),
                            "formula": lstmviz.formula(other).substituted,
                            "gate order": ", ".join(g.kind.symbol for g in gates),
                        }
                    )
        st.markdown(
            "PyTorch keeps two bias vectors per gate (b_ih and b_hh), so its LSTM has 4h more parameters "
            "than Keras'. A GRU has three gates; Keras' default reset_after=True also keeps two biases. "
            "Gate orders differ, which matters when you slice the fused tensors."
        )
        st.dataframe(rows, hide_index=True)
