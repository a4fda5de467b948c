"""One record per convention (framework × layer class): every fact lstmviz knows about a recurrent layer.

A `Convention` says what the framework calls the layer, which gates it has in which tensor order, which
tensors it stores (names, shapes as functions of the sizes, where the gate blocks sit), which options
apply, how it initialises its weights and how its equations are written. Counting, shapes, weights, the
forward pass, figures, files and the UI read these records; code does not branch on framework names.

Adding a convention is adding a record to `CONVENTIONS` (plus its oracle data and tests). Shapes are
written as products of size names, evaluated by `dim_size`:

    x      input size of the layer          h      units (hidden size)
    h_out  recurrent input: p or h          p      projection size (0 without one)
    G      number of gates                  k      kernel taps (k^d for a convolution; 1 for dense gates)

A record may use any other name its sizes supply (`Sizes.extra`), e.g. a ConvLSTM's kernel extents.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from math import prod
from types import MappingProxyType

# Tensor roles, in the order the count tree lists a gate's parts.
INPUT, RECURRENT, BIAS, PEEPHOLE, PROJECTION = "input", "recurrent", "bias", "peephole", "projection"
ROLES = (INPUT, RECURRENT, BIAS, PEEPHOLE, PROJECTION)


@dataclass(frozen=True)
class GateKind:
    """One gate's dense layer: its name, symbol and activation."""

    name: str
    symbol: str
    activation: str


@dataclass(frozen=True)
class Sizes:
    """The sizes one layer's tensor shapes are functions of."""

    x: int  # input size of this layer
    h: int  # units
    h_out: int  # what the recurrent weights read: p with a projection, else h
    p: int  # projection size, 0 without one
    G: int  # gates
    k: int = 1  # kernel taps per gate and input channel (k^d of a convolution); 1 for dense gates
    extra: tuple[tuple[str, int], ...] = ()  # further named sizes a record's shapes use

    def value(self, name: str) -> int:
        """The size called `name` (a field or an `extra` entry)."""
        extra = dict(self.extra)
        if name in extra:
            return extra[name]
        if name in ("x", "h", "h_out", "p", "G", "k"):
            return int(getattr(self, name))
        raise KeyError(f"no size named {name!r}")


def dim_size(dim: str, sizes: Sizes) -> int:
    """One dimension written as a sum of products of whole numbers and size names: "2*G*h" -> 2·G·h,
    "x+h_out" -> x + h_out (TF1's one kernel over [x, h])."""
    return sum(prod(int(f) if f.isdigit() else sizes.value(f) for f in term.split("*")) for term in dim.split("+"))


@dataclass(frozen=True)
class TensorRule:
    """One stored tensor of a layer (per layer and direction).

    `name` and `key` are templates: {layer} the layer index, {reverse} "_reverse" in the backward
    direction (else ""), {d} the direction index (0, 1), {path} the Keras variable path of the layer's
    cell ("lstm/lstm_cell/"), {gate} the gate symbol of a tensor stored once per gate.
    """

    name: str
    role: str  # one of ROLES
    dims: tuple[str, ...]  # the shape, one product of sizes per axis: ("x", "G*h")
    gate_axis: int | None = None  # axis along which the G gate blocks sit (negative counts from the end)
    repeats: int = 1  # how often the gate sequence appears along gate_axis (ONNX B = [Wb, Rb]: 2)
    sides: tuple[str, ...] = (INPUT,)  # for a bias: which products it is added to; two sides split it
    when: tuple[str, ...] = ()  # conditions, all must hold: "bias", "reset_after", "projection"; "!x" negates
    key: str = "{name}"  # unique in the stack
    per_gate: bool = False  # stored once per gate ({gate} in the name), not fused
    # The gates this tensor holds when not all of the layer's, in order: Flax's hf/kernel holds ("f",),
    # TF1's gates/kernel ("r", "u") and its candidate/kernel ("c",).
    gate_symbols: tuple[str, ...] = ()

    @property
    def base_name(self) -> str:
        """The name without its layer and direction suffix: weight_ih, kernel, W."""
        return self.name.split("{", 1)[0].removesuffix("_l")


@dataclass(frozen=True)
class Notation:
    """How the lesson and the equations write a gate's weights: templates over the gate symbol {s}."""

    input: str = "W_{s}"
    recurrent: str = "U_{s}"
    input_bias: str = "b_{s}"
    recurrent_bias: str = "b'_{s}"
    # The GRU's h_t from z_t, h_t−1 and the candidate {cand}_t, in the framework's documented order.
    state_update: str = ""
    # Whether the lesson's letters (W, U, b, W_hr) prefix tensor names: Keras names say nothing of it.
    letters: bool = False


@dataclass(frozen=True)
class Framework:
    """What a framework does the same for every layer class."""

    key: str  # "keras": spec.framework
    label: str  # "Keras 3"
    module: str  # where its layer classes live: "keras.layers", "torch.nn", "onnx"
    # Keras builds a model whose output is one tensor and prints model.summary(); the others list tensors.
    model_summary: bool
    # What the stack returns: "model_output" (Keras), "sequence_and_states" (PyTorch, batch first),
    # "node_outputs" (ONNX Y, Y_h, Y_c in layout 0).
    outputs: str
    # Options every layer class of the framework has, with their defaults.
    options: Mapping[str, object] = field(default_factory=dict)
    listing: str = ""  # the heading of the framework's own listing of the layer's tensors


@dataclass(frozen=True, eq=False)
class Convention:
    """One framework's layer class: its gates, tensors, options, initialisers, notation and labels."""

    framework: Framework
    cell: str  # the update rule: "lstm", "gru" or "rnn" (what forward, equations and the diagram follow)
    class_path: str  # the framework's own name: "keras.layers.LSTM", "torch.nn.LSTM", "onnx LSTM"
    class_label: str  # the short name shown after the framework label: "LSTM", "nn.LSTM"
    gates: tuple[GateKind, ...]  # in tensor order
    compute_order: tuple[int, ...]  # gate indices in the update rule's order: sigmoids first (LSTM i f o c; GRU r z n)
    tensors: tuple[TensorRule, ...]  # in the framework's own order (model.weights / named_parameters)
    options: Mapping[str, object] = field(default_factory=dict)  # option -> default, where it applies
    option_names: Mapping[str, str] = field(default_factory=dict)  # option -> the framework's own name
    option_labels: Mapping[str, str] = field(default_factory=dict)  # option -> its checkbox label, if not the name
    option_help: Mapping[str, str] = field(default_factory=dict)  # option -> one sentence on what it does
    fixed: Mapping[str, object] = field(default_factory=dict)  # behaviour the framework fixes (no option)
    initializers: Mapping[str, str] = field(default_factory=dict)  # role -> initialiser
    forget_bias: float = 0.0  # initial bias of the forget gate (Keras's unit_forget_bias: 1)
    notation: Notation = Notation()
    layer_name: str = ""  # the snake-case name a fresh model gives the layer ("simple_rnn"); "" = cell
    aliases: tuple[str, ...] = ()  # other class paths accepted for it
    # Constructor arguments that change the outputs but are not stored with the weights (nn.RNN's nonlinearity).
    unstored: tuple[str, ...] = ()
    # The layer zoo (lstmviz/zoo/__init__.py): spatial axes of a convolutional cell (-1: as many as its kernel
    # size has), whether the class is one step (a cell you loop yourself), and what trips users up.
    conv_dims: int = 0
    one_step: bool = False
    notes: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        """(framework, cell): the spec's fields that select this record."""
        return (self.framework.key, self.cell)

    @property
    def label(self) -> str:
        """The display label: "Keras 3 LSTM", "PyTorch nn.GRU", "ONNX RNN"."""
        return f"{self.framework.label} {self.class_label}"

    @property
    def class_name(self) -> str:
        """The class name in its framework's namespace, without a module prefix: LSTM, SimpleRNN."""
        return self.class_path.rsplit(".", 1)[-1].rsplit(" ", 1)[-1]

    @property
    def snake_name(self) -> str:
        """The layer's snake-case name in a fresh model: lstm, simple_rnn."""
        return self.layer_name or self.cell

    def option_default(self, name: str) -> object:
        """The default of an option that applies to this layer class (KeyError if it does not)."""
        merged = {**self.framework.options, **self.options}
        return merged[name]

    def has_option(self, name: str) -> bool:
        """Whether the option exists for this layer class."""
        return name in self.options or name in self.framework.options

    def option_name(self, name: str) -> str:
        """The framework's own name of an option: reset_after is ONNX's linear_before_reset."""
        return self.option_names.get(name, name)

    def behaviour(self, name: str, value: object) -> object:
        """What the layer does for option `name` given the spec's `value`: the fixed behaviour if the
        framework fixes it, the value if the option exists, else False."""
        if name in self.fixed:
            return self.fixed[name]
        return value if self.has_option(name) else False

    @property
    def has_cell_state(self) -> bool:
        """Whether the cell carries a cell state c_t beside h_t (an LSTM's)."""
        return "c" in CELL_STATES[self.cell]

    def option_label(self, name: str) -> str:
        """The option's label in the sidebar."""
        return self.option_labels.get(name, self.option_name(name))

    @property
    def input_rule(self) -> TensorRule:
        """The input weights' rule (every layer class has one)."""
        return next(r for r in self.tensors if r.role == INPUT)

    @property
    def gates_in_columns(self) -> bool:
        """Whether the input weights stack the gates along their last axis (columns), not rows."""
        return self.input_rule.gate_axis == len(self.input_rule.dims) - 1 or self.input_rule.gate_axis == -1


# The states each update rule carries from step to step.
CELL_STATES = {"lstm": ("h", "c"), "gru": ("h",), "rnn": ("h",), "mgu": ("h",)}

# Gate kinds shared by several records.
_I = GateKind("input", "i", "sigmoid")
_F = GateKind("forget", "f", "sigmoid")
_O = GateKind("output", "o", "sigmoid")
_Z = GateKind("update", "z", "sigmoid")
_R = GateKind("reset", "r", "sigmoid")
_HIDDEN = GateKind("hidden", "h", "tanh")

KERAS = Framework(
    "keras",
    "Keras 3",
    "keras.layers",
    model_summary=True,
    outputs="model_output",
    options=MappingProxyType({"return_sequences": False}),
    listing="As Keras 3 prints it: model.summary()",
)
PYTORCH = Framework(
    "pytorch",
    "PyTorch",
    "torch.nn",
    model_summary=False,
    outputs="sequence_and_states",
    # torchinfo lists modules; this lists tensors, and says so.
    listing="PyTorch's tensors, as named_parameters() lists them",
)
ONNX = Framework(
    "onnx",
    "ONNX",
    "onnx",
    model_summary=False,
    outputs="node_outputs",
    listing="W, R, B per direction (ONNX stacks the directions on axis 0)",
)
FRAMEWORK_RECORDS = {f.key: f for f in (KERAS, PYTORCH, ONNX)}


# kernel (x, G·h), recurrent_kernel (h, G·h), bias (G·h,) or, in a reset-after GRU, (2, G·h): row 0
# the input bias, row 1 the recurrent bias. Gates are column blocks (last axis).
_KERAS_TENSORS = (
    TensorRule("kernel", INPUT, ("x", "G*h"), gate_axis=-1, key="{path}kernel"),
    TensorRule("recurrent_kernel", RECURRENT, ("h", "G*h"), gate_axis=-1, key="{path}recurrent_kernel"),
    TensorRule("bias", BIAS, ("G*h",), gate_axis=-1, when=("bias", "!reset_after"), key="{path}bias"),
    TensorRule(
        "bias",
        BIAS,
        ("2", "G*h"),
        gate_axis=-1,
        sides=(INPUT, RECURRENT),
        when=("bias", "reset_after"),
        key="{path}bias",
    ),
)


def _torch_tensors(suffix: str = "_l{layer}{reverse}") -> tuple[TensorRule, ...]:
    # weight_ih (G·h, x), weight_hh (G·h, h_out), bias_ih and bias_hh (G·h,), weight_hr (p, h):
    # gates are row blocks (axis 0).
    return (
        TensorRule("weight_ih" + suffix, INPUT, ("G*h", "x"), gate_axis=0),
        TensorRule("weight_hh" + suffix, RECURRENT, ("G*h", "h_out"), gate_axis=0),
        TensorRule("bias_ih" + suffix, BIAS, ("G*h",), gate_axis=0, when=("bias",)),
        TensorRule("bias_hh" + suffix, BIAS, ("G*h",), gate_axis=0, sides=(RECURRENT,), when=("bias",)),
        TensorRule("weight_hr" + suffix, PROJECTION, ("p", "h"), when=("projection",)),
    )


# One ONNX node per layer: W [D, G·h, x], R [D, G·h, h], B [D, 2·G·h] (Wb then Rb). Each direction
# owns its slice along D, so a record's tensor is W[d], R[d], B[d].
_ONNX_TENSORS = (
    TensorRule("W", INPUT, ("G*h", "x"), gate_axis=0, key="layer{layer}/W[{d}]"),
    TensorRule("R", RECURRENT, ("G*h", "h"), gate_axis=0, key="layer{layer}/R[{d}]"),
    TensorRule(
        "B",
        BIAS,
        ("2*G*h",),
        gate_axis=0,
        repeats=2,
        sides=(INPUT, RECURRENT),
        when=("bias",),
        key="layer{layer}/B[{d}]",
    ),
)

_KERAS_INIT = MappingProxyType({INPUT: "glorot_uniform", RECURRENT: "orthogonal", BIAS: "zeros"})
# PyTorch draws every tensor from U(-1/sqrt(h), 1/sqrt(h)); ONNX stores no initialiser, so lstmviz
# uses PyTorch's, the exporter the examples come from.
_TORCH_INIT = MappingProxyType({role: "uniform_inv_sqrt_h" for role in ROLES})

_KERAS_NOTATION = Notation(letters=True, state_update="z_t ⊙ h_t−1 + (1 − z_t) ⊙ {cand}_t")
_TORCH_NOTATION = Notation("W_i{s}", "W_h{s}", "b_i{s}", "b_h{s}", "(1 − z_t) ⊙ {cand}_t + z_t ⊙ h_t−1")
_KERAS_RNN_NOTATION = Notation("W", "U", "b", "b'", letters=True)
_TORCH_RNN_NOTATION = Notation("W_ih", "W_hh", "b_ih", "b_hh")

_RESET_AFTER = MappingProxyType({"reset_after": True})

# Every record, in the order the UI lists them. The first record of a (framework, cell) pair is the
# one a spec's framework and cell fields select; further classes with the same pair (a PyTorch
# nn.LSTMCell next to nn.LSTM) are reached by class path.
RECORDS: tuple[Convention, ...] = (
    Convention(
        framework=KERAS,
        cell="lstm",
        class_path="keras.layers.LSTM",
        class_label="LSTM",
        gates=(_I, _F, GateKind("cell candidate", "c", "tanh"), _O),
        compute_order=(0, 1, 3, 2),
        tensors=_KERAS_TENSORS,
        initializers=_KERAS_INIT,
        forget_bias=1.0,  # unit_forget_bias=True
        notation=_KERAS_NOTATION,
    ),
    Convention(
        framework=KERAS,
        cell="gru",
        class_path="keras.layers.GRU",
        class_label="GRU",
        gates=(_Z, _R, GateKind("candidate", "h", "tanh")),
        compute_order=(1, 0, 2),
        tensors=_KERAS_TENSORS,
        options=_RESET_AFTER,
        initializers=_KERAS_INIT,
        notation=_KERAS_NOTATION,
    ),
    Convention(
        framework=KERAS,
        cell="rnn",
        class_path="keras.layers.SimpleRNN",
        class_label="SimpleRNN",
        gates=(_HIDDEN,),
        compute_order=(0,),
        tensors=_KERAS_TENSORS,
        initializers=_KERAS_INIT,
        notation=_KERAS_RNN_NOTATION,
        layer_name="simple_rnn",
    ),
    Convention(
        framework=PYTORCH,
        cell="lstm",
        class_path="torch.nn.LSTM",
        class_label="nn.LSTM",
        gates=(_I, _F, GateKind("cell candidate", "g", "tanh"), _O),
        compute_order=(0, 1, 3, 2),
        tensors=_torch_tensors(),
        options=MappingProxyType({"proj_size": 0}),
        initializers=_TORCH_INIT,
        notation=_TORCH_NOTATION,
    ),
    Convention(
        framework=PYTORCH,
        cell="gru",
        class_path="torch.nn.GRU",
        class_label="nn.GRU",
        gates=(_R, _Z, GateKind("new", "n", "tanh")),
        compute_order=(0, 1, 2),
        tensors=_torch_tensors(),
        fixed=_RESET_AFTER,  # nn.GRU always applies r after the recurrent matmul
        initializers=_TORCH_INIT,
        notation=_TORCH_NOTATION,
    ),
    Convention(
        framework=PYTORCH,
        cell="rnn",
        class_path="torch.nn.RNN",
        class_label="nn.RNN",
        gates=(_HIDDEN,),
        unstored=("nonlinearity",),
        compute_order=(0,),
        tensors=_torch_tensors(),
        initializers=_TORCH_INIT,
        notation=_TORCH_RNN_NOTATION,
    ),
    Convention(
        framework=ONNX,
        cell="lstm",
        class_path="onnx LSTM",
        class_label="LSTM",  # operator names
        gates=(_I, _O, _F, GateKind("cell candidate", "c", "tanh")),  # ONNX LSTM: i, o, f, c
        compute_order=(0, 2, 1, 3),
        tensors=_ONNX_TENSORS,
        initializers=_TORCH_INIT,
        notation=_TORCH_NOTATION,
    ),
    Convention(
        framework=ONNX,
        cell="gru",
        class_path="onnx GRU",
        class_label="GRU",
        gates=(_Z, _R, GateKind("candidate", "h", "tanh")),  # ONNX GRU: z, r, h
        compute_order=(1, 0, 2),
        tensors=_ONNX_TENSORS,
        options=_RESET_AFTER,
        option_names=MappingProxyType({"reset_after": "linear_before_reset"}),
        initializers=_TORCH_INIT,
        notation=_TORCH_NOTATION,
    ),
    Convention(
        framework=ONNX,
        cell="rnn",
        class_path="onnx RNN",
        class_label="RNN",
        gates=(_HIDDEN,),
        compute_order=(0,),
        tensors=_ONNX_TENSORS,
        initializers=_TORCH_INIT,
        notation=_TORCH_RNN_NOTATION,
    ),
)

# (framework, cell) -> the record a spec's fields select: the first one with that pair.
CONVENTIONS: dict[tuple[str, str], Convention] = {}
for _record in RECORDS:
    CONVENTIONS.setdefault(_record.key, _record)
# Every accepted class path (and alias) -> its record.
BY_CLASS_PATH: dict[str, Convention] = {path: c for c in RECORDS for path in (c.class_path, *c.aliases)}

# Labels of what several records share.
FRAMEWORK_LABEL = {key: f.label for key, f in FRAMEWORK_RECORDS.items()}
CELL_LABEL = {"lstm": "LSTM", "gru": "GRU", "rnn": "SimpleRNN / RNN"}
TENSOR_LETTER = {INPUT: "W", RECURRENT: "U", BIAS: "b", PROJECTION: "W_hr"}  # the lesson's names
ACTIVATION_SYMBOL = {"sigmoid": "σ", "tanh": "tanh"}
LAYER_CLASS = {key: c.class_label for key, c in CONVENTIONS.items()}


def convention(framework: str, cell: str) -> Convention:
    """The record of one framework's layer class (KeyError naming the pair if there is none)."""
    try:
        return CONVENTIONS[(framework, cell)]
    except KeyError:
        raise KeyError(f"no convention for framework {framework!r} and cell {cell!r}") from None


def gate_kinds(framework: str, cell: str) -> tuple[GateKind, ...]:
    """The gates of a cell in the framework's tensor order."""
    return convention(framework, cell).gates


def class_name(framework: str, cell: str) -> str:
    """The layer's class name in its framework's namespace: LSTM, SimpleRNN, RNN (no "nn.")."""
    return convention(framework, cell).class_name


def holds(conditions: tuple[str, ...], flags: Mapping[str, bool]) -> bool:
    """Whether every condition holds: "bias" needs flags["bias"], "!bias" needs it false; unknown names are false."""
    return all(flags.get(c.lstrip("!"), False) != c.startswith("!") for c in conditions)
