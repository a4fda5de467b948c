"""What `inspect` reports about a model file: counts checked against lstmviz's formula, and per-gate statistics."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lstmviz.counting import LayerCount, breakdown, closed_form_total
from lstmviz.modelfiles import ModelFile, RecurrentLayer
from lstmviz.spec import convention_of, count_options
from lstmviz.summary import formula


@dataclass(frozen=True)
class CountCheck:
    """The file's own count of a layer next to lstmviz's formula for the inferred spec."""

    stored: int  # scalars in the layer's tensors as stored in the file
    expected: int  # lstmviz's closed form for the spec
    formula: str  # e.g. "4 × ((8 + 16) × 16 + 16) = 1,600"

    @property
    def matches(self) -> bool:
        """Whether the file holds exactly the parameters the formula predicts."""
        return self.stored == self.expected

    @property
    def text(self) -> str:
        """'matches 4 × ((3 + 2) × 2 + 2) = 48 ✓', or what differs."""
        if self.matches:
            return f"matches {self.formula} ✓"
        return f"differs: the file holds {self.stored:,}, the formula gives {self.formula} ✗"


@dataclass(frozen=True)
class GateStats:
    """One gate's block of one layer and direction, as trained: sizes of its weights and its bias."""

    layer: int
    direction: str
    symbol: str
    name: str
    input_norm: float  # Frobenius norm of the gate's input-weight block
    recurrent_norm: float
    input_mean: float
    recurrent_mean: float
    bias_mean: float | None  # mean of the effective bias (both PyTorch / reset-after vectors summed); None without bias


def count_check(layer: RecurrentLayer) -> CountCheck:
    """Compare the stored tensors' size with lstmviz's closed-form count."""
    return CountCheck(layer.params, closed_form_total(layer.spec), formula(breakdown(layer.spec)).substituted)


def gate_stats(layer: RecurrentLayer) -> tuple[GateStats, ...]:
    """Norms and means of every gate block in every layer and direction, from the file's weights."""
    out = []
    for lc in breakdown(layer.spec).layers:
        for gate in lc.gates:
            blocks = _blocks(layer, lc, gate.slices)
            w, u = blocks.get("input"), blocks.get("recurrent")
            biases = [b for role, b in blocks.items() if role.startswith("bias")]
            # The effective bias: every bias vector of the gate added, as the cell adds them.
            bias = np.concatenate(biases).sum(axis=0) if biases else None
            out.append(
                GateStats(
                    lc.layer,
                    lc.direction,
                    gate.kind.symbol,
                    gate.kind.name,
                    _norm(w),
                    _norm(u),
                    _mean(w),
                    _mean(u),
                    None if bias is None else _mean(bias),
                )
            )
    return tuple(out)


def _blocks(layer: RecurrentLayer, lc: LayerCount, slices: tuple[Any, ...]) -> dict[str, np.ndarray]:
    by_name = {t.name: t for t in lc.tensors}
    blocks: dict[str, np.ndarray] = {}
    for s in slices:
        tensor = by_name[s.tensor]
        values = np.asarray(layer.weights[tensor.key], dtype=np.float64)
        block = np.take(values, range(s.start, s.stop), axis=s.axis)
        if tensor.role == "bias":
            # A Keras (2, G·h) bias has its vectors as rows; PyTorch has bias_ih and bias_hh.
            block = block.reshape(-1, s.stop - s.start)
            blocks[f"bias {tensor.name}"] = block
        else:
            blocks[tensor.role] = block
    return blocks


def _norm(a: np.ndarray | None) -> float:
    return float(np.linalg.norm(a)) if a is not None and a.size else 0.0


def _mean(a: np.ndarray | None) -> float:
    return float(a.mean()) if a is not None and a.size else 0.0


def layer_json(layer: RecurrentLayer) -> dict[str, Any]:
    """One recurrent layer as `inspect --json` lists it."""
    spec = layer.spec
    item: dict[str, Any] = {
        "name": layer.name,
        "framework": spec.framework,
        "cell": spec.cell,
        "features": spec.features,
        "units": spec.units,
        "layers": spec.layers,
        "bidirectional": spec.bidirectional,
        "bias": spec.bias,
        "proj_size": spec.proj_size,
        "params": layer.params,
        "class": convention_of(spec).class_label,
        "formula": count_check(layer).formula,
        "matches_formula": count_check(layer).matches,
        "inferred": layer.inferred,
        "activation": layer.activation,
        "source_class": layer.source_class,
        "tensors": {key: list(layer.weights[key].shape) for key in layer.weights},
        "source_keys": dict(layer.source_keys),
    }
    record = convention_of(spec)
    if record.has_option("reset_after") or "reset_after" in record.fixed:  # a GRU: where its reset gate acts
        item["reset_after"] = spec.uses_reset_after
    return item


def model_json(model: ModelFile) -> dict[str, Any]:
    """The whole file as `inspect --json` prints it: format, total, recurrent layers, the rest, notes."""
    return {
        "format": model.format,
        "total_params": model.total_params,
        "recurrent_layers": [layer_json(layer) for layer in model.layers],
        "other_layers": [{"name": name, "params": params} for name, params in model.other_layers],
        "notes": list(model.notes),
        "unread": list(model.unread),
    }


def layer_kind(layer: RecurrentLayer) -> str:
    """'keras LSTM x=8 h=16' and the options that change the count."""
    spec = layer.spec
    sizes = f"x={spec.features} h={spec.units}" + (f" p={spec.proj_size}" if spec.proj_size else "")
    extras = [f"{spec.layers} layers" if spec.layers > 1 else "", "bidirectional" if spec.bidirectional else ""]
    extras += ["no bias" if not spec.bias else ""]
    extras += count_options(spec)
    kind = " ".join([spec.framework, convention_of(spec).class_label, sizes, *filter(None, extras)])
    return f"{layer.source_class} as {kind}" if layer.source_class else kind


def model_rows(model: ModelFile) -> list[tuple[str, str, int, str]]:
    """(name, kind, parameters, formula check) for every layer: recurrent first, then the rest, in file order."""
    out = [(layer.name, layer_kind(layer), layer.params, count_check(layer).text) for layer in model.layers]
    unread = set(model.unread)
    return out + [
        (name, "recurrent, not read (see notes)" if name in unread else "other", params, "")
        for name, params in model.other_layers
    ]


def summary_text(model: ModelFile, filename: str) -> str:
    """A summary table: every layer's count, the total, and each recurrent layer's formula check."""
    rows = [("layer", "kind", "params")]
    rows += [(name, kind, f"{params:,}") for name, kind, params, _ in model_rows(model)]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = [f"{filename} ({model.format}): {model.total_params:,} parameters", ""]
    for name, kind, params in rows:
        lines.append(f"{name:<{widths[0]}}  {kind:<{widths[1]}}  {params:>{widths[2]}}")
    lines.append(f"{'total':<{widths[0]}}  {'':<{widths[1]}}  {model.total_params:>{widths[2]},}")
    if model.layers:
        lines.append("")
    for layer in model.layers:
        note = "" if layer.activation == "default" else f"  (activation: {layer.activation})"
        lines.append(f"{layer.name}: {count_check(layer).text}{note}")
    lines += [f"note: {n}" for n in model.notes]
    return "\n".join(lines) + "\n"
