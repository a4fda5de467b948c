"""What a model file holds, as lstmviz sees it: its recurrent layers with real weights, and the rest."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from lstmviz.spec import RecurrentSpec

# Caps on what one file may make the reader do; documented in the README ("Inspect your own model").
# The upload itself, and any one member unpacked from a zip: 64 MB as Streamlit's uploader counts
# server.maxUploadSize = 64 in the browser (a MB is 10^6 bytes there, except on Windows), so the
# page, the readers and the README say one number.
MAX_FILE_BYTES = 64_000_000
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
    # (activation, recurrent_activation) as lstmviz.forward names them; None when the forward pass cannot run them
    activations: tuple[str, str] | None = ("tanh", "sigmoid")

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


def zoo_check(
    class_path: str, features: int, units: int, stored: int, kernel_size: tuple[int, ...] = (), bias: bool = True
) -> str:
    """The layer zoo's count for a class lstmviz reads only in part: 'matches <formula> ✓', or what differs, or ''."""
    from lstmviz.zoo import ZooOptions, find_zoo, zoo_count

    record = find_zoo(class_path)
    if record is None:
        return ""
    try:
        count = zoo_count(record, ZooOptions(features=features, units=units, kernel_size=kernel_size, bias=bias))
    except ValueError:
        return ""
    flags = f"--layer {record.class_path} --features {features} --units {units}"
    flags += f" --kernel-size {','.join(map(str, kernel_size))}" if kernel_size else ""
    flags += "" if bias else " --no-bias"
    if count.total != stored:
        return f"lstmviz's {record.class_name} formula gives {count.substituted} ✗"
    return f"matches {count.substituted} ✓ (python -m lstmviz count {flags})"
