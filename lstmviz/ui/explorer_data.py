"""What the explorer shows, assembled from one Report: pure functions, so the view only draws."""

from __future__ import annotations

from dataclasses import dataclass

from lstmviz.counting import LayerCount
from lstmviz.report import Report
from lstmviz.spec import RecurrentSpec, convention_of
from lstmviz.summary import gate_term, keras_summary, tensor_table
from lstmviz.tables import LAYER_GATES, Column, GatePart, gate_parts

_BIASES = {0: "no biases", 1: "biases h", 2: "biases 2h"}


def file_slug(spec: RecurrentSpec) -> str:
    """The stem of every download's file name: lstmviz-keras-lstm-x3-h2."""
    return f"lstmviz-{spec.framework}-{spec.cell}-x{spec.features}-h{spec.units}"


def gate_focus_text(layer: LayerCount, gate: str) -> str:
    """The followed gate's term of the formula and its slices of each tensor, as Markdown."""
    slices = " · ".join(f"`{text}`" for text in layer.slice_texts(gate))
    return f"**`{gate_term(layer, gate)}`** parameters, stored as {slices}"


def gates_heading(layer: LayerCount) -> str:
    """The gate section's heading: what each gate's dense layer holds."""
    recurrent = "h·p" if layer.projection else "h·h"
    return f"Gate dense layers: input weights x·h, recurrent weights {recurrent}, {_BIASES[layer.bias_vectors]}"


@dataclass(frozen=True)
class GateTable:
    """The gate table of one layer: its columns, its rows and which rows the followed gate owns."""

    columns: tuple[Column[GatePart], ...]
    parts: tuple[GatePart, ...]
    marked: frozenset[str]  # labels of the followed gate's rows


def gate_table(layer: LayerCount, gate: str | None) -> GateTable:
    """Each gate's dense layer as table rows; the projection column only where there is a projection."""
    parts = gate_parts((layer,))
    columns = tuple(c for c in LAYER_GATES if layer.projection or c.key != "projection_weights")
    return GateTable(columns, parts, frozenset(p.label for p in parts if p.symbol == gate))


def heatmap_caption(layer: LayerCount) -> str:
    """How each framework lays the gate blocks out, at this layer's gate count, and where the values come from."""
    gh = f"{len(layer.gates)}h" if len(layer.gates) > 1 else "h"
    return (
        f"Keras stores each gate as a column block of kernel (x, {gh}) and recurrent_kernel (h, {gh}); "
        f"PyTorch as a row block of weight_ih ({gh}, x) and weight_hh ({gh}, h); ONNX as a row block of "
        f"W[d] ({gh}, x) and R[d] ({gh}, h), with B[d] = [Wb, Rb] drawn as two columns. Click a gate in the "
        "coloured strip to follow it. Values are seeded initial weights drawn like the framework does (Keras "
        "glorot_uniform / orthogonal / zeros with the forget bias at 1; PyTorch and ONNX, as torch.onnx "
        "exports it, U(−1/√h, 1/√h))."
    )


def outputs_caption(report: Report) -> str:
    """The stack's outputs with their shapes."""
    outputs = ", ".join(f"{k} {tuple(v)}" for k, v in report.outputs.as_dict().items())
    return f"Outputs: {outputs} (None = batch)."


def framework_listing(report: Report) -> tuple[str, str]:
    """The framework's own listing of the stack: (heading, text), Keras's model.summary() or a tensor table."""
    framework = convention_of(report.spec).framework
    text = keras_summary(report.count) if framework.model_summary else tensor_table(report.count)
    return framework.listing, text


def code_heading(spec: RecurrentSpec) -> str:
    """The heading over the runnable snippet."""
    return f"**Check it in {convention_of(spec).framework.label}**: this code builds the layer and asserts the count"
