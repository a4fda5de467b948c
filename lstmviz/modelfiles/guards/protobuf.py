"""The protobuf wire guard for ONNX: every message's fields counted on the wire before the parser builds objects."""

from __future__ import annotations

from lstmviz.modelfiles.contents import RefusedFile

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
    "attribute": {
        5: "tensor",
        6: "graph",
        10: "tensor",
        11: "graph",
        14: "type",
        15: "type",
        22: "sparse",
        23: "sparse",
    },  # fmt: skip
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
