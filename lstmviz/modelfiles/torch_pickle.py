"""PyTorch `torch.save` files read as data: a pickle interpreter that never imports or calls anything.

`pickletools.genops` only decodes opcodes and their arguments; this module gives them meaning.
Every global the pickle names stays a `Symbol`. A few of torch's own rebuild functions (tensors,
parameters, OrderedDict) are interpreted here as inert NumPy rebuilds; any other call or object
becomes an `Opaque` placeholder holding its arguments, which nothing ever runs.
"""

from __future__ import annotations

import io
import math
import pickletools
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lstmviz.modelfiles.contents import MAX_FILE_BYTES, MAX_OBJECTS, RefusedFile

MAX_OPCODES = 2_000_000  # a state dict of 20,000 tensors needs about 40 opcodes each
MAX_MEMO = 500_000
MAX_STACK = 1_000_000
MAX_DEPTH = 64  # nested containers, and MARKs open at once
MAX_INT_BITS = 128
MAX_DIMS = 8
LEGACY_MAGIC = 0x1950A86A20F9469CFC6C  # the first pickle of a pre-1.6 (non-zip) torch.save file

# torch.<X>Storage -> (NumPy dtype, safetensors dtype name)
STORAGES = {
    "FloatStorage": ("f4", "F32"), "DoubleStorage": ("f8", "F64"), "HalfStorage": ("f2", "F16"),
    "BFloat16Storage": ("u2", "BF16"), "LongStorage": ("i8", "I64"), "IntStorage": ("i4", "I32"),
    "ShortStorage": ("i2", "I16"), "CharStorage": ("i1", "I8"), "ByteStorage": ("u1", "U8"),
    "BoolStorage": ("?", "BOOL"),
}  # fmt: skip
TENSOR_REBUILDS = {"torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor"}
PARAMETER_REBUILDS = {"torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state"}
DICTS = {"collections.OrderedDict", "builtins.dict", "__builtin__.dict"}
# Where a training checkpoint keeps the model's state dict, in the order they are tried.
STATE_DICT_KEYS = ("state_dict", "model_state_dict", "model_state", "model", "net", "network", "module", "weights")
SAVE_ADVICE = "save `model.state_dict()` instead: torch.save(model.state_dict(), 'model.pt')"
# Globals whose only use in a pickle is to run code or touch the machine (what the pickle exploits call).
# Nothing is ever called either way; a file naming one is refused outright rather than read around it.
CODE_MODULES = {
    "os", "posix", "nt", "subprocess", "sys", "shutil", "socket", "importlib", "runpy", "pty", "code", "codeop",
    "pickle", "_pickle", "marshal", "ctypes", "webbrowser", "urllib", "http", "requests", "commands", "platform",
    "multiprocessing", "threading", "signal", "asyncio", "tempfile", "glob", "io", "_io", "operator",
    "functools", "types", "inspect", "pdb", "timeit", "cProfile", "profile", "bdb", "trace",
}  # fmt: skip
CODE_BUILTINS = {
    "eval", "exec", "compile", "open", "__import__", "getattr", "setattr", "delattr", "globals", "locals",
    "vars", "input", "breakpoint", "help", "memoryview", "apply", "execfile", "file", "reload",
}  # fmt: skip


def _refuse_code(symbol: Symbol, what: str) -> None:
    """Refuse a global that can only mean code to run (os.system, builtins.eval, subprocess.Popen, ...)."""
    root = symbol.module.split(".", 1)[0]
    builtin = root in ("builtins", "__builtin__") and symbol.name in CODE_BUILTINS
    if root in CODE_MODULES or builtin:
        raise RefusedFile(
            f"{what} names `{symbol.qualname[:60]}`, which would run code or touch the system when unpickled; "
            "lstmviz never runs it and refuses the file"
        )


@dataclass(frozen=True)
class Symbol:
    """A global the pickle names (module.name); never imported."""

    module: str
    name: str

    @property
    def qualname(self) -> str:
        return f"{self.module}.{self.name}"


@dataclass(eq=False)
class Opaque:
    """An object the pickle would build by calling `cls`: kept as inert data, never constructed."""

    cls: str
    args: Any = None
    state: Any = None
    items: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class StorageRef:
    """A persistent id: the raw bytes of `key` in the archive's data/ folder, `numel` elements of `dtype`."""

    dtype: str  # a STORAGES key
    key: str
    numel: int


@dataclass(frozen=True)
class TensorRef:
    """A tensor view on a storage: offset, sizes and strides counted in elements."""

    storage: StorageRef
    offset: int
    size: tuple[int, ...]
    stride: tuple[int, ...]

    @property
    def numel(self) -> int:
        return math.prod(self.size)


_MARK = object()


def unpickle(data: bytes, what: str = "data.pkl") -> Any:
    """The object a pickle describes, with every global a Symbol and every call inert; RefusedFile past a cap."""
    return unpickle_at(data, 0, what)[0]


def unpickle_at(data: bytes, start: int, what: str) -> tuple[Any, int]:
    """The object of the pickle starting at `start`, and where the next byte after its STOP is."""
    stack: list[Any] = []
    marks: list[int] = []
    memo: dict[int, Any] = {}
    opcodes = 0
    stream = io.BytesIO(data)
    stream.seek(start)
    try:
        for opcode, arg, _ in pickletools.genops(stream):
            opcodes += 1
            if opcodes > MAX_OPCODES:
                raise RefusedFile(f"{what} runs more than {MAX_OPCODES:,} pickle opcodes, the cap; refused")
            if len(stack) > MAX_STACK:
                raise RefusedFile(f"{what} holds more than {MAX_STACK:,} values at once, the cap; refused")
            name = opcode.name
            if name == "STOP":
                return stack.pop(), stream.tell()
            _step(name, arg, stack, marks, memo, what)
    except RefusedFile:
        raise
    except (ValueError, IndexError, KeyError, TypeError, EOFError, AttributeError) as error:
        raise RefusedFile(f"{what} is not a readable pickle ({str(error)[:80] or type(error).__name__})") from None
    raise RefusedFile(f"{what} ends without a STOP opcode; refused")


def _pop_mark(stack: list[Any], marks: list[int]) -> list[Any]:
    start = marks.pop()
    items = stack[start:]
    del stack[start:]
    return items


def _step(name: str, arg: Any, stack: list[Any], marks: list[int], memo: dict[int, Any], what: str) -> None:
    """One opcode's effect on the stack, the marks and the memo."""
    if name in ("PROTO", "FRAME"):
        return
    if name == "MARK":
        if len(marks) >= MAX_DEPTH:
            raise RefusedFile(f"{what} opens more than {MAX_DEPTH} MARKs at once, the nesting cap; refused")
        marks.append(len(stack))
    elif name in _CONSTANTS:
        stack.append(_CONSTANTS[name])
    elif name in _LITERALS:
        if isinstance(arg, int) and not isinstance(arg, bool) and arg.bit_length() > MAX_INT_BITS:
            raise RefusedFile(f"{what} holds an integer of more than {MAX_INT_BITS} bits, the cap; refused")
        stack.append(arg)
    elif name == "EMPTY_LIST":
        stack.append([])
    elif name == "EMPTY_DICT":
        stack.append({})
    elif name == "EMPTY_TUPLE":
        stack.append(())
    elif name == "EMPTY_SET":
        stack.append(Opaque("builtins.set"))
    elif name in ("TUPLE1", "TUPLE2", "TUPLE3"):
        n = int(name[-1])
        last = tuple(stack[-n:])
        del stack[-n:]
        stack.append(last)
    elif name == "TUPLE":
        stack.append(tuple(_pop_mark(stack, marks)))
    elif name == "LIST":
        stack.append(_pop_mark(stack, marks))
    elif name == "DICT":
        items = _pop_mark(stack, marks)
        stack.append(dict(zip(items[::2], items[1::2], strict=True)))
    elif name == "FROZENSET":
        stack.append(Opaque("builtins.frozenset", items=_pop_mark(stack, marks)))
    elif name == "APPEND":
        value = stack.pop()
        _extend(stack[-1], [value])
    elif name in ("APPENDS", "ADDITEMS"):
        items = _pop_mark(stack, marks)
        _extend(stack[-1], items)
    elif name == "SETITEM":
        value, key = stack.pop(), stack.pop()
        _set_items(stack[-1], [key, value])
    elif name == "SETITEMS":
        items = _pop_mark(stack, marks)
        _set_items(stack[-1], items)
    elif name == "POP":
        stack.pop()
    elif name == "POP_MARK":
        _pop_mark(stack, marks)
    elif name == "DUP":
        stack.append(stack[-1])
    elif name in ("PUT", "BINPUT", "LONG_BINPUT", "MEMOIZE"):
        key = len(memo) if name == "MEMOIZE" else int(arg)
        if len(memo) >= MAX_MEMO and key not in memo:
            raise RefusedFile(f"{what} memoizes more than {MAX_MEMO:,} values, the cap; refused")
        memo[key] = stack[-1]
    elif name in ("GET", "BINGET", "LONG_BINGET"):
        stack.append(memo[int(arg)])
    elif name in ("GLOBAL", "INST"):
        module, _, attr = str(arg).partition(" ")
        symbol = Symbol(module, attr)
        _refuse_code(symbol, what)
        if name == "INST":
            stack.append(Opaque(symbol.qualname, tuple(_pop_mark(stack, marks))))
        else:
            stack.append(symbol)
    elif name == "STACK_GLOBAL":
        attr, module = stack.pop(), stack.pop()
        if not (isinstance(module, str) and isinstance(attr, str)):
            raise RefusedFile(f"{what} names a global with non-text parts; refused")
        _refuse_code(Symbol(module, attr), what)
        stack.append(Symbol(module, attr))
    elif name == "OBJ":
        marked = _pop_mark(stack, marks)
        stack.append(Opaque(_qualname(marked[0]), tuple(marked[1:])))
    elif name == "REDUCE":
        args = stack.pop()
        stack.append(_call(stack.pop(), args, what))
    elif name == "NEWOBJ":
        args = stack.pop()
        stack.append(_call(stack.pop(), args, what))
    elif name == "NEWOBJ_EX":
        stack.pop()  # keyword arguments: kept by nobody, since nothing is constructed
        args = stack.pop()
        stack.append(_call(stack.pop(), args, what))
    elif name == "BUILD":
        state = stack.pop()
        target = stack[-1]
        if isinstance(target, Opaque):
            target.state = state
        # A dict's BUILD state (OrderedDict's _metadata) sets attributes: nothing to keep.
    elif name in ("PERSID", "BINPERSID"):
        pid = stack.pop() if name == "BINPERSID" else arg
        stack.append(_persistent(pid, what))
    else:
        # EXT1/2/4 (the copyreg extension registry), NEXT_BUFFER, READONLY_BUFFER: nothing torch.save writes.
        raise RefusedFile(f"{what} uses the pickle opcode {name}, which torch.save never writes; refused")


_CONSTANTS: dict[str, Any] = {"NONE": None, "NEWTRUE": True, "NEWFALSE": False}
_LITERALS = {
    "INT", "BININT", "BININT1", "BININT2", "LONG", "LONG1", "LONG4", "FLOAT", "BINFLOAT", "STRING",
    "BINSTRING", "SHORT_BINSTRING", "BINBYTES", "SHORT_BINBYTES", "BINBYTES8", "BYTEARRAY8", "UNICODE",
    "BINUNICODE", "SHORT_BINUNICODE", "BINUNICODE8",
}  # fmt: skip


def _qualname(value: Any) -> str:
    return value.qualname if isinstance(value, Symbol) else type(value).__name__


def _extend(target: Any, items: list[Any]) -> None:
    if isinstance(target, list):
        target.extend(items)
    elif isinstance(target, Opaque):
        target.items.extend(items)
    else:
        raise TypeError(f"cannot append to {type(target).__name__}")


def _set_items(target: Any, items: list[Any]) -> None:
    pairs = list(zip(items[::2], items[1::2], strict=True))
    if isinstance(target, dict):
        target.update(pairs)
    elif isinstance(target, Opaque):
        target.items.extend(pairs)
    else:
        raise TypeError(f"cannot set items on {type(target).__name__}")


def _call(func: Any, args: Any, what: str) -> Any:
    """What calling `func(*args)` would give, for the allowlisted rebuilds; an inert Opaque otherwise."""
    name = _qualname(func)
    args = tuple(args) if isinstance(args, (tuple, list)) else (args,)
    if name in TENSOR_REBUILDS:
        return _tensor(args, what)
    if name in PARAMETER_REBUILDS and args:
        return args[0]
    if name in DICTS:
        return dict(args[0]) if args and isinstance(args[0], (dict, list)) else {}
    if name == "torch.nn.parameter.Parameter" and args:
        return args[0]
    return Opaque(name, args)


def _tensor(args: tuple[Any, ...], what: str) -> TensorRef:
    storage, offset, size, stride = (args + (None,) * 4)[:4]
    if not isinstance(storage, StorageRef):
        raise RefusedFile(f"{what}: a tensor whose storage is not one of the archive's data files; refused")
    if not (isinstance(size, tuple) and isinstance(stride, tuple) and len(size) == len(stride) <= MAX_DIMS):
        raise RefusedFile(f"{what}: a tensor with sizes {str(size)[:40]} and strides {str(stride)[:40]}; refused")
    numbers = (offset, *size, *stride)
    if not all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n < 1 << 62 for n in numbers):
        raise RefusedFile(f"{what}: a tensor with a negative or absurd offset, size or stride; refused")
    if math.prod(size):
        extent = offset + sum((n - 1) * s for n, s in zip(size, stride, strict=True))
        if extent >= storage.numel:
            raise RefusedFile(f"{what}: a tensor reaches element {extent:,} of a storage of {storage.numel:,}; refused")
    return TensorRef(storage, offset, size, stride)


def _persistent(pid: Any, what: str) -> StorageRef:
    # torch.save: ('storage', torch.<X>Storage, key, location, numel[, view metadata (legacy)])
    if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage"):
        raise RefusedFile(f"{what} refers to an outside object that is not a tensor storage; refused")
    kind, key, numel = pid[1], pid[2], pid[4]
    dtype = kind.name if isinstance(kind, Symbol) and kind.module == "torch" else ""
    if dtype not in STORAGES:
        raise RefusedFile(f"{what}: a storage of type {_qualname(kind)[:60]}, which lstmviz does not read; refused")
    if not (isinstance(key, str) and isinstance(numel, int) and 0 <= numel < 1 << 40):
        raise RefusedFile(f"{what}: a storage with key {str(key)[:40]!r} and size {str(numel)[:40]}; refused")
    if len(pid) > 5 and pid[5] is not None:
        # The legacy format's view metadata: a storage slice of another storage (PyTorch before 1.0).
        raise RefusedFile(
            f"{what}: a storage view of another storage (PyTorch before 1.0), which lstmviz does not read"
        )
    return StorageRef(dtype, key, numel)


# --- the zip archive ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TorchFile:
    """What a torch.save zip holds: its unpickled object and the raw storages it refers to."""

    root: Any
    storages: dict[str, bytes]
    big_endian: bool


def torchscript_class(data: bytes) -> str | None:
    """The class a TorchScript archive (torch.jit.save) holds, or None when it is not one."""
    names = _names(data)
    if not any(n.endswith("/constants.pkl") or "/code/" in n for n in names):
        return None
    pkl = next((n for n in names if n.endswith("/data.pkl")), None)
    if pkl is None:
        return "a TorchScript module"
    try:
        root = unpickle(_member(data, pkl), "data.pkl")
    except RefusedFile:
        return "a TorchScript module"
    return root.cls if isinstance(root, Opaque) else "a TorchScript module"


def _names(data: bytes) -> list[str]:
    try:
        return zipfile.ZipFile(io.BytesIO(data)).namelist()[: MAX_OBJECTS + 1]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return []


def _member(data: bytes, name: str) -> bytes:
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = archive.getinfo(name)
    if info.file_size > MAX_FILE_BYTES or info.compress_type != zipfile.ZIP_STORED:
        raise RefusedFile(f"{name!r} is compressed or over {MAX_FILE_BYTES:,} bytes; torch.save stores members plain")
    return archive.read(info)


def read_torch_zip(data: bytes) -> TorchFile:
    """A torch.save zip: data.pkl interpreted as data, every storage it names read from data/<key>."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise RefusedFile(f"this torch.save file is not a readable zip archive ({error})") from None
    if len(infos) > MAX_OBJECTS:
        raise RefusedFile(f"this torch.save zip has over {MAX_OBJECTS:,} members, the cap; refused")
    pkls = [i.filename for i in infos if i.filename.endswith("data.pkl") and i.filename.count("/") == 1]
    if len(pkls) != 1:
        raise RefusedFile("this zip holds no single <archive>/data.pkl, so it is not a torch.save file")
    prefix = pkls[0].rsplit("/", 1)[0] + "/"
    by_name = {i.filename: i for i in infos}
    for info in infos:
        if info.flag_bits & 0x1:
            raise RefusedFile(f"this torch.save zip is encrypted ({info.filename!r}); refused")
        if info.file_size > MAX_FILE_BYTES:
            raise RefusedFile(f"{info.filename!r} unpacks to {info.file_size:,} bytes, over the cap; refused")
    root = unpickle(_stored(archive, by_name[pkls[0]]), "data.pkl")
    order = by_name.get(prefix + "byteorder")
    big_endian = order is not None and _stored(archive, order).strip() == b"big"
    storages: dict[str, bytes] = {}
    for ref in _storages(root):
        if ref.key in storages:
            continue
        member = by_name.get(f"{prefix}data/{ref.key}")
        if member is None:
            raise RefusedFile(f"data.pkl names storage {ref.key!r}, which the archive does not hold; refused")
        need = ref.numel * np.dtype(STORAGES[ref.dtype][0]).itemsize
        if need > member.file_size:
            raise RefusedFile(
                f"storage {ref.key!r} claims {need:,} bytes but its member holds {member.file_size:,}; refused"
            )
        storages[ref.key] = _stored(archive, member)
    return TorchFile(root, storages, big_endian)


def _stored(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    if info.compress_type != zipfile.ZIP_STORED:
        raise RefusedFile(f"{info.filename!r} is compressed; torch.save stores every member plain, so refused")
    return archive.read(info)


def _storages(root: Any) -> Iterator[StorageRef]:
    for _, value in walk(root):
        if isinstance(value, TensorRef):
            yield value.storage


def walk(value: Any, path: str = "", depth: int = 0, seen: set[int] | None = None) -> Iterator[tuple[str, Any]]:
    """(dotted key path, value) for every value inside dicts, lists, tuples and placeholders, depth-capped."""
    if depth > MAX_DEPTH:
        raise RefusedFile(f"this pickle nests containers more than {MAX_DEPTH} deep, the cap; refused")
    seen = set() if seen is None else seen
    yield path, value
    if isinstance(value, (dict, list, tuple, Opaque)):
        if id(value) in seen:
            return
        seen.add(id(value))
    if isinstance(value, dict):
        children: Any = ((str(k), v) for k, v in value.items())
    elif isinstance(value, (list, tuple)):
        children = ((str(i), v) for i, v in enumerate(value))
    elif isinstance(value, Opaque):
        children = (("(state)", value.state), ("(args)", value.args), ("(items)", value.items))
    else:
        return
    for key, child in children:
        yield from walk(child, f"{path}.{key}" if path else key, depth + 1, seen)


def tensor_array(ref: TensorRef, storages: dict[str, bytes], big_endian: bool) -> np.ndarray:
    """The tensor's values copied out of its storage (strides followed, extent checked on unpickling)."""
    code = STORAGES[ref.storage.dtype][0]
    dtype = np.dtype(code).newbyteorder(">" if big_endian else "<")
    base = np.frombuffer(storages[ref.storage.key], dtype=dtype, count=ref.storage.numel)
    if not ref.numel:
        return np.zeros(ref.size, dtype.newbyteorder("="))
    view = np.lib.stride_tricks.as_strided(
        base[ref.offset :], shape=ref.size, strides=tuple(s * dtype.itemsize for s in ref.stride), writeable=False
    )
    values = np.array(view, dtype=dtype.newbyteorder("="))
    if ref.storage.dtype == "BFloat16Storage":
        return (values.astype(np.uint32) << 16).view(np.float32)
    return values


def read_torch_legacy(data: bytes) -> TorchFile:
    """The pre-1.6 torch.save stream: magic, protocol, sys_info and object pickles, the storage keys, raw storages."""
    magic, at = unpickle_at(data, 0, "the legacy header")
    if magic != LEGACY_MAGIC:
        raise RefusedFile("this pickle does not start with torch.save's legacy magic number; refused")
    protocol, at = unpickle_at(data, at, "the legacy header")
    info, at = unpickle_at(data, at, "the legacy header")
    if protocol != 1001 or not isinstance(info, dict):
        raise RefusedFile(f"a legacy torch.save file of protocol {str(protocol)[:20]}, which lstmviz does not read")
    big_endian = info.get("little_endian", True) is False
    root, at = unpickle_at(data, at, "the legacy object pickle")
    keys, at = unpickle_at(data, at, "the legacy storage list")
    refs = {ref.key: ref for ref in _storages(root)}
    if not (isinstance(keys, list) and all(isinstance(k, str) for k in keys) and set(refs) <= set(keys)):
        raise RefusedFile("the legacy storage list does not name every storage the object uses; refused")
    storages: dict[str, bytes] = {}
    for key in keys:
        ref = refs.get(key)
        if ref is None or at + 8 > len(data):
            raise RefusedFile(f"legacy storage {key[:40]!r} is not one the object uses, or the file ends; refused")
        numel = int.from_bytes(data[at : at + 8], "big" if big_endian else "little")
        size = numel * np.dtype(STORAGES[ref.dtype][0]).itemsize
        if numel != ref.numel or at + 8 + size > len(data):
            raise RefusedFile(
                f"legacy storage {key[:40]!r} claims {numel:,} elements ({ref.numel:,} expected) past the file's end"
            )
        storages[key] = data[at + 8 : at + 8 + size]
        at += 8 + size
    return TorchFile(root, storages, big_endian)
