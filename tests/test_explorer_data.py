"""The explorer's data, assembled without Streamlit: headings, tables and captions from one Report."""

from __future__ import annotations

import lstmviz
from lstmviz import RecurrentSpec, build_report
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


def test_gates_heading_names_the_recurrent_input_and_biases() -> None:
    keras = build_report(RecurrentSpec()).layers[0]
    torch_proj = build_report(RecurrentSpec(framework="pytorch", units=4, proj_size=2)).layers[0]
    no_bias = build_report(RecurrentSpec(framework="onnx", bias=False)).layers[0]
    assert gates_heading(keras).endswith("recurrent weights h·h, biases h")
    assert gates_heading(torch_proj).endswith("recurrent weights h·p, biases 2h")
    assert gates_heading(no_bias).endswith("no biases")


def test_gate_table_marks_only_the_followed_gate_and_drops_an_empty_projection_column() -> None:
    layer = build_report(RecurrentSpec()).layers[0]
    table = gate_table(layer, "f")
    assert table.marked and all(label.startswith("f") for label in table.marked)
    assert "projection_weights" not in {c.key for c in table.columns}
    assert gate_table(layer, None).marked == frozenset()
    projecting = build_report(RecurrentSpec(framework="pytorch", units=4, proj_size=2)).layers[0]
    assert "projection_weights" in {c.key for c in gate_table(projecting, None).columns}


def test_gate_focus_text_quotes_the_term_and_the_slices() -> None:
    layer = build_report(RecurrentSpec()).layers[0]
    text = gate_focus_text(layer, "f")
    assert "f: (3 + 2) × 2 + 2 = 12" in text and "`kernel[:, 2:4]`" in text


def test_framework_listing_follows_the_framework_record() -> None:
    heading, text = framework_listing(build_report(RecurrentSpec()))
    assert heading.startswith("As Keras 3 prints it") and text == lstmviz.keras_summary(
        lstmviz.breakdown(RecurrentSpec())
    )
    spec = RecurrentSpec(framework="onnx", cell="gru")
    heading, text = framework_listing(build_report(spec))
    assert heading.startswith("W, R, B") and text == lstmviz.tensor_table(lstmviz.breakdown(spec))


def test_captions_and_names() -> None:
    report = build_report(RecurrentSpec(framework="pytorch", cell="gru", features=5, units=3))
    assert outputs_caption(report) == "Outputs: output (None, 40, 3), h_n (1, None, 3) (None = batch)."
    assert "kernel (x, 3h)" in heatmap_caption(report.layers[0])
    assert file_slug(report.spec) == "lstmviz-pytorch-gru-x5-h3"
    assert code_heading(report.spec).startswith("**Check it in PyTorch**")
