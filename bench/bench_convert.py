"""Benchmark `lstmviz convert`: converting and proving a layer, against reading its file, in one process.

Usage: python bench/bench_convert.py [--repeats 5] [--out PATH]

For a bidirectional LSTM with x = h = H (H = 64 ... 1000), written as a Keras 3 .keras file by
lstmviz.modelfiles.keras_writer and as a PyTorch state dict, the median time of convert_model (mapping, the
forward-pass proof on 2 × 40 inputs and writing the output file) is reported as a ratio to the
median time of read_model on the same file (the work the user already waits for when
inspecting) and to one lstmviz.forward pass of the layer on the proof's inputs (the proof runs two,
so about 2 means mapping and writing cost little beside it). The peak Python/NumPy allocation
(tracemalloc) of the conversion is reported as a ratio to the input file size. Results go to
bench/results/bench_convert.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from lstmviz.forward import forward  # noqa: E402
from lstmviz.inputs import random_inputs  # noqa: E402
from lstmviz.modelfiles import read_model  # noqa: E402
from lstmviz.modelfiles.convert import PROOF_BATCH, PROOF_TIMESTEPS, convert_weights  # noqa: E402
from lstmviz.modelfiles.convert_file import convert_model  # noqa: E402
from lstmviz.modelfiles.keras_writer import keras_file  # noqa: E402
from lstmviz.modelfiles.pytorch_writer import state_dict_bytes  # noqa: E402
from lstmviz.spec import RecurrentSpec  # noqa: E402
from lstmviz.weights import init_weights  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "bench_convert.json"
SIZES = (64, 128, 256, 512, 1000)  # 1000: the largest bidirectional LSTM under the 64 MiB file cap


def _median(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _peak(fn: Callable[[], object]) -> int:
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def files(h: int) -> dict[str, tuple[bytes, str, str]]:
    """The .keras and .safetensors files of one bidirectional LSTM, and where each converts to."""
    spec = RecurrentSpec(framework="keras", cell="lstm", features=h, units=h, bidirectional=True, return_sequences=True)
    weights = init_weights(spec, seed=h)
    torch_spec, torch_weights = convert_weights(spec, weights, "pytorch")
    return {
        "keras": (keras_file(spec, weights), "model.keras", "pytorch"),
        "safetensors": (state_dict_bytes([("rnn", torch_spec, torch_weights)]), "model.safetensors", "keras"),
    }


def measure(repeats: int) -> list[dict[str, Any]]:
    """One row per size and input format."""
    rows = []
    for h in SIZES:
        for fmt, (data, name, to) in files(h).items():
            model = read_model(data, name)
            read_s = _median(partial(read_model, data, name), repeats)
            convert_s = _median(partial(convert_model, model, to), repeats)
            layer = model.layers[0]
            inputs = random_inputs(PROOF_BATCH, PROOF_TIMESTEPS, layer.spec.features)
            forward_s = _median(partial(forward, layer.spec, layer.weights, inputs), repeats)
            rows.append(
                {
                    "units": h,
                    "input": fmt,
                    "to": to,
                    "file_bytes": len(data),
                    "read_s": round(read_s, 5),
                    "convert_s": round(convert_s, 5),
                    "forward_s": round(forward_s, 5),
                    "convert_over_read": round(convert_s / read_s, 2),
                    "convert_over_forward": round(convert_s / forward_s, 2),
                    "peak_over_file": round(_peak(partial(convert_model, model, to)) / len(data), 2),
                }
            )
            print(json.dumps(rows[-1]))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    rows = measure(args.repeats)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"benchmark": "bench/bench_convert.py", "rows": rows}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
