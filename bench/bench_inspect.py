"""Benchmark reading model files (lstmviz.modelfiles.read_model): time and peak memory against file size.

Usage: python bench/bench_inspect.py [--repeats 5] [--out PATH]

Files are built in memory with NumPy, h5py and safetensors in the frameworks' own layouts (no
framework needed): an LSTM with x = h = H for H = 64 ... 1024, as a PyTorch state dict in
.safetensors, a Keras 3 .weights.h5, a .keras zip and an ONNX LSTM node. For each file the median read time is
reported as a ratio to copying the file's bytes once in the same process (np.copy of the
buffer: the least any reader must do), and the peak Python/NumPy allocation (tracemalloc) as
a ratio to the file size. Results go to bench/results/bench_inspect.json.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import safetensors.numpy

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from lstmviz.modelfiles import read_model  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "bench_inspect.json"
SIZES = (64, 128, 256, 512, 1024)


def _arrays(h: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(h)
    return {
        "kernel": rng.standard_normal((h, 4 * h), dtype=np.float32),
        "recurrent_kernel": rng.standard_normal((h, 4 * h), dtype=np.float32),
        "bias": rng.standard_normal((4 * h,), dtype=np.float32),
    }


def safetensors_file(h: int) -> bytes:
    """A PyTorch nn.LSTM(h, h) state dict under the prefix rnn."""
    a = _arrays(h)
    state = {
        "rnn.weight_ih_l0": np.ascontiguousarray(a["kernel"].T),
        "rnn.weight_hh_l0": np.ascontiguousarray(a["recurrent_kernel"].T),
        "rnn.bias_ih_l0": a["bias"],
        "rnn.bias_hh_l0": a["bias"],
    }
    return bytes(safetensors.numpy.save(state))


def weights_h5_file(h: int) -> bytes:
    """A Keras 3 .weights.h5 of one LSTM(h) layer (layers/lstm/cell/vars/0..2)."""
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as file:
        cell = file.create_group("layers/lstm/cell/vars")
        cell.attrs["name"] = "lstm_cell"
        file.create_group("layers/lstm/vars").attrs["name"] = "lstm"
        for index, values in enumerate(_arrays(h).values()):
            cell.create_dataset(str(index), data=values)
    return buffer.getvalue()


def keras_file(h: int) -> bytes:
    """A .keras zip: a Sequential config with one LSTM(h), and its weights."""
    config = {
        "class_name": "Sequential",
        "config": {
            "name": "sequential",
            "layers": [
                {"class_name": "InputLayer", "config": {"batch_shape": [None, 10, h], "name": "input_layer"}},
                {"class_name": "LSTM", "config": {"name": "lstm", "units": h, "use_bias": True}},
            ],
        },
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("metadata.json", json.dumps({"keras_version": "3"}))
        archive.writestr("model.weights.h5", weights_h5_file(h))
    return buffer.getvalue()


def onnx_file(h: int) -> bytes:
    """An ONNX graph with one LSTM node (W [1, 4h, h], R [1, 4h, h], B [1, 8h]) built with onnx.helper."""
    import onnx
    from onnx import helper, numpy_helper

    a = _arrays(h)
    inits = [
        numpy_helper.from_array(np.ascontiguousarray(a["kernel"].T)[None], "W"),
        numpy_helper.from_array(np.ascontiguousarray(a["recurrent_kernel"].T)[None], "R"),
        numpy_helper.from_array(np.concatenate([a["bias"], a["bias"]])[None], "B"),
    ]
    node = helper.make_node("LSTM", ["X", "W", "R", "B"], ["Y"], name="lstm", hidden_size=h)
    x = helper.make_tensor_value_info("X", onnx.TensorProto.FLOAT, [10, 1, h])
    y = helper.make_tensor_value_info("Y", onnx.TensorProto.FLOAT, None)
    graph = helper.make_graph([node], "bench", [x], [y], inits)
    return bytes(helper.make_model(graph).SerializeToString())


BUILDERS: dict[str, tuple[str, Callable[[int], bytes]]] = {
    "safetensors": ("model.safetensors", safetensors_file),
    "keras-weights": ("model.weights.h5", weights_h5_file),
    "keras": ("model.keras", keras_file),
    "onnx": ("model.onnx", onnx_file),
}


def _median_seconds(call: Callable[[], Any], repeats: int) -> float:
    call()  # warm-up: imports, first-touch page faults
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _peak_bytes(call: Callable[[], Any]) -> int:
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    """Measure every format at every size and write the JSON results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    rows = []
    for fmt, (filename, build) in BUILDERS.items():
        for h in SIZES:
            data = build(h)
            buffer = np.frombuffer(data, np.uint8)
            model = read_model(data, filename)
            read_s = _median_seconds(partial(read_model, data, filename), args.repeats)
            copy_s = _median_seconds(buffer.copy, args.repeats)
            peak = _peak_bytes(partial(read_model, data, filename))
            row = {
                "format": fmt,
                "units": h,
                "params": model.total_params,
                "file_bytes": len(data),
                "read_ms": round(read_s * 1e3, 2),
                "read_vs_copy": round(read_s / copy_s, 1),
                "peak_bytes": peak,
                "peak_vs_file": round(peak / len(data), 2),
            }
            rows.append(row)
            print(json.dumps(row), file=sys.stderr)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"repeats": args.repeats, "rows": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
