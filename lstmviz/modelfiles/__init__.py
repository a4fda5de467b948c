"""Read recurrent layers and their real weights from model files, safely: data only, never code.

`read_model(data, filename)` returns a ModelFile or raises RefusedFile with one user-facing line.
Formats: Keras 3 `.keras`, legacy Keras `.h5`, Keras `.weights.h5`, PyTorch state dicts in
`.safetensors`, ONNX, and torch.save zips (`.pt`, `.pth`, `.bin`, `.ckpt`) read as data by lstmviz's own
pickle interpreter, which imports and calls nothing. Bare pickles and TorchScript archives are refused.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from lstmviz.modelfiles.contents import (
    MAX_FILE_BYTES,
    MAX_OBJECTS,
    MAX_PARAMS,
    ModelFile,
    RecurrentLayer,
    RefusedFile,
)

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_OBJECTS",
    "MAX_PARAMS",
    "ModelFile",
    "RecurrentLayer",
    "RefusedFile",
    "read_model",
    "read_path",
]

MAX_NAME_CHARS = 1_000
PICKLE_SUFFIXES = (".pt", ".pth", ".bin", ".pkl", ".pickle", ".ckpt", ".tar")
HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
ZIP_MAGIC = b"PK\x03\x04"
TFLITE_MAGIC = b"TFL3"
PICKLE_ADVICE = (
    "can run code when loaded, so lstmviz never opens it; save the weights as safetensors instead: "
    "from safetensors.torch import save_file; save_file(model.state_dict(), 'model.safetensors')"
)


def read_model(data: bytes, filename: str, *, max_params: int = MAX_PARAMS) -> ModelFile:
    """Every recurrent layer of a model file, with real weights; RefusedFile (one line) for anything else."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise RefusedFile("expected the file's bytes")
    data = bytes(data)
    if len(data) > MAX_FILE_BYTES:
        raise RefusedFile(f"this file has {len(data):,} bytes, over the {MAX_FILE_BYTES:,}-byte cap")
    if not data:
        raise RefusedFile("this file is empty")
    name = PurePath(str(filename)).name.lower()
    try:
        return _check_names(_dispatch(data, name, max_params))
    except RefusedFile:
        raise
    except RecursionError:
        raise RefusedFile("this file nests too deeply to read; refused") from None
    except MemoryError:
        raise RefusedFile("this file needs more memory than lstmviz allows; refused") from None
    except Exception as error:  # noqa: BLE001 - a damaged file of a known format: one line, no traceback
        reason = str(error).splitlines()[0][:100] if str(error) else type(error).__name__
        raise RefusedFile(f"this file looks damaged and cannot be read ({reason})") from None


def read_path(path: str | os.PathLike[str]) -> bytes:
    """A local model file's bytes, at most MAX_FILE_BYTES; RefusedFile for anything but a regular file."""
    # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever. Only a
    # regular file is read, and never past the cap, so /dev/zero or a growing file cannot fill memory.
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise RefusedFile(error.strerror or str(error)) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise RefusedFile("not a regular file (a directory, device, pipe or socket); refused")
        chunks: list[bytes] = []
        left = MAX_FILE_BYTES + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as error:
        raise RefusedFile(error.strerror or str(error)) from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > MAX_FILE_BYTES:
        raise RefusedFile(f"this file has more than {MAX_FILE_BYTES:,} bytes, the cap")
    return data


@dataclass(frozen=True)
class Format:
    """One kind of file the dispatcher knows: how its bytes are recognised, and what reads (or refuses) it."""

    name: str
    matches: Callable[[bytes, str], bool]  # (the file's bytes, its lower-case name)
    read: Callable[[bytes, str, int], ModelFile]  # (bytes, name, max_params); raises RefusedFile


def _refuse_tflite(data: bytes, name: str, max_params: int) -> ModelFile:
    raise RefusedFile(
        "this is a TensorFlow Lite flatbuffer (.tflite), which lstmviz does not read yet; "
        "inspect the Keras model it was converted from (.keras or .h5)"
    )


def _read_torch(data: bytes, name: str, max_params: int) -> ModelFile:
    from lstmviz.modelfiles.pytorch import read_torch_save

    return read_torch_save(data, max_params)


def _refuse_pickle(data: bytes, name: str, max_params: int) -> ModelFile:
    raise RefusedFile(_plain_pickle(data))


def _read_zip(data: bytes, name: str, max_params: int) -> ModelFile:
    """A torch.save zip (it holds a pickle, read as data) or a Keras 3 .keras zip, after the member cap."""
    from lstmviz.modelfiles.guards import zip_member_count

    members = zip_member_count(data)
    if members is not None and members > MAX_OBJECTS:
        raise RefusedFile(f"this zip archive has over {MAX_OBJECTS:,} members, the cap; refused")
    if _zip_holds_pickle(data):
        from lstmviz.modelfiles.torch_pickle import SAVE_ADVICE, torchscript_class

        script = torchscript_class(data)
        if script is not None:
            raise RefusedFile(
                f"this is a TorchScript archive (torch.jit.save) of `{script}`, which holds code; {SAVE_ADVICE}"
            )
        return _read_torch(data, name, max_params)
    from lstmviz.modelfiles.keras import read_keras_zip

    return read_keras_zip(data, max_params)


def _read_h5(data: bytes, name: str, max_params: int) -> ModelFile:
    from lstmviz.modelfiles.keras import read_keras_h5

    return read_keras_h5(data, max_params)


def _read_onnx(data: bytes, name: str, max_params: int) -> ModelFile:
    from lstmviz.modelfiles.onnx_file import read_onnx

    return read_onnx(data, max_params)


def _read_safetensors(data: bytes, name: str, max_params: int) -> ModelFile:
    from lstmviz.modelfiles.pytorch import read_safetensors

    return read_safetensors(data, max_params)


def _refuse_named_pickle(data: bytes, name: str, max_params: int) -> ModelFile:
    raise RefusedFile(f"{name} is not a torch.save file (no zip archive, no pickle): its content is no model")


# Tried in order; the first that matches reads the file. Content decides (an HDF5 file or a torch zip saved as
# .keras, a .bin that is no model); the name only where the content has no magic bytes: ONNX's protobuf, and
# safetensors, whose JSON header at byte 8 is the sign otherwise.
FORMATS = (
    Format("TensorFlow Lite", lambda data, name: data[4:8] == TFLITE_MAGIC, _refuse_tflite),
    Format("legacy torch.save", lambda data, name: _looks_pickled(data) and _legacy_torch(data), _read_torch),
    Format("bare pickle", lambda data, name: _looks_pickled(data), _refuse_pickle),
    Format("zip: torch.save or Keras 3 .keras", lambda data, name: data.startswith(ZIP_MAGIC), _read_zip),
    Format("HDF5: Keras .h5 or .weights.h5", lambda data, name: data.startswith(HDF5_MAGIC), _read_h5),
    Format("ONNX", lambda data, name: name.endswith(".onnx"), _read_onnx),
    Format(
        "safetensors",
        lambda data, name: len(data) >= 9 and data[8:9] == b"{" or name.endswith(".safetensors"),
        _read_safetensors,
    ),
    Format("named like torch.save", lambda data, name: name.endswith(PICKLE_SUFFIXES), _refuse_named_pickle),
)


def _dispatch(data: bytes, name: str, max_params: int) -> ModelFile:
    for fmt in FORMATS:
        if fmt.matches(data, name):
            return fmt.read(data, name, max_params)
    raise RefusedFile(
        "not a model file lstmviz reads: expected .keras, .h5, .weights.h5, .safetensors, .onnx "
        "or a torch.save .pt/.pth/.bin/.ckpt"
    )


def _legacy_torch(data: bytes) -> bool:
    """Whether a pickle starts with the legacy (pre-1.6) torch.save magic number: LONG1 of 10 bytes."""
    from lstmviz.modelfiles.torch_pickle import LEGACY_MAGIC

    return data[2:4] == b"\x8a\x0a" and int.from_bytes(data[4:14], "little") == LEGACY_MAGIC


def _plain_pickle(data: bytes) -> str:
    """Why a bare pickle (neither a torch.save zip nor its legacy stream) is refused."""
    return f"this is a bare Python pickle, not a torch.save file; {PICKLE_ADVICE}"


def _check_names(model: ModelFile) -> ModelFile:
    """Layer names are labels: one of 40 MB became a safetensors header too large to write."""
    for name in [layer.name for layer in model.layers] + [name for name, _ in model.other_layers]:
        if len(name) > MAX_NAME_CHARS:
            raise RefusedFile(f"a layer name has {len(name):,} characters, over the {MAX_NAME_CHARS:,} cap; refused")
    return model


def _looks_pickled(data: bytes) -> bool:
    """Pickle protocol 2-5 starts with PROTO (0x80) and the protocol number."""
    # A safetensors header length of 0x0380 bytes starts 0x80 0x03 too; its JSON header ('{' at
    # byte 8) tells the two apart, and the safetensors reader never unpickles anything.
    return len(data) >= 2 and data[0] == 0x80 and 2 <= data[1] <= 5 and data[8:9] != b"{"


def _zip_holds_pickle(data: bytes) -> bool:
    """torch.save's zip format stores <name>/data.pkl; the names are read, the pickle never is."""
    import io
    import zipfile

    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zipfile.LargeZipFile):
        return False
    return any(n.endswith((".pkl", "/data.pkl")) for n in names[:1000])
