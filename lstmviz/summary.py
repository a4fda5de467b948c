"""Text views of a count: the formula with numbers substituted, and framework-style tables."""

from __future__ import annotations

from dataclasses import dataclass

from lstmviz.cells import LAYER_CLASS, gate_kinds
from lstmviz.counting import Breakdown, bias_vectors, keras_layer_name, layer_input_size
from lstmviz.shapes import Shape, keras_layer_output_shape, output_shapes
from lstmviz.spec import RecurrentSpec, require_instance

_RULE = "_" * 70
_DOUBLE = "=" * 70


@dataclass(frozen=True)
class Formula:
    """The count as a formula: symbolic per layer and direction, and with numbers substituted."""

    symbolic: str
    substituted: str
    total: int


def _term(spec: RecurrentSpec, x: str, h: str, p: str) -> str:
    """One layer-direction's count; x, h, p are symbols or numbers as text."""
    g = len(gate_kinds(spec.framework, spec.cell))
    biases = bias_vectors(spec)
    inner = f"{x} × {h} + {p} × {h}" if spec.proj_size else f"({x} + {h}) × {h}"
    bias = {0: "", 1: f" + {h}", 2: f" + 2 × {h}"}[biases]
    gates = f"{inner}{bias}" if g == 1 else f"{g} × ({inner}{bias})"
    return gates + (f" + {p} × {h}" if spec.proj_size else "")


def formula(count: Breakdown) -> Formula:
    """The parameter formula for the counted stack, e.g. 4 × ((3 + 2) × 2 + 2) = 48."""
    spec, total = _counted(count).spec, count.total
    h, p = str(spec.units), str(spec.proj_size)
    d = "2 × " if spec.bidirectional else ""
    first = _term(spec, str(spec.features), h, p)
    parts = [f"{d}({first})" if d else first]
    if spec.layers > 1:
        upper = _term(spec, str(layer_input_size(spec, 1)), h, p)
        repeat = f"{spec.layers - 1} × " if spec.layers > 2 else ""
        parts.append(f"{repeat}{d}({upper})")
    symbolic = _term(spec, "x", "h", "p")
    return Formula(symbolic, " + ".join(parts) + f" = {total:,}", total)


def _shape_text(shape: Shape) -> str:
    inner = ", ".join("None" if s is None else str(s) for s in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def _row(name: str, shape: str, params: int | str) -> str:
    return f"{name:<34}{shape:<26}{params}"


def keras_summary(count: Breakdown) -> str:
    """A Keras-style model.summary() table like the tutorial example's (Keras stacks only)."""
    spec = _counted(count).spec
    if spec.framework != "keras":
        raise ValueError(f"keras_summary describes Keras layers; use tensor_table for {spec.framework}")
    cls = LAYER_CLASS[("keras", spec.cell)]
    lines = [
        'Model: "functional"',
        _RULE,
        _row("Layer (type)", "Output Shape", "Param #"),
        _DOUBLE,
        _row("input_layer (InputLayer)", _shape_text((None, spec.timesteps, spec.features)), 0),
    ]
    for index in range(spec.layers):
        name = keras_layer_name(spec, index)
        kind = "Bidirectional" if spec.bidirectional else cls
        params = sum(lc.params for lc in count.layers if lc.layer == index)
        lines += [_RULE, _row(f"{name} ({kind})", _shape_text(keras_layer_output_shape(spec, index)), params)]
    lines += [
        _DOUBLE,
        f"Total params: {count.total:,}",
        f"Trainable params: {count.total:,}",
        "Non-trainable params: 0",
        _RULE,
    ]
    return "\n".join(lines)


def tensor_table(count: Breakdown) -> str:
    """A torchinfo-like table: every tensor's framework name, shape and count, then the total."""
    spec = _counted(count).spec
    header = f"{'Tensor':<26}{'Layer':<16}{'Shape':<18}{'Param #':>12}"
    lines = [header, "=" * len(header)]
    for t in count.tensors:
        where = f"{t.layer} {t.direction}"
        lines.append(f"{t.name:<26}{where:<16}{_shape_text(t.shape):<18}{t.params:>12,}")
    lines += ["=" * len(header), f"{'Total params':<60}{count.total:>12,}"]
    for name, shape in output_shapes(spec).shapes:
        lines.append(f"{'Output ' + name:<26}{_shape_text(shape)}")
    return "\n".join(lines)


def _counted(count: object) -> Breakdown:
    return require_instance(count, Breakdown, "count", "a Breakdown (lstmviz.breakdown(spec))")
