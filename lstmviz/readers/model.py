"""What a model file holds, as lstmviz sees it: its recurrent layers with real weights, and the rest."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from lstmviz.spec import RecurrentSpec

# Caps on what one file may make the reader do; documented in the README ("Inspect your own model").
MAX_FILE_BYTES = 64 * 1024 * 1024  # the upload itself, and any one member unpacked from a zip
MAX_PARAMS = 20_000_000  # every tensor the file declares, counted before anything is read (80 MB as float32)
MAX_OBJECTS = 20_000  # HDF5 groups + datasets, zip members, safetensors / ONNX tensors and nodes


class RefusedFile(ValueError):
    """A file the readers will not read; str(error) is one user-facing line saying why."""


@dataclass(frozen=True)
class RecurrentLayer:
    """One recurrent layer found in a file: its spec and its real weights in lstmviz's layout."""

    name: str  # Keras layer name, PyTorch module prefix, ONNX node name
    spec: RecurrentSpec  # framework = the file's convention
    weights: Mapping[str, np.ndarray]  # float32, keyed by Tensor.key of lstmviz.breakdown(spec)
    inferred: bool  # sizes came from names and shapes, not from a config
    source_keys: Mapping[str, str]  # Tensor.key -> where that array lives in the file
    activation: str = "default"  # a non-default activation (e.g. "relu"), recorded so convert can refuse it
    source_class: str = ""  # the file's own class when the spec's convention stands in for it (CuDNNLSTM, nn.LSTMCell)

    @property
    def params(self) -> int:
        """Parameters of the layer's tensors as stored in the file."""
        return sum(int(a.size) for a in self.weights.values())


@dataclass(frozen=True)
class ModelFile:
    """Everything read from one file: format, totals, recurrent layers and the other layers' counts."""

    format: str  # "keras", "keras-h5", "keras-weights", "safetensors", "onnx"
    total_params: int  # every tensor in the file (optimizer state excluded, see notes)
    layers: tuple[RecurrentLayer, ...]
    other_layers: tuple[tuple[str, int], ...] = field(default=())
    notes: tuple[str, ...] = field(default=())
    unread: tuple[str, ...] = field(default=())  # recurrent-looking layers not read (named in notes); convert refuses
