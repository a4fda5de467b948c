"""Parameter counts and weight tensors of a recurrent stack, exactly as each framework builds them.

An LSTM layer is four dense layers over [h_{t-1}, x_t]; a GRU three, a SimpleRNN one. Each
gate's dense layer owns x·h input weights, h·h recurrent weights and h biases (two bias
vectors in PyTorch and in a reset-after GRU). The same tensors serve every timestep.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from math import prod

from lstmviz.cells import GateKind, gate_kinds
from lstmviz.polynomial import Poly
from lstmviz.spec import RecurrentSpec, SpecTypeError, require_spec

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
    def gates_in_columns(self) -> bool:
        """Keras stacks gates as column blocks (last axis); PyTorch as row blocks (axis 0)."""
        return self.framework == "keras"


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
    if not spec.bias:
        return 0
    if spec.framework in ("pytorch", "onnx") or spec.uses_reset_after:
        return 2
    return 1


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
    g = len(gate_kinds(spec.framework, spec.cell))
    projection = Poly.var("p") * Poly.var("h") if spec.proj_size else Poly()
    per_layer = [g * sum(gate_polynomials(spec, i), Poly()) + projection for i in range(spec.layers)]
    return spec.directions * sum(per_layer, Poly())


def closed_form_total(spec: RecurrentSpec) -> int:
    """The tutorial example's formula, generalised: `count_polynomial` at the spec's sizes."""
    return count_polynomial(spec).at(spec.features, spec.units, spec.proj_size)


KERAS_LAYER_NAME = {"lstm": "lstm", "gru": "gru", "rnn": "simple_rnn"}


def keras_layer_name(spec: RecurrentSpec, index: int) -> str:
    """The name Keras gives layer `index` in a fresh model: lstm, lstm_1, bidirectional, ..."""
    base = "bidirectional" if spec.bidirectional else KERAS_LAYER_NAME[spec.cell]
    return base if index == 0 else f"{base}_{index}"


def _keras_tensors(spec: RecurrentSpec, index: int, direction: str, x: int) -> tuple[Tensor, ...]:
    g, h = len(gate_kinds(spec.framework, spec.cell)), spec.units
    cell = KERAS_LAYER_NAME[spec.cell]
    # A Bidirectional wrapper N holds forward_<cell>_N and backward_<cell>_N.
    inner = f"{direction}_{keras_layer_name(replace(spec, bidirectional=False), index)}/" if spec.bidirectional else ""
    path = f"{keras_layer_name(spec, index)}/{inner}{cell}_cell/"
    tensors = [
        Tensor("kernel", (x, g * h), index, direction, "input", path + "kernel"),  # (x, G·h)
        Tensor("recurrent_kernel", (h, g * h), index, direction, "recurrent", path + "recurrent_kernel"),
    ]
    if spec.bias:
        # A reset-after GRU keeps separate input and recurrent biases stacked as rows.
        shape = (2, g * h) if spec.uses_reset_after else (g * h,)
        tensors.append(Tensor("bias", shape, index, direction, "bias", path + "bias"))
    return tuple(tensors)


def _torch_tensors(spec: RecurrentSpec, index: int, direction: str, x: int) -> tuple[Tensor, ...]:
    g, h = len(gate_kinds(spec.framework, spec.cell)), spec.units
    suffix = f"_l{index}" + ("_reverse" if direction == "backward" else "")
    rows: list[tuple[str, tuple[int, ...], str]] = [
        ("weight_ih", (g * h, x), "input"),  # (G·h, x)
        ("weight_hh", (g * h, spec.hidden_out), "recurrent"),  # (G·h, h_out)
    ]
    if spec.bias:
        rows += [("bias_ih", (g * h,), "bias"), ("bias_hh", (g * h,), "bias")]
    if spec.proj_size:
        rows.append(("weight_hr", (spec.proj_size, h), "projection"))  # (p, h)
    return tuple(Tensor(name + suffix, shape, index, direction, role, name + suffix) for name, shape, role in rows)


def onnx_key(index: int, direction: str, name: str) -> str:
    """The key of an ONNX node's W, R or B for one direction: W[0] of node 0 is 'layer0/W[0]'."""
    return f"layer{index}/{name}[{DIRECTIONS.index(direction)}]"


def _onnx_tensors(spec: RecurrentSpec, index: int, direction: str, x: int) -> tuple[Tensor, ...]:
    # One ONNX node per layer; W is [D, G·h, x], R [D, G·h, h], B [D, 2·G·h] (Wb then Rb). Each
    # direction owns its slice along D, so a tensor here is W[d], R[d], B[d].
    g, h = len(gate_kinds(spec.framework, spec.cell)), spec.units
    rows: list[tuple[str, tuple[int, ...], str]] = [("W", (g * h, x), "input"), ("R", (g * h, h), "recurrent")]
    if spec.bias:
        rows.append(("B", (2 * g * h,), "bias"))
    return tuple(
        Tensor(name, shape, index, direction, role, onnx_key(index, direction, name)) for name, shape, role in rows
    )


def _gate_slices(tensors: tuple[Tensor, ...], framework: str, k: int, h: int, g: int) -> tuple[TensorSlice, ...]:
    slices = []
    for t in tensors:
        if t.role == "projection":
            continue
        # Keras stacks gates as column blocks (last axis); PyTorch and ONNX as row blocks (axis 0).
        axis = len(t.shape) - 1 if framework == "keras" else 0
        slices.append(TensorSlice(t.name, axis, k * h, (k + 1) * h))
        if framework == "onnx" and t.role == "bias":
            slices.append(TensorSlice(t.name, 0, (g + k) * h, (g + k + 1) * h))  # the gate's Rb, after every Wb
    return tuple(slices)


def _layer_count(spec: RecurrentSpec, index: int, direction: str) -> LayerCount:
    x, h = layer_input_size(spec, index), spec.units
    build = {"keras": _keras_tensors, "pytorch": _torch_tensors, "onnx": _onnx_tensors}[spec.framework]
    g = len(gate_kinds(spec.framework, spec.cell))
    tensors = build(spec, index, direction, x)
    gates = tuple(
        GateCount(
            kind,
            input_weights=x * h,
            recurrent_weights=spec.hidden_out * h,
            biases=bias_vectors(spec) * h,
            slices=_gate_slices(tensors, spec.framework, k, h, g),
        )
        for k, kind in enumerate(gate_kinds(spec.framework, spec.cell))
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
        spec.proj_size * h,
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
