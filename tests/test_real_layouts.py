"""Files in the layouts real published models use (tools/make_real_layouts.py), against the frameworks' counts.

Each file reproduces a layout seen in a public repository (its `reproduces` line in
tests/data/real_layouts.json); the expected counts there come from tf-keras, Keras 3 and PyTorch.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import lstmviz
from lstmviz import cli

ROOT = Path(__file__).resolve().parent.parent
DIR = ROOT / "tests" / "data" / "real_layouts"
EXPECTED: dict[str, dict[str, Any]] = json.loads((ROOT / "tests" / "data" / "real_layouts.json").read_text())
READ = sorted(name for name, info in EXPECTED.items() if "refusal" not in info)
REFUSED = sorted(name for name, info in EXPECTED.items() if "refusal" in info)


def _inspect(capsys: pytest.CaptureFixture[str], name: str) -> tuple[int, str, str]:
    code = cli.main(["inspect", str(DIR / name), "--json"])
    out, err = capsys.readouterr()
    return code, out, err


def test_every_file_has_expected_counts_and_a_layout_line() -> None:
    on_disk = {p.name for p in DIR.iterdir()}
    assert on_disk == set(EXPECTED)
    assert all(info["reproduces"] for info in EXPECTED.values())


@pytest.mark.parametrize("name", READ)
def test_inspect_json_matches_the_frameworks(capsys: pytest.CaptureFixture[str], name: str) -> None:
    expected = EXPECTED[name]
    code, out, _ = _inspect(capsys, name)
    assert code == 0
    got = json.loads(out)
    assert got["total_params"] == expected["total_params"]
    layers = {layer["name"]: layer for layer in got["recurrent_layers"]}
    assert {n: layer["params"] for n, layer in layers.items()} == expected["recurrent"]
    assert all(layer["matches_formula"] for layer in layers.values())
    # Nothing silently dropped: the rows add up to the total unless a note says weights are shared.
    rows = sum(layer["params"] for layer in layers.values()) + sum(o["params"] for o in got["other_layers"])
    assert rows == got["total_params"] or any("counted once" in n for n in got["notes"])
    unread = expected.get("unread", {})
    assert set(got["unread"]) == set(unread)
    for layer, params in unread.items():
        assert any(note.startswith(f"{layer}:") and f"{params:,} parameters" in note for note in got["notes"])
    for layer, activation in expected.get("activation", {}).items():
        assert activation in layers[layer]["activation"]
    for layer, cls in expected.get("source_class", {}).items():
        assert layers[layer]["source_class"] == cls
    assert all(layer["inferred"] for layer in layers.values()) == bool(expected.get("inferred")) or name.endswith(
        (".pt", ".pth", ".bin")
    )


@pytest.mark.parametrize("name", REFUSED)
def test_refused_by_name_in_one_line(capsys: pytest.CaptureFixture[str], name: str) -> None:
    code, out, err = _inspect(capsys, name)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert EXPECTED[name]["refusal"] in err


def test_hard_sigmoid_is_named_by_the_files_keras_version(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _inspect(capsys, "keras2_lstm.h5")
    assert "clip(0.2·x + 0.5, 0, 1)" in json.loads(out)["recurrent_layers"][0]["activation"]
    _, out, _ = _inspect(capsys, "keras3_unmodelled.keras")
    assert "relu6(x + 3) / 6" in json.loads(out)["recurrent_layers"][0]["activation"]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("cudnn_lstm_gru.h5", "rnn_1 is a CuDNNLSTM"),
        ("keras3_unmodelled.keras", "rnn is a recurrent layer lstmviz does not read"),
        ("tfkeras_convlstm.h5", "conv_lstm2d is a recurrent layer lstmviz does not read"),
        ("keras2_lstm.h5", "hard_sigmoid"),
        ("keras1_per_gate.h5", "hard_sigmoid"),
    ],
)
def test_convert_refuses_naming_the_reason(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, reason: str
) -> None:
    out = tmp_path / "out.safetensors"
    code = cli.main(["convert", str(DIR / name), str(out), "--to", "pytorch"])
    _, err = capsys.readouterr()
    assert code == 2 and reason in err and err.count("\n") == 1
    assert not out.exists()


def test_a_torch_checkpoint_converts_to_keras(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "gru.keras"
    assert cli.main(["convert", str(DIR / "torch_checkpoint.pth"), str(out), "--to", "keras"]) == 0
    assert "✓" in capsys.readouterr().out and out.exists()


FORWARD = ROOT / "tests" / "data" / "real_layouts_forward.npz"


def _golden_layers() -> list[tuple[str, str]]:
    with np.load(FORWARD) as data:
        return sorted({tuple(k.split(":")[:2]) for k in data.files})  # type: ignore[misc]


@pytest.mark.parametrize(("name", "layer"), _golden_layers())
def test_forward_uses_the_files_activations(name: str, layer: str) -> None:
    """hard_sigmoid (Keras 2 and Keras 3 are different functions), relu: lstmviz.forward against the framework."""
    from lstmviz.modelfiles import read_model

    with np.load(FORWARD) as data:
        x, y = data[f"{name}:{layer}:x"], data[f"{name}:{layer}:y"]
    read = next(r for r in read_model((DIR / name).read_bytes(), name).layers if r.name == layer)
    assert read.activations is not None and read.activations != ("tanh", "sigmoid")
    result = lstmviz.forward(read.spec, read.weights, x, read.activations)
    got = result.outputs if y.ndim == 3 else result.last_output
    assert np.abs(got - y).max() < 1e-5
    # The defaults give another answer: the activations really are used.
    assert (
        np.abs(lstmviz.forward(read.spec, read.weights, x).outputs[:, -1] - y.reshape(2, -1, y.shape[-1])[:, -1]).max()
        > 1e-3
    )


def test_content_decides_not_the_name() -> None:
    from lstmviz.modelfiles import RefusedFile, read_model

    torch_zip = (DIR / "torch_state_dict.pt").read_bytes()
    assert read_model(torch_zip, "model.keras").format == "torch"
    assert read_model((DIR / "h5_named.keras").read_bytes(), "h5_named.keras").format == "keras-h5"
    with pytest.raises(RefusedFile, match="not a torch.save file"):
        read_model(b"\x00\x01 some tokenizer vocabulary", "pytorch_model.bin")


def test_a_loop_whose_body_computes_a_cell_is_named_in_a_note() -> None:
    """tf2onnx exports a Keras LSTM as a Loop over MatMul/Sigmoid/Tanh: counted as other, named, never silent."""
    from onnx import TensorProto, helper, numpy_helper

    from lstmviz.modelfiles import read_model

    kernel = numpy_helper.from_array(np.ones((3, 8), np.float32), "lstm/kernel")
    body = helper.make_graph(
        [
            helper.make_node("MatMul", ["x_in", "lstm/kernel"], ["z"]),
            helper.make_node("Sigmoid", ["z"], ["s"]),
            helper.make_node("Tanh", ["s"], ["h"]),
            helper.make_node("Identity", ["cond_in"], ["cond_out"]),
        ],
        "body",
        [
            helper.make_tensor_value_info("i", TensorProto.INT64, []),
            helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
            helper.make_tensor_value_info("x_in", TensorProto.FLOAT, [1, 3]),
        ],
        [
            helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
            helper.make_tensor_value_info("h", TensorProto.FLOAT, [1, 8]),
        ],
    )
    loop = helper.make_node("Loop", ["trip", "cond", "x"], ["y"], body=body, name="while_loop")
    graph = helper.make_graph(
        [loop],
        "tf2onnx_like",
        [
            helper.make_tensor_value_info("trip", TensorProto.INT64, []),
            helper.make_tensor_value_info("cond", TensorProto.BOOL, []),
            helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3]),
        ],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8])],
        initializer=[kernel],
    )
    model = read_model(helper.make_model(graph).SerializeToString(), "model.onnx")
    assert model.total_params == 24 and model.layers == ()
    assert model.unread == ("while_loop",)
    assert any(note.startswith("while_loop: a Loop whose body computes a recurrent cell") for note in model.notes)


@pytest.mark.parametrize(
    ("name", "layer", "class_path"),
    [
        ("tfkeras_convlstm.h5", "conv_lstm2d", "keras.layers.ConvLSTM2D"),
        ("keras3_unmodelled.keras", "conv_lstm1d", "keras.layers.ConvLSTM1D"),
        ("cudnn_lstm_gru.h5", "rnn_1", "tf.compat.v1.keras.layers.CuDNNLSTM"),
        ("cudnn_lstm_gru.h5", "rnn_2", "tf.compat.v1.keras.layers.CuDNNGRU"),
        ("torch_cells.bin", "lstm_cell", "torch.nn.LSTMCell"),
        ("torch_cells.bin", "gru_cell", "torch.nn.GRUCell"),
    ],
)
def test_layers_read_in_part_are_checked_against_the_layer_zoo(
    capsys: pytest.CaptureFixture[str], name: str, layer: str, class_path: str
) -> None:
    _, out, _ = _inspect(capsys, name)
    note = next(n for n in json.loads(out)["notes"] if n.startswith(f"{layer}:"))
    assert "✓" in note and f"--layer {class_path}" in note
