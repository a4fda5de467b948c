"""Text views of a count: the formula with numbers substituted, and framework-style tables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lstmviz.conventions import TENSOR_LETTER
from lstmviz.counting import (
    Breakdown,
    LayerCount,
    bias_vectors,
    count_polynomial,
    keras_layer_name,
    layer_input_polynomial,
)
from lstmviz.polynomial import Poly
from lstmviz.shapes import keras_layer_output_shape, output_shapes
from lstmviz.spec import RecurrentSpec, convention_of, require_instance


@dataclass(frozen=True)
class Formula:
    """The count as a formula: symbolic per layer and direction, and with numbers substituted."""

    symbolic: str
    substituted: str
    total: int


def _term(spec: RecurrentSpec, x: str, h: str, p: str) -> str:
    """One layer-direction's count; x, h, p are symbols or numbers as text."""
    g = len(convention_of(spec).gates)
    biases = bias_vectors(spec)
    inner = f"{x} × {h} + {p} × {h}" if spec.proj_size else f"({x} + {h}) × {h}"
    bias = {0: "", 1: f" + {h}", 2: f" + 2 × {h}"}[biases]
    gates = f"{inner}{bias}" if g == 1 else f"{g} × ({inner}{bias})"
    return gates + (f" + {p} × {h}" if spec.proj_size else "")


def formula_template(spec: RecurrentSpec) -> tuple[str, dict[str, Poly]]:
    """The substituted formula with fields {x}, {h}, {p}, {x1} (an upper layer's input) and {total:,},
    and each field as a polynomial in the sizes: the one text the page and the live headline fill in."""
    d = "2 × " if spec.bidirectional else ""
    first = _term(spec, "{x}", "{h}", "{p}")
    parts = [f"{d}({first})" if d else first]
    fields = {v: Poly.var(v) for v in ("x", "h", "p")} | {"total": count_polynomial(spec)}
    if spec.layers > 1:
        upper = _term(spec, "{x1}", "{h}", "{p}")
        repeat = f"{spec.layers - 1} × " if spec.layers > 2 else ""
        parts.append(f"{repeat}{d}({upper})")
        fields["x1"] = layer_input_polynomial(spec, 1)
    return " + ".join(parts) + " = {total:,}", fields


def formula(count: Breakdown) -> Formula:
    """The parameter formula for the counted stack, e.g. 4 × ((3 + 2) × 2 + 2) = 48."""
    spec, total = _counted(count).spec, count.total
    template, fields = formula_template(spec)
    values = {k: v.at(spec.features, spec.units, spec.proj_size) for k, v in fields.items()} | {"total": total}
    return Formula(symbolic_formula(spec), template.format(**values), total)


def symbolic_formula(spec: RecurrentSpec) -> str:
    """One layer-direction's count in symbols: 4 × ((x + h) × h + h)."""
    return _term(spec, "x", "h", "p")


def gate_term(layer: LayerCount, symbol: str) -> str:
    """One gate's dense layer with numbers: "f: (3 + 2) × 2 + 2 = 12" (empty for an unknown symbol)."""
    gate = layer.gate(symbol)
    if gate is None:
        return ""
    x, h, h_out = f"{layer.input_size:,}", f"{layer.units:,}", f"{layer.hidden_out:,}"
    inner = f"{x} × {h} + {h_out} × {h}" if layer.projection else f"({x} + {h}) × {h}"
    bias = {0: "", 1: f" + {h}", 2: f" + 2 × {h}"}[layer.bias_vectors]
    return f"{symbol}: {inner}{bias} = {gate.params:,}"


def tensor_sum(layer: LayerCount) -> str:
    """The layer's count as its tensors: "W kernel (3, 8) 24 + U recurrent_kernel (2, 8) 16 + b bias (8,) 8 = 48"."""
    shapes = [tuple(str(d) for d in t.shape) for t in layer.tensors]
    return tensor_sum_template(layer, shapes).format(
        **{f"t{k}": t.params for k, t in enumerate(layer.tensors)}, layer=layer.params
    )


def tensor_sum_template(layer: LayerCount, shapes: list[tuple[str, ...]]) -> str:
    """`tensor_sum` with each tensor's count as the field {t0:,}, {t1:,}, ... and the layer's as {layer:,};
    `shapes` gives each tensor's dimensions as text (numbers, or fields such as {t0d1})."""
    letters = layer.convention.notation.letters
    terms = [
        (f"{TENSOR_LETTER[t.role]} " if letters else "") + f"{t.name} {_shape_text(shape)} {{t{k}:,}}"
        for k, (t, shape) in enumerate(zip(layer.tensors, shapes, strict=True))
    ]
    return " + ".join(terms) + " = {layer:,}"


def _shape_text(shape: Sequence[object]) -> str:
    inner = ", ".join("None" if s is None else str(s) for s in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


# Keras 3 prints model.summary() as a rich box table; at line_length=76 (an 80-column terminal)
# its three cells hold 31, 22 and 13 characters between one-space paddings.
KERAS_CELLS = (31, 22, 13)


def readable_size(size: float) -> str:
    """Bytes as Keras 3 prints them in a summary: 192.00 B, 30.90 MB (powers of 1024)."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def _box_row(cells: tuple[str, str, str], widths: tuple[int, ...], bar: str) -> str:
    name, shape, params = cells
    return f"{bar} {name:<{widths[0]}} {bar} {shape:<{widths[1]}} {bar} {params:>{widths[2]}} {bar}"


def _box_rule(left: str, fill: str, joint: str, right: str, widths: tuple[int, ...]) -> str:
    return left + joint.join(fill * (w + 2) for w in widths) + right


def keras_summary(count: Breakdown) -> str:
    """The Keras 3 model.summary() of the stack as a Sequential model, as printed at line_length=76.

    Cells grow for a layer name longer than Keras's column (16 stacked bidirectional layers),
    where Keras would wrap the name instead.
    """
    spec = _counted(count).spec
    record = convention_of(spec)
    if not record.framework.model_summary:
        raise ValueError(f"keras_summary describes Keras layers; use tensor_table for {spec.framework}")
    cls = record.class_label
    rows = []
    for index in range(spec.layers):
        kind = "Bidirectional" if spec.bidirectional else cls
        params = sum(lc.params for lc in count.layers if lc.layer == index)
        shape = _shape_text(keras_layer_output_shape(spec, index))
        rows.append((f"{keras_layer_name(spec, index)} ({kind})", shape, f"{params:,}"))
    widths = tuple(max([w] + [len(r[k]) for r in rows]) for k, w in enumerate(KERAS_CELLS))
    lines = [
        'Model: "sequential"',
        _box_rule("┏", "━", "┳", "┓", widths),
        _box_row(("Layer (type)", "Output Shape", "Param #"), widths, "┃"),
        _box_rule("┡", "━", "╇", "┩", widths),
    ]
    for k, row in enumerate(rows):
        if k:
            lines.append(_box_rule("├", "─", "┼", "┤", widths))
        lines.append(_box_row(row, widths, "│"))
    size = readable_size(4 * count.total)  # float32 weights
    lines += [
        _box_rule("└", "─", "┴", "┘", widths),
        f" Total params: {count.total:,} ({size})",
        f" Trainable params: {count.total:,} ({size})",
        " Non-trainable params: 0 (0.00 B)",
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
