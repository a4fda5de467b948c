"""lstmviz: exact parameter counts and tensor shapes of recurrent layers, and why."""

from lstmviz.counting import (
    Breakdown,
    DenseCount,
    GateCount,
    LayerCount,
    Part,
    Tensor,
    TensorSlice,
    breakdown,
    closed_form_total,
    count_params,
    dense_params,
    gate_slices,
    weight_tensors,
)

# The function shadows its module's name on purpose: the public call is lstmviz.forward(...).
from lstmviz.forward import ForwardResult, forward
from lstmviz.inputs import one_hot_sequence, random_inputs, sine_waves
from lstmviz.report import Report, build_report
from lstmviz.shapes import Cost, OutputShapes, cost, output_shapes
from lstmviz.spec import RecurrentSpec
from lstmviz.summary import Formula, formula, keras_summary, tensor_table

__all__ = [
    "Breakdown",
    "Cost",
    "DenseCount",
    "Formula",
    "ForwardResult",
    "GateCount",
    "LayerCount",
    "OutputShapes",
    "Part",
    "RecurrentSpec",
    "Report",
    "Tensor",
    "TensorSlice",
    "breakdown",
    "build_report",
    "closed_form_total",
    "cost",
    "count_params",
    "dense_params",
    "formula",
    "forward",
    "gate_slices",
    "keras_summary",
    "one_hot_sequence",
    "output_shapes",
    "random_inputs",
    "sine_waves",
    "tensor_table",
    "weight_tensors",
]
