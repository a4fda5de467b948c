"""PyTorch state dicts saved as safetensors: nn.LSTM / nn.GRU / nn.RNN found by their parameter names.

The header is checked here before the safetensors package parses anything: its length, every
dtype, shape and byte range. No torch at run time, and nothing is ever unpickled.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import safetensors

from lstmviz.counting import breakdown
from lstmviz.modelfiles.contents import MAX_OBJECTS, ModelFile, RecurrentLayer, RefusedFile, zoo_check
from lstmviz.modelfiles.guards import finite_float32, parse_json
from lstmviz.spec import RecurrentSpec, convention_of

MAX_HEADER_BYTES = 16 * 1024 * 1024
ITEMSIZE = {
    "F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "U64": 8, "I32": 4, "U32": 4, "I16": 2, "U16": 2,
    "I8": 1, "U8": 1, "BOOL": 1, "C64": 8, "F8_E4M3": 1, "F8_E5M2": 1,
}  # fmt: skip
FLOATS = {"F64": np.float64, "F32": np.float32, "F16": np.float16}
GATES_TO_CELL = {4: "lstm", 3: "gru", 1: "rnn"}
_KEY = re.compile(
    r"^(?:(?P<prefix>.+)\.)?(?P<kind>weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)"
    r"(?:_l(?P<layer>\d+)(?P<rev>_reverse)?)?$"
)
_RECURRENT_NAME = re.compile(r"lstm|gru|rnn", re.IGNORECASE)
ROOT_NAME = "(top level)"


@dataclass(frozen=True)
class _Entry:
    """One tensor as the header declares it."""

    key: str
    dtype: str
    shape: tuple[int, ...]
    start: int

    @property
    def params(self) -> int:
        return math.prod(self.shape)


def read_safetensors(data: bytes, max_params: int) -> ModelFile:
    """Recurrent modules of a PyTorch state dict in safetensors, with every other tensor counted."""
    return state_dict_model("safetensors", _header(data, max_params), lambda: _load(data), [])


CELL_CLASSES = {"lstm": "nn.LSTMCell", "gru": "nn.GRUCell", "rnn": "nn.RNNCell"}


def state_dict_model(
    fmt: str, entries: list[_Entry], load: Callable[[], dict[str, np.ndarray]], notes: list[str]
) -> ModelFile:
    """A state dict's recurrent modules (nn.LSTM/GRU/RNN and their Cell twins) and every other tensor counted."""
    groups: dict[str, dict[str, _Entry]] = {}
    cells: set[str] = set()
    plain: list[_Entry] = []
    for entry in entries:
        match = _KEY.match(entry.key)
        if match is None:
            plain.append(entry)
            continue
        prefix = match["prefix"] or ""
        if match["layer"] is None:
            # nn.LSTMCell / GRUCell / RNNCell: weight_ih with no _l0; one layer of the same count.
            cells.add(prefix)
            suffix = f"{match['kind']}_l0"
        else:
            suffix = entry.key[len(prefix) + 1 :] if prefix else entry.key
        groups.setdefault(prefix, {})[suffix] = entry
    notes = list(notes)
    found: list[tuple[int, RecurrentLayer]] = []
    arrays: dict[str, np.ndarray] | None = None
    for prefix, members in groups.items():
        spec_or_reason = _infer(prefix or ROOT_NAME, members)
        if isinstance(spec_or_reason, str):
            notes.append(spec_or_reason)
            plain.extend(members.values())
            continue
        if arrays is None:
            arrays = load()
        layer = _layer(prefix, spec_or_reason, members, arrays)
        if prefix in cells:
            cls = CELL_CLASSES[layer.spec.cell]
            layer = RecurrentLayer(layer.name, layer.spec, layer.weights, True, layer.source_keys, source_class=cls)
            check = zoo_check(f"torch.{cls}", layer.spec.features, layer.spec.units, layer.params, (), layer.spec.bias)
            notes.append(
                f"{layer.name}: an {cls} (keys without _l0), shown as a one-layer nn.{cls[3:-4]}: the same parameters"
                + (f"; {check}" if check else "")
            )
        found.append((min(e.start for e in members.values()), layer))
    found.sort(key=lambda item: item[0])
    layers = tuple(layer for _, layer in found)
    if any("nonlinearity" in convention_of(layer.spec).unstored for layer in layers):
        notes.append("nn.RNN's nonlinearity (tanh or relu) is not stored in a state dict: tanh assumed")
    notes.append("sizes inferred from parameter names and shapes (a state dict has no config)")
    others: dict[str, int] = {}
    for entry in sorted(plain, key=lambda e: e.start):
        module = entry.key.rsplit(".", 1)[0] if "." in entry.key else entry.key
        others[module] = others.get(module, 0) + entry.params
    unread = [m for m in others if _RECURRENT_NAME.search(m.rsplit(".", 1)[-1])]
    for module in unread:
        notes.append(
            f"{module}: its name looks recurrent but its tensors fit no nn.LSTM, nn.GRU or nn.RNN; "
            f"counted as other ({others[module]:,} parameters)"
        )
    total = sum(e.params for e in entries)
    return ModelFile(fmt, total, layers, tuple(others.items()), tuple(notes), tuple(unread))


def _header(data: bytes, max_params: int) -> list[_Entry]:
    if len(data) < 8:
        raise RefusedFile("this safetensors file is shorter than its 8-byte header length")
    length = int.from_bytes(data[:8], "little")
    if length < 2 or length > MAX_HEADER_BYTES or 8 + length > len(data):
        raise RefusedFile(
            f"this safetensors header claims {length:,} bytes but the file has {len(data):,}: an absurd header length"
        )
    header = parse_json(data[8 : 8 + length], "the safetensors header")
    if not isinstance(header, dict):
        raise RefusedFile("the safetensors header is not a JSON object")
    header.pop("__metadata__", None)
    if len(header) > MAX_OBJECTS:
        raise RefusedFile(f"this safetensors file lists more than {MAX_OBJECTS:,} tensors; refused")
    body = len(data) - 8 - length
    entries: list[_Entry] = []
    declared = 0
    for key, info in header.items():
        entry = _entry(key, info, body)
        declared += entry.params
        if declared > max_params:
            raise RefusedFile(f"this file declares more than {max_params:,} parameters, the cap; refused")
        entries.append(entry)
    entries.sort(key=lambda e: (e.start, e.params))
    _check_layout(entries, body)
    return entries


def _check_layout(entries: list[_Entry], body: int) -> None:
    """Every byte of the body belongs to exactly one tensor: no overlap, no gap, nothing after the last."""
    # Checked for every file, not only when the safetensors package parses it: 19 tensors over the
    # same 4 MB would otherwise be counted as 19 times the parameters the file holds.
    at = 0
    for entry in entries:
        if entry.start != at:
            gap = f"leave bytes {at:,}..{entry.start:,} unused"
            what = "overlap the tensor before it" if entry.start < at else gap
            raise RefusedFile(f"tensor {entry.key!r}: its bytes {what}; refused")
        at = entry.start + entry.params * ITEMSIZE[entry.dtype]
    if at != body:
        raise RefusedFile(f"this safetensors body has {body - at:,} bytes that no tensor claims; refused")


def _entry(key: str, info: Any, body: int) -> _Entry:
    if not isinstance(info, dict):
        raise RefusedFile(f"tensor {key!r}: its header entry is not an object")
    dtype, shape, offsets = info.get("dtype"), info.get("shape"), info.get("data_offsets")
    if dtype not in ITEMSIZE:
        raise RefusedFile(f"tensor {key!r}: unknown dtype {str(dtype)[:20]!r}")
    if not (isinstance(shape, list) and len(shape) <= 8 and all(_whole(s) for s in shape)):
        raise RefusedFile(f"tensor {key!r}: shape {str(shape)[:40]} is not a list of sizes")
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(_whole(o) for o in offsets)):
        raise RefusedFile(f"tensor {key!r}: data_offsets {str(offsets)[:40]} are not two byte positions")
    start, stop = offsets
    if start > stop or stop > body:
        raise RefusedFile(f"tensor {key!r}: its bytes {start:,}..{stop:,} run past the end of the file ({body:,})")
    if stop - start != math.prod(shape) * ITEMSIZE[dtype]:
        raise RefusedFile(f"tensor {key!r}: {stop - start:,} bytes cannot hold a {dtype} tensor of shape {shape}")
    return _Entry(key, dtype, tuple(shape), start)


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1 << 62


def _load(data: bytes) -> dict[str, np.ndarray]:
    """Every tensor's bytes, parsed by the safetensors package (which checks the layout again)."""
    try:
        flat = safetensors.deserialize(data)  # type: ignore[no-untyped-call]
    except Exception as error:  # SafetensorError and friends: any parse failure is a refusal
        raise RefusedFile(f"the safetensors package refused this file ({str(error)[:80]})") from None
    out: dict[str, np.ndarray] = {}
    for key, view in flat:
        dtype, raw = view["dtype"], view["data"]  # a bytearray: viewed below, not copied again
        if dtype == "BF16":
            # bfloat16 is the top half of a float32: widen it exactly.
            out[key] = (np.frombuffer(raw, "<u2").astype(np.uint32) << 16).view(np.float32).reshape(view["shape"])
        elif dtype in FLOATS:
            out[key] = np.frombuffer(raw, np.dtype(FLOATS[dtype]).newbyteorder("<")).reshape(view["shape"])
    return out


def _infer(name: str, members: Mapping[str, _Entry]) -> RecurrentSpec | str:
    """The nn.LSTM/GRU/RNN these parameter names and shapes describe, or a note why they don't fit one."""
    layer_count = 1 + max(int(_KEY.match(k)["layer"] or 0) for k in members)  # type: ignore[index]
    reverse = any(k.endswith("_reverse") for k in members)
    first_ih, first_hh = members.get("weight_ih_l0"), members.get("weight_hh_l0")
    if first_ih is None or first_hh is None or len(first_ih.shape) != 2 or len(first_hh.shape) != 2:
        return f"{name}: no 2-D weight_ih_l0 and weight_hh_l0, so not counted as a recurrent layer"
    projection = members.get("weight_hr_l0")
    if projection is not None and len(projection.shape) == 2:
        proj_size, units = projection.shape
    else:
        proj_size, units = 0, first_hh.shape[1]
    gates, leftover = divmod(first_ih.shape[0], units) if units else (0, 1)
    cell = GATES_TO_CELL.get(gates) if leftover == 0 else None
    if cell is None:
        return f"{name}: weight_ih_l0 {first_ih.shape} is not (G·h, x) for an LSTM, GRU or RNN"
    try:
        return RecurrentSpec(
            framework="pytorch",
            cell=cell,
            features=first_ih.shape[1],
            units=units,
            layers=layer_count,
            bidirectional=reverse,
            bias="bias_ih_l0" in members,
            proj_size=proj_size,
        )
    except ValueError as error:
        return f"{name}: {error}"


def _layer(
    prefix: str, spec: RecurrentSpec, members: Mapping[str, _Entry], arrays: Mapping[str, np.ndarray]
) -> RecurrentLayer:
    name = prefix or ROOT_NAME
    expected = {t.key: t for t in breakdown(spec).tensors}
    for key in members:
        if key not in expected:
            raise RefusedFile(f"{name}: {key} does not belong to a {spec.cell} of this shape; refused")
    weights: dict[str, np.ndarray] = {}
    sources: dict[str, str] = {}
    for key, tensor in expected.items():
        entry = members.get(key)
        if entry is None:
            raise RefusedFile(f"{name}: {key} is missing (expected shape {tensor.shape})")
        if entry.shape != tensor.shape:
            raise RefusedFile(f"{name}: {key} has shape {entry.shape}, expected {tensor.shape}")
        full = entry.key
        if full not in arrays:
            raise RefusedFile(f"{name}: {key} is stored as {entry.dtype}, not as floating-point weights")
        weights[key] = finite_float32(arrays[full], f"{name}: {key}")
        sources[key] = full
    return RecurrentLayer(name, spec, weights, True, sources)


# --- torch.save files (.pt, .pth, .bin, .ckpt), read as data ------------------------------------


def read_torch_save(data: bytes, max_params: int) -> ModelFile:
    """A torch.save file (zip, or the legacy stream) holding a state dict, or a checkpoint dict holding one."""
    from lstmviz.modelfiles import torch_pickle as tp

    saved = tp.read_torch_legacy(data) if data.startswith(b"\x80") else tp.read_torch_zip(data)
    tensors, notes = _find_state_dict(saved.root, tp)
    declared = 0
    entries: list[_Entry] = []
    for index, (key, ref) in enumerate(tensors.items()):
        declared += ref.numel
        if declared > max_params:
            raise RefusedFile(f"this file declares more than {max_params:,} parameters, the cap; refused")
        entries.append(_Entry(key, tp.STORAGES[ref.storage.dtype][1], ref.size, index))

    def load() -> dict[str, np.ndarray]:
        out = {}
        for key, ref in tensors.items():
            if tp.STORAGES[ref.storage.dtype][1] in ("F32", "F64", "F16", "BF16"):
                out[key] = tp.tensor_array(ref, saved.storages, saved.big_endian)
        return out

    return state_dict_model("torch", entries, load, notes)


_OPTIMIZER = re.compile(r"optim|scheduler|scaler", re.IGNORECASE)


def _find_state_dict(root: Any, tp: Any) -> tuple[dict[str, Any], list[str]]:
    """The tensors of the state dict in a torch.save object, keyed as PyTorch keys them, and notes."""
    if isinstance(root, tp.Opaque):
        raise RefusedFile(f"this file holds a pickled object of class `{root.cls}`; {tp.SAVE_ADVICE}")
    if not isinstance(root, dict):
        raise RefusedFile(f"this torch.save file holds a {type(root).__name__}, not a state dict; {tp.SAVE_ADVICE}")
    notes: list[str] = []
    if not any(isinstance(v, tp.TensorRef) for v in root.values()):
        for key in tp.STATE_DICT_KEYS:
            inner = root.get(key)
            if isinstance(inner, tp.Opaque):
                raise RefusedFile(
                    f"this checkpoint's {key!r} is a pickled object of class `{inner.cls}`; {tp.SAVE_ADVICE}"
                )
            if isinstance(inner, dict) and any(isinstance(v, tp.TensorRef) for _, v in tp.walk(inner)):
                notes.append(f"a training checkpoint: the state dict under {key!r} is read")
                notes += _left_out(root, key, tp)
                root = inner
                break
    tensors: dict[str, Any] = {}
    for path, value in tp.walk(root):
        top = path.split(".", 1)[0]
        if isinstance(value, tp.TensorRef) and not _OPTIMIZER.search(top):
            if ".(state)" in path or ".(args)" in path or ".(items)" in path:
                owner = path.split(".(", 1)[0]
                raise RefusedFile(f"the weights at {owner!r} sit inside a pickled object; {tp.SAVE_ADVICE}")
            tensors[path] = value
    if not tensors:
        raise RefusedFile("this torch.save file holds no tensors outside optimizer state; nothing to count")
    return tensors, notes


def _left_out(root: dict[str, Any], used: str, tp: Any) -> list[str]:
    """Notes on what a checkpoint holds beside its state dict: optimizer state (never counted), other objects."""
    notes = []
    for key, value in root.items():
        if key == used:
            continue
        values = sum(v.numel for _, v in tp.walk(value) if isinstance(v, tp.TensorRef))
        if values:
            notes.append(f"{key!r}: {values:,} values of optimizer or training state, not counted as parameters")
        elif isinstance(value, tp.Opaque):
            notes.append(f"{key!r}: a pickled `{value.cls}` object, kept as data (never imported or run)")
    return notes
