"""Write small real model files with Keras 3 (torch backend) and PyTorch, and what the frameworks say about them.

Usage: python tools/make_model_fixtures.py

Writes *.keras, *.h5, *.weights.h5, *.safetensors (and *.onnx) into tests/data/models/, except the
examples the app offers without an upload, which go into lstmviz/examples/ (shipped with the
package), plus tests/data/models/expected.json keyed by repository-relative path: for each file
its format, total_params (Keras model.count_params() / the sum of numel over the state dict)
and every recurrent layer as the framework reports it (units, input size, bias, reset_after,
bidirectional, its own count_params() or parameter numel). tests/test_readers.py compares
`python -m lstmviz inspect --json` with that file. Seeds are fixed; each file is a few kB.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ["KERAS_BACKEND"] = "torch"  # before any keras import
warnings.filterwarnings("ignore")

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "models"
EXAMPLES_DIR = ROOT / "lstmviz" / "examples"
EXAMPLES = ("keras_sine_lstm.keras", "torch_encoder_proj.safetensors", "keras_gru_both.h5")


def _keras() -> Any:
    import keras

    keras.utils.set_random_seed(7)
    return keras


def _keras_layers(model: Any) -> list[dict[str, Any]]:
    """Each recurrent layer as Keras reports it, in model order, nested models included."""
    keras = _keras()
    out: list[dict[str, Any]] = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            out += _keras_layers(layer)
            continue
        wrapped = layer.forward_layer if isinstance(layer, keras.layers.Bidirectional) else layer
        if not isinstance(wrapped, (keras.layers.LSTM, keras.layers.GRU, keras.layers.SimpleRNN)):
            continue
        cell = {"LSTM": "lstm", "GRU": "gru", "SimpleRNN": "rnn"}[type(wrapped).__name__]
        item = {
            "name": layer.name,
            "framework": "keras",
            "cell": cell,
            "features": int(wrapped.cell.kernel.shape[0]),
            "units": int(wrapped.units),
            "layers": 1,
            "bidirectional": isinstance(layer, keras.layers.Bidirectional),
            "bias": bool(wrapped.cell.use_bias),
            "proj_size": 0,
            "params": int(layer.count_params()),
        }
        if cell == "gru":
            item["reset_after"] = bool(wrapped.cell.reset_after)
        out.append(item)
    return out


def _train(model: Any, x: Any, y: Any) -> None:
    """A few epochs so the weights are trained ones (forget biases move off 1), deterministic."""
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=8, batch_size=32, verbose=0, shuffle=False)


def keras_sine_lstm(path: Path) -> Any:
    """Sequential: 8 sine features over 10 steps → LSTM(16) → Dense(1), trained: LSTM 4·((8+16)·16+16) = 1,600."""
    import numpy as np

    keras = _keras()
    rng = np.random.default_rng(0)
    t = np.arange(10)[None, :, None]
    x = np.sin(rng.uniform(0.2, 1.0, (256, 1, 8)) * t + rng.uniform(0, 6, (256, 1, 8))).astype("float32")
    y = x[:, -1, :1]
    model = keras.Sequential([keras.Input((10, 8)), keras.layers.LSTM(16), keras.layers.Dense(1)], name="sine")
    _train(model, x, y)
    model.save(path)
    return model


def keras_functional_embedding(path: Path) -> Any:
    """Functional: token ids → Embedding(50, 8) → LSTM(12) → Dense(3)."""
    keras = _keras()
    tokens = keras.Input((12,), dtype="int32", name="tokens")
    x = keras.layers.Embedding(50, 8, name="embed")(tokens)
    x = keras.layers.LSTM(12, name="encoder")(x)
    out = keras.layers.Dense(3, name="classes")(x)
    model = keras.Model(tokens, out, name="classifier")
    model.save(path)
    return model


def keras_stacked_bidirectional(path: Path) -> Any:
    """Sequential: LSTM(6, return_sequences) → Bidirectional(LSTM(4)) → Dense(2), 20 steps of 3 features."""
    keras = _keras()
    model = keras.Sequential(
        [
            keras.Input((20, 3)),
            keras.layers.LSTM(6, return_sequences=True),
            keras.layers.Bidirectional(keras.layers.LSTM(4)),
            keras.layers.Dense(2),
        ],
        name="stacked",
    )
    model.save(path)
    return model


def keras_gru_both_legacy(path: Path) -> Any:
    """Legacy .h5: GRU(5, reset_after=True, return_sequences) → GRU(4, reset_after=False) → Dense(1)."""
    keras = _keras()
    model = keras.Sequential(
        [
            keras.Input((15, 3)),
            keras.layers.GRU(5, reset_after=True, return_sequences=True),
            keras.layers.GRU(4, reset_after=False),
            keras.layers.Dense(1),
        ],
        name="grus",
    )
    model.save(path)  # the .h5 suffix selects the legacy format
    return model


def keras_rnn_nobias_weights(path: Path) -> Any:
    """Weights only (no config): SimpleRNN(4, use_bias=False) → Bidirectional(GRU(3, reset_after=False)) → Dense."""
    keras = _keras()
    model = keras.Sequential(
        [
            keras.Input((10, 3)),
            keras.layers.SimpleRNN(4, use_bias=False, return_sequences=True),
            keras.layers.Bidirectional(keras.layers.GRU(3, reset_after=False)),
            keras.layers.Dense(2),
        ],
        name="weights_only",
    )
    model.save_weights(path)
    return model


def _torch_entry(module: Any, name: str) -> dict[str, Any]:
    cell = {"LSTM": "lstm", "GRU": "gru", "RNN": "rnn"}[type(module).__name__]
    return {
        "name": name,
        "framework": "pytorch",
        "cell": cell,
        "features": module.input_size,
        "units": module.hidden_size,
        "layers": module.num_layers,
        "bidirectional": module.bidirectional,
        "bias": module.bias,
        "proj_size": getattr(module, "proj_size", 0),
        "params": sum(p.numel() for p in module.parameters()),
        **({"reset_after": True} if cell == "gru" else {}),
    }


def torch_encoder_proj(path: Path) -> tuple[Any, list[dict[str, Any]]]:
    """A prefixed module: encoder.rnn = nn.LSTM(5, 8, num_layers=2, proj_size=3, bidirectional) + head Linear."""
    import torch
    from safetensors.torch import save_file

    torch.manual_seed(7)

    class Model(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = torch.nn.Module()
            self.encoder.rnn = torch.nn.LSTM(5, 8, num_layers=2, proj_size=3, bidirectional=True, batch_first=True)
            self.head = torch.nn.Linear(6, 2)

    model = Model()
    save_file(model.state_dict(), path)
    return model, [_torch_entry(model.encoder.rnn, "encoder.rnn")]


def torch_gru_rnn(path: Path) -> tuple[Any, list[dict[str, Any]]]:
    """Top-level keys of two modules: gru = nn.GRU(10, 6), rnn = nn.RNN(6, 4, num_layers=2, bias=False)."""
    import torch
    from safetensors.torch import save_file

    torch.manual_seed(8)

    class Model(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.gru = torch.nn.GRU(10, 6, batch_first=True)
            self.rnn = torch.nn.RNN(6, 4, num_layers=2, bias=False, batch_first=True)

    model = Model()
    save_file(model.state_dict(), path)
    return model, [_torch_entry(model.gru, "gru"), _torch_entry(model.rnn, "rnn")]


def _export_onnx(module: Any, features: int, path: Path) -> None:
    """torch.onnx's TorchScript exporter: it emits one ONNX LSTM/GRU/RNN node per layer, named by module path."""
    import torch

    module.eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, (torch.zeros(1, 7, features),), str(path), dynamo=False)


def onnx_lstm(path: Path) -> tuple[Any, list[dict[str, Any]]]:
    """ONNX from torch: rnn = nn.LSTM(4, 6) → head Linear(6, 2) on the last step."""
    import torch

    torch.manual_seed(9)

    class Model(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.rnn = torch.nn.LSTM(4, 6, batch_first=True)
            self.head = torch.nn.Linear(6, 2)

        def forward(self, x: Any) -> Any:
            return self.head(self.rnn(x)[0][:, -1])

    model = Model()
    _export_onnx(model, 4, path)
    return model, [{**_torch_entry(model.rnn, "/rnn/LSTM"), "framework": "onnx"}]


def onnx_bigru(path: Path) -> tuple[Any, list[dict[str, Any]]]:
    """ONNX from torch: rnn = nn.GRU(3, 5, bidirectional) → head Linear(10, 1): linear_before_reset = 1."""
    import torch

    torch.manual_seed(10)

    class Model(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.rnn = torch.nn.GRU(3, 5, batch_first=True, bidirectional=True)
            self.head = torch.nn.Linear(10, 1)

        def forward(self, x: Any) -> Any:
            return self.head(self.rnn(x)[0][:, -1])

    model = Model()
    _export_onnx(model, 3, path)
    return model, [{**_torch_entry(model.rnn, "/rnn/GRU"), "framework": "onnx"}]


ONNX_GRID = [  # (cell, features, units, layers, bidirectional, bias) exported for tests/data/golden_onnx.json
    (cell, x, h, layers, bidirectional, bias)
    for cell in ("lstm", "gru", "rnn")
    for (x, h, layers, bidirectional, bias) in ((3, 2, 1, False, True), (5, 4, 2, True, True), (6, 3, 1, False, False))
]


def onnx_golden(tmp: Path) -> list[dict[str, Any]]:
    """Counts and W/R/B shapes of ONNX files torch.onnx writes for a small grid of recurrent modules."""
    import onnx
    import torch

    cases = []
    for cell, x, h, layers, bidirectional, bias in ONNX_GRID:
        cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[cell]
        module = cls(x, h, num_layers=layers, bidirectional=bidirectional, bias=bias, batch_first=True)
        path = tmp / f"{cell}.onnx"
        _export_onnx(module, x, path)
        graph = onnx.load(str(path)).graph
        shapes = {t.name: list(t.dims) for t in graph.initializer}
        nodes = []
        for node in graph.node:
            if node.op_type in ("LSTM", "GRU", "RNN"):
                inputs = list(node.input) + [""] * 4
                nodes.append({name: shapes.get(inputs[i]) for i, name in ((1, "W"), (2, "R"), (3, "B"))})
        cases.append(
            {
                "spec": {"framework": "onnx", "cell": cell, "features": x, "units": h, "layers": layers,
                         "bidirectional": bidirectional, "bias": bias},
                "nodes": nodes,
                "total_params": sum(p.numel() for p in module.parameters()),
            }
        )  # fmt: skip
    return cases


KERAS_FILES: dict[str, tuple[Callable[[Path], Any], str]] = {
    "keras_sine_lstm.keras": (keras_sine_lstm, "keras"),
    "keras_functional_embedding.keras": (keras_functional_embedding, "keras"),
    "keras_stacked_bidirectional.keras": (keras_stacked_bidirectional, "keras"),
    "keras_gru_both.h5": (keras_gru_both_legacy, "keras-h5"),
    "keras_rnn_nobias.weights.h5": (keras_rnn_nobias_weights, "keras-weights"),
}
TORCH_FILES = {
    "torch_encoder_proj.safetensors": torch_encoder_proj,
    "torch_gru_rnn.safetensors": torch_gru_rnn,
}
ONNX_FILES = {"onnx_lstm.onnx": onnx_lstm, "onnx_bigru.onnx": onnx_bigru}


def _path(name: str) -> Path:
    return (EXAMPLES_DIR if name in EXAMPLES else OUT) / name


def main() -> None:
    """Write every fixture and expected.json."""
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    EXAMPLES_DIR.mkdir(parents=True, exist_ok=True)
    expected: dict[str, Any] = {}
    for name, (build, fmt) in KERAS_FILES.items():
        model = build(_path(name))
        expected[str(_path(name).relative_to(ROOT))] = {
            "format": fmt,
            "total_params": int(model.count_params()),
            "recurrent_layers": _keras_layers(model),
        }
    for name, build_torch in TORCH_FILES.items():
        module, layers = build_torch(_path(name))
        expected[str(_path(name).relative_to(ROOT))] = {
            "format": "safetensors",
            "total_params": sum(t.numel() for t in module.state_dict().values()),
            "recurrent_layers": layers,
        }
    for name, build_onnx in ONNX_FILES.items():
        module, layers = build_onnx(_path(name))
        expected[str(_path(name).relative_to(ROOT))] = {
            "format": "onnx",
            "total_params": sum(t.numel() for t in module.state_dict().values()),
            "recurrent_layers": layers,
        }
    import tempfile

    import keras
    import torch

    with tempfile.TemporaryDirectory(prefix="lstmviz-onnx-") as tmp:
        golden = {"_generated_by": "tools/make_model_fixtures.py", "cases": onnx_golden(Path(tmp))}
    (ROOT / "tests" / "data" / "golden_onnx.json").write_text(json.dumps(golden, indent=1) + "\n")
    document = {
        "_generated_by": "tools/make_model_fixtures.py",
        "_versions": {"keras": keras.__version__, "torch": torch.__version__},
        "files": expected,
    }
    (OUT / "expected.json").write_text(json.dumps(document, indent=1) + "\n")
    sizes = {path: (ROOT / path).stat().st_size for path in expected}
    print(json.dumps(sizes, indent=1), f"total {sum(sizes.values()):,} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
