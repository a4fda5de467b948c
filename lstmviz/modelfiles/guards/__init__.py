"""Guards every reader goes through before a parser sees the bytes; nothing here runs file code.

One module per container, as Netron keeps zip.js and hdf5.js apart from the formats: `zip` (the
central directory walked before zipfile), `hdf5` (objects, chunks, declared against stored bytes),
`json` (plain data, capped), `protobuf` (ONNX's wire fields counted before parsing) and `arrays`
(real, finite float32 weights).
"""

from __future__ import annotations

from lstmviz.modelfiles.guards.arrays import finite_float32
from lstmviz.modelfiles.guards.hdf5 import (
    H5_BOMB_FLOOR_BYTES,
    H5_MAX_CHUNKS,
    H5_MAX_EXPANSION,
    H5_MAX_FILE_CHUNKS,
    NUMERIC_KINDS,
    H5Tree,
    check_h5,
    h5_attr_names,
    h5_attr_text,
    open_h5,
    read_array,
)
from lstmviz.modelfiles.guards.json import MAX_JSON_BYTES, MAX_JSON_CONTAINERS, parse_json
from lstmviz.modelfiles.guards.protobuf import MAX_WIRE_DEPTH, MAX_WIRE_FIELDS, MAX_WIRE_VARINTS, check_wire
from lstmviz.modelfiles.guards.zip import (
    MAX_ZIP_RATIO,
    ZIP_MAX_COMMENT,
    ZIP_MAX_EXTRA,
    ZIP_MAX_NAME,
    read_zip,
    zip_member_count,
)

__all__ = [
    "H5_BOMB_FLOOR_BYTES",
    "H5_MAX_CHUNKS",
    "H5_MAX_EXPANSION",
    "H5_MAX_FILE_CHUNKS",
    "MAX_JSON_BYTES",
    "MAX_JSON_CONTAINERS",
    "MAX_WIRE_DEPTH",
    "MAX_WIRE_FIELDS",
    "MAX_WIRE_VARINTS",
    "MAX_ZIP_RATIO",
    "NUMERIC_KINDS",
    "ZIP_MAX_COMMENT",
    "ZIP_MAX_EXTRA",
    "ZIP_MAX_NAME",
    "H5Tree",
    "check_h5",
    "check_wire",
    "finite_float32",
    "h5_attr_names",
    "h5_attr_text",
    "open_h5",
    "parse_json",
    "read_array",
    "read_zip",
    "zip_member_count",
]
