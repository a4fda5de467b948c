"""The inspect view (?view=inspect) driven with Streamlit's AppTest: examples, counts, figures, refusals.

Expected counts come from tests/data/models/expected.json (written from Keras/PyTorch by
tools/make_model_fixtures.py), never typed here.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from lstmviz.conventions import gate_kinds
from lstmviz.modelfiles import read_model
from lstmviz.modelfiles.inspection import count_check
from lstmviz.ui.inspect_model import EXAMPLES, EXAMPLES_DIR

APP = "../app.py"
ROOT = Path(__file__).resolve().parent.parent
EXPECTED: dict[str, Any] = json.loads((ROOT / "tests" / "data" / "models" / "expected.json").read_text())["files"]


def _inspect(model: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["view"] = "inspect"
    if model is not None:
        at.query_params["model"] = model
    at.run()
    assert not at.exception
    return at


def test_examples_ship_and_are_in_the_expected_file() -> None:
    for name in EXAMPLES:
        assert (EXAMPLES_DIR / name).is_file()
        assert f"lstmviz/examples/{name}" in EXPECTED


def test_without_a_file_the_view_asks_for_one() -> None:
    at = _inspect()
    assert any("Upload a model file" in i.value for i in at.info)
    assert not at.metric


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_each_example_shows_its_total_check_and_figures(name: str) -> None:
    at = _inspect(name)
    expected = EXPECTED[f"lstmviz/examples/{name}"]
    assert at.metric[0].value == f"{expected['total_params']:,}"
    model = read_model((EXAMPLES_DIR / name).read_bytes(), name)
    # The Convert panel (its proof lines and before/after charts) is tested in test_convert_panel.py.
    checks = [s.value for s in at.success if "max |Δ|" not in s.value]
    assert checks == [count_check(model.layers[0]).text]
    assert "✓" in checks[0]
    charts = [el for el in at.get("plotly_chart") if not el.proto.id.endswith(("convert_before", "convert_after"))]
    figures = [json.loads(el.proto.spec) for el in charts]
    types = [f["data"][0]["type"] for f in figures if f["data"]]
    assert types.count("heatmap") == 1  # the weights
    # The run through time with the file's weights: the player and its whole-pass figure (gate heatmaps).
    (whole,) = [f for f in figures if any(t.get("meta") == "step" for t in f["data"])]
    assert any(t["type"] == "heatmap" for t in whole["data"])
    players = [e for e in at.get("bidi_component") if e.proto.component_name == "lstmviz_player"]
    assert len(players) == 1  # the layer picked
    # Every other layer's row carries its formula, whose number is the row's own count.
    (layers,) = _tables(at, "lstmviz formula")
    for name, params in model.other_layers:
        row = layers["layer"].index(name)
        assert layers["parameters"][row] == f"{params:,}"
        assert f"= {params:,} (" in layers["lstmviz formula"][row]
    (stats,) = _tables(at, "mean bias")
    spec = model.layers[0].spec
    assert len(stats["gate"]) == spec.layers * spec.directions * len(gate_kinds(spec.framework, spec.cell))


def _tables(at: AppTest, column: str) -> list[dict[str, list[str]]]:
    """The static (Markdown) tables with this column: header → cell texts."""
    found = []
    for block in at.markdown:
        lines = [line for line in str(block.value).splitlines() if line.startswith("| ")]
        if len(lines) < 3:
            continue
        cells = [[c.strip().replace("\\", "") for c in line.strip("|").split(" | ")] for line in lines]
        if column in cells[0]:
            found.append({h: [row[k] for row in cells[2:]] for k, h in enumerate(cells[0])})
    return found


def _array(data: Any) -> np.ndarray:
    """A Plotly array from figure JSON: a plain list or a base64 typed array."""
    if isinstance(data, dict):
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=np.dtype(data["dtype"]))
    return np.asarray(data, dtype=float)


def test_heatmap_shows_the_files_real_weights() -> None:
    # The sine LSTM's bias row holds the trained values: the forget block's cells are the file's numbers.
    name = "keras_sine_lstm.keras"
    at = _inspect(name)
    layer = read_model((EXAMPLES_DIR / name).read_bytes(), name).layers[0]
    bias = layer.weights["lstm/lstm_cell/bias"]
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)  # the weights come first, then the run
    values = np.concatenate([_array(t["z"]).ravel() for t in figure["data"] if t["type"] == "heatmap"]).astype(float)
    for v in bias[16:32]:  # the forget gate's block (Keras order i, f, c, o)
        assert np.isclose(values, float(v), atol=1e-6).any()


def test_gate_statistics_list_every_gate_and_direction() -> None:
    at = _inspect("torch_encoder_proj.safetensors")
    (stats,) = _tables(at, "mean bias")
    assert len(stats["gate"]) == 2 * 2 * 4  # layers × directions × gates
    assert set(stats["direction"]) == {"forward", "backward"}


def test_second_recurrent_layer_can_be_picked() -> None:
    at = _inspect("keras_gru_both.h5")
    at.selectbox(key="inspect_layer").select_index(1).run()
    assert not at.exception
    assert "3 × ((5 + 4) × 4 + 4) = 120" in at.success[0].value  # gru_1: reset_after=False, one bias


def test_bad_model_parameter_falls_back_to_upload() -> None:
    at = _inspect("../../etc/passwd")
    assert not at.metric
    assert at.radio(key="model").value == "upload a file"


def test_open_this_layer_in_the_lesson_carries_its_sizes() -> None:
    at = _inspect("keras_sine_lstm.keras")
    at.button(key="open_lesson").click().run()
    assert not at.exception
    spec = read_model((EXAMPLES_DIR / "keras_sine_lstm.keras").read_bytes(), "keras_sine_lstm.keras").layers[0].spec
    assert at.radio(key="view").value == "lesson"
    assert at.slider(key="units").value == spec.units and at.slider(key="features").value == spec.features
    assert at.title[0].value.startswith("Step ")
