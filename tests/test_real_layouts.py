"""Files in the layouts real published models use (tools/make_real_layouts.py), against the frameworks' counts.

Each file reproduces a layout seen in a public repository (its `reproduces` line in
tests/data/real_layouts.json); the expected counts there come from tf-keras, Keras 3 and PyTorch.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

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
