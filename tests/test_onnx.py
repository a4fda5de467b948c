"""ONNX as lstmviz's third convention: counts and shapes from files torch.onnx wrote, values from ONNX's own
reference evaluator (onnx.reference, the specification in NumPy) on the fixture models.

tests/data/golden_onnx.json and tests/data/models/*.onnx come from tools/make_model_fixtures.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onnx.reference import ReferenceEvaluator

import lstmviz
from lstmviz.conventions import gate_kinds
from lstmviz.figures.heatmap import heatmap_data
from lstmviz.modelfiles import read_model
from lstmviz.weights import init_weights
from tests import strategies
from tests.headline import shown

ROOT = Path(__file__).resolve().parent.parent
GOLDEN: list[dict[str, Any]] = json.loads((ROOT / "tests" / "data" / "golden_onnx.json").read_text())["cases"]
MODELS = ROOT / "tests" / "data" / "models"


@pytest.mark.parametrize("case", GOLDEN, ids=lambda c: "-".join(str(v) for v in c["spec"].values()))
def test_onnx_counts_and_shapes_match_torch_onnx_exports(case: dict[str, Any]) -> None:
    spec = lstmviz.RecurrentSpec(**case["spec"])
    assert lstmviz.count_params(spec) == case["total_params"]
    assert lstmviz.closed_form_total(spec) == case["total_params"]
    count = lstmviz.breakdown(spec)
    assert len(case["nodes"]) == spec.layers
    for index, node in enumerate(case["nodes"]):
        forward = {t.name: t.shape for t in count.layer(index, "forward").tensors}
        assert node["W"] == [spec.directions, *forward["W"]]
        assert node["R"] == [spec.directions, *forward["R"]]
        assert node["B"] == ([spec.directions, *forward["B"]] if spec.bias else None)


def test_onnx_gate_orders() -> None:
    assert [g.symbol for g in gate_kinds("onnx", "lstm")] == ["i", "o", "f", "c"]
    assert [g.symbol for g in gate_kinds("onnx", "gru")] == ["z", "r", "h"]


@pytest.mark.parametrize("name", ["onnx_lstm.onnx", "onnx_bigru.onnx"])
def test_forward_on_read_weights_matches_the_onnx_reference_evaluator(name: str) -> None:
    model = onnx.load(str(MODELS / name))
    node = next(n for n in model.graph.node if n.op_type in ("LSTM", "GRU", "RNN"))
    features = model.graph.input[0].type.tensor_type.shape.dim[2].dim_value
    x = np.random.default_rng(5).standard_normal((1, 7, features)).astype(np.float32)
    y = ReferenceEvaluator(model).run([node.output[0]], {model.graph.input[0].name: x})[0]  # (T, D, N, h)
    (layer,) = read_model((MODELS / name).read_bytes(), name).layers
    ours = lstmviz.forward(layer.spec, layer.weights, x).outputs  # (N, T, D·h)
    np.testing.assert_allclose(ours, np.transpose(y, (2, 0, 1, 3)).reshape(1, 7, -1), atol=1e-5)


def test_gate_slices_of_onnx_bias_cover_both_vectors() -> None:
    spec = lstmviz.RecurrentSpec(framework="onnx", cell="gru", features=3, units=2)
    slices = lstmviz.gate_slices(spec)["z"]
    assert [(s.tensor, s.start, s.stop) for s in slices] == [("W", 0, 2), ("R", 0, 2), ("B", 0, 2), ("B", 6, 8)]


@settings(max_examples=40, deadline=None)
@given(strategies.specs(framework="onnx", sizes=st.integers(1, 12)))
def test_onnx_specs_count_draw_and_run_consistently(spec: lstmviz.RecurrentSpec) -> None:
    count = lstmviz.breakdown(spec)
    assert count.total == lstmviz.closed_form_total(spec)
    assert count.tree().mismatches() == []
    weights = init_weights(spec)
    for layer in count.layers:
        data = heatmap_data(layer, weights)
        # Every value of every tensor lands in exactly one gate block (nothing pooled at these sizes).
        assert sum(b.values.size for b in data.blocks) == sum(t.params for t in layer.tensors)
    result = lstmviz.forward(spec, weights, np.ones((1, 3, spec.features), np.float32))
    assert np.isfinite(result.outputs).all()


def test_explorer_draws_an_onnx_layer() -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../app.py", default_timeout=60)
    at.query_params.update({"framework": "onnx", "cell": "gru", "bidirectional": "true"})
    at.run()
    assert not at.exception
    spec = lstmviz.RecurrentSpec(framework="onnx", cell="gru", bidirectional=True)
    assert shown(at, "{total:,}") == f"{lstmviz.count_params(spec):,}"
    at.radio(key="view").set_value("through time").run()
    assert not at.exception


def _helper_model(op: str, gates: int, bidirectional: bool, bias: bool, **attrs: Any) -> bytes:
    """A one-node ONNX model built with onnx.helper (not torch), random weights, x = 3, h = 4."""
    from onnx import helper, numpy_helper

    d, h, x = (2 if bidirectional else 1), 4, 3
    rng = np.random.default_rng(11)
    inits = [
        numpy_helper.from_array(rng.standard_normal((d, gates * h, x)).astype(np.float32), "W"),
        numpy_helper.from_array(rng.standard_normal((d, gates * h, h)).astype(np.float32) * 0.5, "R"),
    ]
    if bias:
        inits.append(numpy_helper.from_array(rng.standard_normal((d, 2 * gates * h)).astype(np.float32), "B"))
    direction = "bidirectional" if bidirectional else "forward"
    node = helper.make_node(
        op, ["X", "W", "R", "B" if bias else ""], ["Y"], hidden_size=h, direction=direction, **attrs
    )
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("X", onnx.TensorProto.FLOAT, [6, 1, x])],
        [helper.make_tensor_value_info("Y", onnx.TensorProto.FLOAT, None)],
        inits,
    )
    return bytes(helper.make_model(graph).SerializeToString())


@pytest.mark.parametrize(
    ("op", "gates", "bidirectional", "bias", "attrs"),
    [
        ("GRU", 3, False, True, {"linear_before_reset": 0}),  # the ONNX default, which torch never exports
        ("GRU", 3, True, True, {"linear_before_reset": 1}),
        ("LSTM", 4, True, False, {}),
        ("RNN", 1, False, True, {}),
    ],
)
def test_hand_built_onnx_nodes_match_the_reference_evaluator(
    op: str, gates: int, bidirectional: bool, bias: bool, attrs: dict[str, int]
) -> None:
    data = _helper_model(op, gates, bidirectional, bias, **attrs)
    x = np.random.default_rng(12).standard_normal((6, 1, 3)).astype(np.float32)  # ONNX layout 0: (T, N, x)
    y = ReferenceEvaluator(onnx.load_model_from_string(data)).run(None, {"X": x})[0]  # (T, D, N, h)
    (layer,) = read_model(data, "hand.onnx").layers
    assert layer.spec.reset_after == bool(attrs.get("linear_before_reset", 1)) or op != "GRU"
    ours = lstmviz.forward(layer.spec, layer.weights, np.transpose(x, (1, 0, 2))).outputs  # (N, T, D·h)
    np.testing.assert_allclose(ours, np.transpose(y, (2, 0, 1, 3)).reshape(1, 6, -1), atol=1e-5)
