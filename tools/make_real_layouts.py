"""Write small files in the layouts real published models use, with the frameworks' own counts beside them.

Usage: /work/venv-oracle/bin/python tools/make_real_layouts.py   (needs tensorflow-cpu, tf-keras, keras 3,
torch and onnx: the oracle environment; CI does not run this, it reads what it wrote)

Each file reproduces a layout seen in a public repository (named in `reproduces`). Where a framework
still writes the layout (tf-keras 2.x .h5, CuDNNLSTM/CuDNNGRU, Keras 3 .keras, torch.save) it writes
the file; older layouts (Keras 1 per-gate tensors, Keras 2.0-2.2 `<layer>/kernel:0`) are written with
h5py exactly as observed, filled with the weights of the tf-keras layer that has the same count.
Expected counts come from the frameworks: model.count_params() / layer.count_params() (tf-keras,
Keras 3), the sum of numel over a torch state dict, and for ONNX the torch module the weights came
from. Output: tests/data/real_layouts/*, tests/data/real_layouts.json.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # tf.compat.v1.keras is then tf-keras, which has CuDNNLSTM
warnings.filterwarnings("ignore")

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "real_layouts"
EXPECTED = ROOT / "tests" / "data" / "real_layouts.json"
FORWARD = ROOT / "tests" / "data" / "real_layouts_forward.npz"  # inputs and the framework's outputs per layer
GOLDEN: dict[str, Any] = {}


def _golden(file: str, layer: Any, features: int) -> None:
    """The layer's own output on seeded inputs (N=2, T=6): full sequence or last step, as it is configured."""
    import numpy as np

    x = np.random.default_rng(len(GOLDEN)).standard_normal((2, 6, features)).astype(np.float32)
    y = layer(x)
    y = y.detach().numpy() if hasattr(y, "detach") else np.asarray(y)  # Keras 3 on torch returns a torch tensor
    GOLDEN[f"{file}:{layer.name}:x"] = x
    GOLDEN[f"{file}:{layer.name}:y"] = y


def _tfk() -> Any:
    import tensorflow as tf
    import tf_keras

    tf.random.set_seed(3)
    return tf_keras


def _layers(model: Any, names: tuple[str, ...]) -> dict[str, int]:
    return {name: int(model.get_layer(name).count_params()) for name in names}


def _legacy_h5(
    path: Path,
    layers: list[tuple[str, list[tuple[str, Any]]]],
    *,
    config: dict[str, Any] | None,
    keras_version: str | None,
) -> None:
    """A Keras 1/2 .h5 as those versions wrote it: model_weights/<layer>/<weight name>, names as attributes."""
    import h5py
    import numpy as np

    with h5py.File(path, "w") as f:
        if keras_version is not None:
            f.attrs["keras_version"] = np.bytes_(keras_version)
            f.attrs["backend"] = np.bytes_("tensorflow")
        root = f
        if config is not None:
            f.attrs["model_config"] = np.bytes_(json.dumps(config))
            root = f.create_group("model_weights")
        root.attrs["layer_names"] = [np.bytes_(name) for name, _ in layers]
        for name, weights in layers:
            group = root.create_group(name)
            group.attrs["weight_names"] = [np.bytes_(w) for w, _ in weights]
            for weight, values in weights:
                group.create_dataset(weight, data=np.asarray(values, dtype=np.float32))


def keras2_lstm(path: Path) -> dict[str, Any]:
    """Keras 2.0-2.2: lstm_1/lstm_1/kernel:0 with no cell segment, hard_sigmoid gates, class in model_config."""
    tfk = _tfk()
    model = tfk.Sequential(
        [
            tfk.layers.InputLayer(input_shape=(6, 5)),
            tfk.layers.LSTM(4, recurrent_activation="hard_sigmoid", name="lstm_1"),
            tfk.layers.Dense(1, name="dense_1"),
        ]
    )
    config = json.loads(model.to_json())
    layers = [
        (layer.name, [(f"{layer.name}/{w.name.split('/')[-1]}", w.numpy()) for w in layer.weights])
        for layer in model.layers
    ]
    _legacy_h5(path, layers, config=config, keras_version="2.1.5")
    _golden(path.name, model.get_layer("lstm_1"), 5)
    return {
        "reproduces": "102757017/lstm-multi model.h5, 15louafi/EnglishToKatakanaSeq2Seq model.h5 (Keras 2.1)",
        "total_params": int(model.count_params()),
        "recurrent": _layers(model, ("lstm_1",)),
        "activation": {"lstm_1": "hard_sigmoid"},
    }


def keras2_weights_bidirectional(path: Path) -> dict[str, Any]:
    """Keras 2.1 save_weights: no model_config, bidirectional_1/forward_lstm_1/kernel:0 and backward_."""
    tfk = _tfk()
    model = tfk.Sequential(
        [
            tfk.layers.InputLayer(input_shape=(6, 5)),
            tfk.layers.Bidirectional(tfk.layers.LSTM(3, name="lstm_1"), name="bidirectional_1"),
            tfk.layers.Dense(2, name="dense_1"),
        ]
    )
    layers = []
    for layer in model.layers:
        weights = []
        for w in layer.weights:
            parts = w.name.split("/")
            direction = next((p for p in parts if p.startswith(("forward_", "backward_"))), None)
            owner = f"{layer.name}/{direction}" if direction else layer.name
            weights.append((f"{owner}/{parts[-1]}", w.numpy()))
        layers.append((layer.name, weights))
    _legacy_h5(path, layers, config=None, keras_version="2.1.2")
    return {
        "reproduces": "chen0040/keras-malicious-url-detector bidirectional-lstm-weights.h5 (weights only)",
        "total_params": int(model.count_params()),
        "recurrent": _layers(model, ("bidirectional_1",)),
        "inferred": True,
    }


def tfkeras_numbered_cells(path: Path) -> dict[str, Any]:
    """tf.keras 2.3+ .h5 as tf-keras writes it: three stacked LSTMs, lstm_1/lstm_cell_1/kernel:0 ..."""
    tfk = _tfk()
    model = tfk.Sequential(
        [
            tfk.layers.InputLayer(input_shape=(9, 1)),
            tfk.layers.LSTM(5, return_sequences=True),
            tfk.layers.LSTM(4, return_sequences=True),
            tfk.layers.LSTM(3),
            tfk.layers.Dense(1),
        ]
    )
    model.save(path, include_optimizer=False)
    names = tuple(layer.name for layer in model.layers[:3])
    return {
        "reproduces": "MazenEzzeddine/lstmgru weights.hdf5 (gru_1/gru_cell_1), 01235-anuj lstm_model.h5 (tf.keras 2.x)",
        "total_params": int(model.count_params()),
        "recurrent": _layers(model, names),
    }


def tfkeras_gru_reset_before(path: Path) -> dict[str, Any]:
    """A GRU from before reset_after: a (3h,) bias, hard_sigmoid gates, and a relu SimpleRNN."""
    tfk = _tfk()
    model = tfk.Sequential(
        [
            tfk.layers.InputLayer(input_shape=(7, 3)),
            tfk.layers.GRU(4, reset_after=False, recurrent_activation="hard_sigmoid", return_sequences=True),
            tfk.layers.SimpleRNN(2, activation="relu"),
        ]
    )
    model.save(path, include_optimizer=False)
    names = tuple(layer.name for layer in model.layers)
    if path.name == "tfkeras_gru_reset_before.h5":
        _golden(path.name, model.layers[0], 3)
        _golden(path.name, model.layers[1], 4)
    return {
        "reproduces": "Keras 2.0-2.2 GRU defaults (reset_after=False, hard_sigmoid); 2WelcomeHome1 relu LSTM",
        "total_params": int(model.count_params()),
        "recurrent": _layers(model, names),
        "activation": {names[0]: "hard_sigmoid", names[1]: "relu"},
    }


def cudnn(path: Path) -> dict[str, Any]:
    """CuDNNLSTM and CuDNNGRU as tf-keras writes them: (8h,) and (6h,) biases."""
    import tensorflow as tf

    tfk = _tfk()
    model = tfk.Sequential(
        [
            tfk.layers.InputLayer(input_shape=(7, 4)),
            tf.compat.v1.keras.layers.CuDNNLSTM(3, return_sequences=True, name="rnn_1"),
            tf.compat.v1.keras.layers.CuDNNGRU(2, name="rnn_2"),
        ]
    )
    model.save(path, include_optimizer=False)
    return {
        "reproduces": "minimaxir/textgenrnn textgenrnn_weights.hdf5 (CuDNNLSTM, (1024,) bias for h=128)",
        "total_params": int(model.count_params()),
        "recurrent": _layers(model, ("rnn_1", "rnn_2")),
        "source_class": {"rnn_1": "CuDNNLSTM", "rnn_2": "CuDNNGRU"},
    }


def keras1_per_gate(path: Path) -> dict[str, Any]:
    """Keras 1: lstm_1_W_i (x, h), lstm_1_U_i, lstm_1_b_i per gate, GRU z r h; no keras_version attribute."""
    tfk = _tfk()
    model = tfk.Sequential(
        [
            tfk.layers.InputLayer(input_shape=(6, 5)),
            tfk.layers.LSTM(4, return_sequences=True, recurrent_activation="hard_sigmoid", name="lstm_1"),
            tfk.layers.GRU(3, reset_after=False, recurrent_activation="hard_sigmoid", name="gru_1"),
            tfk.layers.Dense(2, name="dense_1"),
        ]
    )
    layers = []
    for layer, gates in (("lstm_1", "ifco"), ("gru_1", "zrh")):
        kernel, recurrent, bias = (w.numpy() for w in model.get_layer(layer).weights)
        h = recurrent.shape[0]
        weights = []
        for kind, values in (("W", kernel), ("U", recurrent), ("b", bias)):
            for g, gate in enumerate(gates):
                weights.append((f"{layer}_{kind}_{gate}", values[..., g * h : (g + 1) * h]))
        layers.append((layer, weights))
    kernel, bias = (w.numpy() for w in model.get_layer("dense_1").weights)
    layers.append(("dense_1", [("dense_1_W", kernel), ("dense_1_b", bias)]))
    config = {
        "class_name": "Sequential",
        "config": [
            {"class_name": "LSTM", "config": {"name": "lstm_1", "output_dim": 4, "activation": "tanh",
                                              "inner_activation": "hard_sigmoid", "batch_input_shape": [None, 6, 5],
                                              "return_sequences": True}},
            {"class_name": "GRU", "config": {"name": "gru_1", "output_dim": 3, "activation": "tanh",
                                             "inner_activation": "hard_sigmoid"}},
            {"class_name": "Dense", "config": {"name": "dense_1", "output_dim": 2}},
        ],
    }  # fmt: skip
    _legacy_h5(path, layers, config=config, keras_version=None)
    return {
        "reproduces": "beneyal/data-science-rnn weights.hdf5 (Keras 1 lstm_1_W_i ... per-gate tensors)",
        "total_params": int(model.count_params()),
        "recurrent": _layers(model, ("lstm_1", "gru_1")),
        "activation": {"lstm_1": "hard_sigmoid", "gru_1": "hard_sigmoid"},
    }


def tfkeras_convlstm(path: Path) -> dict[str, Any]:
    """ConvLSTM2D beside an LSTM (tf-keras .h5): the ConvLSTM is named in a note, the LSTM read."""
    tfk = _tfk()
    model = tfk.Sequential(
        [
            tfk.layers.InputLayer(input_shape=(3, 4, 4, 1)),
            tfk.layers.ConvLSTM2D(2, 3, return_sequences=True),
            tfk.layers.TimeDistributed(tfk.layers.Flatten()),
            tfk.layers.LSTM(3),
        ]
    )
    model.save(path, include_optimizer=False)
    conv, _, lstm = (layer.name for layer in model.layers)
    return {
        "reproduces": "iam-pranjal/Human-Activity-Recognition convlstm.h5 (ConvLSTM2D)",
        "total_params": int(model.count_params()),
        "recurrent": _layers(model, (lstm,)),
        "unread": _layers(model, (conv,)),
    }


def keras3_unmodelled(path: Path) -> dict[str, Any]:
    """Keras 3 .keras: RNN over [LSTMCell, GRUCell] and a ConvLSTM1D beside a hard_sigmoid LSTM."""
    import keras

    keras.utils.set_random_seed(3)
    inputs = keras.Input((6, 3))
    x = keras.layers.RNN([keras.layers.LSTMCell(4), keras.layers.GRUCell(3)], return_sequences=True, name="rnn")(inputs)
    y = keras.layers.LSTM(2, recurrent_activation="hard_sigmoid", return_sequences=True, name="lstm")(x)
    z = keras.layers.Reshape((6, 2, 1))(y)
    out = keras.layers.ConvLSTM1D(2, 2, name="conv_lstm1d")(z)
    model = keras.Model(inputs, out)
    model.save(path)
    _golden(path.name, model.get_layer("lstm"), 3)
    return {
        "reproduces": "Keras 3 files with RNN([cells]) or ConvLSTM1D (issue 19: the whole file was refused)",
        "total_params": int(model.count_params()),
        "recurrent": _layers(model, ("lstm",)),
        "unread": _layers(model, ("rnn", "conv_lstm1d")),
        "activation": {"lstm": "hard_sigmoid"},
    }


def _torch() -> Any:
    import torch

    torch.manual_seed(3)
    return torch


def torch_state_dict(path: Path) -> dict[str, Any]:
    """torch.save(model.state_dict()): a bidirectional 2-layer nn.LSTM and a head."""
    torch = _torch()
    model = torch.nn.ModuleDict({"lstm": torch.nn.LSTM(4, 3, num_layers=2, bidirectional=True),
                                 "head": torch.nn.Linear(6, 1)})  # fmt: skip
    torch.save(model.state_dict(), path)
    return {
        "reproduces": "Aeryes/AbnormalDataClassification lstm.pth, JohnLazzari/LSTM-Amino-Acids lstm.pth",
        "total_params": sum(int(p.numel()) for p in model.state_dict().values()),
        "recurrent": {"lstm": sum(int(p.numel()) for p in model["lstm"].parameters())},
    }


def torch_checkpoint(path: Path) -> dict[str, Any]:
    """A training checkpoint: model_state_dict, Adam's optimizer_state_dict after one step, epoch and loss."""
    torch = _torch()
    model = torch.nn.GRU(3, 2, batch_first=True)
    optimizer = torch.optim.Adam(model.parameters())
    model(torch.randn(2, 5, 3))[0].sum().backward()
    optimizer.step()
    torch.save({"epoch": 4, "model_state_dict": model.state_dict(),
                "optimizer_state_dict": optimizer.state_dict(), "loss": 0.25}, path)  # fmt: skip
    return {
        "reproduces": "the PyTorch tutorial's checkpoint dict (Saving and loading a general checkpoint)",
        "total_params": sum(int(p.numel()) for p in model.parameters()),
        "recurrent": {"(top level)": sum(int(p.numel()) for p in model.parameters())},
    }


def torch_legacy(path: Path) -> dict[str, Any]:
    """The pre-1.6 torch.save stream (_use_new_zipfile_serialization=False): pickles, then raw storages."""
    torch = _torch()
    model = torch.nn.GRU(4, 3, num_layers=2)
    torch.save(model.state_dict(), path, _use_new_zipfile_serialization=False)
    return {
        "reproduces": "checkpoints written by PyTorch < 1.6 or with _use_new_zipfile_serialization=False",
        "total_params": sum(int(p.numel()) for p in model.parameters()),
        "recurrent": {"(top level)": sum(int(p.numel()) for p in model.parameters())},
    }


def torch_cells(path: Path) -> dict[str, Any]:
    """nn.LSTMCell, nn.GRUCell and nn.RNNCell state dicts: weight_ih with no _l0."""
    torch = _torch()
    model = torch.nn.ModuleDict(
        {"lstm_cell": torch.nn.LSTMCell(4, 3), "gru_cell": torch.nn.GRUCell(3, 2), "rnn_cell": torch.nn.RNNCell(2, 2)}
    )
    torch.save(model.state_dict(), path)
    return {
        "reproduces": "snakers4/silero-vad silero_vad_16k.safetensors lstm_cell.* (nn.LSTMCell), as torch.save",
        "total_params": sum(int(p.numel()) for p in model.parameters()),
        "recurrent": {name: sum(int(p.numel()) for p in m.parameters()) for name, m in model.items()},
        "source_class": {"lstm_cell": "nn.LSTMCell", "gru_cell": "nn.GRUCell", "rnn_cell": "nn.RNNCell"},
    }


def torch_whole_module(path: Path) -> dict[str, Any]:
    """torch.save(model): the weights sit inside a pickled module object, so the file is refused by name."""
    torch = _torch()
    torch.save(torch.nn.LSTM(3, 2), path)
    return {"reproduces": "torch.save(model) of a whole module", "refusal": "pickled object of class `torch.nn"}


def onnx_if_constants(path: Path) -> dict[str, Any]:
    """silero-vad's layout: no initializers; an LSTM in each If branch, W/R/B Unsqueeze-d from shared Constants."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    torch = _torch()
    cell = torch.nn.LSTMCell(4, 3)
    sd = {k: v.detach().numpy() for k, v in cell.state_dict().items()}
    order = [0, 3, 1, 2]  # PyTorch i, f, g, o -> ONNX i, o, f, c

    def gates(a: Any) -> Any:
        import numpy as np

        return np.concatenate([a[g * 3 : (g + 1) * 3] for g in order], axis=0)

    import numpy as np

    values = {
        "W": gates(sd["weight_ih"]),
        "R": gates(sd["weight_hh"]),
        "B": np.concatenate([gates(sd["bias_ih"]), gates(sd["bias_hh"])]),
        "head": np.ones((3, 1), np.float32),
    }
    outer = [helper.make_node("Constant", [], [f"{k}_const"], value=numpy_helper.from_array(v.astype(np.float32)))
             for k, v in values.items()]  # fmt: skip
    axes = helper.make_node("Constant", [], ["axes0"], value=numpy_helper.from_array(np.array([0], np.int64)))
    scalar = helper.make_node("Constant", [], ["two"], value=numpy_helper.from_array(np.array(2.0, np.float32)))

    def branch(tag: str) -> Any:
        nodes = [helper.make_node("Unsqueeze", [f"{k}_const", "axes0"], [f"{k}_{tag}"]) for k in ("W", "R", "B")]
        nodes.append(helper.make_node("LSTM", ["x", f"W_{tag}", f"R_{tag}", f"B_{tag}"], [f"y_{tag}"],
                                      hidden_size=3, name=f"/{tag}/decoder/rnn/LSTM"))  # fmt: skip
        out = helper.make_tensor_value_info(f"y_{tag}", TensorProto.FLOAT, [5, 1, 1, 3])
        return helper.make_graph(nodes, tag, [], [out])

    if_node = helper.make_node("If", ["cond"], ["y"], then_branch=branch("then"), else_branch=branch("else"))
    graph = helper.make_graph(
        [*outer, axes, scalar, if_node],
        "silero_like",
        [helper.make_tensor_value_info("cond", TensorProto.BOOL, []),
         helper.make_tensor_value_info("x", TensorProto.FLOAT, [5, 1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [5, 1, 1, 3])],
    )  # fmt: skip
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 16)])
    onnx.checker.check_model(model)
    onnx.save(model, path)
    lstm = sum(int(p.numel()) for p in cell.parameters())
    return {
        "reproduces": "snakers4/silero-vad silero_vad.onnx (spox: no initializers, LSTM inside If, Constant weights)",
        "total_params": lstm + 3,  # the LSTMCell's numel and the (3, 1) head; the scalar 2.0 is not a parameter
        "recurrent": {"/then/decoder/rnn/LSTM": lstm, "/else/decoder/rnn/LSTM": lstm},
    }


def onnx_external(path: Path) -> dict[str, Any]:
    """torch.onnx's dynamo exporter layout: weights in a .onnx.data sidecar."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    w = numpy_helper.from_array(np.ones((1, 8, 3), np.float32), "W")
    output = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8, 3])
    graph = helper.make_graph([helper.make_node("Identity", ["W"], ["y"])], "g", [], [output], initializer=[w])
    model = helper.make_model(graph)
    onnx.save(model, path, save_as_external_data=True, all_tensors_to_one_file=True,
              location=path.name + ".data", size_threshold=0)  # fmt: skip
    (path.parent / (path.name + ".data")).unlink()  # the sidecar never travels with an upload
    return {
        "reproduces": "torch 2.13 torch.onnx.export (dynamo) of any model",
        "refusal": "save_as_external_data=False",
    }


def tflite(path: Path) -> dict[str, Any]:
    """A Keras LSTM converted to TFLite (the converter's own output)."""
    import tensorflow as tf

    tfk = _tfk()
    model = tfk.Sequential([tfk.layers.InputLayer(input_shape=(4, 2), batch_size=1), tfk.layers.LSTM(2)])
    path.write_bytes(tf.lite.TFLiteConverter.from_keras_model(model).convert())
    return {"reproduces": "Kimidoge/DriveProfiler-LSTM lstm_model.tflite", "refusal": "TensorFlow Lite"}


def torchscript(path: Path) -> dict[str, Any]:
    """torch.jit.save: a zip with data.pkl, constants.pkl and code/."""
    torch = _torch()
    torch.jit.save(torch.jit.script(torch.nn.LSTM(3, 2)), path)
    return {"reproduces": "snakers4/silero-vad silero_vad.jit (TorchScript)", "refusal": "TorchScript"}


def h5_as_keras(path: Path) -> dict[str, Any]:
    """An HDF5 model saved under a .keras name: content decides."""
    info = tfkeras_gru_reset_before(path.with_suffix(".tmp.h5"))
    path.with_suffix(".tmp.h5").rename(path)
    return {**info, "reproduces": "an .h5 model renamed .keras (content, not the name, decides)"}


FILES = {
    "keras2_lstm.h5": keras2_lstm,
    "keras2_weights_bidirectional.h5": keras2_weights_bidirectional,
    "tfkeras_numbered_cells.h5": tfkeras_numbered_cells,
    "tfkeras_gru_reset_before.h5": tfkeras_gru_reset_before,
    "cudnn_lstm_gru.h5": cudnn,
    "keras1_per_gate.h5": keras1_per_gate,
    "tfkeras_convlstm.h5": tfkeras_convlstm,
    "keras3_unmodelled.keras": keras3_unmodelled,
    "torch_state_dict.pt": torch_state_dict,
    "torch_checkpoint.pth": torch_checkpoint,
    "torch_cells.bin": torch_cells,
    "torch_legacy.pt": torch_legacy,
    "torch_whole_module.pth": torch_whole_module,
    "onnx_if_constants.onnx": onnx_if_constants,
    "onnx_external.onnx": onnx_external,
    "lstm.tflite": tflite,
    "torchscript.pt": torchscript,
    "h5_named.keras": h5_as_keras,
}


def main() -> None:
    """Write every file and the expected counts."""
    OUT.mkdir(parents=True, exist_ok=True)
    expected = {}
    for name, make in FILES.items():
        expected[name] = make(OUT / name)
        print(f"{name}: {expected[name]}")
    EXPECTED.write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")
    import numpy as np

    np.savez_compressed(FORWARD, **GOLDEN)


if __name__ == "__main__":
    main()
