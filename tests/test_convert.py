"""Conversion between Keras and PyTorch layouts, without the frameworks.

The .keras writer is checked against tests/data/keras_layouts.json (written from real Keras by
tools/make_keras_layouts.py); outputs against real frameworks are in tests/test_convert_oracle.py.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from safetensors.numpy import load

import lstmviz
from lstmviz.cli import main
from lstmviz.counting import breakdown
from lstmviz.modelfiles import convert as conv
from lstmviz.modelfiles import read_model
from lstmviz.modelfiles.convert import ConversionRefused, convert, convert_weights, gate_order, prove, refusal
from lstmviz.modelfiles.keras_writer import keras_config, keras_file, weight_paths, weights_h5
from lstmviz.modelfiles.pytorch_writer import pytorch_code, state_dict_bytes
from lstmviz.spec import RecurrentSpec
from lstmviz.weights import init_weights
from tests import strategies

ROOT = Path(__file__).resolve().parent.parent
LAYOUTS = json.loads((ROOT / "tests" / "data" / "keras_layouts.json").read_text())


def _h5_tree(data: bytes) -> dict[str, Any]:
    # The same walk as tools/make_keras_layouts.h5_tree, kept here so the test reads the file itself.
    tree: dict[str, Any] = {}
    with h5py.File(io.BytesIO(data), "r") as f:
        tree["/"] = {"attrs": dict(f.attrs)}

        def visit(name: str, obj: Any) -> None:
            if isinstance(obj, h5py.Dataset):
                tree[name] = {"shape": list(obj.shape), "dtype": str(obj.dtype)}
            else:
                tree[name] = {"attrs": {k: v.decode() if isinstance(v, bytes) else v for k, v in obj.attrs.items()}}

        f.visititems(visit)
    return tree


@pytest.mark.parametrize("case", LAYOUTS["cases"], ids=lambda c: c["id"])
def test_keras_file_matches_what_keras_saves(case: dict[str, Any]) -> None:
    spec = RecurrentSpec(**case["spec"])
    data = keras_file(spec, init_weights(spec))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [{"name": i.filename, "compress_type": i.compress_type} for i in archive.infolist()]
        assert members == case["members"]
        assert json.loads(archive.read("config.json")) == case["config"]
        assert sorted(json.loads(archive.read("metadata.json"))) == case["metadata_keys"]
        assert _h5_tree(archive.read("model.weights.h5")) == case["h5"]
    assert keras_config(spec) == case["config"]


@pytest.mark.parametrize("case", LAYOUTS["cases"], ids=lambda c: c["id"])
def test_keras_file_stores_each_tensor_at_its_path(case: dict[str, Any]) -> None:
    spec = RecurrentSpec(**case["spec"])
    weights = init_weights(spec, seed=4)
    paths = weight_paths(spec)
    # Keras's own variable order (model.weights) is lstmviz's key order.
    assert [p.split("/", 1)[1] for p in case["weight_paths"]] == list(weights)
    with h5py.File(io.BytesIO(weights_h5(spec, weights)), "r") as f:
        for key, value in weights.items():
            assert case["h5"][paths[key]]["shape"] == list(value.shape)
            np.testing.assert_array_equal(f[paths[key]][()], value)


# --- the mapping -------------------------------------------------------------------------------


def test_gate_orders() -> None:
    # Keras GRU z, r, h -> PyTorch r, z, n: block 0 of PyTorch is Keras block 1 and back.
    assert gate_order("gru", "keras", "pytorch") == (1, 0, 2)
    assert gate_order("gru", "pytorch", "keras") == (1, 0, 2)
    assert gate_order("lstm", "keras", "pytorch") == (0, 1, 2, 3)
    assert gate_order("rnn", "pytorch", "keras") == (0,)


def test_keras_gru_blocks_land_where_pytorch_expects_them() -> None:
    spec = RecurrentSpec(framework="keras", cell="gru", features=2, units=3)
    weights = init_weights(spec, seed=1)
    target, out = convert_weights(spec, weights, "pytorch")
    kernel, bias = weights["gru/gru_cell/kernel"], weights["gru/gru_cell/bias"]
    h = 3
    z, r, n = kernel[:, :h], kernel[:, h : 2 * h], kernel[:, 2 * h :]
    np.testing.assert_array_equal(out["weight_ih_l0"], np.concatenate([r, z, n], axis=1).T)
    np.testing.assert_array_equal(out["bias_hh_l0"][:h], bias[1, h : 2 * h])  # recurrent reset bias
    assert target.framework == "pytorch" and target.uses_reset_after


def test_one_keras_bias_becomes_bias_ih_with_zero_bias_hh() -> None:
    spec = RecurrentSpec(framework="keras", cell="lstm", features=2, units=3)
    weights = init_weights(spec, seed=2)
    _, out = convert_weights(spec, weights, "pytorch")
    np.testing.assert_array_equal(out["bias_ih_l0"], weights["lstm/lstm_cell/bias"])
    np.testing.assert_array_equal(out["bias_hh_l0"], np.zeros(12, np.float32))


def test_pytorch_lstm_biases_are_summed() -> None:
    spec = RecurrentSpec(framework="pytorch", cell="lstm", features=2, units=3)
    weights = init_weights(spec, seed=3)
    _, out = convert_weights(spec, weights, "keras")
    np.testing.assert_array_equal(out["lstm/lstm_cell/bias"], weights["bias_ih_l0"] + weights["bias_hh_l0"])


@settings(max_examples=25, deadline=None)
@given(spec=strategies.specs("keras", sizes=st.integers(1, 6), timesteps=st.just(5)))
def test_keras_round_trip_is_exact(spec: RecurrentSpec) -> None:
    weights = init_weights(spec, seed=5)
    if refusal(spec, "pytorch") is not None:
        with pytest.raises(ConversionRefused):
            convert(spec, weights, "pytorch")
        return
    there = convert(spec, weights, "pytorch")
    back = convert(there.target, there.target_weights, "keras")
    assert back.target == replace(spec, return_sequences=True)
    assert back.target_weights.keys() == weights.keys()
    for key, value in weights.items():
        np.testing.assert_array_equal(back.target_weights[key], value)
    assert there.proof.ok and back.proof.ok


@settings(max_examples=25, deadline=None)
@given(spec=strategies.specs("pytorch", sizes=st.integers(1, 6), timesteps=st.just(5)))
def test_pytorch_to_keras_keeps_the_outputs(spec: RecurrentSpec) -> None:
    weights = init_weights(spec, seed=6)
    if spec.proj_size:
        with pytest.raises(ConversionRefused, match="proj_size"):
            convert(spec, weights, "keras")
        return
    result = convert(spec, weights, "keras")
    assert result.proof.max_abs_diff <= conv.TOLERANCE
    assert result.proof.width == spec.directions * spec.units
    assert result.target.framework == "keras" and result.target.return_sequences


# --- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "to", "options", "match"),
    [
        (RecurrentSpec(framework="keras", cell="gru", reset_after=False), "pytorch", {}, "reset_after=False"),
        (RecurrentSpec(framework="pytorch", cell="lstm", units=4, proj_size=2), "keras", {}, "proj_size=2"),
        (
            RecurrentSpec(framework="keras", cell="rnn"),
            "pytorch",
            {"activation": "relu"},
            r"non-default activation \(relu\)",
        ),
        (RecurrentSpec(framework="pytorch", cell="lstm"), "keras", {"peepholes": True}, "peephole"),
        (RecurrentSpec(framework="keras"), "keras", {}, "already in keras"),
        (RecurrentSpec(framework="keras"), "onnx", {}, "must be one of"),
    ],
)
def test_refusals_are_one_line(spec: RecurrentSpec, to: str, options: dict[str, Any], match: str) -> None:
    with pytest.raises(ConversionRefused, match=match) as error:
        convert(spec, init_weights(spec), to, name="layer", **options)
    assert "\n" not in str(error.value) and str(error.value).startswith("layer: ")


def test_a_wrong_mapping_is_refused_by_the_proof(monkeypatch: pytest.MonkeyPatch) -> None:
    # keras-team/keras#15915: a GRU copied with the transpose but without the r/z swap.
    monkeypatch.setattr(conv, "gate_order", lambda cell, source, target: (0, 1, 2))
    spec = RecurrentSpec(framework="pytorch", cell="gru", features=3, units=4)
    with pytest.raises(ConversionRefused, match=r"outputs differ \(max \|Δ\| = .* > 1e-05\); not written"):
        convert(spec, init_weights(spec, seed=1), "keras", name="gru")


def test_misshapen_weights_are_refused() -> None:
    spec = RecurrentSpec(framework="pytorch", cell="rnn", features=3, units=4)
    weights = dict(init_weights(spec))
    weights["weight_ih_l0"] = np.zeros((4, 2), np.float32)
    with pytest.raises(ConversionRefused, match="wrong shape"):
        convert(spec, weights, "keras")
    weights["weight_ih_l0"] = np.full((4, 3), np.nan, np.float32)
    with pytest.raises(ConversionRefused, match="NaN"):
        convert(spec, weights, "keras")


def test_proof_text() -> None:
    spec = RecurrentSpec(framework="keras", cell="lstm", features=3, units=2, bidirectional=True)
    target, out = convert_weights(spec, init_weights(spec), "pytorch")
    proof = prove(spec, init_weights(spec), target, out)
    assert proof.text.endswith("over 2×40×4 outputs") and proof.outputs == 320
    assert proof.text.startswith("max |Δ| = ")


def test_converted_weights_are_read_only_copies() -> None:
    spec = RecurrentSpec(framework="pytorch", cell="rnn")
    weights = init_weights(spec)
    result = convert(spec, weights, "keras")
    weights["weight_ih_l0"][:] = 7.0  # the caller's arrays stay the caller's
    assert not np.any(result.source_weights["weight_ih_l0"] == 7.0)
    with pytest.raises(ValueError):
        result.target_weights["simple_rnn/simple_rnn_cell/kernel"][0, 0] = 1.0


# --- the PyTorch state dict ------------------------------------------------------------------


def test_state_dict_keys_are_layer_dot_parameter() -> None:
    spec = RecurrentSpec(framework="keras", cell="gru", bidirectional=True)
    target, out = convert_weights(spec, init_weights(spec), "pytorch")
    tensors = load(state_dict_bytes([("bidirectional", target, out), ("enc.rnn", target, out)]))
    assert "bidirectional.weight_hh_l0_reverse" in tensors
    assert "enc_rnn.bias_ih_l0" in tensors  # dots would nest in a state dict
    assert len(tensors) == 2 * len(breakdown(target).tensors)
    with pytest.raises(ValueError, match="both write"):
        state_dict_bytes([("a.b", target, out), ("a_b", target, out)])


def test_pytorch_code_builds_every_module() -> None:
    gru = RecurrentSpec(framework="pytorch", cell="gru", features=3, units=2, bidirectional=True)
    lstm = RecurrentSpec(framework="pytorch", cell="lstm", features=4, units=5, layers=2, bias=False)
    code = pytorch_code([("bidirectional", gru), ("lstm", lstm)], "out.safetensors")
    assert "'bidirectional': nn.GRU(3, 2, bidirectional=True, batch_first=True)," in code
    assert "'lstm': nn.LSTM(4, 5, num_layers=2, bias=False, batch_first=True)," in code
    assert "load_state_dict(part, strict=True)" in code and "load_file('out.safetensors')" in code
    compile(code, "code", "exec")


def test_gate_moves_show_the_gru_swap() -> None:
    spec = RecurrentSpec(framework="keras", cell="gru")
    moves = conv.gate_moves(spec, "pytorch")
    assert [(m.source_symbol, m.source_block, m.target_symbol, m.target_block) for m in moves] == [
        ("z", 0, "z", 1),
        ("r", 1, "r", 0),
        ("h", 2, "n", 2),
    ]
    assert [m.moved for m in moves] == [True, True, False]
    assert not any(m.moved for m in conv.gate_moves(RecurrentSpec(framework="pytorch"), "keras"))


# --- the CLI on the fixture files made by real Keras and PyTorch (tools/make_model_fixtures.py) ----

MODELS = ROOT / "tests" / "data" / "models"
EXAMPLES = ROOT / "lstmviz" / "examples"


def _cli(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main(["convert", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def _one_line_refusal(code: int, err: str) -> str:
    assert code == 2 and err.startswith("lstmviz: error: ") and err.count("\n") == 1
    return err


@pytest.mark.parametrize(
    ("path", "to", "match"),
    [
        (EXAMPLES / "keras_gru_both.h5", "pytorch", "gru_1: a Keras GRU with reset_after=False"),
        (EXAMPLES / "torch_encoder_proj.safetensors", "keras", "encoder.rnn: a PyTorch LSTM with proj_size=3"),
        (MODELS / "torch_gru_rnn.safetensors", "keras", r"2 recurrent modules \(gru, rnn\).*--module NAME"),
        (MODELS / "torch_gru_rnn.safetensors", "pytorch", "reads a Keras file"),
        (EXAMPLES / "keras_sine_lstm.keras", "keras", "reads a PyTorch .safetensors"),
    ],
)
def test_cli_refusals_on_real_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, path: Path, to: str, match: str
) -> None:
    out = tmp_path / ("out.safetensors" if to == "pytorch" else "out.keras")
    code, _, err = _cli(capsys, path, out, "--to", to)
    assert re.search(match, _one_line_refusal(code, err)) and not out.exists()


def test_cli_refuses_bad_arguments(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = EXAMPLES / "keras_sine_lstm.keras"
    assert "writes a .safetensors file" in _one_line_refusal(
        *_cli(capsys, source, tmp_path / "o.pt", "--to", "pytorch")[::2]
    )
    missing = _cli(capsys, tmp_path / "nope.keras", tmp_path / "o.safetensors", "--to", "pytorch")
    assert "No such file" in _one_line_refusal(missing[0], missing[2])
    pickle = tmp_path / "model.pt"
    pickle.write_bytes(b"\x80\x04junk")
    assert "pickle" in _one_line_refusal(*_cli(capsys, pickle, tmp_path / "o.keras", "--to", "keras")[::2])
    assert not (tmp_path / "o.keras").exists() and not (tmp_path / "o.safetensors").exists()
    assert main(["convert", str(source), str(tmp_path / "o.keras"), "--to", "onnx"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_cli_keras_to_pytorch_writes_every_recurrent_layer(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = MODELS / "keras_stacked_bidirectional.keras"
    out = tmp_path / "stack.safetensors"
    code, text, _ = _cli(capsys, source, out, "--to", "pytorch")
    assert code == 0
    original = read_model(source.read_bytes(), source.name)
    written = read_model(out.read_bytes(), out.name)
    assert [layer.name for layer in written.layers] == sorted(layer.name for layer in original.layers)
    for layer in original.layers:
        assert f"{layer.name}: max |Δ| = " in text
        twin = next(w for w in written.layers if w.name == layer.name)
        assert twin.spec == replace(
            layer.spec, framework="pytorch", return_sequences=False, timesteps=twin.spec.timesteps
        )
        expected = convert(layer.spec, layer.weights, "pytorch").target_weights
        for key, value in expected.items():
            np.testing.assert_array_equal(twin.weights[key], value)
    assert "note: dense_1 (18 parameters) is not a recurrent layer" in text
    assert f"state = load_file({str(out)!r})" in text


def test_cli_picks_one_module_for_keras(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = MODELS / "torch_gru_rnn.safetensors"
    out = tmp_path / "rnn.keras"
    code, text, err = _cli(capsys, source, out, "--to", "keras", "--module", "rnn")
    assert code == 0, err
    # A state dict does not say nn.RNN's nonlinearity: the assumption is printed before the proof.
    assert text.startswith("assumed: rnn: tanh assumed (a state dict does not record nn.RNN's nonlinearity")
    assert "\nrnn: max |Δ| = " in text and "keras.saving.load_model" in text
    (layer,) = [x for x in read_model(source.read_bytes(), source.name).layers if x.name == "rnn"]
    written = read_model(out.read_bytes(), out.name)
    # A stacked module becomes one Keras layer per stacked layer.
    assert written.format == "keras" and len(written.layers) == layer.spec.layers > 1
    assert {(w.spec.cell, w.spec.units) for w in written.layers} == {("rnn", layer.spec.units)}
    code, _, err = _cli(capsys, source, tmp_path / "x.keras", "--to", "keras", "--module", "nope")
    assert "no recurrent module named 'nope'" in _one_line_refusal(code, err)


def _onnx_lstm(peepholes: bool) -> bytes:
    """A one-node ONNX LSTM (x = 3, h = 2), with or without the peephole input P."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    arrays = {"W": (1, 8, 3), "R": (1, 8, 2), "B": (1, 16)} | ({"P": (1, 6)} if peepholes else {})
    inits = [
        numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32), name) for name, shape in arrays.items()
    ]
    inputs = ["X", "W", "R", "B"] + (["", "", "", "P"] if peepholes else [])
    node = helper.make_node("LSTM", inputs, ["Y"], name="lstm", hidden_size=2)
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [5, 1, 3])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)],
        inits,
    )
    return bytes(onnx.shape_inference.infer_shapes(helper.make_model(graph)).SerializeToString())


@pytest.mark.parametrize("to", ["pytorch", "keras"])
def test_cli_refuses_peepholes_and_onnx(capsys: pytest.CaptureFixture[str], tmp_path: Path, to: str) -> None:
    out = tmp_path / ("o.safetensors" if to == "pytorch" else "o.keras")
    (tmp_path / "peep.onnx").write_bytes(_onnx_lstm(peepholes=True))
    code, _, err = _cli(capsys, tmp_path / "peep.onnx", out, "--to", to)
    assert "lstm: peephole connections (an ONNX LSTM's P)" in _one_line_refusal(code, err)
    (tmp_path / "plain.onnx").write_bytes(_onnx_lstm(peepholes=False))
    code, _, err = _cli(capsys, tmp_path / "plain.onnx", out, "--to", to)
    assert "this file is onnx" in _one_line_refusal(code, err) and not out.exists()


def test_onnx_layers_are_refused_by_the_core() -> None:
    spec = RecurrentSpec(framework="onnx", cell="gru")
    assert refusal(spec, "pytorch") == "convert reads Keras and PyTorch layers, not onnx ones"


def test_count_change_says_why_the_total_moves() -> None:
    from lstmviz.modelfiles.convert import count_change, target_spec

    keras = RecurrentSpec(features=8, units=16)
    torch_spec = target_spec(keras, "pytorch")
    before, after = lstmviz.count_params(keras), lstmviz.count_params(torch_spec)
    assert after - before == 4 * 16  # one more bias vector per gate
    text = count_change(keras, torch_spec)
    assert text.startswith(f"{before:,} Keras 3 parameters → {after:,} PyTorch (+{after - before}:")
    assert "bias_hh_l0" in text and "zeros" in text
    back = count_change(torch_spec, target_spec(torch_spec, "keras"))
    assert f"(−{after - before}" in back.replace("-", "−") and "summed" in back
    gru = RecurrentSpec(cell="gru", features=3, units=5)  # reset_after: two biases on both sides
    assert count_change(gru, target_spec(gru, "pytorch")).endswith("the same count, only the layout changes")
