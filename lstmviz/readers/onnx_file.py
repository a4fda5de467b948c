"""ONNX models: LSTM, GRU and RNN nodes with their W, R, B initializers (placeholder until the convention lands)."""

from __future__ import annotations

from lstmviz.readers.model import ModelFile, RefusedFile


def read_onnx(data: bytes, max_params: int) -> ModelFile:
    """Not yet: ONNX support needs ONNX's gate layout in the core."""
    raise RefusedFile("ONNX files are not supported yet")
