"""ONNX models: LSTM, GRU and RNN nodes with their W, R, B initializers, read as data.

The protobuf is parsed from bytes in memory; any tensor that keeps its data outside the file
(external data) is refused before anything is read, so a model can never make lstmviz open
another file on the host. Each recurrent node is one RecurrentLayer (ONNX has no stacked op).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import onnx
from onnx import numpy_helper

from lstmviz.counting import breakdown
from lstmviz.readers.model import MAX_OBJECTS, ModelFile, RecurrentLayer, RefusedFile
from lstmviz.readers.safety import finite_float32
from lstmviz.spec import RecurrentSpec

OPS = {"LSTM": ("lstm", 4), "GRU": ("gru", 3), "RNN": ("rnn", 1)}
DEFAULT_ACTIVATIONS = {"lstm": ["Sigmoid", "Tanh", "Tanh"], "gru": ["Sigmoid", "Tanh"], "rnn": ["Tanh"]}
FLOAT_TYPES = {onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE, onnx.TensorProto.FLOAT16, onnx.TensorProto.BFLOAT16}
DIRECTIONS = ("forward", "reverse", "bidirectional")
STATE_INPUTS = (4, 5, 6)  # sequence_lens, initial_h, initial_c: inputs, not parameters


# Protobuf fields the parser turns into Python-visible objects, walked on the wire before parsing:
# 3 million empty nodes (6 MB) took 0.9 GB and 4 s to parse, so a 64 MiB file could exhaust memory.
MAX_WIRE_FIELDS = 200_000  # 20,000 nodes (the object cap) of about ten fields each
MAX_WIRE_DEPTH = 32
# message -> {field number: message it holds}; fields not listed are counted and skipped. Every
# message the parser turns into objects is walked: tensors, value infos and type descriptions too
# (31.9 million empty shape dims inside one graph input took 2.4 GB while the scan skipped them).
_LEAF = "leaf"
_MESSAGES: dict[str, dict[int, str]] = {
    "model": {7: "graph", 20: "training", 25: "function", 8: _LEAF, 14: _LEAF},
    "training": {1: "graph", 2: "graph", 3: _LEAF, 4: _LEAF},
    "graph": {1: "node", 5: "tensor", 15: "sparse", 11: "value", 12: "value", 13: "value", 14: "note", 16: _LEAF},
    "function": {7: "node", 11: "attribute", 12: "value", 9: _LEAF, 14: _LEAF},
    "node": {5: "attribute", 9: _LEAF},
    "attribute": {5: "tensor", 6: "graph", 10: "tensor", 11: "graph", 14: "type", 15: "type", 22: "sparse",
                  23: "sparse"},  # fmt: skip
    "sparse": {1: "tensor", 2: "tensor"},
    "tensor": {3: _LEAF, 13: _LEAF, 16: _LEAF},
    "value": {2: "type", 4: _LEAF},
    "type": {1: "type_tensor", 4: "type_seq", 5: "type_map", 8: "type_tensor", 9: "type_seq"},
    "type_tensor": {2: "shape"},
    "type_seq": {1: "type"},
    "type_map": {2: "type"},
    "shape": {1: _LEAF},
    "note": {2: _LEAF},
    _LEAF: {},
}
# Packed repeated integers (tensor dims and int data, attribute ints): each value becomes 8 bytes
# in memory from as little as one byte on the wire, so their bytes are counted against their own cap.
_PACKED_VARINTS = {("tensor", 1), ("tensor", 5), ("tensor", 7), ("tensor", 11), ("attribute", 8), ("sparse", 3)}
MAX_WIRE_VARINTS = 16_000_000  # 128 MB as int64


def check_wire(data: bytes) -> None:
    """Count an ONNX model's protobuf fields (every message, packed integers too) before parsing; refuse too many."""
    fields = varints = 0
    todo = [(0, len(data), "model", 0)]
    while todo:
        pos, end, kind, depth = todo.pop()
        if depth > MAX_WIRE_DEPTH:
            raise RefusedFile(f"this ONNX model nests messages more than {MAX_WIRE_DEPTH} deep; refused")
        children = _MESSAGES[kind]
        while pos < end:
            fields += 1
            if fields > MAX_WIRE_FIELDS:
                raise RefusedFile(f"this ONNX model has over {MAX_WIRE_FIELDS:,} protobuf fields; refused")
            key, pos = _varint(data, pos, end)
            wire = key & 7
            if wire == 0:
                _, pos = _varint(data, pos, end)
            elif wire == 1:
                pos += 8
            elif wire == 5:
                pos += 4
            elif wire == 2:
                length, pos = _varint(data, pos, end)
                number = key >> 3
                if number in children:
                    todo.append((pos, min(pos + length, end), children[number], depth + 1))
                elif (kind, number) in _PACKED_VARINTS:
                    varints += length  # at most one value per byte
                    if varints > MAX_WIRE_VARINTS:
                        raise RefusedFile(
                            f"this ONNX model packs over {MAX_WIRE_VARINTS:,} integers (dims, int data); refused"
                        )
                pos += length
            else:
                raise RefusedFile("this is not a readable ONNX model (unexpected protobuf wire type)")
        if pos > end:
            raise RefusedFile("this is not a readable ONNX model (a protobuf field runs past its end)")


def _varint(data: bytes, pos: int, end: int) -> tuple[int, int]:
    value = shift = 0
    while pos < end and shift < 64:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7
    raise RefusedFile("this is not a readable ONNX model (a broken protobuf varint)")


def read_onnx(data: bytes, max_params: int) -> ModelFile:
    """Every LSTM/GRU/RNN node of an ONNX model with its initializers; other initializers counted."""
    check_wire(data)
    try:
        model = onnx.load_model_from_string(data)
    except Exception as error:  # DecodeError and friends: not a readable protobuf
        raise RefusedFile(f"this is not a readable ONNX model ({str(error)[:80]})") from None
    graph = model.graph
    tensors = list(_all_tensors(model))
    if len(tensors) + len(graph.node) > MAX_OBJECTS:
        raise RefusedFile(f"this ONNX model has more than {MAX_OBJECTS:,} tensors and nodes; refused")
    declared = 0
    for tensor in tensors:
        if tensor.data_location == onnx.TensorProto.EXTERNAL or len(tensor.external_data):
            raise RefusedFile(f"ONNX tensor {tensor.name!r} keeps its data in another file (external data); refused")
        if any(d < 0 for d in tensor.dims):
            raise RefusedFile(f"ONNX tensor {tensor.name!r} has a negative dimension; refused")
        declared += math.prod(tensor.dims)
        if declared > max_params:
            raise RefusedFile(f"this file declares more than {max_params:,} parameters, the cap; refused")
    initializers = {t.name: t for t in graph.initializer}
    used_as_state = {n.input[i] for n in graph.node if n.op_type in OPS for i in STATE_INPUTS if i < len(n.input)}
    layers: list[RecurrentLayer] = []
    claimed: set[str] = set()
    notes: list[str] = []
    for index, node in enumerate(graph.node):
        if node.op_type in OPS and node.domain in ("", "ai.onnx"):
            layer, used, note = _node_layer(node, index, initializers)
            if layer is not None:
                layers.append(layer)
                claimed |= used
            if note:
                notes.append(note)
    others: list[tuple[str, int]] = []
    skipped = 0
    for tensor in graph.initializer:
        if tensor.name in claimed:
            continue
        size = math.prod(tensor.dims)
        if tensor.data_type not in FLOAT_TYPES or tensor.name in used_as_state:
            skipped += size
            continue
        others.append((tensor.name, size))
    if skipped:
        notes.append(f"{skipped:,} values of integer constants and initial states are not counted as parameters")
    total = sum(layer.params for layer in layers) + sum(p for _, p in others)
    return ModelFile("onnx", total, tuple(layers), tuple(others), tuple(notes))


def _all_tensors(model: onnx.ModelProto) -> Iterator[onnx.TensorProto]:
    """Every TensorProto in the model: initializers, sparse ones, and node attributes in every subgraph."""
    graphs = [model.graph]
    nodes = [node for function in model.functions for node in function.node]
    while graphs or nodes:
        if graphs:
            graph = graphs.pop()
            yield from graph.initializer
            for sparse in graph.sparse_initializer:
                yield sparse.values
                yield sparse.indices
            nodes.extend(graph.node)
            continue
        node = nodes.pop()
        for attribute in node.attribute:
            if attribute.HasField("t"):
                yield attribute.t
            yield from attribute.tensors
            if attribute.HasField("sparse_tensor"):
                yield attribute.sparse_tensor.values
            if attribute.HasField("g"):
                graphs.append(attribute.g)
            graphs.extend(attribute.graphs)


def _attributes(node: onnx.NodeProto) -> dict[str, object]:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _node_layer(
    node: onnx.NodeProto, index: int, initializers: dict[str, onnx.TensorProto]
) -> tuple[RecurrentLayer | None, set[str], str]:
    """One recurrent node as a layer, the initializers it owns, and a note (or "")."""
    cell, gates = OPS[node.op_type]
    name = node.name or f"{node.op_type}_{index}"
    inputs = list(node.input) + [""] * (8 - len(node.input))
    w_name, r_name, b_name, p_name = inputs[1], inputs[2], inputs[3], inputs[7]
    if w_name not in initializers or r_name not in initializers or (b_name and b_name not in initializers):
        return None, set(), f"{name}: W, R or B is computed, not stored, so this node is not shown"
    attrs = _attributes(node)
    W = _array(initializers[w_name], f"{name}: W")
    R = _array(initializers[r_name], f"{name}: R")
    B = _array(initializers[b_name], f"{name}: B") if b_name else None
    direction = attrs.get("direction", b"forward")
    direction = direction.decode("utf-8", errors="replace") if isinstance(direction, bytes) else str(direction)
    if direction not in DIRECTIONS:
        # ONNX defines three; onnxruntime rejects any other, so no reading of it is the file's meaning.
        raise RefusedFile(f"{name}: direction {direction[:40]!r} is not one of {', '.join(DIRECTIONS)}; refused")
    directions = 2 if direction == "bidirectional" else 1
    if W.ndim != 3 or R.ndim != 3 or W.shape[0] != directions or R.shape[0] != directions:
        raise RefusedFile(f"{name}: W {W.shape} and R {R.shape} are not [directions, G·h, ·] for {direction}")
    units = R.shape[2]
    hidden = attrs.get("hidden_size", units)
    if hidden != units or R.shape[1] != gates * units or W.shape[1] != gates * units:
        raise RefusedFile(f"{name}: W {W.shape}, R {R.shape} do not fit a {node.op_type} with hidden_size {hidden}")
    if B is not None and B.shape != (directions, 2 * gates * units):
        raise RefusedFile(f"{name}: B {B.shape} is not [directions, 2·{gates}·h]")
    unusual = _unusual(cell, attrs, direction, directions)
    used = {w_name, r_name} | ({b_name} if b_name else set())
    if p_name and p_name in initializers:
        unusual.append("peepholes P (not drawn, not in the count check)")
        used.add(p_name)
    try:
        spec = RecurrentSpec(
            framework="onnx",
            cell=cell,
            features=int(W.shape[2]),
            units=int(units),
            bidirectional=directions == 2,
            bias=B is not None,
            reset_after=attrs.get("linear_before_reset", 0) == 1 if cell == "gru" else True,
        )
    except ValueError as error:
        raise RefusedFile(f"{name}: {error}") from None
    weights: dict[str, np.ndarray] = {}
    sources: dict[str, str] = {}
    arrays = {"W": (W, w_name), "R": (R, r_name), "B": (B, b_name)}
    for tensor in breakdown(spec).tensors:  # B is in the breakdown only when the node has one
        values, source = arrays[tensor.name]
        d = 0 if tensor.direction == "forward" else 1
        weights[tensor.key] = np.zeros(tensor.shape, np.float32) if values is None else values[d]
        sources[tensor.key] = f"{source}[{d}]"
    layer = RecurrentLayer(name, spec, weights, False, sources, ", ".join(unusual) or "default")
    note = f"{name}: {', '.join(unusual)}" if unusual else ""
    return layer, used, note


def _unusual(cell: str, attrs: dict[str, object], direction: str, directions: int) -> list[str]:
    """Options lstmviz's views do not model: recorded so the views and convert can say so."""
    out = []
    activations = attrs.get("activations")
    if activations:
        names = [a.decode() if isinstance(a, bytes) else str(a) for a in activations]  # type: ignore[attr-defined]
        if names != DEFAULT_ACTIVATIONS[cell] * directions:
            out.append(f"activations={','.join(names)}")
    if direction == "reverse":
        out.append("direction=reverse")
    if attrs.get("clip") is not None:
        out.append(f"clip={attrs['clip']}")
    if attrs.get("input_forget", 0):
        out.append("input_forget=1")
    return out


def _array(tensor: onnx.TensorProto, where: str) -> np.ndarray:
    if tensor.data_type not in FLOAT_TYPES:
        raise RefusedFile(f"{where} is not floating-point weights")
    return finite_float32(np.asarray(numpy_helper.to_array(tensor)), where)
