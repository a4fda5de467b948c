"""Convert every recurrent layer of a model file: Keras file -> PyTorch state dict, PyTorch -> Keras.

The output is the bytes to write, the code that loads them, and one proof per layer; a layer that
cannot be converted, or whose proof fails, refuses the whole file with one line.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np

from lstmviz.forward import forward
from lstmviz.inputs import random_inputs
from lstmviz.modelfiles import MAX_FILE_BYTES, ModelFile, RecurrentLayer
from lstmviz.modelfiles.convert import (
    PEEPHOLES,
    PROOF_BATCH,
    PROOF_TIMESTEPS,
    TARGETS,
    Conversion,
    ConversionRefused,
    Proof,
    convert,
    prove,
)
from lstmviz.modelfiles.keras_writer import keras_file
from lstmviz.modelfiles.pytorch_writer import module_name, pytorch_code, state_dict_bytes
from lstmviz.spec import convention_of

KERAS_FORMATS = ("keras", "keras-h5", "keras-weights")
PYTORCH_FORMATS = ("safetensors", "torch")


@dataclass(frozen=True)
class Target:
    """A framework convert writes: the file it writes, the files it reads, and how that file holds layers."""

    framework: str
    suffix: str
    reads: tuple[str, ...]  # the ModelFile formats it converts from
    reads_text: str
    one_module: bool  # a .keras file holds one Sequential: one module, its layers chained
    source_config: bool  # the files it reads carry each layer's config (Keras), checked as the defaults


TARGET = {
    "pytorch": Target("pytorch", ".safetensors", KERAS_FORMATS, "a Keras file (.keras, .h5, .weights.h5)", False, True),
    "keras": Target("keras", ".keras", PYTORCH_FORMATS, "a PyTorch .safetensors state dict", True, False),
}
SUFFIX = {name: target.suffix for name, target in TARGET.items()}


@dataclass(frozen=True, eq=False)
class ConvertedModel:
    """What a conversion writes and shows: the file, the code that loads it, each layer's proof."""

    to: str
    conversions: tuple[Conversion, ...]
    data: bytes
    code: str
    notes: tuple[str, ...]
    assumptions: tuple[str, ...] = ()  # what the proof could not read from the source and took as given

    @property
    def proof_lines(self) -> tuple[str, ...]:
        """One line per layer: its name, classes and the largest output difference."""
        return tuple(f"{c.name}: {c.proof.text} ✓" for c in self.conversions)


# A state dict stores weights only: nn.RNN's nonlinearity is a constructor argument, nowhere in the file.
RNN_TANH_ASSUMED = (
    "{name}: tanh assumed (a state dict does not record nn.RNN's nonlinearity; "
    "for nn.RNN(nonlinearity='relu') pass --nonlinearity relu, which is refused)"
)
RNN_RELU_REFUSED = (
    "nn.RNN(nonlinearity='relu'): lstmviz's proof computes tanh only, so it writes no "
    "SimpleRNN(activation='relu') it cannot check; not written"
)
KERAS_DEFAULTS = "{name}: the Keras config says tanh with sigmoid gates, read forward in time, as nn.{cls} computes"


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
            article = "an" if layer.source_class.startswith("nn.") else "a"
            raise ConversionRefused(
                f"{layer.name} is {article} {layer.source_class}, which lstmviz shows but does not convert yet; refused"
            )


def target_for(model: ModelFile) -> str | None:
    """The framework a file converts to: PyTorch for a Keras file, Keras for a state dict, else None."""
    return next((name for name, target in TARGET.items() if model.format in target.reads), None)


def _check_format(model: ModelFile, to: str) -> None:
    if to not in TARGETS:
        raise ConversionRefused(f"--to must be one of {', '.join(TARGETS)}; got {to!r}")
    if model.format not in TARGET[to].reads:
        raise ConversionRefused(f"converting to {to} reads {TARGET[to].reads_text}; this file is {model.format}")
    if not model.layers:
        raise ConversionRefused("the file holds no LSTM, GRU or SimpleRNN layer to convert")


def _chosen(model: ModelFile, to: str, module: str | None) -> tuple[RecurrentLayer, ...]:
    names = [layer.name for layer in model.layers]
    if module is not None:
        if module not in names:
            raise ConversionRefused(f"no recurrent module named {module!r}; the file holds {', '.join(names)}")
        return tuple(layer for layer in model.layers if layer.name == module)
    if TARGET[to].one_module and len(names) > 1:
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
    nonlinearity: str = "tanh",
) -> ConvertedModel:
    """Convert every recurrent layer of `model` (or the one named `module`) to `to`; raises ConversionRefused."""
    _refuse_peepholes(model)
    _refuse_unread(model)
    _check_format(model, to)
    chosen = _chosen(model, to, module)
    if nonlinearity != "tanh":
        if any("nonlinearity" in convention_of(layer.spec).unstored for layer in chosen):
            raise ConversionRefused(RNN_RELU_REFUSED)
        if nonlinearity != "relu":
            raise ConversionRefused(f"--nonlinearity must be tanh or relu; got {nonlinearity!r}")
    conversions = tuple(
        convert(
            layer.spec,
            layer.weights,
            to,
            name=layer.name or "rnn",
            activation=layer.activation,
            peepholes=_peepholes(layer),
        )
        for layer in chosen
    )
    notes = tuple(
        f"{name} ({params:,} parameters) is not a recurrent layer and was not converted"
        for name, params in model.other_layers
        if params  # an input or dropout layer has nothing to convert
    )
    written = 4 * sum(int(a.size) for c in conversions for a in c.target_weights.values())
    if written > MAX_FILE_BYTES:
        raise ConversionRefused(
            f"the converted file would hold {written:,} bytes of weights, over the {MAX_FILE_BYTES:,}-byte cap "
            "lstmviz reads; not written"
        )
    if not TARGET[to].one_module:
        try:
            data = state_dict_bytes([(c.name, c.target, c.target_weights) for c in conversions])
        except Exception as error:  # noqa: BLE001 - ValueError, SafetensorError: one line, never a traceback
            raise ConversionRefused(f"the state dict cannot be written ({str(error)[:120]})") from None
        code = pytorch_code([(c.name, c.target) for c in conversions], out_name)
        renamed = [c.name for c in conversions if module_name(c.name) != c.name]
        notes += tuple(
            f"{name} is stored as {module_name(name)}.* (state-dict keys cannot hold dots)" for name in renamed
        )
    else:
        only = conversions[0]
        data = keras_file(only.target, only.target_weights, saved_at)
        code = keras_code(out_name, only.target.features)
    conversions = _check_written(data, to, conversions)
    return ConvertedModel(to, conversions, data, code, notes, _assumptions(conversions, to))


def _assumptions(conversions: tuple[Conversion, ...], to: str) -> tuple[str, ...]:
    """What each proof took as given, one line per layer, e.g. 'rnn: tanh assumed (...)'."""
    lines = []
    for c in conversions:
        if "nonlinearity" in convention_of(c.source).unstored:
            lines.append(RNN_TANH_ASSUMED.format(name=c.name))
        elif TARGET[to].source_config:
            lines.append(KERAS_DEFAULTS.format(name=c.name, cls=convention_of(c.target).class_name))
    return tuple(lines)


def _check_written(data: bytes, to: str, conversions: tuple[Conversion, ...]) -> tuple[Conversion, ...]:
    """Read the written file back as any upload is read and prove it again: its configs and weights, not ours."""
    from lstmviz.modelfiles import RefusedFile, read_model

    try:
        written = read_model(data, "written" + SUFFIX[to])
    except RefusedFile as error:
        raise ConversionRefused(f"the written file does not read back ({error}); not written") from None
    for layer in written.layers:
        if layer.activation != "default":
            raise ConversionRefused(f"{layer.name}: the written config says {layer.activation}; not written")
    if TARGET[to].one_module:  # one Sequential: the written layers, chained, must compute the source module
        only = conversions[0]
        return (replace(only, proof=_chain_proof(only, written.layers)),)
    by_name = {layer.name: layer for layer in written.layers}
    proved = []
    for want in conversions:
        got = by_name.get(module_name(want.name))
        if got is None:
            raise ConversionRefused(f"{want.name}: the written file has no module of that name; not written")
        proof = prove(want.source, want.source_weights, got.spec, got.weights)
        if not proof.ok:
            raise ConversionRefused(f"{want.name}: the written file's outputs differ ({proof.text}); not written")
        proved.append(replace(want, proof=proof))
    return tuple(proved)


def _chain_proof(want: Conversion, layers: tuple[RecurrentLayer, ...]) -> Proof:
    """The source layer against the written Keras layers run one after another on the same inputs."""
    inputs = random_inputs(PROOF_BATCH, PROOF_TIMESTEPS, want.source.features, seed=0)
    expected = forward(want.source, want.source_weights, inputs).outputs
    outputs = inputs
    for layer in layers:
        outputs = forward(layer.spec, layer.weights, outputs).outputs
    diff = (
        float(np.max(np.abs(expected.astype(np.float64) - outputs.astype(np.float64))))
        if expected.shape == outputs.shape
        else float("inf")
    )
    proof = Proof(diff, PROOF_BATCH, PROOF_TIMESTEPS, expected.shape[2])
    if not proof.ok:
        raise ConversionRefused(f"{want.name}: the written file's outputs differ ({proof.text}); not written")
    return proof


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
