"""Side-by-side comparisons: the same sizes in Keras and PyTorch, across cells, or in both directions.

Each side is a full Report, so every number shown in a comparison is the core's own count; the
sentences that explain a difference are built from those reports, never typed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from lstmviz.conventions import CELL_LABEL
from lstmviz.counting import GateCount, LayerCount
from lstmviz.report import Report, build_report
from lstmviz.spec import CELLS, RecurrentSpec, convention_of, count_options, option_applies

MODES = ("frameworks", "cells", "directions")  # ?compare=... in the URL


@dataclass(frozen=True)
class Side:
    """One column of a comparison: a label and the report of its layer."""

    label: str
    report: Report


@dataclass(frozen=True)
class Comparison:
    """Columns to draw side by side and the differences between them, one sentence each."""

    mode: str
    sides: tuple[Side, ...]
    differences: tuple[str, ...]


def _plain(spec: RecurrentSpec) -> RecurrentSpec:
    """The spec without framework-only options, so both frameworks can build it."""
    return replace(spec, proj_size=0, reset_after=True, return_sequences=False)


def layer_label(spec: RecurrentSpec) -> str:
    """A layer's name as its framework writes it, with the options that change its count (a GRU's reset_after)."""
    name = convention_of(spec).label
    options = count_options(spec)
    if options:
        name += f" ({', '.join(options)})"
    if spec.bidirectional:
        name = f"bidirectional {name}"
    return name


def _gate_order(layer: LayerCount) -> str:
    return ", ".join(g.kind.symbol for g in layer.gates)


def _tensor_names(layer: LayerCount) -> str:
    return ", ".join(f"{t.name} {t.shape}" for t in layer.tensors)


def framework_comparison(spec: RecurrentSpec) -> Comparison:
    """Keras beside PyTorch for the spec's cell and sizes; a Keras GRU with reset_after True and False."""
    base = _plain(spec)
    keras = [replace(base, framework="keras")]
    if option_applies("reset_after", "keras", spec.cell):
        keras.append(replace(base, framework="keras", reset_after=False))
    specs = [*keras, replace(base, framework="pytorch")]
    sides = tuple(Side(layer_label(s), build_report(s)) for s in specs)
    torch = sides[-1]
    tl = torch.report.layers[0]
    g, h = len(tl.gates), base.units
    differences = []
    for side in sides[:-1]:
        kl = side.report.layers[0]
        extra = torch.report.total - side.report.total
        if extra:
            differences.append(
                f"Biases: {torch.label} keeps {tl.bias_vectors} bias vectors per gate (b_ih and b_hh), "
                f"{side.label} {kl.bias_vectors}: {g} gates × {h} units = {g * h:,} more per layer and direction, "
                f"{extra:,} more in all ({side.report.total:,} vs {torch.report.total:,})."
            )
        elif base.bias:
            differences.append(
                f"Biases: {side.label} and {torch.label} both keep {kl.bias_vectors} bias vectors per gate, "
                f"so both count {torch.report.total:,}."
            )
    kl = sides[0].report.layers[0]
    differences += [
        f"Gate order: Keras stacks {_gate_order(kl)}; PyTorch {_gate_order(tl)}. Slice the fused tensors "
        "in the framework's own order.",
        f"Layout: Keras stores gates as column blocks (input × gates·units); PyTorch as row blocks "
        f"(gates·units × input), the transpose: {kl.tensors[0].shape} vs {tl.tensors[0].shape}.",
        f"Names: Keras {_tensor_names(kl)}; PyTorch {_tensor_names(tl)}.",
    ]
    return Comparison("frameworks", sides, tuple(differences))


def cell_comparison(spec: RecurrentSpec) -> Comparison:
    """LSTM, GRU and SimpleRNN/RNN of the spec's framework and sizes, each difference in one sentence."""
    base = _plain(spec)
    # Only a GRU has reset_after (the sidebar's choice); the other cells keep the default.
    reports = {
        c: build_report(
            replace(base, cell=c, reset_after=spec.reset_after or not option_applies("reset_after", spec.framework, c))
        )
        for c in CELLS
    }
    sides = tuple(Side(layer_label(r.spec), r) for r in reports.values())
    lstm = reports["lstm"]
    per_gate = lstm.layers[0].gates[0].params
    first = " in the first layer" if spec.layers > 1 else ""
    differences = [f"{CELL_LABEL['lstm']}: {len(lstm.layers[0].gates)} gates of {per_gate:,} parameters each{first}."]
    for cell in CELLS[1:]:  # every cell beside the LSTM
        other = reports[cell]
        gates = len(other.layers[0].gates)
        gate_params = other.layers[0].gates[0].params
        why = f"{gates} gate{'s' if gates > 1 else ''} of {gate_params:,} instead of 4 of {per_gate:,}"
        if gate_params != per_gate:
            vectors = (other.layers[0].bias_vectors, lstm.layers[0].bias_vectors)
            why += f" (here each gate keeps {vectors[0]} bias vectors, the LSTM's {vectors[1]})"
        fewer = lstm.total - other.total
        differences.append(f"{CELL_LABEL[cell]}: {why}, so {other.total:,} parameters, {fewer:,} fewer than the LSTM.")
    return Comparison("cells", sides, tuple(differences))


def direction_comparison(spec: RecurrentSpec) -> Comparison:
    """One direction beside bidirectional, for the spec's framework, cell and stack."""
    one, two = build_report(replace(spec, bidirectional=False)), build_report(replace(spec, bidirectional=True))
    sides = (Side(layer_label(one.spec), one), Side(layer_label(two.spec), two))
    sentence = (
        f"Bidirectional runs a second {convention_of(spec).class_label} with its own weights over the "
        f"reversed sequence, so each layer's count doubles: 2 × {one.layers[0].params:,} = "
        f"{2 * one.layers[0].params:,} for the first layer"
    )
    if spec.layers > 1:
        upper_one = sum(lc.params for lc in one.layers if lc.layer > 0)
        upper_two = sum(lc.params for lc in two.layers if lc.layer > 0)
        sentence += (
            f"; the upper layers read both directions' outputs ({two.layers[-1].input_size:,} inputs instead of "
            f"{one.layers[-1].input_size:,}), so they grow from {upper_one:,} to {upper_two:,}, more than double"
        )
    return Comparison("directions", sides, (sentence + f": {one.total:,} → {two.total:,}.",))


def compare(spec: RecurrentSpec, mode: str) -> Comparison:
    """The comparison `mode` (one of MODES) for the spec."""
    builders = {"frameworks": framework_comparison, "cells": cell_comparison, "directions": direction_comparison}
    if mode not in builders:
        raise ValueError(f"mode must be one of {', '.join(MODES)}; got {mode!r}")
    return builders[mode](spec)


def gate_role(gate: GateCount) -> str:
    """What a gate does, the same in every framework: Keras's c and PyTorch's g are both the candidate."""
    return "candidate" if gate.kind.activation == "tanh" else gate.kind.name


def matching_gate(layer: LayerCount, chosen: str) -> GateCount | None:
    """The layer's gate that matches `chosen` (a symbol or a role from any framework), or None."""
    for gate in layer.gates:
        if chosen in (gate.kind.symbol, gate_role(gate)):
            return gate
    # Another framework's candidate symbol (c, g, n, h) still means the candidate.
    if chosen in ("c", "g", "n", "h"):
        return next((g for g in layer.gates if gate_role(g) == "candidate"), None)
    return None
