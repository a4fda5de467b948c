"""Convert every recurrent layer of a model file: Keras file -> PyTorch state dict, PyTorch -> Keras.

The output is the bytes to write, the code that loads them, and one proof per layer; a layer that
cannot be converted, or whose proof fails, refuses the whole file with one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lstmviz.convert import PEEPHOLES, TARGETS, Conversion, ConversionRefused, convert
from lstmviz.keras_file import keras_file
from lstmviz.readers import ModelFile, RecurrentLayer
from lstmviz.torch_file import module_name, pytorch_code, state_dict_bytes

KERAS_FORMATS = ("keras", "keras-h5", "keras-weights")
PYTORCH_FORMATS = ("safetensors", "torch")
SUFFIX = {"pytorch": ".safetensors", "keras": ".keras"}


@dataclass(frozen=True, eq=False)
class ConvertedModel:
    """What a conversion writes and shows: the file, the code that loads it, each layer's proof."""

    to: str
    conversions: tuple[Conversion, ...]
    data: bytes
    code: str
    notes: tuple[str, ...]

    @property
    def proof_lines(self) -> tuple[str, ...]:
        """One line per layer: its name, classes and the largest output difference."""
        return tuple(f"{c.name}: {c.proof.text} ✓" for c in self.conversions)


def _peepholes(layer: RecurrentLayer) -> bool:
    # The ONNX reader records an LSTM's peephole tensor P among the options it does not model.
    return "peephole" in layer.activation


def _refuse_peepholes(model: ModelFile) -> None:
    # Checked before the format: whatever the file, peepholes have no Keras or PyTorch twin.
    for layer in model.layers:
        if _peepholes(layer):
            raise ConversionRefused(f"{layer.name}: {PEEPHOLES}")


def _refuse_unread(model: ModelFile) -> None:
    # A partial file would look complete: refuse, naming the first layer that cannot be carried over.
    if model.unread:
        raise ConversionRefused(
            f"{model.unread[0]} is a recurrent layer lstmviz does not read (see the notes); refused rather than "
            "writing a file without it"
        )
    for layer in model.layers:
        if layer.source_class:
            raise ConversionRefused(
                f"{layer.name} is a {layer.source_class}, which lstmviz shows but does not convert yet; refused"
            )


def target_for(model: ModelFile) -> str | None:
    """The framework a file converts to: PyTorch for a Keras file, Keras for a state dict, else None."""
    if model.format in KERAS_FORMATS:
        return "pytorch"
    if model.format in PYTORCH_FORMATS:
        return "keras"
    return None


def _check_format(model: ModelFile, to: str) -> None:
    if to not in TARGETS:
        raise ConversionRefused(f"--to must be one of {', '.join(TARGETS)}; got {to!r}")
    wanted = KERAS_FORMATS if to == "pytorch" else PYTORCH_FORMATS
    if model.format not in wanted:
        kind = "a Keras file (.keras, .h5, .weights.h5)" if to == "pytorch" else "a PyTorch .safetensors state dict"
        raise ConversionRefused(f"converting to {to} reads {kind}; this file is {model.format}")
    if not model.layers:
        raise ConversionRefused("the file holds no LSTM, GRU or SimpleRNN layer to convert")


def _chosen(model: ModelFile, to: str, module: str | None) -> tuple[RecurrentLayer, ...]:
    names = [layer.name for layer in model.layers]
    if module is not None:
        if module not in names:
            raise ConversionRefused(f"no recurrent module named {module!r}; the file holds {', '.join(names)}")
        return tuple(layer for layer in model.layers if layer.name == module)
    if to == "keras" and len(names) > 1:
        raise ConversionRefused(
            f"the file holds {len(names)} recurrent modules ({', '.join(names)}); a .keras file takes one: "
            "choose it with --module NAME"
        )
    return model.layers


def convert_model(
    model: ModelFile,
    to: str,
    out_name: str = "converted",
    saved_at: datetime | None = None,
    module: str | None = None,
) -> ConvertedModel:
    """Convert every recurrent layer of `model` (or the one named `module`) to `to`; raises ConversionRefused."""
    _refuse_peepholes(model)
    _refuse_unread(model)
    _check_format(model, to)
    conversions = tuple(
        convert(
            layer.spec,
            layer.weights,
            to,
            name=layer.name or "rnn",
            activation=layer.activation,
            peepholes=_peepholes(layer),
        )
        for layer in _chosen(model, to, module)
    )
    notes = tuple(
        f"{name} ({params:,} parameters) is not a recurrent layer and was not converted"
        for name, params in model.other_layers
        if params  # an input or dropout layer has nothing to convert
    )
    if to == "pytorch":
        try:
            data = state_dict_bytes([(c.name, c.target, c.target_weights) for c in conversions])
        except ValueError as error:
            raise ConversionRefused(str(error)) from None
        code = pytorch_code([(c.name, c.target) for c in conversions], out_name)
        renamed = [c.name for c in conversions if module_name(c.name) != c.name]
        notes += tuple(
            f"{name} is stored as {module_name(name)}.* (state-dict keys cannot hold dots)" for name in renamed
        )
    else:
        only = conversions[0]
        data = keras_file(only.target, only.target_weights, saved_at)
        code = keras_code(out_name, only.target.features)
    return ConvertedModel(to, conversions, data, code, notes)


def keras_code(filename: str, features: int) -> str:
    """Python that opens the written .keras file and runs it once."""
    return (
        "import os\n\n"
        'os.environ.setdefault("KERAS_BACKEND", "torch")\n'
        "import keras\n"
        "import numpy as np\n\n"
        f"model = keras.saving.load_model({filename!r})\n"
        "# (batch, T, features) -> the PyTorch module's full output sequence:\n"
        f"outputs = model(np.random.randn(2, 40, {features}).astype('float32'))\n"
    )
