"""Model files read by lstmviz.modelfiles against what Keras 3 and PyTorch reported when they wrote them.

tests/data/models/ and its expected.json come from tools/make_model_fixtures.py (real frameworks).
The oracle tests run the framework on a fixture's weights and compare with lstmviz.forward fed the
weights the reader found: the gate blocks must be in the right places, not just the right sizes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import lstmviz
from lstmviz import cli
from lstmviz.inputs import sine_waves
from lstmviz.modelfiles import RecurrentLayer, RefusedFile, read_model
from lstmviz.modelfiles.inspection import count_check, gate_stats
from tests.frameworks import require_frameworks

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "tests" / "data" / "models"
# Keyed by repository-relative path: the app's examples live in lstmviz/examples/, the rest here.
EXPECTED: dict[str, Any] = json.loads((MODELS / "expected.json").read_text())["files"]
PATHS = {Path(key).name: ROOT / key for key in EXPECTED}
LAYER_KEYS = ("name", "framework", "cell", "features", "units", "layers", "bidirectional", "bias", "proj_size")


def _inspect_json(path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert cli.main(["inspect", str(path), "--json"]) == 0
    out = capsys.readouterr().out
    return dict(json.loads(out))


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_inspect_json_matches_the_frameworks(key: str, capsys: pytest.CaptureFixture[str]) -> None:
    expected, name = EXPECTED[key], Path(key).name
    got = _inspect_json(ROOT / key, capsys)
    assert got["format"] == expected["format"]
    assert got["total_params"] == expected["total_params"]
    assert len(got["recurrent_layers"]) == len(expected["recurrent_layers"])
    for layer, want in zip(got["recurrent_layers"], expected["recurrent_layers"], strict=True):
        for key in (*LAYER_KEYS, "params"):
            assert layer[key] == want[key], (name, want["name"], key)
        if want["cell"] == "gru":
            assert layer["reset_after"] == want["reset_after"]
        assert layer["matches_formula"] is True
    others = sum(item["params"] for item in got["other_layers"])
    assert others + sum(item["params"] for item in got["recurrent_layers"]) == got["total_params"]


def test_inspect_text_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["inspect", str(PATHS["keras_sine_lstm.keras"])]) == 0
    out = capsys.readouterr().out
    assert "matches 4 × ((8 + 16) × 16 + 16) = 1,600 ✓" in out
    assert f"{EXPECTED['lstmviz/examples/keras_sine_lstm.keras']['total_params']:,}" in out
    assert "optimizer state" in out  # the trained fixture carries Adam's slots, which are not parameters


@pytest.mark.parametrize(
    ("filename", "data", "fragment"),
    [
        ("model.pt", b"\x80\x04\x95anything", "pickle"),
        ("weights.bin", b"whatever", "not a torch.save file"),
        ("model.onnx.safetensors", b"\x00" * 8, "header"),
        ("notes.txt", b"hello world", "not a model file"),
        ("empty.keras", b"", "empty"),
    ],
)
def test_refusals_are_one_line_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], filename: str, data: bytes, fragment: str
) -> None:
    path = tmp_path / filename
    path.write_bytes(data)
    assert cli.main(["inspect", str(path), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and fragment in captured.err
    assert "Traceback" not in captured.err


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["inspect", str(tmp_path / "nope.keras")]) == 2
    assert capsys.readouterr().err.startswith("lstmviz: error:")


def test_param_cap_refuses_before_reading() -> None:
    data = PATHS["torch_encoder_proj.safetensors"].read_bytes()
    with pytest.raises(RefusedFile, match="cap"):
        read_model(data, "x.safetensors", max_params=100)
    keras_data = PATHS["keras_sine_lstm.keras"].read_bytes()
    with pytest.raises(RefusedFile, match="cap"):
        read_model(keras_data, "x.keras", max_params=100)


def _layers() -> list[tuple[str, RecurrentLayer]]:
    out = []
    for name, path in sorted(PATHS.items()):
        model = read_model(path.read_bytes(), name)
        out += [(f"{name}:{layer.name}", layer) for layer in model.layers]
    return out


LAYERS = _layers()


@pytest.mark.parametrize(("label", "layer"), LAYERS, ids=[label for label, _ in LAYERS])
def test_read_weights_feed_the_core(label: str, layer: RecurrentLayer) -> None:
    expected = {t.key: t.shape for t in lstmviz.weight_tensors(layer.spec)}
    assert {k: v.shape for k, v in layer.weights.items()} == expected
    assert all(v.dtype == np.float32 for v in layer.weights.values())
    assert set(layer.source_keys) == set(expected)
    result = lstmviz.forward(layer.spec, layer.weights, sine_waves(1, 6, layer.spec.features))
    assert np.isfinite(result.outputs).all()
    assert count_check(layer).matches
    stats = gate_stats(layer)
    assert len(stats) == layer.spec.layers * layer.spec.directions * len(lstmviz.breakdown(layer.spec).layers[0].gates)


def test_forget_bias_of_a_fresh_keras_lstm_is_one() -> None:
    # Keras initialises the forget block of an LSTM bias to 1 (unit_forget_bias); the untrained
    # stacked fixture still has it, so the forget gate's mean bias reads exactly 1 and the others 0.
    model = read_model(PATHS["keras_stacked_bidirectional.keras"].read_bytes(), "x.keras")
    stats = {(s.direction, s.symbol): s.bias_mean for s in gate_stats(model.layers[1])}
    assert stats[("forward", "f")] == 1.0 and stats[("backward", "f")] == 1.0
    assert stats[("forward", "i")] == 0.0 and stats[("forward", "c")] == 0.0


# --- oracle: the frameworks run the same weights --------------------------------------------------


@pytest.mark.oracle
@pytest.mark.parametrize("name", ["keras_sine_lstm.keras", "keras_stacked_bidirectional.keras", "keras_gru_both.h5"])
def test_keras_runs_the_same_weights(name: str) -> None:
    keras, _ = require_frameworks()
    # Our own fixture, written by tools/: loading it with Keras is safe here, never in the app.
    model = keras.saving.load_model(PATHS[name], compile=False)
    x = sine_waves(2, 5, model.inputs[0].shape[-1], seed=3)
    read = read_model(PATHS[name].read_bytes(), name)
    current = x
    for layer in model.layers:
        found = [r for r in read.layers if r.name == layer.name]
        if found:
            spec = found[0].spec
            ours = lstmviz.forward(spec, found[0].weights, current)
            want = np.asarray(layer(current).detach().cpu())
            got = ours.outputs if spec.return_sequences else ours.last_output
            np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
        current = np.asarray(layer(current).detach().cpu())
        if current.ndim != 3:
            break


@pytest.mark.oracle
@pytest.mark.parametrize("name", ["torch_encoder_proj.safetensors", "torch_gru_rnn.safetensors"])
def test_torch_runs_the_same_weights(name: str) -> None:
    _, torch = require_frameworks()
    from safetensors.torch import load_file

    state = load_file(PATHS[name])
    for layer in read_model(PATHS[name].read_bytes(), name).layers:
        spec = layer.spec
        cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[spec.cell]
        extra = {"proj_size": spec.proj_size} if spec.cell == "lstm" else {}
        module = cls(
            spec.features, spec.units, num_layers=spec.layers, bias=spec.bias,
            bidirectional=spec.bidirectional, batch_first=True, **extra,
        )  # fmt: skip
        prefix = f"{layer.name}."
        module.load_state_dict({k[len(prefix) :]: v for k, v in state.items() if k.startswith(prefix)})
        x = sine_waves(2, 5, spec.features, seed=4)
        with torch.no_grad():
            want = module(torch.from_numpy(x))[0].numpy()
        np.testing.assert_allclose(lstmviz.forward(spec, layer.weights, x).outputs, want, rtol=1e-4, atol=1e-5)
