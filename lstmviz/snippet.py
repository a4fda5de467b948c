"""Runnable Python that builds a spec in its own framework and asserts lstmviz's numbers."""

from __future__ import annotations

from lstmviz.counting import keras_layer_name
from lstmviz.report import Report
from lstmviz.spec import convention_of, require_instance

# The constructor arguments a snippet passes when the layer class has them (in this order).
LAYER_OPTIONS = ("reset_after", "proj_size")


def _keras(report: Report) -> str:
    spec, count = report.spec, report.count
    record = convention_of(spec)
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
        args += [f"{o}={getattr(spec, o)}" for o in LAYER_OPTIONS if record.has_option(o)]
        name = keras_layer_name(spec, index)
        if spec.bidirectional:
            inner = f"{record.class_path}({', '.join(args)})"
            lines.append(f'    keras.layers.Bidirectional({inner}, name="{name}"),')
        else:
            lines.append(f'    {record.class_path}({", ".join(args)}, name="{name}"),')
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
    record = convention_of(spec)
    args = [
        f"input_size={spec.features}",
        f"hidden_size={spec.units}",
        f"num_layers={spec.layers}",
        f"bias={spec.bias}",
        "batch_first=True",
        f"bidirectional={spec.bidirectional}",
    ]
    args += [f"{o}={getattr(spec, o)}" for o in LAYER_OPTIONS if record.has_option(o)]
    shapes = report.outputs.as_dict()
    batch = 2
    out = tuple(batch if s is None else s for s in shapes["output"])
    h_n = tuple(batch if s is None else s for s in shapes["h_n"])
    state = "(h_n, c_n)" if record.has_cell_state else "h_n"
    lines = [
        "# Builds the layer in PyTorch and checks lstmviz's count and shapes.",
        "import torch",
        "",
        f"layer = {record.class_path}({', '.join(args)})",
        "count = sum(p.numel() for p in layer.parameters())",
        f"assert count == {count.total}, count",
        f"expected = {[(t.name, t.shape) for t in count.tensors]!r}",
        "assert [(n, tuple(p.shape)) for n, p in layer.named_parameters()] == expected",
        f"output, {state} = layer(torch.zeros({batch}, {spec.timesteps}, {spec.features}))",
        f"assert tuple(output.shape) == {out!r}, output.shape",
        f"assert tuple(h_n.shape) == {h_n!r}, h_n.shape",
    ]
    if record.has_cell_state:
        c_n = tuple(batch if s is None else s for s in shapes["c_n"])
        lines.append(f"assert tuple(c_n.shape) == {c_n!r}, c_n.shape")
    lines.append(f'print("OK: {count.total:,} parameters")')
    return "\n".join(lines) + "\n"


def _onnx(report: Report) -> str:
    spec, count = report.spec, report.count
    cls = convention_of(spec).class_name  # PyTorch's class of the same name exports the node
    args = f"{spec.features}, {spec.units}, num_layers={spec.layers}, bias={spec.bias}, "
    args += f"batch_first=True, bidirectional={spec.bidirectional}"
    d, g = spec.directions, count.layers[0].gates
    lines = [
        "# Exports the same layer from PyTorch to ONNX and checks lstmviz's count and W/R/B shapes.",
        "import io",
        "import math",
        "",
        "import onnx",
        "import torch",
        "",
        f"layer = torch.nn.{cls}({args})",
        "buffer = io.BytesIO()",
        f"torch.onnx.export(layer, (torch.zeros(1, {spec.timesteps}, {spec.features}),), buffer, dynamo=False)",
        "graph = onnx.load_model_from_string(buffer.getvalue()).graph",
        "sizes = {t.name: list(t.dims) for t in graph.initializer}",
        f'nodes = [n for n in graph.node if n.op_type == "{cls}"]',
        f"assert len(nodes) == {spec.layers}, len(nodes)  # one ONNX node per layer",
        "count = 0",
        "for index, node in enumerate(nodes):",
        "    w, r, b = (sizes.get(name) for name in (list(node.input) + ['', '', ''])[1:4])  # inputs X, W, R, B, ...",
        f"    x = {spec.features} if index == 0 else {d * spec.units}",
        f"    assert w == [{d}, {len(g) * spec.units}, x] and r == [{d}, {len(g) * spec.units}, {spec.units}], (w, r)",
        f"    assert b == {[d, 2 * len(g) * spec.units] if spec.bias else None}, b",
        "    count += sum(math.prod(s) for s in (w, r, b) if s)",
        f"assert count == {count.total}, count",
    ]
    if convention_of(spec).has_option("reset_after") and not spec.reset_after:
        lines.insert(1, "# Note: PyTorch exports linear_before_reset=1; this spec's 0 has the same count and shapes.")
    lines.append(f'print("OK: {count.total:,} parameters")')
    return "\n".join(lines) + "\n"


def framework_code(report: Report) -> str:
    """A runnable snippet in the report's framework that asserts its count, tensors and shapes."""
    require_instance(report, Report, "report", "a Report (lstmviz.build_report(spec))")
    build = {"keras": _keras, "pytorch": _pytorch, "onnx": _onnx}[report.spec.framework]
    return build(report)
