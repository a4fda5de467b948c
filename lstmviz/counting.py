"""Parameter counts and weight tensors of a recurrent stack, exactly as each framework builds them.

An LSTM layer is four dense layers over [h_{t-1}, x_t]; a GRU three, a SimpleRNN one. Each
gate's dense layer owns x·h input weights, h·h recurrent weights and h biases (two bias
vectors in PyTorch and in a reset-after GRU). The same tensors serve every timestep.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from math import prod

from lstmviz.conventions import (
    BIAS,
    INPUT,
    PROJECTION,
    RECURRENT,
    Convention,
    GateKind,
    Sizes,
    TensorRule,
    convention,
    dim_size,
    holds,
)
from lstmviz.polynomial import Poly
from lstmviz.spec import RecurrentSpec, SpecTypeError, convention_of, require_spec

DIRECTIONS = ("forward", "backward")


@dataclass(frozen=True)
class Tensor:
    """One learnable tensor, named and shaped as its framework names and shapes it."""

    name: str
    shape: tuple[int, ...]
    layer: int
    direction: str
    role: str  # "input", "recurrent", "bias" or "projection"
    key: str  # unique in the stack: PyTorch's name; Keras's variable path in a fresh model; ONNX layer{k}/W[d]
    rule: TensorRule | None = field(default=None, repr=False, compare=False)  # the record's rule it follows

    @property
    def params(self) -> int:
        """Number of scalars in the tensor."""
        return prod(self.shape)


@dataclass(frozen=True)
class TensorSlice:
    """A gate's block of a fused tensor: indices start:stop along one axis."""

    tensor: str
    axis: int
    start: int
    stop: int


def slice_text(s: TensorSlice, ndim: int) -> str:
    """The slice as the framework indexes it: `kernel[:, 2:4]`, `bias[2:4]`, `weight_ih_l0[6:8]`."""
    return f"{s.tensor}[{':, ' * s.axis}{s.start}:{s.stop}]" if s.axis < ndim else s.tensor


@dataclass(frozen=True)
class GateCount:
    """One gate's dense layer: its connections split into input, recurrent and bias."""

    kind: GateKind
    input_weights: int
    recurrent_weights: int
    biases: int
    slices: tuple[TensorSlice, ...]

    @property
    def params(self) -> int:
        """Parameters of this gate's dense layer."""
        return self.input_weights + self.recurrent_weights + self.biases

    @property
    def symbol(self) -> str:
        """The framework's own symbol of the gate (i f c o, i f g o, z r h, r z n)."""
        return self.kind.symbol


@dataclass(frozen=True)
class LayerCount:
    """One layer in one direction: its framework and cell, sizes, gates and tensors.

    It carries everything its figures and initial weights need, and is hashable, so it is
    the cache key of everything drawn for one layer.
    """

    framework: str
    cell: str
    layer: int
    direction: str
    input_size: int
    units: int
    hidden_out: int
    bias_vectors: int  # per gate: 0 without bias, 2 in PyTorch and a reset-after GRU, else 1
    reset_after: bool  # a GRU that applies its reset gate after the recurrent matmul
    gates: tuple[GateCount, ...]
    projection: int
    tensors: tuple[Tensor, ...]
    directions: int = 1  # 2 in a bidirectional stack: only then does a layer name its direction

    @property
    def params(self) -> int:
        """Parameters of this layer and direction: its gates plus any projection."""
        return sum(g.params for g in self.gates) + self.projection

    def gate(self, symbol: str) -> GateCount | None:
        """The gate with this symbol, or None if the cell has no such gate."""
        return next((g for g in self.gates if g.kind.symbol == symbol), None)

    def slice_texts(self, symbol: str) -> tuple[str, ...]:
        """The gate's blocks as the framework indexes them, e.g. ("kernel[:, 2:4]", ..., "bias[2:4]")."""
        gate = self.gate(symbol)
        ndim = {t.name: len(t.shape) for t in self.tensors}
        return tuple(slice_text(s, ndim[s.tensor]) for s in gate.slices) if gate else ()

    @property
    def title(self) -> str:
        """1-based, with the direction only in a bidirectional stack: "layer 1", "layer 2 backward"."""
        return f"layer {self.layer + 1}" + (f" {self.direction}" if self.directions > 1 else "")

    @property
    def convention(self) -> Convention:
        """The record of this layer's framework and layer class."""
        return convention(self.framework, self.cell)

    @property
    def gates_in_columns(self) -> bool:
        """Whether the gates are column blocks (last axis, Keras) rather than row blocks (axis 0)."""
        return self.convention.gates_in_columns


@dataclass(frozen=True)
class Part:
    """A named node of the count tree; a node with children must equal their sum."""

    name: str
    params: int
    children: tuple[Part, ...] = ()

    def mismatches(self) -> list[str]:
        """Paths of every node whose subtotal differs from the sum of its children."""
        bad = []
        if self.children and self.params != sum(c.params for c in self.children):
            bad.append(self.name)
        for child in self.children:
            bad += [f"{self.name} / {m}" for m in child.mismatches()]
        return bad


@dataclass(frozen=True)
class Breakdown:
    """Every layer and direction of a stack, in the framework's tensor order."""

    spec: RecurrentSpec
    layers: tuple[LayerCount, ...]

    @property
    def total(self) -> int:
        """Total learnable parameters, summed over the tensors."""
        return sum(t.params for t in self.tensors)

    @property
    def tensors(self) -> tuple[Tensor, ...]:
        """All tensors in framework order (Keras model.weights / PyTorch named_parameters)."""
        return tuple(t for layer in self.layers for t in layer.tensors)

    def layer(self, index: int, direction: str = "forward") -> LayerCount:
        """The count of one layer in one direction."""
        if isinstance(index, bool) or not isinstance(index, int):
            raise SpecTypeError(f"layer must be a whole number, got {type(index).__name__} {index!r:.60}")
        if not isinstance(direction, str):
            raise SpecTypeError(f"direction must be 'forward' or 'backward', got {type(direction).__name__}")
        for item in self.layers:
            if item.layer == index and item.direction == direction:
                return item
        raise ValueError(f"no layer {index} in direction {direction!r}")

    def tree(self) -> Part:
        """The counts as a tree: total → layer → direction → gate → weights/biases."""
        spec = self.spec
        layer_parts = []
        for index in range(spec.layers):
            directions = [lc for lc in self.layers if lc.layer == index]
            direction_parts = []
            for lc in directions:
                gate_parts = [
                    Part(
                        f"gate {g.kind.symbol} ({g.kind.name})",
                        g.params,
                        (
                            Part("input weights", g.input_weights),
                            Part("recurrent weights", g.recurrent_weights),
                            Part("biases", g.biases),
                        ),
                    )
                    for g in lc.gates
                ]
                if lc.projection:
                    gate_parts.append(Part("projection", lc.projection))
                # The direction's own figure comes from its tensor shapes, so the tree checks
                # the gate view against the framework's tensor view.
                lc_params = sum(t.params for t in lc.tensors)
                direction_parts.append(Part(lc.direction, lc_params, tuple(gate_parts)))
            layer_parts.append(Part(f"layer {index}", sum(p.params for p in direction_parts), tuple(direction_parts)))
        return Part("total", closed_form_total(spec), tuple(layer_parts))


def layer_input_size(spec: RecurrentSpec, index: int) -> int:
    """Input size of layer `index`: the features, or directions × h_out of the layer below."""
    return spec.features if index == 0 else spec.directions * spec.hidden_out


def bias_vectors(spec: RecurrentSpec) -> int:
    """Bias vectors per gate: 0 without bias, 2 in PyTorch, ONNX (B = [Wb, Rb]) and a reset-after GRU, else 1."""
    record, flags, sizes = convention_of(spec), tensor_flags(spec), layer_sizes(spec, 0)
    biases = [r for r in record.tensors if r.role == BIAS and holds(r.when, flags)]
    return sum(prod(dim_size(d, sizes) for d in r.dims) for r in biases) // (sizes.G * sizes.h)


def layer_input_polynomial(spec: RecurrentSpec, index: int) -> Poly:
    """`layer_input_size` as a polynomial: x for the first layer, directions × h_out above it."""
    return Poly.var("x") if index == 0 else spec.directions * Poly.var("p" if spec.proj_size else "h")


def gate_polynomials(spec: RecurrentSpec, index: int) -> tuple[Poly, Poly, Poly]:
    """One gate's input weights, recurrent weights and biases in layer `index`, as polynomials in x, h, p."""
    h = Poly.var("h")
    h_out = Poly.var("p") if spec.proj_size else h
    return layer_input_polynomial(spec, index) * h, h_out * h, bias_vectors(spec) * h


def count_polynomial(spec: RecurrentSpec) -> Poly:
    """The stack's count as a polynomial in features x, units h and proj_size p, for this structure.

    Per layer and direction: G × (x·h + h_out·h + n_b·h) (+ p·h), h_out = p when projecting, else h;
    layers above the first read directions × h_out. Timesteps never appear.
    """
    require_spec(spec)
    g = len(convention_of(spec).gates)
    projection = Poly.var("p") * Poly.var("h") if spec.proj_size else Poly()
    per_layer = [g * sum(gate_polynomials(spec, i), Poly()) + projection for i in range(spec.layers)]
    return spec.directions * sum(per_layer, Poly())


def closed_form_total(spec: RecurrentSpec) -> int:
    """The tutorial example's formula, generalised: `count_polynomial` at the spec's sizes."""
    return count_polynomial(spec).at(spec.features, spec.units, spec.proj_size)


def keras_layer_name(spec: RecurrentSpec, index: int) -> str:
    """The name Keras gives layer `index` in a fresh model: lstm, lstm_1, bidirectional, ..."""
    base = "bidirectional" if spec.bidirectional else convention_of(spec).snake_name
    return base if index == 0 else f"{base}_{index}"


def onnx_key(index: int, direction: str, name: str) -> str:
    """The key of an ONNX node's W, R or B for one direction: W[0] of node 0 is 'layer0/W[0]'."""
    return f"layer{index}/{name}[{DIRECTIONS.index(direction)}]"


def layer_sizes(spec: RecurrentSpec, index: int) -> Sizes:
    """The sizes layer `index`'s tensor shapes are functions of."""
    return Sizes(
        x=layer_input_size(spec, index),
        h=spec.units,
        h_out=spec.hidden_out,
        p=spec.proj_size,
        G=len(convention_of(spec).gates),
    )


def tensor_flags(spec: RecurrentSpec) -> dict[str, bool]:
    """The conditions a TensorRule's `when` reads: bias, reset_after, projection."""
    return {"bias": spec.bias, "reset_after": spec.uses_reset_after, "projection": spec.proj_size > 0}


def _names(spec: RecurrentSpec, index: int, direction: str) -> dict[str, object]:
    """The placeholders of TensorRule templates for one layer and direction."""
    record = convention_of(spec)
    # A Bidirectional wrapper N holds forward_<cell>_N and backward_<cell>_N.
    inner = f"{direction}_{keras_layer_name(replace(spec, bidirectional=False), index)}/" if spec.bidirectional else ""
    return {
        "layer": index,
        "reverse": "_reverse" if direction == "backward" else "",
        "d": DIRECTIONS.index(direction),
        "path": f"{keras_layer_name(spec, index)}/{inner}{record.snake_name}_cell/",
    }


def _tensors(spec: RecurrentSpec, index: int, direction: str, sizes: Sizes) -> tuple[Tensor, ...]:
    """The layer's tensors as its record's rules name and shape them, in framework order."""
    record, flags, names = convention_of(spec), tensor_flags(spec), _names(spec, index, direction)
    tensors = []
    for rule in record.tensors:
        if not holds(rule.when, flags):
            continue
        name = rule.name.format(**names)
        shape = tuple(dim_size(d, sizes) for d in rule.dims)
        tensors.append(Tensor(name, shape, index, direction, rule.role, rule.key.format(name=name, **names), rule))
    return tuple(tensors)


def _gate_slices(tensors: tuple[Tensor, ...], k: int, h: int, g: int) -> tuple[TensorSlice, ...]:
    """Gate k's blocks of each fused tensor: along the rule's gate axis, once per repeat of the gate sequence."""
    slices = []
    for t in tensors:
        if t.rule is None or t.rule.gate_axis is None:
            continue  # a projection belongs to no gate
        axis = t.rule.gate_axis % len(t.shape)
        slices += [TensorSlice(t.name, axis, (r * g + k) * h, (r * g + k + 1) * h) for r in range(t.rule.repeats)]
    return tuple(slices)


def _gate_share(tensors: tuple[Tensor, ...], role: str, g: int) -> int:
    """One gate's share of the tensors of one role that hold every gate's block."""
    return sum(t.params for t in tensors if t.role == role and t.rule is not None and t.rule.gate_axis is not None) // g


def _layer_count(spec: RecurrentSpec, index: int, direction: str) -> LayerCount:
    record = convention_of(spec)
    sizes = layer_sizes(spec, index)
    x, h, g = sizes.x, sizes.h, sizes.G
    tensors = _tensors(spec, index, direction, sizes)
    gates = tuple(
        GateCount(
            kind,
            input_weights=_gate_share(tensors, INPUT, g),
            recurrent_weights=_gate_share(tensors, RECURRENT, g),
            biases=_gate_share(tensors, BIAS, g),
            slices=_gate_slices(tensors, k, h, g),
        )
        for k, kind in enumerate(record.gates)
    )
    return LayerCount(
        spec.framework,
        spec.cell,
        index,
        direction,
        x,
        h,
        spec.hidden_out,
        bias_vectors(spec),
        spec.uses_reset_after,
        gates,
        sum(t.params for t in tensors if t.role == PROJECTION),
        tensors,
        spec.directions,
    )


def first_layer(spec: RecurrentSpec) -> LayerCount:
    """The count of the stack's first layer, forward direction, without counting the rest."""
    require_spec(spec)
    return _layer_count(spec, 0, "forward")


def breakdown(spec: RecurrentSpec) -> Breakdown:
    """Count every layer, direction, gate and tensor of the stack."""
    require_spec(spec)
    return Breakdown(
        spec,
        tuple(
            _layer_count(spec, index, direction)
            for index in range(spec.layers)
            for direction in DIRECTIONS[: spec.directions]
        ),
    )


def count_params(spec: RecurrentSpec) -> int:
    """Total learnable parameters of the stack (timesteps never change it)."""
    return breakdown(spec).total


def weight_tensors(spec: RecurrentSpec) -> tuple[Tensor, ...]:
    """Every learnable tensor in the framework's own order, names and shapes."""
    return breakdown(spec).tensors


def gate_slices(spec: RecurrentSpec, layer: int = 0, direction: str = "forward") -> dict[str, tuple[TensorSlice, ...]]:
    """Each gate's block of each fused tensor, keyed by gate symbol, in framework order."""
    return {g.kind.symbol: g.slices for g in breakdown(spec).layer(layer, direction).gates}


@dataclass(frozen=True)
class DenseCount:
    """The tutorial example's warm-up: input i → Dense(h) → Dense(o)."""

    inputs: int
    hidden: int
    outputs: int

    @property
    def hidden_params(self) -> int:
        """Weights i·h plus biases h of the hidden Dense layer."""
        return self.inputs * self.hidden + self.hidden

    @property
    def output_params(self) -> int:
        """Weights h·o plus biases o of the output Dense layer."""
        return self.hidden * self.outputs + self.outputs

    @property
    def total(self) -> int:
        """(i × h + h × o) + (h + o)."""
        return (self.inputs * self.hidden + self.hidden * self.outputs) + (self.hidden + self.outputs)


def dense_params(inputs: int = 3, hidden: int = 5, outputs: int = 2) -> DenseCount:
    """Parameters of the tutorial example's two-Dense-layer warm-up network (defaults: 3 → 5 → 2)."""
    for name, value in (("inputs", inputs), ("hidden", hidden), ("outputs", outputs)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise SpecTypeError(f"{name} must be a whole number, got {type(value).__name__} {value!r:.60}")
        if value < 1:
            raise ValueError(f"{name} must be a positive whole number, got {value!r}")
    return DenseCount(inputs, hidden, outputs)
