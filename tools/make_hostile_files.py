"""Write a corpus of hostile model files, one per safety rule of lstmviz.modelfiles.

Usage: python tools/make_hostile_files.py OUT_DIR [--marker PATH]

Every case is (file name, bytes, a fragment of the one-line refusal expected). The tests build the
corpus in a temporary directory through `corpus()`; nothing here is ever loaded by a framework.
The pickles would create MARKER if anything unpickled them: the tests assert it never appears.
"""

from __future__ import annotations

import argparse
import io
import json
import pickle
import struct
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "tests" / "data" / "models"
VALID_KERAS = MODELS / "keras_stacked_bidirectional.keras"
VALID_ONNX = MODELS / "onnx_lstm.onnx"
VALID_SAFETENSORS = ROOT / "lstmviz" / "examples" / "torch_encoder_proj.safetensors"


@dataclass(frozen=True)
class Hostile:
    """One hostile file and the refusal it must get."""

    name: str
    data: bytes
    refusal: str  # a fragment of the expected one-line message (case-insensitive)


# --- zip ------------------------------------------------------------------------------------------


def _keras_members() -> dict[str, bytes]:
    with zipfile.ZipFile(VALID_KERAS) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name), data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def zip_bomb(unpacked: int = 1 << 30) -> bytes:
    """A .keras whose config.json is `unpacked` bytes of spaces deflated to about a thousandth of that.

    The deflate stream is one fully flushed 16 MiB block repeated: a full flush ends on a byte
    boundary and resets the window, so the repeats form a valid stream without compressing 1 GiB.
    """
    chunk = 1 << 24
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(b" " * chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    stream = block * (unpacked // chunk) + compressor.flush()
    crc = 0
    for _ in range(unpacked // chunk):
        crc = zlib.crc32(b" " * chunk, crc)
    return _raw_zip([("config.json", stream, crc, unpacked)] + _stored_members())


def _stored_members() -> list[tuple[str, bytes, int, int]]:
    members = _keras_members()
    return [
        (name, zlib.compress(data, 9)[2:-4], zlib.crc32(data), len(data))
        for name, data in members.items()
        if name != "config.json"
    ]


def _raw_zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip written field by field (deflated members given already compressed)."""
    body, central = io.BytesIO(), io.BytesIO()
    for name, packed, crc, size in members:
        offset = body.tell()
        raw_name = name.encode()
        header = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(packed), size, len(raw_name), 0)
        body.write(header + raw_name + packed)
        central.write(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                8,
                0,
                0,
                crc,
                len(packed),
                size,
                len(raw_name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )  # fmt: skip
            + raw_name
        )
    directory = central.getvalue()
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), body.tell(), 0)
    return body.getvalue() + directory + end


def _ratio_bomb() -> bytes:
    """Under the size cap (8 MiB) but about 1000x its packed size: refused by the ratio check."""
    members = _keras_members()
    members["config.json"] = b" " * (8 << 20)
    return _zip(members)


def zip_traversal() -> bytes:
    """A .keras with a member that would be written outside any extraction directory."""
    members = _keras_members()
    members["../../evil.py"] = b"print('owned')\n"
    return _zip(members)


def zip_unexpected() -> bytes:
    """A .keras with a member Keras never writes."""
    members = _keras_members()
    members["payload.py"] = b"import os\n"
    return _zip(members)


def zip_deep_json() -> bytes:
    """A config.json nested 100,000 deep: json.loads must not crash the reader."""
    members = _keras_members()
    members["config.json"] = b"[" * 100_000 + b"]" * 100_000
    return _zip(members)


def _stored_zip(members: dict[str, bytes]) -> bytes:
    """A zip whose members are stored, not deflated: no compression ratio for the zip-bomb rule to catch."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name), data, zipfile.ZIP_STORED)
    return buffer.getvalue()


def zip_big_json() -> bytes:
    """A 9 MiB config.json of short strings: about 12x its size once parsed (the file cap allows 64 MiB)."""
    members = _keras_members()
    members["config.json"] = b"[" + b'"ab",' * (9 * 1024 * 1024 // 5) + b"1]"
    return _stored_zip(members)


def zip_many_lists() -> bytes:
    """A 3 MB config.json of a million empty lists: 64 MB once parsed, 21x its size."""
    members = _keras_members()
    members["config.json"] = b"[" + b"[]," * 1_000_000 + b"[]]"
    return _stored_zip(members)


def zip_many_members(count: int = 100_000) -> bytes:
    """100,000 empty members (9 MB): zipfile parsed the whole directory first (0.9 s; 300,000 took 25 s)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for index in range(count):
            archive.writestr(zipfile.ZipInfo(str(index)), b"")
    return buffer.getvalue()


# --- HDF5 -----------------------------------------------------------------------------------------


def _weights_h5(edit: Callable[[h5py.File, Path], None]) -> bytes:
    """A real .weights.h5 (from the stacked fixture), edited by `edit`, as bytes."""
    weights = _keras_members()["model.weights.h5"]
    with tempfile.TemporaryDirectory(prefix="lstmviz-hostile-") as tmp:
        path = Path(tmp) / "model.weights.h5"
        path.write_bytes(weights)
        with h5py.File(path, "r+") as file:
            edit(file, Path(tmp))
        return path.read_bytes()


def h5_external_link() -> bytes:
    def edit(file: h5py.File, tmp: Path) -> None:
        del file["layers/lstm/cell/vars/0"]
        file["layers/lstm/cell/vars/0"] = h5py.ExternalLink("/etc/passwd", "/secret")

    return _weights_h5(edit)


def h5_external_storage() -> bytes:
    def edit(file: h5py.File, tmp: Path) -> None:
        del file["layers/lstm/cell/vars/0"]
        file["layers/lstm/cell/vars"].create_dataset("0", shape=(3, 24), dtype="<f4", external=[("/etc/hosts", 0, 288)])

    return _weights_h5(edit)


def h5_virtual() -> bytes:
    def edit(file: h5py.File, tmp: Path) -> None:
        del file["layers/lstm/cell/vars/0"]
        layout = h5py.VirtualLayout(shape=(3, 24), dtype="<f4")
        layout[:] = h5py.VirtualSource("/etc/other.h5", "data", shape=(3, 24))
        file["layers/lstm/cell/vars"].create_virtual_dataset("0", layout)

    return _weights_h5(edit)


def h5_soft_link() -> bytes:
    def edit(file: h5py.File, tmp: Path) -> None:
        del file["layers/lstm/cell/vars/0"]
        file["layers/lstm/cell/vars/0"] = h5py.SoftLink("/../../outside")

    return _weights_h5(edit)


def h5_shape_bomb() -> bytes:
    """A dataset declaring 64 MiB (under the parameter cap) while storing nothing: chunked, never written."""

    def edit(file: h5py.File, tmp: Path) -> None:
        del file["layers/dense/vars/0"]
        file["layers/dense/vars"].create_dataset(
            "0", shape=(4096, 4096), dtype="<f4", chunks=(256, 256), compression="gzip"
        )

    return _weights_h5(edit)


def h5_huge_declared() -> bytes:
    """A dataset declaring 2**40 floats: refused by the parameter cap before anything is read."""

    def edit(file: h5py.File, tmp: Path) -> None:
        file["layers/dense/vars"].create_dataset("9", shape=(1 << 20, 1 << 20), dtype="<f4", chunks=(64, 64))

    return _weights_h5(edit)


def h5_cycle() -> bytes:
    """A group hard-linked into itself: a walk that follows it would never end."""

    def edit(file: h5py.File, tmp: Path) -> None:
        file["layers/lstm/loop"] = file["layers/lstm"]

    return _weights_h5(edit)


def h5_tiny_chunks() -> bytes:
    """An LSTM whose two 1000 x 4000 float64 kernels come in 1x1 chunks, one row stored: 4 million chunks
    each, passing the shape-bomb ratio at exactly 1000x; reading them took minutes from a 0.5 MB file."""

    def edit(file: h5py.File, tmp: Path) -> None:
        variables = file["layers/lstm/cell/vars"]
        for key in ("0", "1", "2"):
            del variables[key]
        for key in ("0", "1"):
            kernel = variables.create_dataset(key, shape=(1000, 4000), dtype="<f8", chunks=(1, 1))
            kernel[0, :] = 1.0
        variables.create_dataset("2", data=np.zeros(4000))

    return _weights_h5(edit)


def h5_dataset_twice() -> bytes:
    """One dataset hard-linked under a second name: counted twice, and a million names would be walked."""

    def edit(file: h5py.File, tmp: Path) -> None:
        file["layers/dense/vars/again"] = file["layers/dense/vars/0"]

    return _weights_h5(edit)


def h5_many_names() -> bytes:
    """A legacy .h5 whose layer_names attribute lists 5 million one-byte names (dense attribute storage)."""
    buffer = io.BytesIO()
    with h5py.File(buffer, "w", libver="latest") as file:
        file.create_group("model_weights").attrs.create("layer_names", np.full(5_000_000, b"a", dtype="S1"))
    return buffer.getvalue()


def h5_strings() -> bytes:
    def edit(file: h5py.File, tmp: Path) -> None:
        file["layers/dense/vars"].create_dataset(
            "7", data=np.array([b"not", b"numbers"], dtype=object), dtype=h5py.string_dtype()
        )

    return _weights_h5(edit)


# --- safetensors ----------------------------------------------------------------------------------


def safetensors_absurd_header() -> bytes:
    """A header length of 2**62 bytes in a file of a few kB."""
    return (1 << 62).to_bytes(8, "little") + b'{"a":' + b" " * 64


def safetensors_past_eof() -> bytes:
    """A real state dict whose last tensor's offsets point a megabyte past the end of the file."""
    data = VALID_SAFETENSORS.read_bytes()
    length = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + length])
    key = max((k for k in header if k != "__metadata__"), key=lambda k: header[k]["data_offsets"][1])
    start, stop = header[key]["data_offsets"]
    header[key]["data_offsets"] = [start + (1 << 20), stop + (1 << 20)]
    raw = json.dumps(header).encode()
    return len(raw).to_bytes(8, "little") + raw + data[8 + length :]


# --- ONNX -----------------------------------------------------------------------------------------


def onnx_many_nodes(count: int = 3_000_000) -> bytes:
    """A valid model plus a graph of 3 million empty nodes (6 MB): onnx's parser took 0.9 GB and 4 s."""
    import onnx

    def varint(value: int) -> bytes:
        out = b""
        while value >= 0x80:
            out += bytes([value & 0x7F | 0x80])
            value >>= 7
        return out + bytes([value])

    head: bytes = onnx.helper.make_model(onnx.helper.make_graph([], "g", [], [])).SerializeToString()
    nodes = b"\x0a\x00" * count  # GraphProto field 1 (node), length 0
    return head + b"\x3a" + varint(len(nodes)) + nodes  # ModelProto field 7 (graph), merged into the first


def onnx_external_data() -> bytes:
    """A real exported LSTM whose W says its bytes live in /etc/passwd (ONNX external data)."""
    import onnx

    model = onnx.load(str(VALID_ONNX))
    node = next(n for n in model.graph.node if n.op_type == "LSTM")
    weight = next(t for t in model.graph.initializer if t.name == node.input[1])
    weight.ClearField("raw_data")
    weight.data_location = onnx.TensorProto.EXTERNAL
    for key, value in (("location", "/etc/passwd"), ("offset", "0"), ("length", "384")):
        entry = weight.external_data.add()
        entry.key, entry.value = key, value
    return bytes(model.SerializeToString())


# --- pickles --------------------------------------------------------------------------------------


class _CreatesFile:
    """Pickles to a call of open(marker, "w"): unpickling it would create the marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


def pickle_payload(marker: Path) -> bytes:
    """pickle.dumps only records the call; nothing runs until something unpickles it."""
    return pickle.dumps({"state_dict": _CreatesFile(marker)}, protocol=4)


def torch_zip_pickle(marker: Path) -> bytes:
    """torch.save's zip layout (archive/data.pkl), named like a model file."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("archive/data.pkl", pickle_payload(marker))
        archive.writestr("archive/version", "3\n")
    return buffer.getvalue()


# --- torch.save zips whose data.pkl is written opcode by opcode (lstmviz's pickle interpreter) ---------


def _op_global(module: str, name: str) -> bytes:
    return b"c" + f"{module}\n{name}\n".encode()


def _op_str(text: str) -> bytes:
    raw = text.encode()
    return b"X" + struct.pack("<I", len(raw)) + raw


def _op_int(value: int) -> bytes:
    return b"J" + struct.pack("<i", value)


def _op_tuple(values: tuple[int, ...]) -> bytes:
    return b"(" + b"".join(_op_int(v) for v in values) + b"t"


def _op_tensor(
    key: str, numel: int, offset: int, size: tuple[int, ...], stride: tuple[int, ...], storage: str = "FloatStorage"
) -> bytes:
    """torch._utils._rebuild_tensor_v2(persistent storage, offset, size, stride, False, OrderedDict())."""
    pid = b"(" + _op_str("storage") + _op_global("torch", storage) + _op_str(key) + _op_str("cpu")
    pid += _op_int(numel) + b"tQ"
    args = pid + _op_int(offset) + _op_tuple(size) + _op_tuple(stride) + b"\x89"
    args += _op_global("collections", "OrderedDict") + b")R"
    return _op_global("torch._utils", "_rebuild_tensor_v2") + b"(" + args + b"tR"


def op_state_dict(tensors: dict[str, bytes]) -> bytes:
    """A protocol-2 pickle of {key: tensor} as torch.save writes a state dict."""
    body = b"".join(_op_str(k) + v + b"s" for k, v in tensors.items())
    return b"\x80\x02}" + body + b"."


def torch_zip(pkl: bytes, storages: dict[str, bytes], extra: dict[str, bytes] | None = None,
              compress: bool = False) -> bytes:  # fmt: skip
    """torch.save's zip layout: archive/data.pkl, archive/data/<key>, version and byteorder."""
    buffer = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        archive.writestr("archive/data.pkl", pkl)
        archive.writestr("archive/byteorder", "little")
        for key, raw in storages.items():
            archive.writestr(f"archive/data/{key}", raw)
        archive.writestr("archive/version", "3\n")
        for name, raw in (extra or {}).items():
            archive.writestr(name, raw)
    return buffer.getvalue()


def valid_op_state_dict() -> bytes:
    """A small LSTM state dict written opcode by opcode: the hostile cases below each break one rule of it."""
    h, x = 2, 3
    shapes = {"weight_ih_l0": (4 * h, x), "weight_hh_l0": (4 * h, h), "bias_ih_l0": (4 * h,), "bias_hh_l0": (4 * h,)}
    tensors, storages = {}, {}
    for i, (key, shape) in enumerate(shapes.items()):
        numel = int(np.prod(shape))
        stride = (shape[1], 1) if len(shape) == 2 else (1,)
        tensors[f"rnn.{key}"] = _op_tensor(str(i), numel, 0, shape, stride)
        storages[str(i)] = np.arange(numel, dtype="<f4").tobytes()
    return torch_zip(op_state_dict(tensors), storages)


def _one_tensor(numel: int, offset: int, size: tuple[int, ...], stride: tuple[int, ...], member: int) -> bytes:
    pkl = op_state_dict({"w": _op_tensor("0", numel, offset, size, stride)})
    return torch_zip(pkl, {"0": b"\0" * member})


def torch_pickle_cases(marker: Path) -> list[Hostile]:
    """One torch.save file per cap and rule of the pickle interpreter; none may run or import anything."""
    proto = b"\x80\x02"
    legacy = pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2) + pickle.dumps(1001, protocol=2)
    legacy += pickle.dumps({"protocol_version": 1001, "little_endian": True}, protocol=2)
    legacy += op_state_dict({"w": _op_tensor("0", 1000, 0, (1000,), (1,))}) + pickle.dumps(["0"], protocol=2)
    legacy += (1000).to_bytes(8, "little") + b"\0" * 64  # claims 4,000 bytes, holds 64
    creates_file = proto + _op_global("builtins", "open") + b"(" + _op_str(str(marker)) + _op_str("w") + b"tR."
    system_beside = proto + b"}" + _op_str("w") + _op_tensor("0", 4, 0, (4,), (1,)) + b"s" + _op_str("cfg")
    system_beside += _op_global("os", "system") + b"(" + _op_str(f"touch {marker}") + b"tRs."
    module = proto + _op_global("__main__", "Net") + b")\x81}" + _op_str("_parameters") + b"}"
    module += _op_str("weight") + _op_tensor("0", 4, 0, (4,), (1,)) + b"ssb."
    return [
        Hostile("opcodes.pt", torch_zip(proto + b"N0" * 1_000_001 + b"N.", {}), "pickle opcodes, the cap"),
        Hostile("memo.pt", torch_zip(proto + b"N\x940" * 500_001 + b"N.", {}), "memoizes more than"),
        Hostile("marks.pt", torch_zip(proto + b"(" * 100 + b"N.", {}), "marks at once"),
        Hostile("nesting.pt", torch_zip(proto + b"]" * 100 + b"a" * 99 + b".", {}), "nests containers more"),
        Hostile(
            "big_int.pt",
            torch_zip(proto + b"\x8b" + struct.pack("<i", 4096) + b"\x01" * 4096 + b".", {}),
            "integer of more than",
        ),  # fmt: skip
        Hostile("storage_short.pt", _one_tensor(1000, 0, (1000,), (1,), 16), "claims 4,000 bytes"),
        Hostile("extent.pt", _one_tensor(4, 0, (10,), (1,), 16), "reaches element 9"),
        Hostile("offset_past.pt", _one_tensor(4, 7, (1,), (1,), 16), "reaches element 7"),
        Hostile("negative_stride.pt", _one_tensor(4, 0, (4,), (-1,), 16), "negative or absurd"),
        Hostile(
            "missing_storage.pt",
            torch_zip(op_state_dict({"w": _op_tensor("9", 4, 0, (4,), (1,))}), {}),
            "does not hold",
        ),  # fmt: skip
        Hostile("creates_file.pth", torch_zip(creates_file, {}), "names `builtins.open`"),
        Hostile("system_beside_weights.pt", torch_zip(system_beside, {"0": b"\0" * 16}), "names `os.system`"),
        Hostile("creates_file_bare.pt", creates_file, "bare python pickle"),
        Hostile("pickled_module.pth", torch_zip(module, {"0": b"\0" * 16}), "pickled object of class `__main__.Net`"),
        Hostile(
            "torchscript.pt",
            torch_zip(module, {"0": b"\0" * 16}, {"archive/constants.pkl": proto + b"N."}),
            "torchscript",
        ),  # fmt: skip
        Hostile("legacy_short.pt", legacy, "past the file's end"),
        Hostile("ext_opcode.pt", torch_zip(proto + b"\x82\x01.", {}), "opcode EXT1"),
        Hostile("compressed.pt", torch_zip(op_state_dict({}), {}, compress=True), "compressed"),
        Hostile(
            "odd_storage.pt",
            torch_zip(op_state_dict({"w": _op_tensor("0", 4, 0, (4,), (1,), "QInt8Storage")}), {"0": b"\0" * 16}),
            "does not read",
        ),  # fmt: skip
        Hostile("no_stop.pt", torch_zip(proto + b"N", {}), "pickle"),
    ]


def corpus(marker: Path, big: bool = True) -> list[Hostile]:
    """Every hostile case; `big=False` leaves out the 1 GiB zip bomb (about a second to build)."""
    cases = [
        Hostile("ratio_bomb.keras", _ratio_bomb(), "zip bomb"),
        Hostile("traversal.keras", zip_traversal(), "unsafe path"),
        Hostile("unexpected_member.keras", zip_unexpected(), "unexpected member"),
        Hostile("deep_config.keras", zip_deep_json(), "json"),
        Hostile("big_config.keras", zip_big_json(), "bytes of json"),
        Hostile("many_lists.keras", zip_many_lists(), "arrays and objects"),
        Hostile("many_members.keras", zip_many_members(), "members, the cap"),
        Hostile("external_link.weights.h5", h5_external_link(), "link to another file"),
        Hostile("external_storage.weights.h5", h5_external_storage(), "another file"),
        Hostile("virtual.weights.h5", h5_virtual(), "virtual"),
        Hostile("soft_link.weights.h5", h5_soft_link(), "soft link"),
        Hostile("shape_bomb.weights.h5", h5_shape_bomb(), "shape bomb"),
        Hostile("huge_declared.weights.h5", h5_huge_declared(), "cap"),
        Hostile("cycle.weights.h5", h5_cycle(), "cycle"),
        Hostile("strings.weights.h5", h5_strings(), "plain numbers"),
        Hostile("tiny_chunks.weights.h5", h5_tiny_chunks(), "chunks"),
        Hostile("dataset_twice.weights.h5", h5_dataset_twice(), "linked twice"),
        Hostile("many_names.h5", h5_many_names(), "names, over the"),
        Hostile("absurd_header.safetensors", safetensors_absurd_header(), "absurd header length"),
        Hostile("past_eof.safetensors", safetensors_past_eof(), "past the end"),
        Hostile("external_data.onnx", onnx_external_data(), "external data"),
        Hostile("not_protobuf.onnx", b"\xff" * 64, "not a readable onnx"),
        Hostile("many_nodes.onnx", onnx_many_nodes(), "protobuf fields"),
        Hostile("model.pt", pickle_payload(marker), "pickle"),
        Hostile("model.bin", pickle_payload(marker), "pickle"),
        Hostile("pickle_named.safetensors", pickle_payload(marker), "pickle"),
        Hostile("torch_save.keras", torch_zip_pickle(marker), "pickle"),
        *torch_pickle_cases(marker),
    ]
    if big:
        cases.insert(0, Hostile("zip_bomb.keras", zip_bomb(), "cap"))
    return cases


def main() -> None:
    """Write the corpus to OUT_DIR."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--marker", type=Path, default=Path(tempfile.gettempdir()) / "lstmviz-pickle-ran")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for case in corpus(args.marker):
        (args.out / case.name).write_bytes(case.data)
        print(f"{case.name}: {len(case.data):,} bytes (expect: {case.refusal})", file=sys.stderr)


if __name__ == "__main__":
    main()
