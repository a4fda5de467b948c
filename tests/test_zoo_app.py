"""The layer zoo in the app (AppTest): ?layer=<class path>, every class in every view, bad values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lstmviz.zoo import RECORDS

APP = "../app.py"
GOLDEN = json.loads((Path(__file__).parent / "data" / "golden_zoo.json").read_text())


def opened(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.mark.parametrize("path", [r.class_path for r in RECORDS])
def test_every_class_opens_with_the_frameworks_count(path: str) -> None:
    case = next(c for c in GOLDEN["cases"] if c["layer"] == path)
    o = case["options"]
    query = {"layer": path, "features": str(o["features"]), "units": str(o["units"])}
    if "kernel_size" in o:
        query["kernel_size"] = str(o["kernel_size"][0])
    at = opened(**query)
    expected = case["total_params"]
    if (
        "kernel_size" in o
        and len(set(o["kernel_size"])) == 1
        and path != "flax.linen.ConvLSTMCell"
        or "kernel_size" not in o
    ):
        assert at.title[0].value == f"{path}: {expected:,} parameters"


@pytest.mark.parametrize("view", ["explorer", "through time", "lesson", "practice", "compare", "inspect"])
@pytest.mark.parametrize("path", ["tf.compat.v1.nn.rnn_cell.LSTMCell", "keras.layers.ConvLSTM3D", "flax.nnx.GRUCell"])
def test_every_view_draws_a_zoo_class(path: str, view: str) -> None:
    at = opened(layer=path, view=view)
    assert at.title[0].value.startswith(path)


def test_peepholes_and_projection_from_the_url() -> None:
    at = opened(layer="tf.nn.rnn_cell.LSTMCell", features="4", units="3", use_peepholes="true", num_proj="1")
    golden = next(
        c for c in GOLDEN["cases"] if c["options"] == {"features": 4, "units": 3, "use_peepholes": True, "num_proj": 1}
    )
    assert at.title[0].value == f"tf.compat.v1.nn.rnn_cell.LSTMCell: {golden['total_params']} parameters"


def test_an_alias_becomes_the_class_path() -> None:
    at = opened(layer="NN.lstmcell")
    assert at.query_params["layer"] in ("torch.nn.LSTMCell", ["torch.nn.LSTMCell"])
    assert at.title[0].value.startswith("torch.nn.LSTMCell")


@pytest.mark.parametrize(
    ("given", "path"),
    [
        ("ConvLSTM2D", "keras.layers.ConvLSTM2D"),
        ("tensorflow.compat.v1.nn.rnn_cell.GRUCell", "tf.compat.v1.nn.rnn_cell.GRUCell"),
        ("tensorflow.keras.layers.GRUCell", "keras.layers.GRUCell"),
    ],
)
def test_a_bare_name_or_tensorflow_spelling_becomes_the_class_path(given: str, path: str) -> None:
    at = opened(layer=given)
    assert at.query_params["layer"] in (path, [path])
    assert at.title[0].value.startswith(path)


def test_an_ambiguous_bare_name_is_one_notice_and_the_page_works() -> None:
    at = opened(layer="OptimizedLSTMCell")
    assert any("ignored layer=OptimizedLSTMCell" in w.value for w in at.warning)
    assert at.selectbox(key="layer").value == "framework and cell below"


def test_keras_gru_cell_reset_after_from_the_url() -> None:
    at = opened(layer="keras.layers.GRUCell", features="4", units="3", cell_reset_after="false")
    golden = next(
        c
        for c in GOLDEN["cases"]
        if c["layer"] == "keras.layers.GRUCell" and c["options"] == {"features": 4, "units": 3, "reset_after": False}
    )
    assert at.title[0].value == f"keras.layers.GRUCell: {golden['total_params']} parameters"


def test_a_radio_class_path_sets_the_radios() -> None:
    at = opened(layer="torch.nn.GRU")
    assert at.radio(key="framework").value == "pytorch" and at.radio(key="cell").value == "gru"


def test_an_unknown_class_is_one_notice_and_the_page_works() -> None:
    at = opened(layer="flax.linen.Bogus")
    assert any("ignored layer=flax" in w.value for w in at.warning)
    assert at.selectbox(key="layer").value == "framework and cell below"


@pytest.mark.parametrize(
    "query",
    [
        {"layer": "keras.layers.ConvLSTM2D", "kernel_size": "1e400"},
        {"layer": "keras.layers.ConvLSTM2D", "kernel_size": "99"},
        {"layer": "tf.compat.v1.nn.rnn_cell.LSTMCell", "units": "3", "num_proj": "7"},
        {"layer": "flax.linen.MGUCell", "reset_gate": "maybe"},
        {"layer": "x" * 5000},
    ],
)
def test_hostile_zoo_values_are_corrected_and_the_page_works(query: dict[str, str]) -> None:
    at = opened(**query)
    assert at.title  # the page drew; opened() already checked there was no exception
