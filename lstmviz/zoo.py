"""The layer zoo: recurrent classes beyond Keras 3 / PyTorch / ONNX LSTM, GRU and SimpleRNN.

Each class is one record: its own class path, the tensors it creates (names, shapes, roles and the
gate blocks inside each, as functions of the sizes), the options it has, and its count as a
formula. Every record was read off the framework itself (tools/make_golden_zoo.py writes what the
frameworks report; tests/test_zoo.py checks every record against it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from math import prod

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

    def __post_init__(self) -> None:
        for name in ("features", "units"):
            _whole(name, getattr(self, name), 1, MAX_SIZE)
        _whole("num_proj", self.num_proj, 0, MAX_SIZE)
        if not isinstance(self.kernel_size, tuple):
            raise ValueError(f"kernel_size must be a tuple of whole numbers, got {self.kernel_size!r}")
        for side in self.kernel_size:
            _whole("kernel_size", side, 1, MAX_KERNEL)
        for name in ("bias", "use_peepholes", "reset_gate"):
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
class Gate:
    """One gate: the framework's symbol, its name and activation."""

    symbol: str
    name: str
    activation: str = "sigmoid"


@dataclass(frozen=True)
class TensorLayout:
    """One tensor as the framework names and shapes it; `gates` are stacked along `axis` in order."""

    name: str
    shape: tuple[int, ...]
    role: str  # input, recurrent, bias, peephole, projection (or input+recurrent for a kernel over [x, h])
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


Options = ZooOptions
Layout = Callable[[ZooOptions], tuple[TensorLayout, ...]]
Terms = Callable[[ZooOptions], tuple[Term, ...]]

# Options a class may have, with the framework's own argument name (the CLI flag is the key).
OPTION_FLAGS = {
    "kernel_size": "--kernel-size",
    "bias": "--no-bias",
    "use_peepholes": "--use-peepholes",
    "num_proj": "--num-proj",
    "reset_gate": "--no-reset-gate",
}
OPTION_DEFAULTS: dict[str, object] = {"bias": True, "use_peepholes": False, "num_proj": 0, "reset_gate": True}


@dataclass(frozen=True)
class ZooRecord:
    """One framework class: identity, gates, options, tensors and count formula."""

    path: str  # the framework's own class path, e.g. flax.linen.OptimizedLSTMCell
    group: str  # the sidebar's framework group
    family: str  # lstm, gru, mgu or rnn
    gates: tuple[Gate, ...]
    layout: Layout
    terms: Terms
    options: dict[str, str] = field(default_factory=dict, hash=False)  # option -> the framework's argument name
    conv_dims: int = 0  # spatial dimensions of a convolutional cell
    aliases: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # what trips users up, one sentence each
    one_step: bool = False  # a cell (one step) rather than a layer over a sequence

    @property
    def name(self) -> str:
        """The class name without its module: OptimizedLSTMCell."""
        return self.path.rsplit(".", 1)[-1]

    def check(self, options: ZooOptions) -> None:
        """Raise ValueError with one clear line if an option is set that this class does not have."""
        sides = len(options.kernel_size)
        if self.conv_dims > 0 and sides != self.conv_dims:
            raise ValueError(f"{self.path} needs a kernel size with {self.conv_dims} side(s), got {sides}")
        if self.conv_dims < 0 and not 1 <= sides <= 3:
            raise ValueError(f"{self.path} needs a kernel size with 1 to 3 sides, got {sides}")
        if not self.conv_dims and options.kernel_size:
            raise ValueError(f"--kernel-size does not apply to {self.path}: it is not a convolutional cell")
        for name, default in OPTION_DEFAULTS.items():
            if getattr(options, name) != default and name not in self.options:
                raise ValueError(f"{OPTION_FLAGS[name]} does not apply to {self.path}: {self.name} has no {name}")
        if options.num_proj and options.num_proj >= options.units:
            raise ValueError(f"--num-proj must be smaller than units ({options.units}), got {options.num_proj}")


# --------------------------------------------------------------------------- gates

_IN, _FORGET, _OUT = Gate("i", "input"), Gate("f", "forget"), Gate("o", "output")
LSTM_IFCO = (_IN, _FORGET, Gate("c", "cell candidate", "tanh"), _OUT)  # Keras
LSTM_IFGO = (_IN, _FORGET, Gate("g", "cell candidate", "tanh"), _OUT)  # PyTorch, Flax dense cells
LSTM_IJFO = (_IN, Gate("j", "cell candidate", "tanh"), _FORGET, _OUT)  # TF1
LSTM_IGFO = (_IN, Gate("g", "cell candidate", "tanh"), _FORGET, _OUT)  # Flax ConvLSTMCell
GRU_RZN = (Gate("r", "reset"), Gate("z", "update"), Gate("n", "new", "tanh"))  # PyTorch, Flax
GRU_ZRH = (Gate("z", "update"), Gate("r", "reset"), Gate("h", "candidate", "tanh"))  # Keras, CuDNN
GRU_RU_C = (Gate("r", "reset"), Gate("u", "update"), Gate("c", "candidate", "tanh"))  # TF1 (gates, candidate)
RNN_H = (Gate("h", "hidden", "tanh"),)
MGU_FN = (Gate("f", "forget"), Gate("n", "new", "tanh"))


def _symbols(gates: tuple[Gate, ...]) -> tuple[str, ...]:
    return tuple(g.symbol for g in gates)


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
    """gates × (x·h + h·h + biases·h): Keras, PyTorch (two biases), CuDNN (two), Flax fused cells."""

    def terms(o: ZooOptions) -> tuple[Term, ...]:
        bias = biases if o.bias else 0
        return (
            Term(gates, (_x(o), _h(o))),
            Term(gates, (_h(o), _h(o))),
            *((Term(gates, (_f("2", 2), _h(o))) if bias == 2 else Term(gates, (_h(o),)),) if bias else ()),
        )

    return terms


# --------------------------------------------------------------------------- layouts


def _keras_conv(o: ZooOptions) -> tuple[TensorLayout, ...]:
    g = _symbols(LSTM_IFCO)
    n = 4 * o.units
    tensors = [
        TensorLayout("kernel", (*o.kernel_size, o.features, n), "input", g),
        TensorLayout("recurrent_kernel", (*o.kernel_size, o.units, n), "recurrent", g),
    ]
    if o.bias:
        tensors.append(TensorLayout("bias", (n,), "bias", g))
    return tuple(tensors)


def _conv_terms(biases: int) -> Terms:
    def terms(o: ZooOptions) -> tuple[Term, ...]:
        k = _k(o)
        bias = (Term(4, (_f("2", 2), _h(o))) if biases == 2 else Term(4, (_h(o),)),) if o.bias else ()
        return (Term(4, (*k, _x(o), _h(o))), Term(4, (*k, _h(o), _h(o))), *bias)

    return terms


def _torch_cell(gates: tuple[Gate, ...]) -> Layout:
    def layout(o: ZooOptions) -> tuple[TensorLayout, ...]:
        g, n = _symbols(gates), len(gates) * o.units
        tensors = [
            TensorLayout("weight_ih", (n, o.features), "input", g, 0),
            TensorLayout("weight_hh", (n, o.units), "recurrent", g, 0),
        ]
        if o.bias:
            tensors += [TensorLayout("bias_ih", (n,), "bias", g, 0), TensorLayout("bias_hh", (n,), "bias", g, 0)]
        return tuple(tensors)

    return layout


def _linen_lstm(o: ZooOptions) -> tuple[TensorLayout, ...]:
    tensors: list[TensorLayout] = []
    for g in "ifgo":  # init creates ii, hi, if, hf, ig, hg, io, ho (dict insertion order)
        tensors += [
            TensorLayout(f"i{g}/kernel", (o.features, o.units), "input", (g,)),
            TensorLayout(f"h{g}/kernel", (o.units, o.units), "recurrent", (g,)),
            TensorLayout(f"h{g}/bias", (o.units,), "bias", (g,)),
        ]
    return tuple(tensors)


def _linen_gru(o: ZooOptions) -> tuple[TensorLayout, ...]:
    x, h = o.features, o.units
    tensors: list[TensorLayout] = []
    for g in "rzn":
        tensors += [TensorLayout(f"i{g}/kernel", (x, h), "input", (g,)), TensorLayout(f"i{g}/bias", (h,), "bias", (g,))]
        tensors.append(TensorLayout(f"h{g}/kernel", (h, h), "recurrent", (g,)))
        if g == "n":  # hn is multiplied by r before the sum, so it keeps its own bias
            tensors.append(TensorLayout("hn/bias", (h,), "bias", (g,)))
    return tuple(tensors)


def _linen_gru_terms(o: ZooOptions) -> tuple[Term, ...]:
    return (Term(3, (_x(o), _h(o))), Term(3, (_h(o), _h(o))), Term(3, (_h(o),)), Term(1, (_h(o),)))


def _linen_simple(o: ZooOptions) -> tuple[TensorLayout, ...]:
    return (
        TensorLayout("i/kernel", (o.features, o.units), "input", ("h",)),
        TensorLayout("i/bias", (o.units,), "bias", ("h",)),
        TensorLayout("h/kernel", (o.units, o.units), "recurrent", ("h",)),
    )


def _linen_mgu(o: ZooOptions) -> tuple[TensorLayout, ...]:
    x, h = o.features, o.units
    tensors = [
        TensorLayout("if/kernel", (x, h), "input", ("f",)),
        TensorLayout("if/bias", (h,), "bias", ("f",)),
        TensorLayout("hf/kernel", (h, h), "recurrent", ("f",)),
        TensorLayout("hn/kernel", (h, h), "recurrent", ("n",)),
    ]
    if o.reset_gate:
        tensors.append(TensorLayout("hn/bias", (h,), "bias", ("n",)))
    tensors += [TensorLayout("in/kernel", (x, h), "input", ("n",)), TensorLayout("in/bias", (h,), "bias", ("n",))]
    return tuple(tensors)


def _linen_mgu_terms(o: ZooOptions) -> tuple[Term, ...]:
    extra = (Term(1, (_h(o),)),) if o.reset_gate else ()
    return (Term(2, (_x(o), _h(o))), Term(2, (_h(o), _h(o))), Term(2, (_h(o),)), *extra)


def _linen_conv(o: ZooOptions) -> tuple[TensorLayout, ...]:
    g, n = _symbols(LSTM_IGFO), 4 * o.units
    tensors = [TensorLayout("ih/kernel", (*o.kernel_size, o.features, n), "input", g)]
    if o.bias:
        tensors.append(TensorLayout("ih/bias", (n,), "bias", g))
    tensors.append(TensorLayout("hh/kernel", (*o.kernel_size, o.units, n), "recurrent", g))
    if o.bias:
        tensors.append(TensorLayout("hh/bias", (n,), "bias", g))
    return tuple(tensors)


def _nnx_lstm(o: ZooOptions) -> tuple[TensorLayout, ...]:
    # nnx.state lists the attributes sorted by name: hf, hg, hi, ho, if_, ig, ii, io.
    tensors = []
    for g in "fgio":
        tensors += [
            TensorLayout(f"h{g}/bias", (o.units,), "bias", (g,)),
            TensorLayout(f"h{g}/kernel", (o.units, o.units), "recurrent", (g,)),
        ]
    for g in "fgio":
        name = "if_" if g == "f" else f"i{g}"  # `if` is a Python keyword
        tensors.append(TensorLayout(f"{name}/kernel", (o.features, o.units), "input", (g,)))
    return tuple(tensors)


def _nnx_fused(gates: tuple[Gate, ...], hidden_bias: bool) -> Layout:
    """nnx OptimizedLSTMCell, GRUCell and SimpleCell: dense_i and dense_h, one bias on one of them."""

    def layout(o: ZooOptions) -> tuple[TensorLayout, ...]:
        g, n = _symbols(gates), len(gates) * o.units
        h_bias = (TensorLayout("dense_h/bias", (n,), "bias", g),) if hidden_bias else ()
        i_bias = () if hidden_bias else (TensorLayout("dense_i/bias", (n,), "bias", g),)
        return (
            *h_bias,
            TensorLayout("dense_h/kernel", (o.units, n), "recurrent", g),
            *i_bias,
            TensorLayout("dense_i/kernel", (o.features, n), "input", g),
        )

    return layout


def _tf1_scope(cell: str) -> str:
    return f"rnn/{cell}/"  # the names dynamic_rnn gives the variables


def _tf1_lstm(cell: str) -> Layout:
    def layout(o: ZooOptions) -> tuple[TensorLayout, ...]:
        s, g = _tf1_scope(cell), _symbols(LSTM_IJFO)
        tensors = [
            TensorLayout(f"{s}kernel:0", (o.features + o.hidden_out, 4 * o.units), "input+recurrent", g),
            TensorLayout(f"{s}bias:0", (4 * o.units,), "bias", g),
        ]
        if o.use_peepholes:
            tensors += [TensorLayout(f"{s}w_{g}_diag:0", (o.units,), "peephole", (g,)) for g in "fio"]
        if o.num_proj:
            tensors.append(TensorLayout(f"{s}projection/kernel:0", (o.units, o.num_proj), "projection"))
        return tuple(tensors)

    return layout


def _tf1_lstm_terms(o: ZooOptions) -> tuple[Term, ...]:
    recurrent = _f("p", o.num_proj) if o.num_proj else _h(o)
    terms = [Term(4, (_sum(o, recurrent), _h(o))), Term(4, (_h(o),))]
    if o.use_peepholes:
        terms.append(Term(3, (_h(o),)))
    if o.num_proj:
        terms.append(Term(1, (_h(o), _f("p", o.num_proj))))
    return tuple(terms)


def _tf1_gru(o: ZooOptions) -> tuple[TensorLayout, ...]:
    s, x, h = _tf1_scope("gru_cell"), o.features, o.units
    return (
        TensorLayout(f"{s}gates/kernel:0", (x + h, 2 * h), "input+recurrent", ("r", "u")),
        TensorLayout(f"{s}gates/bias:0", (2 * h,), "bias", ("r", "u")),
        TensorLayout(f"{s}candidate/kernel:0", (x + h, h), "input+recurrent", ("c",)),
        TensorLayout(f"{s}candidate/bias:0", (h,), "bias", ("c",)),
    )


def _tf1_rnn(o: ZooOptions) -> tuple[TensorLayout, ...]:
    s = _tf1_scope("basic_rnn_cell")
    return (
        TensorLayout(f"{s}kernel:0", (o.features + o.units, o.units), "input+recurrent", ("h",)),
        TensorLayout(f"{s}bias:0", (o.units,), "bias", ("h",)),
    )


def _concat_terms(gates: int) -> Terms:
    """TF1: gates × ((x + h)·h + h), one kernel over [x, h]."""

    def terms(o: ZooOptions) -> tuple[Term, ...]:
        return (Term(gates, (_sum(o, _h(o)), _h(o))), Term(gates, (_h(o),)))

    return terms


def _cudnn(gates: tuple[Gate, ...], prefix: str) -> Layout:
    def layout(o: ZooOptions) -> tuple[TensorLayout, ...]:
        g, n = _symbols(gates), len(gates) * o.units
        return (
            TensorLayout(f"{prefix}/kernel:0", (o.features, n), "input", g),
            TensorLayout(f"{prefix}/recurrent_kernel:0", (o.units, n), "recurrent", g),
            TensorLayout(f"{prefix}/bias:0", (2 * n,), "bias", g + g),  # input biases, then recurrent biases
        )

    return layout


# --------------------------------------------------------------------------- records

_TORCH_NOTE = "one step: no _l0 suffix, no num_layers, no bidirectional; you loop over time yourself"
_LINEN_LSTM_NOTE = "eight dense layers: the four input kernels have no bias, the four hidden ones do"

RECORDS: tuple[ZooRecord, ...] = (
    *(
        ZooRecord(
            f"keras.layers.ConvLSTM{d}D",
            "Keras 3",
            "lstm",
            LSTM_IFCO,
            _keras_conv,
            _conv_terms(1),
            {"kernel_size": "kernel_size", "bias": "use_bias"},
            conv_dims=d,
            aliases=(f"tf.keras.layers.ConvLSTM{d}D",),
            notes=(
                "the four gates are convolutions: each weight is a kernel with k^d spatial taps",
                "the recurrent kernel has the same spatial size as the input kernel",
                "one bias per gate, like Keras's LSTM",
            ),
        )
        for d in (1, 2, 3)
    ),
    ZooRecord(
        "torch.nn.LSTMCell",
        "PyTorch",
        "lstm",
        LSTM_IFGO,
        _torch_cell(LSTM_IFGO),
        _dense_terms(4, 2),
        {"bias": "bias"},
        notes=(_TORCH_NOTE, "two bias vectors per gate, like nn.LSTM"),
        one_step=True,
    ),
    ZooRecord(
        "torch.nn.GRUCell",
        "PyTorch",
        "gru",
        GRU_RZN,
        _torch_cell(GRU_RZN),
        _dense_terms(3, 2),
        {"bias": "bias"},
        notes=(_TORCH_NOTE,),
        one_step=True,
    ),
    ZooRecord(
        "torch.nn.RNNCell",
        "PyTorch",
        "rnn",
        RNN_H,
        _torch_cell(RNN_H),
        _dense_terms(1, 2),
        {"bias": "bias"},
        notes=(_TORCH_NOTE,),
        one_step=True,
    ),
    ZooRecord(
        "flax.linen.LSTMCell",
        "Flax linen",
        "lstm",
        LSTM_IFGO,
        _linen_lstm,
        _dense_terms(4, 1),
        notes=(_LINEN_LSTM_NOTE, "there is no use_bias option"),
        one_step=True,
    ),
    ZooRecord(
        "flax.linen.OptimizedLSTMCell",
        "Flax linen",
        "lstm",
        LSTM_IFGO,
        _linen_lstm,
        _dense_terms(4, 1),
        notes=(
            "stores the same twelve tensors as linen.LSTMCell and concatenates them at call time",
            _LINEN_LSTM_NOTE,
        ),
        one_step=True,
    ),
    ZooRecord(
        "flax.linen.GRUCell",
        "Flax linen",
        "gru",
        GRU_RZN,
        _linen_gru,
        _linen_gru_terms,
        notes=(
            "the input kernels have biases and the hidden ones do not, except hn, which r multiplies first",
            "so 3 × (x·h + h·h + h) + h: one h more than Keras's reset_before GRU, one h less than PyTorch's",
        ),
        one_step=True,
    ),
    ZooRecord(
        "flax.linen.SimpleCell",
        "Flax linen",
        "rnn",
        RNN_H,
        _linen_simple,
        _dense_terms(1, 1),
        notes=("the bias sits on the input kernel i; the hidden kernel h has none",),
        one_step=True,
    ),
    ZooRecord(
        "flax.linen.MGUCell",
        "Flax linen",
        "mgu",
        MGU_FN,
        _linen_mgu,
        _linen_mgu_terms,
        {"reset_gate": "reset_gate"},
        notes=(
            "a minimal gated unit: one forget gate f does the work of a GRU's reset and update gates",
            "hn has a bias only when reset_gate=True (the default)",
        ),
        one_step=True,
    ),
    ZooRecord(
        "flax.linen.ConvLSTMCell",
        "Flax linen",
        "lstm",
        LSTM_IGFO,
        _linen_conv,
        _conv_terms(2),
        {"kernel_size": "kernel_size", "bias": "use_bias"},
        conv_dims=-1,
        notes=(
            "both convolutions (ih and hh) have a bias, where Keras's ConvLSTM2D has one",
            "gate order i, g, f, o, and 1 is added to f at run time (not a parameter)",
        ),
        one_step=True,
    ),
    ZooRecord(
        "flax.nnx.LSTMCell",
        "Flax nnx",
        "lstm",
        LSTM_IFGO,
        _nnx_lstm,
        _dense_terms(4, 1),
        notes=(_LINEN_LSTM_NOTE, "the input-forget layer is named if_ (if is a Python keyword)"),
        one_step=True,
    ),
    ZooRecord(
        "flax.nnx.OptimizedLSTMCell",
        "Flax nnx",
        "lstm",
        LSTM_IFGO,
        _nnx_fused(LSTM_IFGO, hidden_bias=True),
        _dense_terms(4, 1),
        notes=("two fused kernels (dense_i, dense_h) and one bias, where linen.OptimizedLSTMCell stores twelve",),
        one_step=True,
    ),
    ZooRecord(
        "flax.nnx.GRUCell",
        "Flax nnx",
        "gru",
        GRU_RZN,
        _nnx_fused(GRU_RZN, hidden_bias=False),
        _dense_terms(3, 1),
        notes=(
            "only dense_i has a bias, so 3 × (x·h + h·h + h): h fewer than linen.GRUCell",
            "r multiplies h·U_n without any bias, unlike linen's hn",
        ),
        one_step=True,
    ),
    ZooRecord(
        "flax.nnx.SimpleCell",
        "Flax nnx",
        "rnn",
        RNN_H,
        _nnx_fused(RNN_H, hidden_bias=False),
        _dense_terms(1, 1),
        notes=("the bias sits on dense_i; dense_h has none",),
        one_step=True,
    ),
    ZooRecord(
        "tf.compat.v1.nn.rnn_cell.LSTMCell",
        "TensorFlow 1",
        "lstm",
        LSTM_IJFO,
        _tf1_lstm("lstm_cell"),
        _tf1_lstm_terms,
        {"use_peepholes": "use_peepholes", "num_proj": "num_proj"},
        aliases=("tf.nn.rnn_cell.LSTMCell", "tf.contrib.rnn.LSTMCell"),
        notes=(
            "gate order i, j, f, o, with one kernel over [x, h]",
            "use_peepholes adds three diagonal vectors w_f_diag, w_i_diag, w_o_diag (h each)",
            "num_proj adds an (h, p) projection, and the recurrent input becomes p",
            "forget_bias=1.0 is added at run time and is not a parameter",
        ),
        one_step=True,
    ),
    ZooRecord(
        "tf.compat.v1.nn.rnn_cell.BasicLSTMCell",
        "TensorFlow 1",
        "lstm",
        LSTM_IJFO,
        _tf1_lstm("basic_lstm_cell"),
        _concat_terms(4),
        aliases=("tf.nn.rnn_cell.BasicLSTMCell", "tf.contrib.rnn.BasicLSTMCell"),
        notes=("gate order i, j, f, o, one kernel over [x, h]; forget_bias=1.0 added at run time",),
        one_step=True,
    ),
    ZooRecord(
        "tf.compat.v1.nn.rnn_cell.GRUCell",
        "TensorFlow 1",
        "gru",
        GRU_RU_C,
        _tf1_gru,
        _concat_terms(3),
        aliases=("tf.nn.rnn_cell.GRUCell", "tf.contrib.rnn.GRUCell"),
        notes=(
            "two dense layers: gates (r, u) and candidate, each over [x, h] (the candidate over [x, r·h])",
            "one bias per gate, like Keras's reset_before GRU",
        ),
        one_step=True,
    ),
    ZooRecord(
        "tf.compat.v1.nn.rnn_cell.BasicRNNCell",
        "TensorFlow 1",
        "rnn",
        RNN_H,
        _tf1_rnn,
        _concat_terms(1),
        aliases=("tf.nn.rnn_cell.BasicRNNCell", "tf.contrib.rnn.BasicRNNCell"),
        notes=("one kernel over [x, h] and one bias",),
        one_step=True,
    ),
    ZooRecord(
        "tf.compat.v1.keras.layers.CuDNNLSTM",
        "tf-keras CuDNN",
        "lstm",
        LSTM_IFCO,
        _cudnn(LSTM_IFCO, "cu_dnnlstm"),
        _dense_terms(4, 2),
        aliases=("keras.layers.CuDNNLSTM", "tf.keras.layers.CuDNNLSTM"),
        notes=(
            "Keras's layout (kernel, recurrent_kernel) with PyTorch's two biases, stored as one (8h,) bias",
            "runs on a GPU only: TensorFlow has no CPU kernel for it",
        ),
    ),
    ZooRecord(
        "tf.compat.v1.keras.layers.CuDNNGRU",
        "tf-keras CuDNN",
        "gru",
        GRU_ZRH,
        _cudnn(GRU_ZRH, "cu_dnngru"),
        _dense_terms(3, 2),
        aliases=("keras.layers.CuDNNGRU", "tf.keras.layers.CuDNNGRU"),
        notes=(
            "Keras's layout with two biases in one (6h,) vector: the same count as reset_after=True",
            "runs on a GPU only: TensorFlow has no CPU kernel for it",
        ),
    ),
)

ZOO: dict[str, ZooRecord] = {r.path.lower(): r for r in RECORDS}


def _short_paths(path: str) -> tuple[str, ...]:
    """The usual short spellings: nn.X for torch.nn.X, linen.X / nnx.X for Flax."""
    for long, short in (("torch.nn.", "nn."), ("flax.linen.", "linen."), ("flax.nnx.", "nnx.")):
        if path.startswith(long):
            return (short + path.removeprefix(long),)
    return ()


ALIASES: dict[str, ZooRecord] = {
    alias.lower(): r for r in RECORDS for alias in (r.path, *r.aliases, *_short_paths(r.path))
}


def find_zoo(name: str) -> ZooRecord | None:
    """The zoo record named by a class path or alias (case-insensitive), or None."""
    return ALIASES.get(" ".join(name.split()).lower())


@dataclass(frozen=True)
class ZooCount:
    """A zoo layer's count: its tensors and formula terms, which add up to the same total."""

    record: ZooRecord
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


def zoo_count(record: ZooRecord, options: ZooOptions) -> ZooCount:
    """Check the options against the record and lay out its tensors (raises ValueError)."""
    record.check(options)
    return ZooCount(record, options, record.layout(options), record.terms(options))
