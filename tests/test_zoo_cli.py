"""`python -m lstmviz count --layer CLASS ... --json` against the frameworks' own counts (golden_zoo.json)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lstmviz.cli import main

GOLDEN = json.loads((Path(__file__).parent / "data" / "golden_zoo.json").read_text())
CASES: list[dict[str, Any]] = GOLDEN["cases"]


def cli_flags(case: dict[str, Any]) -> list[str]:
    """The golden case's options as CLI flags."""
    o = case["options"]
    flags = ["--layer", case["layer"], "--features", str(o["features"]), "--units", str(o["units"])]
    if "kernel_size" in o:
        # per axis, so a 1-D kernel is "3," (a single "3" means 3 on every axis)
        flags += ["--kernel-size", ",".join(map(str, o["kernel_size"])) + ("," if len(o["kernel_size"]) == 1 else "")]
    if o.get("bias") is False:
        flags.append("--no-bias")
    if o.get("use_peepholes"):
        flags.append("--use-peepholes")
    if o.get("num_proj"):
        flags += ["--num-proj", str(o["num_proj"])]
    if o.get("proj_size"):
        flags += ["--proj-size", str(o["proj_size"])]
    if o.get("reset_after") is False:
        flags.append("--no-reset-after")
    if o.get("reset_gate") is False:
        flags.append("--no-reset-gate")
    return flags


def count_json(flags: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert main(["count", *flags, "--json"]) == 0, capsys.readouterr().err
    result: dict[str, Any] = json.loads(capsys.readouterr().out)
    return result


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_cli_json_matches_the_framework(case: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    result = count_json(cli_flags(case), capsys)
    assert result["total_params"] == case["total_params"]
    expected = [(t["name"], t["shape"]) for t in case["tensors"]]
    if case["layer"].startswith("onnx"):  # lstmviz lists ONNX's W, R, B per direction: without the leading 1
        expected = [(name, shape[1:]) for name, shape in expected]
    assert [(t["name"], t["shape"]) for t in result["tensors"]] == expected


@pytest.mark.parametrize(
    ("alias", "path"),
    [
        ("nn.LSTMCell", "torch.nn.LSTMCell"),
        ("linen.GRUCell", "flax.linen.GRUCell"),
        ("nnx.OptimizedLSTMCell", "flax.nnx.OptimizedLSTMCell"),
        ("FLAX.LINEN.optimizedlstmcell", "flax.linen.OptimizedLSTMCell"),
        ("tf.nn.rnn_cell.LSTMCell", "tf.compat.v1.nn.rnn_cell.LSTMCell"),
        ("tf.contrib.rnn.BasicLSTMCell", "tf.compat.v1.nn.rnn_cell.BasicLSTMCell"),
        ("keras.layers.CuDNNGRU", "tf.compat.v1.keras.layers.CuDNNGRU"),
        ("tf.keras.layers.ConvLSTM2D", "keras.layers.ConvLSTM2D"),
        ("tf.keras.layers.LSTM", "keras.layers.LSTM"),
        ("nn.GRU", "torch.nn.GRU"),
        ("onnx LSTM", "onnx LSTM"),
        # a class's own __module__ spelling
        ("flax.linen.recurrent.OptimizedLSTMCell", "flax.linen.OptimizedLSTMCell"),
        ("flax.nnx.nn.recurrent.GRUCell", "flax.nnx.GRUCell"),
        ("torch.nn.modules.rnn.RNNCell", "torch.nn.RNNCell"),
        ("keras.src.layers.rnn.conv_lstm3d.ConvLSTM3D", "keras.layers.ConvLSTM3D"),
        ("tf_keras.src.layers.rnn.legacy_cells.BasicRNNCell", "tf.compat.v1.nn.rnn_cell.BasicRNNCell"),
        ("tf_keras.src.layers.rnn.cudnn_gru.CuDNNGRU", "tf.compat.v1.keras.layers.CuDNNGRU"),
        ("tensorflow.compat.v1.nn.rnn_cell.LSTMCell", "tf.compat.v1.nn.rnn_cell.LSTMCell"),
        # `tensorflow.` spells `tf.`
        ("tensorflow.compat.v1.nn.rnn_cell.GRUCell", "tf.compat.v1.nn.rnn_cell.GRUCell"),
        ("tensorflow.keras.layers.LSTM", "keras.layers.LSTM"),
        ("TensorFlow.Keras.Layers.GRUCell", "keras.layers.GRUCell"),
        ("tensorflow.compat.v1.keras.layers.CuDNNLSTM", "tf.compat.v1.keras.layers.CuDNNLSTM"),
        # Keras 3's own cells, and TF1's beside them by module
        ("tf.keras.layers.SimpleRNNCell", "keras.layers.SimpleRNNCell"),
        ("keras.src.layers.rnn.lstm.LSTMCell", "keras.layers.LSTMCell"),
        ("tf_keras.src.layers.rnn.legacy_cells.LSTMCell", "tf.compat.v1.nn.rnn_cell.LSTMCell"),
        # a bare class name that exactly one class has
        ("ConvLSTM2D", "keras.layers.ConvLSTM2D"),
        ("mgucell", "flax.linen.MGUCell"),
        ("SimpleRNNCell", "keras.layers.SimpleRNNCell"),
        ("CuDNNGRU", "tf.compat.v1.keras.layers.CuDNNGRU"),
        ("BasicLSTMCell", "tf.compat.v1.nn.rnn_cell.BasicLSTMCell"),
        ("SimpleRNN", "keras.layers.SimpleRNN"),
    ],
)
def test_aliases_name_the_class(alias: str, path: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert count_json(["--layer", alias], capsys)["layer"] == path


@pytest.mark.parametrize("layer", ["keras.layers.ConvLSTM2D", "flax.linen.ConvLSTMCell"])
@pytest.mark.parametrize("spelling", ["3", "3x3", "(3, 3)", "3 3", "[3,3]"])
def test_convlstm_single_kernel_side_means_every_axis(
    layer: str, spelling: str, capsys: pytest.CaptureFixture[str]
) -> None:
    both = count_json(["--layer", layer, "--kernel-size", "3,3"], capsys)
    one = count_json(["--layer", layer, "--kernel-size", spelling], capsys)
    assert one["total_params"] == both["total_params"] and one["options"]["kernel_size"] == [3, 3]


def test_a_one_dimensional_flax_kernel_is_written_like_python(capsys: pytest.CaptureFixture[str]) -> None:
    golden = next(
        c for c in CASES if c["layer"] == "flax.linen.ConvLSTMCell" and c["options"].get("kernel_size") == [3]
    )
    flags = ["--features", str(golden["options"]["features"]), "--units", str(golden["options"]["units"])]
    result = count_json(["--layer", "flax.linen.ConvLSTMCell", "--kernel-size", "3,", *flags], capsys)
    assert result["total_params"] == golden["total_params"]


@pytest.mark.parametrize(
    "flags",
    [
        ["--layer", "flax.linen.LSTMCell", "--no-bias"],
        ["--layer", "torch.nn.LSTMCell", "--use-peepholes"],
        ["--layer", "tf.compat.v1.nn.rnn_cell.GRUCell", "--num-proj", "1"],
        ["--layer", "keras.layers.LSTM", "--kernel-size", "3"],
        ["--layer", "keras.layers.ConvLSTM3D", "--kernel-size", "3,3"],
        ["--layer", "flax.nnx.GRUCell", "--bidirectional"],
        ["--layer", "torch.nn.RNNCell", "--layers", "2"],
        ["--layer", "tf.compat.v1.nn.rnn_cell.LSTMCell", "--num-proj", "x"],
        ["--layer", "keras.layers.LSTM", "--framework", "pytorch"],
        ["--layer", "no.such.Layer"],
        ["--layer", "keras.layers.LSTMCell", "--no-reset-after"],
        ["--layer", "flax.linen.GRUCell", "--no-reset-after"],
        ["--layer", "OptimizedLSTMCell"],
        ["--layer", "tensorflow.no.such.Cell"],
        ["--kernel-size", "3"],
        ["--layer", "keras.layers.ConvLSTM1D", "--kernel-size", "3,x"],
        ["--layer", "keras.layers.ConvLSTM1D", "--kernel-size", "0"],
    ],
)
def test_a_flag_that_does_not_apply_is_one_clear_line(flags: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["count", *flags]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("lstmviz: error: ") and captured.err.count("\n") == 1, captured.err


@pytest.mark.parametrize(
    ("name", "candidates"),
    [
        ("OptimizedLSTMCell", ["flax.linen.OptimizedLSTMCell", "flax.nnx.OptimizedLSTMCell"]),
        ("lstm", ["keras.layers.LSTM", "torch.nn.LSTM", "onnx LSTM"]),
        (
            "GRUCell",
            ["keras.layers.GRUCell", "torch.nn.GRUCell", "flax.linen.GRUCell", "flax.nnx.GRUCell"]
            + ["tf.compat.v1.nn.rnn_cell.GRUCell"],
        ),
    ],
)
def test_an_ambiguous_bare_name_lists_every_candidate(
    name: str, candidates: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["count", "--layer", name]) == 2
    err = capsys.readouterr().err
    expected = f"--layer {name!r} is ambiguous: it names {', '.join(candidates)}; give the class path"
    assert err == f"lstmviz: error: {expected}\n"


def test_abbreviations_are_off(capsys: pytest.CaptureFixture[str]) -> None:
    # `--layer` is its own flag, never an abbreviation of `--layers`; a prefix is no flag.
    assert main(["count", "--feat", "3"]) == 2
    assert "unrecognized arguments: --feat" in capsys.readouterr().err
    assert count_json(["--layer", "torch.nn.LSTM"], capsys)["spec"]["layers"] == 1


def test_layers_lists_every_class_by_framework(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["layers"]) == 0
    listed = capsys.readouterr().out
    assert {c["layer"] for c in CASES} <= {line.strip() for line in listed.splitlines()}
    assert "Flax nnx:" in listed


def test_python_m_lstmviz_runs_the_hidden_check_shape() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "lstmviz", "count", "--layer", "flax.linen.OptimizedLSTMCell", "--features", "3"]
        + ["--units", "2", "--json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(out)["total_params"] == next(
        c["total_params"] for c in CASES if c["layer"] == "flax.linen.OptimizedLSTMCell" and c["options"]["units"] == 2
    )
