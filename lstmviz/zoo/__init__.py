"""The layer zoo: recurrent classes beyond Keras 3 / PyTorch / ONNX LSTM, GRU and SimpleRNN.

Each class is one `Convention` record (lstmviz/conventions.py): its own class path, the tensors it
creates as rules over the sizes (names, shapes, roles and the gate blocks inside each), the options
it has, and what trips users up; its count formula's terms sit beside it (`TERMS`). Every record was
read off the framework itself (tools/make_golden_zoo.py writes what the frameworks report;
tests/test_zoo.py checks every record against it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from math import prod
from types import MappingProxyType

from lstmviz.conventions import (
    BIAS,
    INPUT,
    KERAS,
    PEEPHOLE,
    PROJECTION,
    PYTORCH,
    RECURRENT,
    Convention,
    Framework,
    GateKind,
    Sizes,
    TensorRule,
    dim_size,
    holds,
)
from lstmviz.spec import MAX_SIZE

MAX_KERNEL = 64  # a kernel side; real ConvLSTMs use 1 to 7


@dataclass(frozen=True)
class ZooOptions:
    """Sizes and options of one zoo layer; invalid values raise ValueError.

    features: input size (ConvLSTM: input channels); units: hidden size (ConvLSTM: filters).
    """

    features: int = 3
    units: int = 2
    kernel_size: tuple[int, ...] = ()
    bias: bool = True
    use_peepholes: bool = False
    num_proj: int = 0
    reset_gate: bool = True  # flax.linen.MGUCell: False drops the hn bias
    reset_after: bool = True  # keras.layers.GRUCell: False has one (3h,) bias

    def __post_init__(self) -> None:
        for name in ("features", "units"):
            _whole(name, getattr(self, name), 1, MAX_SIZE)
        _whole("num_proj", self.num_proj, 0, MAX_SIZE)
        if not isinstance(self.kernel_size, tuple):
            raise ValueError(f"kernel_size must be a tuple of whole numbers, got {self.kernel_size!r}")
        for side in self.kernel_size:
            _whole("kernel_size", side, 1, MAX_KERNEL)
        for name in ("bias", "use_peepholes", "reset_gate", "reset_after"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be true or false, got {getattr(self, name)!r}")

    @property
    def taps(self) -> int:
        """Spatial taps of one convolution kernel (1 for a dense cell)."""
        return prod(self.kernel_size)

    @property
    def hidden_out(self) -> int:
        """Size of the recurrent output h_t: num_proj when projecting, else units."""
        return self.num_proj or self.units


def _whole(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")


@dataclass(frozen=True)
class TensorLayout:
    """One tensor of a layer at given sizes: the framework's name and shape; `gates` stacked along `axis`."""

    name: str
    shape: tuple[int, ...]
    role: str  # input, recurrent, bias, peephole, projection, or input+recurrent (a kernel over [x, h])
    gates: tuple[str, ...] = ()
    axis: int = -1

    @property
    def params(self) -> int:
        """Number of scalars."""
        return prod(self.shape)


Factor = tuple[str, int, str]  # (symbol, value, the value as written: "3" or "(3 + 2)")


def _f(symbol: str, value: int) -> Factor:
    return (symbol, value, str(value))


@dataclass(frozen=True)
class Term:
    """One term of the count formula: `times` × the product of its factors, e.g. 4 × (x + h)·h."""

    times: int
    factors: tuple[Factor, ...]

    @property
    def params(self) -> int:
        """The term's value."""
        return self.times * prod(v for _, v, _ in self.factors)


Terms = Callable[[ZooOptions], tuple[Term, ...]]

# CLI flags of the zoo's options; the records say which options a class has (Convention.options).
OPTION_FLAGS = {
    "kernel_size": "--kernel-size",
    "bias": "--no-bias",
    "use_peepholes": "--use-peepholes",
    "num_proj": "--num-proj",
    "reset_gate": "--no-reset-gate",
    "reset_after": "--no-reset-after",
}
OPTION_DEFAULTS: dict[str, object] = {
    "bias": True,
    "use_peepholes": False,
    "num_proj": 0,
    "reset_gate": True,
    "reset_after": True,
}
INPUT_RECURRENT = "input+recurrent"  # TF1's kernel over [x, h]: its first x rows read x, the rest h
KERNEL = "kernel"  # a dimension token: every spatial side of a convolution kernel, in order


def check(record: Convention, options: ZooOptions) -> None:
    """Raise ValueError with one clear line if an option is set that this class does not have."""
    sides = len(options.kernel_size)
    if record.conv_dims > 0 and sides != record.conv_dims:
        raise ValueError(f"{record.class_path} needs a kernel size with {record.conv_dims} side(s), got {sides}")
    if record.conv_dims < 0 and not 1 <= sides <= 3:
        raise ValueError(f"{record.class_path} needs a kernel size with 1 to 3 sides, got {sides}")
    if not record.conv_dims and options.kernel_size:
        raise ValueError(f"--kernel-size does not apply to {record.class_path}: it is not a convolutional cell")
    for name, default in OPTION_DEFAULTS.items():
        if getattr(options, name) != default and not record.has_option(name):
            raise ValueError(
                f"{OPTION_FLAGS[name]} does not apply to {record.class_path}: {record.class_name} has no {name}"
            )


def zoo_sizes(record: Convention, o: ZooOptions) -> Sizes:
    """The record's sizes at these options (kernel sides as k1, k2, k3)."""
    sides = tuple((f"k{n + 1}", side) for n, side in enumerate(o.kernel_size))
    return Sizes(x=o.features, h=o.units, h_out=o.hidden_out, p=o.num_proj, G=len(record.gates), k=o.taps, extra=sides)


def zoo_tensors(record: Convention, o: ZooOptions) -> tuple[TensorLayout, ...]:
    """The record's tensor rules evaluated at these options, in the framework's order."""
    sizes = zoo_sizes(record, o)
    flags = {
        "bias": o.bias,
        "projection": bool(o.num_proj),
        "peephole": o.use_peepholes,
        "reset_gate": o.reset_gate,
        "reset_after": o.reset_after and record.has_option("reset_after"),
    }
    symbols = tuple(g.symbol for g in record.gates)
    tensors = []
    for rule in record.tensors:
        if not holds(rule.when, flags):
            continue
        shape: list[int] = []
        for dim in rule.dims:
            shape += o.kernel_size if dim == KERNEL else (dim_size(dim, sizes),)
        gates = rule.gate_symbols or (symbols * rule.repeats if rule.gate_axis is not None else ())
        axis = -1 if rule.gate_axis in (None, -1, len(rule.dims) - 1) else rule.gate_axis
        tensors.append(TensorLayout(rule.name, tuple(shape), rule.role, gates, axis))
    return tuple(tensors)


# --------------------------------------------------------------------------- gates

_IN, _FORGET, _OUT = (
    GateKind("input", "i", "sigmoid"),
    GateKind("forget", "f", "sigmoid"),
    GateKind("output", "o", "sigmoid"),
)
LSTM_IFCO = (_IN, _FORGET, GateKind("cell candidate", "c", "tanh"), _OUT)  # Keras, CuDNN
LSTM_IFGO = (_IN, _FORGET, GateKind("cell candidate", "g", "tanh"), _OUT)  # PyTorch, Flax dense cells
LSTM_IJFO = (_IN, GateKind("cell candidate", "j", "tanh"), _FORGET, _OUT)  # TF1
LSTM_IGFO = (_IN, GateKind("cell candidate", "g", "tanh"), _FORGET, _OUT)  # Flax ConvLSTMCell
GRU_RZN = (GateKind("reset", "r", "sigmoid"), GateKind("update", "z", "sigmoid"), GateKind("new", "n", "tanh"))
GRU_ZRH = (GateKind("update", "z", "sigmoid"), GateKind("reset", "r", "sigmoid"), GateKind("candidate", "h", "tanh"))
GRU_RUC = (GateKind("reset", "r", "sigmoid"), GateKind("update", "u", "sigmoid"), GateKind("candidate", "c", "tanh"))
RNN_H = (GateKind("hidden", "h", "tanh"),)
MGU_FN = (GateKind("forget", "f", "sigmoid"), GateKind("new", "n", "tanh"))

# Update-rule order (LSTM i f o c; GRU z r n; MGU f n) as indices into each gate tuple.
_ORDER = {"ifco": (0, 1, 3, 2), "ifgo": (0, 1, 3, 2), "ijfo": (0, 2, 3, 1), "igfo": (0, 2, 3, 1)}

# --------------------------------------------------------------------------- frameworks

FLAX_LINEN = Framework("flax.linen", "Flax linen", "flax.linen", model_summary=False, outputs="cell_step")
FLAX_NNX = Framework("flax.nnx", "Flax nnx", "flax.nnx", model_summary=False, outputs="cell_step")
TF1 = Framework("tf1", "TensorFlow 1", "tf.compat.v1.nn.rnn_cell", model_summary=False, outputs="cell_step")
TF_KERAS = Framework(
    "tf-keras", "tf-keras CuDNN", "tf.compat.v1.keras.layers", model_summary=True, outputs="model_output"
)

_BIAS = MappingProxyType({"bias": True})
_USE_BIAS = MappingProxyType({"bias": "use_bias"})
_FLAX_INIT = MappingProxyType({INPUT: "lecun_normal", RECURRENT: "orthogonal", BIAS: "zeros"})
_TF1_INIT = MappingProxyType(
    {INPUT_RECURRENT: "glorot_uniform", BIAS: "zeros", PEEPHOLE: "glorot_uniform", PROJECTION: "glorot_uniform"}
)


def _rule(name: str, role: str, dims: tuple[str, ...], **kwargs: object) -> TensorRule:
    return TensorRule(name, role, dims, **kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- tensor rules

_KERAS_CONV = (
    _rule("kernel", INPUT, (KERNEL, "x", "G*h"), gate_axis=-1),
    _rule("recurrent_kernel", RECURRENT, (KERNEL, "h", "G*h"), gate_axis=-1),
    _rule("bias", BIAS, ("G*h",), gate_axis=-1, when=("bias",)),
)
# Keras 3 cells: kernel (x, G·h), recurrent_kernel (h, G·h), bias (G·h,); a reset-after GRUCell's bias
# is (2, G·h): row 0 the input bias, row 1 the recurrent bias.
_KERAS_CELL = (
    _rule("kernel", INPUT, ("x", "G*h"), gate_axis=-1),
    _rule("recurrent_kernel", RECURRENT, ("h", "G*h"), gate_axis=-1),
    _rule("bias", BIAS, ("G*h",), gate_axis=-1, when=("bias", "!reset_after")),
    _rule("bias", BIAS, ("2", "G*h"), gate_axis=-1, sides=(INPUT, RECURRENT), when=("bias", "reset_after")),
)
_TORCH_CELL = (
    _rule("weight_ih", INPUT, ("G*h", "x"), gate_axis=0),
    _rule("weight_hh", RECURRENT, ("G*h", "h"), gate_axis=0),
    _rule("bias_ih", BIAS, ("G*h",), gate_axis=0, when=("bias",)),
    _rule("bias_hh", BIAS, ("G*h",), gate_axis=0, sides=(RECURRENT,), when=("bias",)),
)
# linen: eight Dense layers; init creates ii, hi, if, hf, ig, hg, io, ho (the params dict's order).
_LINEN_LSTM = tuple(
    rule
    for g in "ifgo"
    for rule in (
        _rule(f"i{g}/kernel", INPUT, ("x", "h"), gate_symbols=(g,)),
        _rule(f"h{g}/kernel", RECURRENT, ("h", "h"), gate_symbols=(g,)),
        _rule(f"h{g}/bias", BIAS, ("h",), gate_symbols=(g,), sides=(RECURRENT,)),
    )
)
_LINEN_GRU = tuple(
    rule
    for g in "rzn"
    for rule in (
        _rule(f"i{g}/kernel", INPUT, ("x", "h"), gate_symbols=(g,)),
        _rule(f"i{g}/bias", BIAS, ("h",), gate_symbols=(g,)),
        _rule(f"h{g}/kernel", RECURRENT, ("h", "h"), gate_symbols=(g,)),
        # hn is multiplied by r before the sum, so only it keeps a bias of its own
        *((_rule("hn/bias", BIAS, ("h",), gate_symbols=("n",), sides=(RECURRENT,)),) if g == "n" else ()),
    )
)
_LINEN_SIMPLE = (
    _rule("i/kernel", INPUT, ("x", "h"), gate_symbols=("h",)),
    _rule("i/bias", BIAS, ("h",), gate_symbols=("h",)),
    _rule("h/kernel", RECURRENT, ("h", "h"), gate_symbols=("h",)),
)
_LINEN_MGU = (
    _rule("if/kernel", INPUT, ("x", "h"), gate_symbols=("f",)),
    _rule("if/bias", BIAS, ("h",), gate_symbols=("f",)),
    _rule("hf/kernel", RECURRENT, ("h", "h"), gate_symbols=("f",)),
    _rule("hn/kernel", RECURRENT, ("h", "h"), gate_symbols=("n",)),
    _rule("hn/bias", BIAS, ("h",), gate_symbols=("n",), sides=(RECURRENT,), when=("reset_gate",)),
    _rule("in/kernel", INPUT, ("x", "h"), gate_symbols=("n",)),
    _rule("in/bias", BIAS, ("h",), gate_symbols=("n",)),
)
_LINEN_CONV = (
    _rule("ih/kernel", INPUT, (KERNEL, "x", "G*h"), gate_axis=-1),
    _rule("ih/bias", BIAS, ("G*h",), gate_axis=-1, when=("bias",)),
    _rule("hh/kernel", RECURRENT, (KERNEL, "h", "G*h"), gate_axis=-1),
    _rule("hh/bias", BIAS, ("G*h",), gate_axis=-1, sides=(RECURRENT,), when=("bias",)),
)
# nnx.state lists attributes sorted by name: hf, hg, hi, ho, then if_, ig, ii, io (`if` is a keyword).
_NNX_LSTM = (
    *(
        rule
        for g in "fgio"
        for rule in (
            _rule(f"h{g}/bias", BIAS, ("h",), gate_symbols=(g,), sides=(RECURRENT,)),
            _rule(f"h{g}/kernel", RECURRENT, ("h", "h"), gate_symbols=(g,)),
        )
    ),
    *(_rule(f"{'if_' if g == 'f' else 'i' + g}/kernel", INPUT, ("x", "h"), gate_symbols=(g,)) for g in "fgio"),
)
_NNX_FUSED_H_BIAS = (  # OptimizedLSTMCell: the bias sits on dense_h
    _rule("dense_h/bias", BIAS, ("G*h",), gate_axis=-1, sides=(RECURRENT,)),
    _rule("dense_h/kernel", RECURRENT, ("h", "G*h"), gate_axis=-1),
    _rule("dense_i/kernel", INPUT, ("x", "G*h"), gate_axis=-1),
)
_NNX_FUSED_I_BIAS = (  # GRUCell, SimpleCell: the bias sits on dense_i
    _rule("dense_h/kernel", RECURRENT, ("h", "G*h"), gate_axis=-1),
    _rule("dense_i/bias", BIAS, ("G*h",), gate_axis=-1),
    _rule("dense_i/kernel", INPUT, ("x", "G*h"), gate_axis=-1),
)


def _tf1_lstm(scope: str) -> tuple[TensorRule, ...]:
    """TF1 LSTMCell/BasicLSTMCell under dynamic_rnn: rnn/<cell>/kernel over [x, h_out], then bias."""
    return (
        _rule(f"rnn/{scope}/kernel:0", INPUT_RECURRENT, ("x+h_out", "G*h"), gate_axis=-1),
        _rule(f"rnn/{scope}/bias:0", BIAS, ("G*h",), gate_axis=-1),
        *(_rule(f"rnn/{scope}/w_{g}_diag:0", PEEPHOLE, ("h",), gate_symbols=(g,), when=("peephole",)) for g in "fio"),
        _rule(f"rnn/{scope}/projection/kernel:0", PROJECTION, ("h", "p"), when=("projection",)),
    )


_TF1_GRU = (
    _rule("rnn/gru_cell/gates/kernel:0", INPUT_RECURRENT, ("x+h", "2*h"), gate_axis=-1, gate_symbols=("r", "u")),
    _rule("rnn/gru_cell/gates/bias:0", BIAS, ("2*h",), gate_axis=-1, gate_symbols=("r", "u")),
    _rule("rnn/gru_cell/candidate/kernel:0", INPUT_RECURRENT, ("x+h", "h"), gate_symbols=("c",)),
    _rule("rnn/gru_cell/candidate/bias:0", BIAS, ("h",), gate_symbols=("c",)),
)
_TF1_RNN = (
    _rule("rnn/basic_rnn_cell/kernel:0", INPUT_RECURRENT, ("x+h", "h"), gate_symbols=("h",)),
    _rule("rnn/basic_rnn_cell/bias:0", BIAS, ("h",), gate_symbols=("h",)),
)


def _cudnn(prefix: str) -> tuple[TensorRule, ...]:
    return (
        _rule(f"{prefix}/kernel:0", INPUT, ("x", "G*h"), gate_axis=-1),
        _rule(f"{prefix}/recurrent_kernel:0", RECURRENT, ("h", "G*h"), gate_axis=-1),
        # one vector: every gate's input bias, then every gate's recurrent bias
        _rule(f"{prefix}/bias:0", BIAS, ("2*G*h",), gate_axis=-1, repeats=2, sides=(INPUT, RECURRENT)),
    )


# --------------------------------------------------------------------------- formula terms


def _x(o: ZooOptions) -> Factor:
    return _f("x", o.features)


def _h(o: ZooOptions) -> Factor:
    return _f("h", o.units)


def _k(o: ZooOptions) -> tuple[Factor, ...]:
    if len(o.kernel_size) == 1:
        return (_f("k", o.kernel_size[0]),)
    return tuple(_f(f"k{n + 1}", side) for n, side in enumerate(o.kernel_size))


def _sum(o: ZooOptions, second: Factor) -> Factor:
    """(x + h) or (x + p): a kernel over [x, h] concatenated."""
    return (f"(x + {second[0]})", o.features + second[1], f"({o.features} + {second[2]})")


def _dense_terms(gates: int, biases: int) -> Terms:
    """gates × (x·h + h·h + biases·h): PyTorch cells and CuDNN (two biases), Flax (one)."""

    def terms(o: ZooOptions) -> tuple[Term, ...]:
        bias = biases if o.bias else 0
        bias_term = Term(gates, (_f("2", 2), _h(o))) if bias == 2 else Term(gates, (_h(o),))
        return (Term(gates, (_x(o), _h(o))), Term(gates, (_h(o), _h(o))), *((bias_term,) if bias else ()))

    return terms


def _conv_terms(biases: int) -> Terms:
    def terms(o: ZooOptions) -> tuple[Term, ...]:
        k = _k(o)
        bias = (Term(4, (_f("2", 2), _h(o))) if biases == 2 else Term(4, (_h(o),)),) if o.bias else ()
        return (Term(4, (*k, _x(o), _h(o))), Term(4, (*k, _h(o), _h(o))), *bias)

    return terms


def _keras_gru_cell_terms(o: ZooOptions) -> tuple[Term, ...]:
    bias = () if not o.bias else (Term(3, (_f("2", 2), _h(o))) if o.reset_after else Term(3, (_h(o),)),)
    return (Term(3, (_x(o), _h(o))), Term(3, (_h(o), _h(o))), *bias)


def _linen_gru_terms(o: ZooOptions) -> tuple[Term, ...]:
    return (Term(3, (_x(o), _h(o))), Term(3, (_h(o), _h(o))), Term(3, (_h(o),)), Term(1, (_h(o),)))


def _linen_mgu_terms(o: ZooOptions) -> tuple[Term, ...]:
    extra = (Term(1, (_h(o),)),) if o.reset_gate else ()
    return (Term(2, (_x(o), _h(o))), Term(2, (_h(o), _h(o))), Term(2, (_h(o),)), *extra)


def _tf1_lstm_terms(o: ZooOptions) -> tuple[Term, ...]:
    recurrent = _f("p", o.num_proj) if o.num_proj else _h(o)
    terms = [Term(4, (_sum(o, recurrent), _h(o))), Term(4, (_h(o),))]
    if o.use_peepholes:
        terms.append(Term(3, (_h(o),)))
    if o.num_proj:
        terms.append(Term(1, (_h(o), _f("p", o.num_proj))))
    return tuple(terms)


def _concat_terms(gates: int) -> Terms:
    """TF1: gates × ((x + h)·h + h), one kernel over [x, h]."""

    def terms(o: ZooOptions) -> tuple[Term, ...]:
        return (Term(gates, (_sum(o, _h(o)), _h(o))), Term(gates, (_h(o),)))

    return terms


# --------------------------------------------------------------------------- records

_KERAS_CELL_NOTE = "one step: the cell a keras.layers.RNN loops over time; the same tensors as the layer, no cell scope"
_TORCH_NOTE = "one step: no _l0 suffix, no num_layers, no bidirectional; you loop over time yourself"
_LINEN_LSTM_NOTE = "eight dense layers: the four input kernels have no bias, the four hidden ones do"
_TF1_ALIASES = ("tf.nn.rnn_cell.", "tf.contrib.rnn.")


def _zoo(
    framework: Framework,
    cell: str,
    path: str,
    gates: tuple[GateKind, ...],
    order: tuple[int, ...],
    tensors: tuple[TensorRule, ...],
    **kwargs: object,
) -> Convention:
    label = path.removeprefix(framework.module + ".")
    return Convention(framework, cell, path, label, gates, order, tensors, **kwargs)  # type: ignore[arg-type]


RECORDS: tuple[Convention, ...] = (
    *(
        _zoo(
            KERAS,
            "lstm",
            f"keras.layers.ConvLSTM{d}D",
            LSTM_IFCO,
            _ORDER["ifco"],
            _KERAS_CONV,
            options=_BIAS,
            option_names=_USE_BIAS,
            conv_dims=d,
            forget_bias=1.0,
            initializers=MappingProxyType({INPUT: "glorot_uniform", RECURRENT: "orthogonal", BIAS: "zeros"}),
            aliases=(f"tf.keras.layers.ConvLSTM{d}D",),
            notes=(
                "the four gates are convolutions: each weight is a kernel with k^d spatial taps",
                "the recurrent kernel has the same spatial size as the input kernel",
                "one bias per gate, like Keras's LSTM",
            ),
        )
        for d in (1, 2, 3)
    ),
    *(
        _zoo(
            KERAS,
            cell,
            f"keras.layers.{name}",
            gates,
            order,
            _KERAS_CELL,
            options=MappingProxyType({"bias": True, **({"reset_after": True} if cell == "gru" else {})}),
            option_names=_USE_BIAS,
            one_step=True,
            forget_bias=1.0 if cell == "lstm" else 0.0,
            initializers=MappingProxyType({INPUT: "glorot_uniform", RECURRENT: "orthogonal", BIAS: "zeros"}),
            aliases=(f"tf.keras.layers.{name}",),
            notes=(
                _KERAS_CELL_NOTE,
                *(("reset_after=True (the default) keeps two biases in a (2, 3h) bias",) if cell == "gru" else ()),
            ),
        )
        for cell, name, gates, order in (
            ("lstm", "LSTMCell", LSTM_IFCO, _ORDER["ifco"]),
            ("gru", "GRUCell", GRU_ZRH, (1, 0, 2)),
            ("rnn", "SimpleRNNCell", RNN_H, (0,)),
        )
    ),
    *(
        _zoo(
            PYTORCH,
            cell,
            f"torch.nn.{name}",
            gates,
            order,
            _TORCH_CELL,
            options=_BIAS,
            one_step=True,
            aliases=(f"nn.{name}",),
            initializers=MappingProxyType({role: "uniform_inv_sqrt_h" for role in (INPUT, RECURRENT, BIAS)}),
            notes=(_TORCH_NOTE, *(("two bias vectors per gate, like nn.LSTM",) if cell == "lstm" else ())),
        )
        for cell, name, gates, order in (
            ("lstm", "LSTMCell", LSTM_IFGO, _ORDER["ifgo"]),
            ("gru", "GRUCell", GRU_RZN, (1, 0, 2)),
            ("rnn", "RNNCell", RNN_H, (0,)),
        )
    ),
    _zoo(
        FLAX_LINEN,
        "lstm",
        "flax.linen.LSTMCell",
        LSTM_IFGO,
        _ORDER["ifgo"],
        _LINEN_LSTM,
        one_step=True,
        initializers=_FLAX_INIT,
        aliases=("linen.LSTMCell", "nn.linen.LSTMCell"),
        notes=(_LINEN_LSTM_NOTE, "there is no use_bias option"),
    ),
    _zoo(
        FLAX_LINEN,
        "lstm",
        "flax.linen.OptimizedLSTMCell",
        LSTM_IFGO,
        _ORDER["ifgo"],
        _LINEN_LSTM,
        one_step=True,
        initializers=_FLAX_INIT,
        aliases=("linen.OptimizedLSTMCell",),
        notes=("stores the same twelve tensors as linen.LSTMCell and concatenates them at call time", _LINEN_LSTM_NOTE),
    ),
    _zoo(
        FLAX_LINEN,
        "gru",
        "flax.linen.GRUCell",
        GRU_RZN,
        (1, 0, 2),
        _LINEN_GRU,
        one_step=True,
        initializers=_FLAX_INIT,
        aliases=("linen.GRUCell",),
        notes=(
            "the input kernels have biases and the hidden ones do not, except hn, which r multiplies first",
            "so 3 × (x·h + h·h + h) + h: h more than Keras's GRU(reset_after=False), 2h less than PyTorch's GRU "
            "and Keras's default GRU(reset_after=True)",
        ),
    ),
    _zoo(
        FLAX_LINEN,
        "rnn",
        "flax.linen.SimpleCell",
        RNN_H,
        (0,),
        _LINEN_SIMPLE,
        one_step=True,
        initializers=_FLAX_INIT,
        aliases=("linen.SimpleCell",),
        notes=("the bias sits on the input kernel i; the hidden kernel h has none",),
    ),
    _zoo(
        FLAX_LINEN,
        "mgu",
        "flax.linen.MGUCell",
        MGU_FN,
        (0, 1),
        _LINEN_MGU,
        one_step=True,
        options=MappingProxyType({"reset_gate": True}),
        initializers=_FLAX_INIT,
        aliases=("linen.MGUCell",),
        notes=(
            "a minimal gated unit: one forget gate f does the work of a GRU's reset and update gates",
            "hn has a bias only when reset_gate=True (the default)",
        ),
    ),
    _zoo(
        FLAX_LINEN,
        "lstm",
        "flax.linen.ConvLSTMCell",
        LSTM_IGFO,
        _ORDER["igfo"],
        _LINEN_CONV,
        one_step=True,
        options=_BIAS,
        option_names=_USE_BIAS,
        conv_dims=-1,
        initializers=_FLAX_INIT,
        aliases=("linen.ConvLSTMCell",),
        notes=(
            "both convolutions (ih and hh) have a bias, where Keras's ConvLSTM2D has one",
            "gate order i, g, f, o, and 1 is added to f at run time (not a parameter)",
        ),
    ),
    _zoo(
        FLAX_NNX,
        "lstm",
        "flax.nnx.LSTMCell",
        LSTM_IFGO,
        _ORDER["ifgo"],
        _NNX_LSTM,
        one_step=True,
        initializers=_FLAX_INIT,
        aliases=("nnx.LSTMCell",),
        notes=(_LINEN_LSTM_NOTE, "the input-forget layer is named if_ (if is a Python keyword)"),
    ),
    _zoo(
        FLAX_NNX,
        "lstm",
        "flax.nnx.OptimizedLSTMCell",
        LSTM_IFGO,
        _ORDER["ifgo"],
        _NNX_FUSED_H_BIAS,
        one_step=True,
        initializers=_FLAX_INIT,
        aliases=("nnx.OptimizedLSTMCell",),
        notes=("two fused kernels (dense_i, dense_h) and one bias, where linen.OptimizedLSTMCell stores twelve",),
    ),
    _zoo(
        FLAX_NNX,
        "gru",
        "flax.nnx.GRUCell",
        GRU_RZN,
        (1, 0, 2),
        _NNX_FUSED_I_BIAS,
        one_step=True,
        initializers=_FLAX_INIT,
        aliases=("nnx.GRUCell",),
        notes=(
            "only dense_i has a bias, so 3 × (x·h + h·h + h): h fewer than linen.GRUCell",
            "r multiplies h·U_n without any bias, unlike linen's hn",
        ),
    ),
    _zoo(
        FLAX_NNX,
        "rnn",
        "flax.nnx.SimpleCell",
        RNN_H,
        (0,),
        _NNX_FUSED_I_BIAS,
        one_step=True,
        initializers=_FLAX_INIT,
        aliases=("nnx.SimpleCell",),
        notes=("the bias sits on dense_i; dense_h has none",),
    ),
    _zoo(
        TF1,
        "lstm",
        "tf.compat.v1.nn.rnn_cell.LSTMCell",
        LSTM_IJFO,
        _ORDER["ijfo"],
        _tf1_lstm("lstm_cell"),
        one_step=True,
        options=MappingProxyType({"use_peepholes": False, "num_proj": 0}),
        initializers=_TF1_INIT,
        aliases=tuple(a + "LSTMCell" for a in _TF1_ALIASES),
        notes=(
            "gate order i, j, f, o, with one kernel over [x, h]",
            "use_peepholes adds three diagonal vectors w_f_diag, w_i_diag, w_o_diag (h each)",
            "num_proj adds an (h, p) projection, and the recurrent input becomes p",
            "forget_bias=1.0 is added at run time and is not a parameter",
        ),
    ),
    _zoo(
        TF1,
        "lstm",
        "tf.compat.v1.nn.rnn_cell.BasicLSTMCell",
        LSTM_IJFO,
        _ORDER["ijfo"],
        _tf1_lstm("basic_lstm_cell"),
        one_step=True,
        initializers=_TF1_INIT,
        aliases=tuple(a + "BasicLSTMCell" for a in _TF1_ALIASES),
        notes=("gate order i, j, f, o, one kernel over [x, h]; forget_bias=1.0 added at run time",),
    ),
    _zoo(
        TF1,
        "gru",
        "tf.compat.v1.nn.rnn_cell.GRUCell",
        GRU_RUC,
        (1, 0, 2),
        _TF1_GRU,
        one_step=True,
        initializers=_TF1_INIT,
        aliases=tuple(a + "GRUCell" for a in _TF1_ALIASES),
        notes=(
            "two dense layers: gates (r, u) and candidate, each over [x, h] (the candidate over [x, r·h])",
            "one bias per gate, like Keras's reset_after=False GRU",
        ),
    ),
    _zoo(
        TF1,
        "rnn",
        "tf.compat.v1.nn.rnn_cell.BasicRNNCell",
        RNN_H,
        (0,),
        _TF1_RNN,
        one_step=True,
        initializers=_TF1_INIT,
        aliases=tuple(a + "BasicRNNCell" for a in _TF1_ALIASES),
        notes=("one kernel over [x, h] and one bias",),
    ),
    _zoo(
        TF_KERAS,
        "lstm",
        "tf.compat.v1.keras.layers.CuDNNLSTM",
        LSTM_IFCO,
        _ORDER["ifco"],
        _cudnn("cu_dnnlstm"),
        aliases=("keras.layers.CuDNNLSTM", "tf.keras.layers.CuDNNLSTM"),
        notes=(
            "Keras's layout (kernel, recurrent_kernel) with PyTorch's two biases, stored as one (8h,) bias",
            "each gate's block of kernel and recurrent_kernel is stored in cuDNN's layout (transposed): "
            "Keras's LSTM shapes, not its values; tf-keras converts them when it loads them into an LSTM",
            "runs on a GPU only: TensorFlow has no CPU kernel for it (lstmviz checks its outputs against "
            "tf-keras's CPU twin)",
        ),
    ),
    _zoo(
        TF_KERAS,
        "gru",
        "tf.compat.v1.keras.layers.CuDNNGRU",
        GRU_ZRH,
        (1, 0, 2),
        _cudnn("cu_dnngru"),
        aliases=("keras.layers.CuDNNGRU", "tf.keras.layers.CuDNNGRU"),
        notes=(
            "Keras's layout with two biases in one (6h,) vector: the same count as reset_after=True",
            "each gate's block is stored in cuDNN's layout (transposed), and the reset gate acts after the "
            "recurrent matmul, like GRU(reset_after=True)",
            "runs on a GPU only: TensorFlow has no CPU kernel for it (lstmviz checks its outputs against "
            "tf-keras's CPU twin)",
        ),
    ),
)

TERMS: dict[str, Terms] = {
    "keras.layers.ConvLSTM1D": _conv_terms(1),
    "keras.layers.ConvLSTM2D": _conv_terms(1),
    "keras.layers.ConvLSTM3D": _conv_terms(1),
    "keras.layers.LSTMCell": _dense_terms(4, 1),
    "keras.layers.GRUCell": _keras_gru_cell_terms,
    "keras.layers.SimpleRNNCell": _dense_terms(1, 1),
    "torch.nn.LSTMCell": _dense_terms(4, 2),
    "torch.nn.GRUCell": _dense_terms(3, 2),
    "torch.nn.RNNCell": _dense_terms(1, 2),
    "flax.linen.LSTMCell": _dense_terms(4, 1),
    "flax.linen.OptimizedLSTMCell": _dense_terms(4, 1),
    "flax.linen.GRUCell": _linen_gru_terms,
    "flax.linen.SimpleCell": _dense_terms(1, 1),
    "flax.linen.MGUCell": _linen_mgu_terms,
    "flax.linen.ConvLSTMCell": _conv_terms(2),
    "flax.nnx.LSTMCell": _dense_terms(4, 1),
    "flax.nnx.OptimizedLSTMCell": _dense_terms(4, 1),
    "flax.nnx.GRUCell": _dense_terms(3, 1),
    "flax.nnx.SimpleCell": _dense_terms(1, 1),
    "tf.compat.v1.nn.rnn_cell.LSTMCell": _tf1_lstm_terms,
    "tf.compat.v1.nn.rnn_cell.BasicLSTMCell": _concat_terms(4),
    "tf.compat.v1.nn.rnn_cell.GRUCell": _concat_terms(3),
    "tf.compat.v1.nn.rnn_cell.BasicRNNCell": _concat_terms(1),
    "tf.compat.v1.keras.layers.CuDNNLSTM": _dense_terms(4, 2),
    "tf.compat.v1.keras.layers.CuDNNGRU": _dense_terms(3, 2),
}

ZOO: dict[str, Convention] = {r.class_path.lower(): r for r in RECORDS}
ALIASES: dict[str, Convention] = {alias.lower(): r for r in RECORDS for alias in (r.class_path, *r.aliases)}


def find_zoo(name: str) -> Convention | None:
    """The zoo record named by a class path or alias (case-insensitive), or None."""
    return ALIASES.get(" ".join(name.split()).lower())


@dataclass(frozen=True)
class ZooCount:
    """A zoo layer's count: its tensors and formula terms, which add up to the same total."""

    record: Convention
    options: ZooOptions
    tensors: tuple[TensorLayout, ...]
    terms: tuple[Term, ...]

    @property
    def total(self) -> int:
        """Total learnable parameters (the sum of the tensors)."""
        return sum(t.params for t in self.tensors)

    @property
    def symbolic(self) -> str:
        """The formula in symbols: 4 × ((x + h)·h + h) + 3·h."""
        return _formula(self.terms, lambda f: f[0])

    @property
    def substituted(self) -> str:
        """The formula with this layer's numbers and the total: 4 × ((3 + 2)·2 + 2) = 48."""
        return f"{_formula(self.terms, lambda f: f[2])} = {self.total:,}"


def _formula(terms: tuple[Term, ...], show: Callable[[Factor], str]) -> str:
    """Terms with the same multiplier grouped in order of appearance: 4 × (x·h + h·h + h) + h."""
    groups: dict[int, list[str]] = {}
    for term in terms:
        groups.setdefault(term.times, []).append("·".join(show(f) for f in term.factors))
    parts = []
    for times, products in groups.items():
        inner = " + ".join(products)
        if times == 1:
            parts.append(inner)
        else:
            parts.append(f"{times} × ({inner})" if len(products) > 1 else f"{times}·{inner}")
    return " + ".join(parts)


def zoo_count(record: Convention, options: ZooOptions) -> ZooCount:
    """Check the options against the record and lay out its tensors (raises ValueError)."""
    check(record, options)
    return ZooCount(record, options, zoo_tensors(record, options), TERMS[record.class_path](options))
