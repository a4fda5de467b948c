"""What grows with timesteps while the parameter count doesn't: output shapes and cost."""

from __future__ import annotations

from dataclasses import dataclass

from lstmviz.conventions import gate_kinds
from lstmviz.counting import layer_input_size
from lstmviz.spec import RecurrentSpec, convention_of, require_spec

Shape = tuple[int | None, ...]  # None stands for the batch dimension


@dataclass(frozen=True)
class OutputShapes:
    """Named output shapes of the stack, with None for the batch dimension."""

    shapes: tuple[tuple[str, Shape], ...]

    def as_dict(self) -> dict[str, list[int | None]]:
        """The shapes as lists, JSON-ready."""
        return {name: list(shape) for name, shape in self.shapes}


def keras_layer_output_shape(spec: RecurrentSpec, index: int) -> Shape:
    """Output of Keras layer `index`: lower layers return sequences, a Bidirectional concatenates."""
    width = spec.directions * spec.units
    if index < spec.layers - 1 or spec.return_sequences:
        return (None, spec.timesteps, width)
    return (None, width)


def _model_output(spec: RecurrentSpec) -> list[tuple[str, Shape]]:
    """Keras: the model's one output."""
    return [("output", keras_layer_output_shape(spec, spec.layers - 1))]


def _node_outputs(spec: RecurrentSpec) -> list[tuple[str, Shape]]:
    """ONNX: the last node's Y [T, D, N, h], Y_h and (LSTM) Y_c [D, N, h], in the default layout 0."""
    d = spec.directions
    shapes: list[tuple[str, Shape]] = [("Y", (spec.timesteps, d, None, spec.units)), ("Y_h", (d, None, spec.units))]
    if convention_of(spec).has_cell_state:
        shapes.append(("Y_c", (d, None, spec.units)))
    return shapes


def _sequence_and_states(spec: RecurrentSpec) -> list[tuple[str, Shape]]:
    """PyTorch (batch_first=True): output, h_n and (LSTM) c_n."""
    d, layers = spec.directions, spec.layers
    shapes: list[tuple[str, Shape]] = [
        ("output", (None, spec.timesteps, d * spec.hidden_out)),
        ("h_n", (d * layers, None, spec.hidden_out)),
    ]
    if convention_of(spec).has_cell_state:
        shapes.append(("c_n", (d * layers, None, spec.units)))
    return shapes


# Framework.outputs -> what the stack returns.
_OUTPUTS = {
    "model_output": _model_output,
    "node_outputs": _node_outputs,
    "sequence_and_states": _sequence_and_states,
}


def output_shapes(spec: RecurrentSpec) -> OutputShapes:
    """Keras: the model output. PyTorch (batch_first=True): output, h_n and (LSTM) c_n. ONNX: Y, Y_h, Y_c."""
    require_spec(spec)
    return OutputShapes(tuple(_OUTPUTS[convention_of(spec).framework.outputs](spec)))


@dataclass(frozen=True)
class Cost:
    """Per-sample compute and memory of one forward pass; only these grow with timesteps.

    multiply_adds_per_step: multiply-adds of the matrix products of one timestep, summed over
        layers and directions: G·h·(x_in + h_out) for the gates plus h·p for a projection.
        Pointwise gate arithmetic and the activations themselves are not counted.
    activations_per_step: values a training forward pass keeps for backpropagation per
        timestep, summed over layers and directions: the G·h gate activations, the h cell
        state (LSTM only) and the h_out hidden output. The input sequence is not counted.
    """

    timesteps: int
    multiply_adds_per_step: int
    activations_per_step: int

    @property
    def multiply_adds_per_sequence(self) -> int:
        """Multiply-adds over all timesteps of one sequence."""
        return self.timesteps * self.multiply_adds_per_step

    @property
    def activations_per_sequence(self) -> int:
        """Values kept for backpropagation over one sequence."""
        return self.timesteps * self.activations_per_step

    @property
    def activation_bytes_float32(self) -> int:
        """Activation memory of one sequence at 4 bytes per value."""
        return 4 * self.activations_per_sequence


def cost(spec: RecurrentSpec) -> Cost:
    """Per-sample multiply-adds and training-time activation memory of the stack."""
    require_spec(spec)
    g, h, h_out = len(gate_kinds(spec.framework, spec.cell)), spec.units, spec.hidden_out
    macs = 0
    kept = 0
    for index in range(spec.layers):
        x_in = layer_input_size(spec, index)
        macs += spec.directions * (g * h * (x_in + h_out) + spec.proj_size * h)
        cell_state = h if convention_of(spec).has_cell_state else 0
        kept += spec.directions * (g * h + cell_state + h_out)
    return Cost(spec.timesteps, macs, kept)
