"""Untrusted bytes are parsed in a child process with memory, CPU and wall-clock limits, never in the caller.

`read_model_bounded(data, name)` and `convert_model_bounded(...)` run lstmviz's own reader and converter
in a fresh interpreter (`python -E -c ...`, a minimal environment, no inherited descriptors but stderr)
that first limits itself to WORKER_MEMORY_BYTES of address space and WORKER_CPU_SECONDS of CPU, then
reads the file's bytes from stdin. It answers on stdout with plain data only: a length-prefixed JSON
header followed by raw float32 arrays and bytes, which the caller checks; nothing is ever unpickled.
A child that runs out of memory or time is killed, and the caller gets one line (LIMIT_MESSAGE); the
caller's memory and its other threads are untouched. Every future parser pathology is bounded by this,
whatever the per-rule caps in the readers catch first.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping
from dataclasses import asdict, fields
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from lstmviz.modelfiles.contents import MAX_FILE_BYTES, MAX_PARAMS, ModelFile, RecurrentLayer, RefusedFile
from lstmviz.spec import RecurrentSpec

if TYPE_CHECKING:
    from lstmviz.modelfiles.convert_file import ConvertedModel

WORKER_MEMORY_BYTES = 1 << 30  # RLIMIT_AS: the interpreter, NumPy, h5py and onnx take about 180 MB of it
WORKER_CPU_SECONDS = 10  # RLIMIT_CPU; the start-up imports take about 0.3 s of it
# The CPU limit bounds the work; the wall clock bounds a child that waits (a busy machine runs a
# niced child slowly, and a child that blocks uses no CPU at all).
WORKER_WALL_SECONDS = 30.0
# At most this many children at once, so four visitors uploading bombs cost the machine at most
# that many GiB; a fifth waits for a free slot (and the wait counts against its wall clock).
WORKER_SLOTS = 2
LIMIT_MESSAGE = (
    f"this file needs more than {WORKER_MEMORY_BYTES >> 30} GB / {WORKER_CPU_SECONDS} s to read; lstmviz stops there"
)
BUSY_MESSAGE = "the server is reading other files right now; try again in a minute"
CRASH_MESSAGE = "lstmviz's reader stopped on this file without an answer ({why}); refused"

_ROOT = str(Path(__file__).resolve().parents[2])  # the directory that holds the lstmviz package
_HEADER_BYTES = 8
_MAX_HEADER = 64 * 1024 * 1024  # JSON of names and shapes; far below the arrays' bytes
# What a child may hand back: the file's float32 weights twice (a conversion's both layouts) and a
# written file; anything longer is not an answer lstmviz's own code gives.
_MAX_BLOBS = 4 * MAX_PARAMS * 4 + 2 * MAX_FILE_BYTES
_SLOTS = threading.BoundedSemaphore(WORKER_SLOTS)
SUFFIX_OF = {"keras": ".keras", "keras-h5": ".h5", "keras-weights": ".weights.h5", "safetensors": ".safetensors"}
# The child starts from these variables only: no secrets, no PYTHON* settings, one BLAS thread
# (each extra OpenBLAS thread reserves its own buffers inside the address-space limit).
_KEPT_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "OPENBLAS_CORETYPE", "SYSTEMROOT")
_BOOT = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from lstmviz.modelfiles.worker import child_main; child_main(sys.argv[2:])"
)


class WorkerLimit(RefusedFile):
    """The child ran out of memory, CPU time or wall-clock time; str() is LIMIT_MESSAGE."""


# --- the caller's side --------------------------------------------------------------------------


def read_model_bounded(data: bytes, filename: str) -> ModelFile:
    """lstmviz.modelfiles.read_model in a limited child process; RefusedFile (one line) for anything it refuses."""
    _check_input(data)
    return model_from_plain(*_run("read", data, [str(filename)]))


def convert_read_model_bounded(
    model: ModelFile, to: str, out_name: str, module: str | None = None, nonlinearity: str = "tanh"
) -> ConvertedModel:
    """Convert an already read ModelFile in a limited child (the proofs' forward passes are the costly part)."""
    blobs: list[bytes] = []
    payload = encode({"model": model_to_plain(model, blobs)}, blobs)
    tree, answer = _run(
        "convert-model", payload, ["model" + SUFFIX_OF.get(model.format, ""), to, out_name, module or "", nonlinearity]
    )
    return converted_from_plain(tree, answer)


def convert_model_bounded(
    data: bytes, filename: str, to: str, out_name: str, module: str | None = None, nonlinearity: str = "tanh"
) -> ConvertedModel:
    """Read and convert a file in a limited child; RefusedFile or ConversionRefused (one line) on refusal."""
    _check_input(data)
    tree, blobs = _run("convert", data, [str(filename), to, out_name, module or "", nonlinearity])
    return converted_from_plain(tree, blobs)


def _check_input(data: bytes) -> None:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise RefusedFile("expected the file's bytes")
    if len(data) > MAX_FILE_BYTES:
        raise RefusedFile(f"this file has {len(data):,} bytes, over the {MAX_FILE_BYTES:,}-byte cap")


def _child_env() -> dict[str, str]:
    env = {k: os.environ[k] for k in _KEPT_ENV if k in os.environ}
    env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONDONTWRITEBYTECODE="1")
    return env


def _run(job: str, data: bytes, args: list[str]) -> tuple[Any, list[memoryview]]:
    """Run one job in a child; the decoded answer, or the child's refusal raised here."""
    if not _SLOTS.acquire(timeout=WORKER_WALL_SECONDS):
        raise RefusedFile(BUSY_MESSAGE)
    try:
        return _run_child(job, data, args)
    finally:
        _SLOTS.release()


def _run_child(job: str, data: bytes, args: list[str]) -> tuple[Any, list[memoryview]]:
    child = subprocess.Popen(  # noqa: S603 - our own interpreter and module, arguments as a list
        [sys.executable, "-E", "-c", _BOOT, _ROOT, str(WORKER_MEMORY_BYTES), str(WORKER_CPU_SECONDS), job, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=None,  # the server's console: an unexpected error's traceback belongs there
        env=_child_env(),
        cwd=_ROOT,
        close_fds=True,
        start_new_session=True,  # no signals from the caller's terminal; killed alone
    )
    timed_out = threading.Event()

    def stop() -> None:
        timed_out.set()
        child.kill()

    timer = threading.Timer(WORKER_WALL_SECONDS, stop)  # read at call time, so tests can lower the limits
    timer.daemon = True
    timer.start()
    try:
        answer = _exchange(child, data)
        code = child.wait()
    finally:
        timer.cancel()
        if child.poll() is None:
            child.kill()
            child.wait()
        for stream in (child.stdin, child.stdout):
            if stream is not None:
                stream.close()
    if timed_out.is_set() or code in (-signal.SIGKILL, -signal.SIGXCPU, -signal.SIGSEGV, -signal.SIGABRT):
        raise WorkerLimit(LIMIT_MESSAGE)
    if answer is None or code != 0:
        raise RefusedFile(CRASH_MESSAGE.format(why=f"exit status {code}"))
    tree, blobs = answer
    if "refused" in tree:
        _raise_refusal(tree)
    return tree["result"], blobs


def _exchange(child: subprocess.Popen[bytes], data: bytes) -> tuple[dict[str, Any], list[memoryview]] | None:
    """Send the bytes, then read the answer: header length, JSON header, one buffer of blobs."""
    assert child.stdin is not None and child.stdout is not None
    try:
        child.stdin.write(data)  # the child reads all of stdin before it writes anything
        child.stdin.close()
    except (BrokenPipeError, OSError):
        return None
    stdout = child.stdout
    size = _read_exact(stdout, _HEADER_BYTES)
    if size is None:
        return None
    header_len = int.from_bytes(size, "little")
    if header_len > _MAX_HEADER:
        return None
    raw = _read_exact(stdout, header_len)
    if raw is None:
        return None
    try:
        header = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(header, dict) or not isinstance(header.get("blobs"), list):
        return None
    lengths = header["blobs"]
    if not all(isinstance(n, int) and n >= 0 for n in lengths) or sum(lengths) > _MAX_BLOBS:
        return None
    buffer = bytearray(sum(lengths))  # one allocation; arrays become views on it, never copies
    view = memoryview(buffer)
    filled = 0
    while filled < len(buffer):
        got = stdout.readinto(view[filled:])  # type: ignore[attr-defined]  # a BufferedReader
        if not got:
            return None
        filled += got
    if stdout.read(1):  # more than the header announced: not our child's answer
        return None
    blobs, start = [], 0
    for n in lengths:
        blobs.append(view[start : start + n])
        start += n
    return header, blobs


def _read_exact(stream: Any, n: int) -> bytes | None:
    chunk = stream.read(n)
    return chunk if len(chunk) == n else None


def _raise_refusal(tree: Mapping[str, Any]) -> None:
    kind, text = tree.get("kind"), str(tree.get("refused"))[:2000]
    if kind == "limit":
        raise WorkerLimit(LIMIT_MESSAGE)
    if kind == "conversion":
        from lstmviz.modelfiles.convert import ConversionRefused

        raise ConversionRefused(text)
    raise RefusedFile(text)


# --- plain data both ways: JSON trees with arrays and bytes as numbered blobs ------------------


def _array(blobs: list[memoryview], ref: Any) -> np.ndarray:
    if not (isinstance(ref, dict) and isinstance(ref.get("array"), int) and isinstance(ref.get("shape"), list)):
        raise RefusedFile(CRASH_MESSAGE.format(why="an array reference is malformed"))
    shape = tuple(int(n) for n in ref["shape"])
    blob = blobs[ref["array"]]
    if any(n < 0 for n in shape) or int(np.prod(shape, dtype=np.int64)) * 4 != len(blob):
        raise RefusedFile(CRASH_MESSAGE.format(why="an array's size does not match its shape"))
    values = np.frombuffer(blob, dtype="<f4").reshape(shape)
    values.flags.writeable = False
    return values


def _spec(plain: Mapping[str, Any]) -> RecurrentSpec:
    names = {f.name for f in fields(RecurrentSpec)}
    return RecurrentSpec(**{k: v for k, v in plain.items() if k in names})  # validated again here


def model_to_plain(model: ModelFile, blobs: list[bytes]) -> dict[str, Any]:
    """A ModelFile as JSON-able data, its arrays appended to `blobs` as little-endian float32."""
    return {
        "format": model.format,
        "total_params": model.total_params,
        "other_layers": [list(item) for item in model.other_layers],
        "notes": list(model.notes),
        "unread": list(model.unread),
        "layers": [
            {
                "name": layer.name,
                "spec": asdict(layer.spec),
                "weights": {k: _blob(blobs, v) for k, v in layer.weights.items()},
                "inferred": layer.inferred,
                "source_keys": dict(layer.source_keys),
                "activation": layer.activation,
                "source_class": layer.source_class,
                "activations": None if layer.activations is None else list(layer.activations),
            }
            for layer in model.layers
        ],
    }


def model_from_plain(plain: Any, blobs: list[memoryview]) -> ModelFile:
    """The ModelFile a child described; every spec is validated again, every array checked against its shape."""
    try:
        layers = tuple(
            RecurrentLayer(
                name=str(item["name"]),
                spec=_spec(item["spec"]),
                weights=MappingProxyType({str(k): _array(blobs, v) for k, v in item["weights"].items()}),
                inferred=bool(item["inferred"]),
                source_keys=MappingProxyType({str(k): str(v) for k, v in item["source_keys"].items()}),
                activation=str(item["activation"]),
                source_class=str(item["source_class"]),
                activations=_activations(item["activations"]),
            )
            for item in plain["layers"]
        )
        return ModelFile(
            format=str(plain["format"]),
            total_params=int(plain["total_params"]),
            layers=layers,
            other_layers=tuple((str(n), int(p)) for n, p in plain["other_layers"]),
            notes=tuple(str(n) for n in plain["notes"]),
            unread=tuple(str(n) for n in plain["unread"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, RefusedFile):
            raise
        raise RefusedFile(CRASH_MESSAGE.format(why=f"its answer is malformed: {error}"[:200])) from None


def _activations(value: Any) -> tuple[str, str] | None:
    """(activation, recurrent_activation) as the child named them, or None."""
    if value is None:
        return None
    first, second = value
    return (str(first), str(second))


def converted_to_plain(converted: ConvertedModel, blobs: list[bytes]) -> dict[str, Any]:
    """A ConvertedModel as JSON-able data: the written file, code, notes and each layer's proof and weights."""
    blobs.append(converted.data)
    return {
        "to": converted.to,
        "data": len(blobs) - 1,
        "code": converted.code,
        "notes": list(converted.notes),
        "assumptions": list(converted.assumptions),
        "conversions": [
            {
                "name": c.name,
                "source": asdict(c.source),
                "target": asdict(c.target),
                "source_weights": {k: _blob(blobs, v) for k, v in c.source_weights.items()},
                "target_weights": {k: _blob(blobs, v) for k, v in c.target_weights.items()},
                "proof": asdict(c.proof),
            }
            for c in converted.conversions
        ],
    }


def converted_from_plain(plain: Any, blobs: list[memoryview]) -> ConvertedModel:
    """The ConvertedModel a child described, checked as model_from_plain checks a model."""
    from lstmviz.modelfiles.convert import Conversion, Proof
    from lstmviz.modelfiles.convert_file import ConvertedModel

    try:
        conversions = tuple(
            Conversion(
                name=str(c["name"]),
                source=_spec(c["source"]),
                source_weights=MappingProxyType({str(k): _array(blobs, v) for k, v in c["source_weights"].items()}),
                target=_spec(c["target"]),
                target_weights=MappingProxyType({str(k): _array(blobs, v) for k, v in c["target_weights"].items()}),
                proof=Proof(**{k: c["proof"][k] for k in ("max_abs_diff", "batch", "timesteps", "width")}),
            )
            for c in plain["conversions"]
        )
        return ConvertedModel(
            to=str(plain["to"]),
            conversions=conversions,
            data=bytes(blobs[int(plain["data"])]),
            code=str(plain["code"]),
            notes=tuple(str(n) for n in plain["notes"]),
            assumptions=tuple(str(n) for n in plain["assumptions"]),
        )
    except (KeyError, TypeError, ValueError, IndexError) as error:
        if isinstance(error, RefusedFile):
            raise
        raise RefusedFile(CRASH_MESSAGE.format(why=f"its answer is malformed: {error}"[:200])) from None


def _blob(blobs: list[bytes], values: np.ndarray) -> dict[str, Any]:
    array = np.ascontiguousarray(values, dtype="<f4")
    blobs.append(array.tobytes())
    return {"array": len(blobs) - 1, "shape": list(array.shape)}


# --- the child's side ---------------------------------------------------------------------------


def _limit_self(memory: int, cpu: int) -> None:
    """Address space, CPU time, no files written, no core dumps, a lower priority than the server."""
    try:
        import resource
    except ImportError:  # not a POSIX system: the wall-clock timeout still holds
        return
    limits = (
        (resource.RLIMIT_AS, memory),
        (resource.RLIMIT_CPU, cpu),
        (resource.RLIMIT_FSIZE, 0),
        (resource.RLIMIT_CORE, 0),
    )
    for which, value in limits:
        _soft, hard = resource.getrlimit(which)
        cap = value if hard == resource.RLIM_INFINITY else min(value, hard)
        # The CPU hard limit one second later: SIGXCPU at the soft limit, SIGKILL if it is ignored.
        resource.setrlimit(which, (cap, cap + 1 if which == resource.RLIMIT_CPU else cap))
    try:
        os.nice(10)
    except OSError:
        pass


def encode(tree: Mapping[str, Any], blobs: list[bytes]) -> bytes:
    """The wire format both ways: 8-byte header length, JSON header (with the blobs' lengths), the blobs."""
    header = json.dumps({**tree, "blobs": [len(b) for b in blobs]}).encode()
    return b"".join([len(header).to_bytes(_HEADER_BYTES, "little"), header, *blobs])


def decode(data: bytes) -> tuple[dict[str, Any], list[memoryview]]:
    """What encode wrote; ValueError when it is not that."""
    header_len = int.from_bytes(data[:_HEADER_BYTES], "little")
    header = json.loads(data[_HEADER_BYTES : _HEADER_BYTES + header_len])
    view = memoryview(data)[_HEADER_BYTES + header_len :]
    lengths = header.get("blobs") if isinstance(header, dict) else None
    if not isinstance(lengths, list) or sum(lengths) != len(view):
        raise ValueError("not lstmviz's worker format")
    blobs, start = [], 0
    for n in lengths:
        blobs.append(view[start : start + n])
        start += n
    return header, blobs


def _answer(tree: dict[str, Any], blobs: list[bytes]) -> None:
    out = sys.stdout.buffer
    out.write(encode(tree, blobs))
    out.flush()


def child_main(argv: list[str]) -> None:
    """The child: limit itself, read the file from stdin, run one job, answer on stdout."""
    _limit_self(int(argv[0]), int(argv[1]))
    from lstmviz.modelfiles import read_model
    from lstmviz.modelfiles.convert import ConversionRefused

    argv = argv[2:]
    job, filename = argv[0], argv[1]
    blobs: list[bytes] = []
    tree: dict[str, Any]
    try:
        if job == "convert-model":  # lstmviz's own encoding of a model read earlier, not a file
            tree_in, blobs_in = decode(sys.stdin.buffer.read())
            model = model_from_plain(tree_in["model"], blobs_in)
            job = "convert"
        else:
            model = read_model(sys.stdin.buffer.read(MAX_FILE_BYTES + 1), filename)
        if job == "read":
            tree = {"result": model_to_plain(model, blobs)}
        elif job == "convert":
            from lstmviz.modelfiles.convert_file import convert_model

            to, out_name, module, nonlinearity = argv[2], argv[3], argv[4] or None, argv[5]
            converted = convert_model(model, to, out_name, module=module, nonlinearity=nonlinearity)
            tree = {"result": converted_to_plain(converted, blobs)}
        else:
            raise RefusedFile(f"unknown job {job!r}")
    except MemoryError:
        blobs, tree = [], {"refused": LIMIT_MESSAGE, "kind": "limit"}
    except ConversionRefused as error:
        blobs, tree = [], {"refused": str(error), "kind": "conversion"}
    except RefusedFile as error:
        blobs, tree = [], {"refused": str(error), "kind": "limit" if "more memory" in str(error) else "file"}
    _answer(tree, blobs)
