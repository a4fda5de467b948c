"""Write issue 20's hostile corpus: one generated file per finding, each with its expected one-line outcome.

Usage: python tools/make_bounded_files.py OUT_DIR [--worst]

Each case names its finding (the row of issue 20's table), the file, and what `lstmviz inspect` must
say: a fragment of the one-line refusal, or "read" with the parameter count a read must report.
Convert outcomes are in `convert_expected`. `--worst` also writes the full-size files of the audit
(63.8 MB of ONNX dims, 64 MB of zip extras), which the browser concurrency test and bench/ upload;
the tests use smaller files that cross the same caps. Nothing here is loaded by a framework.
"""

from __future__ import annotations

import argparse
import io
import json
import struct
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from lstmviz.modelfiles.keras_writer import keras_file  # noqa: E402 - after the path fix for direct runs
from lstmviz.spec import RecurrentSpec  # noqa: E402
from lstmviz.weights import init_weights  # noqa: E402

MODELS = ROOT / "tests" / "data" / "models"
VALID_KERAS = MODELS / "keras_stacked_bidirectional.keras"
VALID_ONNX = MODELS / "onnx_lstm.onnx"
READ = "read"  # the expected outcome of a file lstmviz must read (within every cap)
MARKDOWN_NAMES = (
    "![px](http://127.0.0.1:9/pixel.png)",
    "[click me](http://127.0.0.1:9/phish)",
    ":red[alarm] **bold** <b>html</b>",
    "$\\frac{1}{2}$ # not a heading",
)


@dataclass(frozen=True)
class Case:
    """One finding's file and the outcome `inspect` must give (a refusal fragment, or READ)."""

    finding: int
    name: str
    data: bytes
    outcome: str  # a fragment of the one-line refusal (case-insensitive), or READ
    params: int | None = None  # for READ: the total the read must report
    convert_expected: str | None = None  # a fragment of what `convert` must say (refusal or proof)
    notes: tuple[str, ...] = field(default=())


def _varint(value: int) -> bytes:
    out = b""
    while value >= 0x80:
        out += bytes([value & 0x7F | 0x80])
        value >>= 7
    return out + bytes([value])


def _field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


# --- 1: ONNX, empty shape dims / string_data inside a value info and a tensor -------------------


def onnx_empty_dims(count: int = 300_000) -> bytes:
    """A real LSTM model plus one graph input whose shape has `count` empty dims (2 bytes each)."""
    shape = b"\x0a\x00" * count  # TensorShapeProto.dim, empty
    tensor_type = b"\x08\x01" + _field(2, shape)  # elem_type FLOAT, shape
    value_info = _field(1, b"x_bomb") + _field(2, _field(1, tensor_type))  # name, type.tensor_type
    graph = _field(11, value_info)  # GraphProto.input
    return VALID_ONNX.read_bytes() + _field(7, graph)  # ModelProto.graph, merged into the first


def onnx_string_data(count: int = 300_000) -> bytes:
    """A real LSTM model plus one initializer of `count` empty string_data entries."""
    tensor = b"\x10\x08" + _field(8, b"s_bomb") + b"\x32\x00" * count  # data_type STRING, name, string_data
    return VALID_ONNX.read_bytes() + _field(7, _field(5, tensor))  # GraphProto.initializer


def onnx_sideways() -> bytes:
    """The real LSTM model with its direction attribute set to 'sideways'."""
    import onnx

    model = onnx.load_model_from_string(VALID_ONNX.read_bytes())
    node = next(n for n in model.graph.node if n.op_type == "LSTM")
    for attribute in list(node.attribute):
        if attribute.name == "direction":
            node.attribute.remove(attribute)
    node.attribute.append(onnx.helper.make_attribute("direction", "sideways"))
    return bytes(model.SerializeToString())


# --- 2, 3: zip central directories that zipfile walks slowly -----------------------------------


def _keras_members() -> dict[str, bytes]:
    with zipfile.ZipFile(VALID_KERAS) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _stored_zip(
    members: list[tuple[str, bytes]], *, extra: int = 0, directory_copies: int = 1, declared: int = 0
) -> bytes:
    """A stored zip written field by field: each directory entry with `extra` bytes of empty extra
    records, the directory's entries repeated `directory_copies` times, and the end record saying
    `declared` members (0: the true count)."""
    body, central = io.BytesIO(), io.BytesIO()
    entries = []
    for name, data in members:
        raw = name.encode()
        offset = body.tell()
        crc = zlib.crc32(data)
        body.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0, crc, len(data), len(data), len(raw), 0))
        body.write(raw + data)
        padding = b"\xff\xff\x00\x00" * (extra // 4)  # empty extra records of an unused header id
        entries.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 0, 0, 0, crc, len(data), len(data), len(raw),
                len(padding), 0, 0, 0, 0, offset,
            )  # fmt: skip
            + raw
            + padding
        )
    for _ in range(directory_copies):
        for entry in entries:
            central.write(entry)
    directory = central.getvalue()
    count = declared or len(entries) * directory_copies
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count & 0xFFFF, count & 0xFFFF, len(directory), body.tell(), 0)
    return body.getvalue() + directory + end


def zip_big_extras(copies: int = 1) -> bytes:
    """A .keras whose directory entries each carry a 65,532-byte extra field of empty records."""
    return _stored_zip(list(_keras_members().items()), extra=65_532, directory_copies=copies)


def zip_lying_count(copies: int = 10_000) -> bytes:
    """A .keras whose end record says 3 members while its directory repeats them `copies` times."""
    return _stored_zip(list(_keras_members().items()), directory_copies=copies, declared=3)


# --- 4, 11, 13: HDF5 within every per-rule cap, expensive together ------------------------------


def _h5(build: Callable[[h5py.File], None]) -> bytes:
    with tempfile.TemporaryDirectory(prefix="lstmviz-bounded-") as tmp:
        path = Path(tmp) / "model.weights.h5"
        with h5py.File(path, "w") as file:
            build(file)
        return path.read_bytes()


def h5_chunks_per_file(datasets: int = 6, chunks: int = 19_000) -> bytes:
    """Datasets each just under the per-dataset chunk cap (1x1 chunks, never written): many together."""

    def build(file: h5py.File) -> None:
        for k in range(datasets):
            file.create_dataset(f"layers/dense_{k}/vars/0", shape=(chunks, 1), dtype="<f4", chunks=(1, 1))

    return _h5(build)


def h5_gzip_float64(features: int = 3849, units: int = 1000) -> bytes:
    """One LSTM of 19.4 million float64 parameters, gzip-compressed to a few hundred kB."""
    rng = np.random.default_rng(0)

    def sparse(shape: tuple[int, ...]) -> np.ndarray:
        values = np.zeros(shape, np.float64)
        flat = values.reshape(-1)
        flat[rng.integers(0, flat.size, flat.size // 400)] = 0.5
        return values

    def build(file: h5py.File) -> None:
        group = "layers/lstm/cell/vars"
        for k, shape in enumerate(((features, 4 * units), (units, 4 * units), (4 * units,))):
            file.create_dataset(f"{group}/{k}", data=sparse(shape), compression="gzip", compression_opts=9)

    return _h5(build)


def h5_many_lstms(count: int = 500) -> bytes:
    """`count` tiny LSTMs (x = 3, h = 2) in one .weights.h5, inside the object cap."""
    spec = RecurrentSpec(framework="keras", cell="lstm", features=3, units=2)
    values = init_weights(spec, seed=0)
    shapes = list(values.values())  # kernel, recurrent_kernel, bias: the order Keras stores them in

    def build(file: h5py.File) -> None:
        for k in range(count):
            for j, array in enumerate(shapes):
                file.create_dataset(f"layers/lstm_{k:04d}/cell/vars/{j}", data=array)

    return _h5(build)


# --- 5, 8: names from the config -----------------------------------------------------------------


def _keras_with_names(names: tuple[str, ...]) -> bytes:
    """The valid stacked .keras with its layers renamed in config.json (weights untouched)."""
    members = _keras_members()
    config = json.loads(members["config.json"])
    layers = [layer for layer in config["config"]["layers"] if layer["class_name"] != "InputLayer"]
    for layer, name in zip(layers, names, strict=False):
        layer["config"]["name"] = name
    members["config.json"] = json.dumps(config).encode()
    return _stored_zip(list(members.items()))


def keras_long_name(chars: int = 100_000) -> bytes:
    """A layer name of `chars` characters (the audit's 40 MB name broke the safetensors writer)."""
    return _keras_with_names(("n" * chars,))


def keras_markdown_names() -> bytes:
    """Layer names that are Markdown: a tracking image, a link, a colour directive, LaTeX."""
    return _keras_with_names(MARKDOWN_NAMES)


# --- 6: Bidirectional halves that differ from the default ------------------------------------------


def keras_bidirectional(edit: Callable[[dict[str, object], dict[str, object]], None]) -> bytes:
    """A Keras Bidirectional LSTM file (lstmviz's writer) with its forward/backward layer configs edited."""
    spec = RecurrentSpec(framework="keras", cell="lstm", features=3, units=4, bidirectional=True, return_sequences=True)
    data = keras_file(spec, init_weights(spec, seed=1))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(members["config.json"])
    wrapper = next(layer for layer in config["config"]["layers"] if layer["class_name"] == "Bidirectional")
    edit(wrapper["config"]["layer"]["config"], wrapper["config"]["backward_layer"]["config"])
    members["config.json"] = json.dumps(config).encode()
    return _stored_zip(list(members.items()))


def _forward_go_backwards(forward: dict[str, object], backward: dict[str, object]) -> None:
    forward["go_backwards"], backward["go_backwards"] = True, False


def _backward_relu(forward: dict[str, object], backward: dict[str, object]) -> None:
    backward["activation"] = "relu"


def _backward_hard_sigmoid(forward: dict[str, object], backward: dict[str, object]) -> None:
    backward["recurrent_activation"] = "hard_sigmoid"


# --- 12: safetensors ------------------------------------------------------------------------------


def safetensors_overlap(tensors: int = 19, size: int = 1_000_000) -> bytes:
    """`tensors` F32 tensors of `size` values, every one over the same 4 MB of the body."""
    header = {f"t{k}": {"dtype": "F32", "shape": [size], "data_offsets": [0, 4 * size]} for k in range(tensors)}
    raw = json.dumps(header).encode()
    return len(raw).to_bytes(8, "little") + raw + bytes(4 * size)


def cases(worst: bool = False) -> list[Case]:
    """Every finding's file and expected outcome; `worst` uses the audit's full sizes where they differ."""
    x, h = 3849, 1000
    gzip_params = 4 * h * (x + h + 1)
    return [
        Case(1, "empty_dims.onnx", onnx_empty_dims(31_900_000 if worst else 300_000), "protobuf fields"),
        Case(1, "string_data.onnx", onnx_string_data(), "protobuf fields"),
        Case(2, "big_extras.keras", zip_big_extras(325 if worst else 1), "extra field"),
        Case(3, "lying_count.keras", zip_lying_count(), "over 20,000 members"),
        Case(3, "lying_count_small.keras", zip_lying_count(2), "end record says 3 members but its directory holds 6"),
        Case(4, "chunks_per_file.weights.h5", h5_chunks_per_file(), "chunks (slow to read)"),
        Case(5, "long_name.keras", keras_long_name(), "a layer name has 100,000 characters"),
        Case(6, "bidi_forward_go_backwards.keras", keras_bidirectional(_forward_go_backwards), READ, 256,
             "forward layer go_backwards=True"),
        Case(6, "bidi_backward_relu.keras", keras_bidirectional(_backward_relu), READ, 256,
             "backward_layer activation=relu"),
        Case(6, "bidi_backward_hard_sigmoid.keras", keras_bidirectional(_backward_hard_sigmoid), READ, 256,
             "backward_layer recurrent_activation=hard_sigmoid"),
        Case(8, "markdown_names.keras", keras_markdown_names(), READ, 610),
        Case(11, "gzip_float64.weights.h5", h5_gzip_float64(x, h), READ, gzip_params, "over the 64,000,000-byte cap"),
        Case(12, "overlap.safetensors", safetensors_overlap(), "overlap the tensor before it"),
        Case(13, "many_lstms.weights.h5", h5_many_lstms(), READ, 500 * 48),
        Case(16, "sideways.onnx", onnx_sideways(), "direction 'sideways' is not one of"),
    ]  # fmt: skip


def main() -> None:
    """Write the corpus to OUT_DIR, with a line per file naming its finding and expected outcome."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--worst", action="store_true", help="the audit's full-size files (about 130 MB in all)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for case in cases(args.worst):
        (args.out / case.name).write_bytes(case.data)
        expect = f"read, {case.params:,} parameters" if case.outcome == READ else case.outcome
        print(f"#{case.finding} {case.name}: {len(case.data):,} bytes (expect: {expect})", file=sys.stderr)


if __name__ == "__main__":
    main()
