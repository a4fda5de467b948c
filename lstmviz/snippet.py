"""Runnable Python that builds a spec in its own framework and asserts lstmviz's numbers."""

from __future__ import annotations

from lstmviz.cells import class_name
from lstmviz.counting import keras_layer_name
from lstmviz.report import Report


def _keras(report: Report) -> str:
    spec, count = report.spec, report.count
    lines = [
        "# Builds the layer in Keras 3 (any backend) and checks lstmviz's count and shapes.",
        "import keras",
        "",
        "model = keras.Sequential([",
        f"    keras.Input(shape=({spec.timesteps}, {spec.features})),",
    ]
    for index in range(spec.layers):
        sequences = index < spec.layers - 1 or spec.return_sequences
        args = [str(spec.units), f"return_sequences={sequences}", f"use_bias={spec.bias}"]
        if spec.cell == "gru":
            args.append(f"reset_after={spec.reset_after}")
        name = keras_layer_name(spec, index)
        if spec.bidirectional:
            inner = f"keras.layers.{class_name('keras', spec.cell)}({', '.join(args)})"
            lines.append(f'    keras.layers.Bidirectional({inner}, name="{name}"),')
        else:
            lines.append(f'    keras.layers.{class_name("keras", spec.cell)}({", ".join(args)}, name="{name}"),')
    shape = tuple(report.outputs.as_dict()["output"])
    lines += [
        "])",
        "model.summary()",
        f"assert model.count_params() == {count.total}, model.count_params()",
        f"assert tuple(model.output_shape) == {shape!r}, model.output_shape",
        f"expected = {[(t.name, t.shape) for t in count.tensors]!r}",
        "assert [(w.name, tuple(w.shape)) for w in model.weights] == expected",
        f'print("OK: {count.total:,} parameters")',
    ]
    return "\n".join(lines) + "\n"


def _pytorch(report: Report) -> str:
    spec, count = report.spec, report.count
    args = [
        f"input_size={spec.features}",
        f"hidden_size={spec.units}",
        f"num_layers={spec.layers}",
        f"bias={spec.bias}",
        "batch_first=True",
        f"bidirectional={spec.bidirectional}",
    ]
    if spec.cell == "lstm":
        args.append(f"proj_size={spec.proj_size}")
    shapes = report.outputs.as_dict()
    batch = 2
    out = tuple(batch if s is None else s for s in shapes["output"])
    h_n = tuple(batch if s is None else s for s in shapes["h_n"])
    state = "(h_n, c_n)" if spec.cell == "lstm" else "h_n"
    lines = [
        "# Builds the layer in PyTorch and checks lstmviz's count and shapes.",
        "import torch",
        "",
        f"layer = torch.nn.{class_name('pytorch', spec.cell)}({', '.join(args)})",
        "count = sum(p.numel() for p in layer.parameters())",
        f"assert count == {count.total}, count",
        f"expected = {[(t.name, t.shape) for t in count.tensors]!r}",
        "assert [(n, tuple(p.shape)) for n, p in layer.named_parameters()] == expected",
        f"output, {state} = layer(torch.zeros({batch}, {spec.timesteps}, {spec.features}))",
        f"assert tuple(output.shape) == {out!r}, output.shape",
        f"assert tuple(h_n.shape) == {h_n!r}, h_n.shape",
    ]
    if spec.cell == "lstm":
        c_n = tuple(batch if s is None else s for s in shapes["c_n"])
        lines.append(f"assert tuple(c_n.shape) == {c_n!r}, c_n.shape")
    lines.append(f'print("OK: {count.total:,} parameters")')
    return "\n".join(lines) + "\n"


def framework_code(report: Report) -> str:
    """A runnable snippet in the report's framework that asserts its count, tensors and shapes."""
    return _keras(report) if report.spec.framework == "keras" else _pytorch(report)
