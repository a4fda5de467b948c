"""What the page shows for a zoo layer, as plain rows: tensors, gates, the comparison and other conventions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lstmviz.conventions import Convention, convention, gate_kinds
from lstmviz.report import build_report
from lstmviz.spec import RecurrentSpec
from lstmviz.zoo import RECORDS, ZOO, TensorLayout, ZooCount, ZooOptions, zoo_count

Row = dict[str, Any]


def tensor_rows(count: ZooCount) -> list[Row]:
    """Every tensor as the framework names and shapes it, in its order, with what it holds."""
    return [
        {
            "tensor": t.name,
            "shape": str(t.shape),
            "parameters": t.params,
            "role": t.role,
            "gate blocks": _blocks(t),
        }
        for t in count.tensors
    ]


def _blocks(t: TensorLayout) -> str:
    """Which gates a tensor holds and along which axis: "i f g o along axis 0", "f", "—"."""
    if len(t.gates) > 1:
        return f"{' '.join(t.gates)} along {'the last axis' if t.axis == -1 else f'axis {t.axis}'}"
    return t.gates[0] if t.gates else "—"


@dataclass(frozen=True)
class GateShare:
    """One gate's (or the projection's) parameters, split by role."""

    symbol: str
    name: str
    parts: dict[str, int]  # role -> parameters

    @property
    def params(self) -> int:
        """All of this gate's parameters."""
        return sum(self.parts.values())


def gate_shares(count: ZooCount) -> tuple[GateShare, ...]:
    """Each gate's share of every tensor (a fused tensor splits evenly over its gate blocks)."""
    names = {g.symbol: g.name for g in count.record.gates}
    shares: dict[str, dict[str, int]] = {g.symbol: {} for g in count.record.gates}
    for t in count.tensors:
        owners = t.gates or ("projection",)
        for symbol in owners:
            part = shares.setdefault(symbol, {})
            part[t.role] = part.get(t.role, 0) + t.params // len(owners)
    names["projection"] = "projection"
    return tuple(GateShare(s, names[s], parts) for s, parts in shares.items() if parts)


def gate_rows(count: ZooCount) -> list[Row]:
    """The gate shares as table rows that add up to the total."""
    roles = sorted({role for share in gate_shares(count) for role in share.parts})
    return [
        {"gate": f"{s.symbol} {s.name}" if s.symbol != s.name else s.name, **{r: s.parts.get(r, 0) for r in roles}}
        | {"parameters": s.params}
        for s in gate_shares(count)
    ]


# --- the equivalents in Keras 3 and PyTorch -------------------------------------------------

_CELL = {"lstm": "lstm", "gru": "gru", "mgu": "gru", "rnn": "rnn"}


# The frameworks whose layers a zoo class is compared with.
TWIN_FRAMEWORKS = ("keras", "pytorch")


def equivalents(count: ZooCount) -> list[tuple[str, int, str]]:
    """Keras 3's and PyTorch's layer of the same family and sizes: (class path, count, formula)."""
    o, cell = count.options, _CELL[count.record.cell]
    found = []
    keras_conv = f"keras.layers.ConvLSTM{len(o.kernel_size)}D"
    if count.record.conv_dims and count.record.class_path != keras_conv:  # Flax's ConvLSTMCell beside Keras's
        twin = zoo_count(ZOO[keras_conv.lower()], ZooOptions(o.features, o.units, o.kernel_size, o.bias))
        found.append((keras_conv, twin.total, twin.substituted))
    for framework in TWIN_FRAMEWORKS:
        report = build_report(RecurrentSpec(framework=framework, cell=cell, features=o.features, units=o.units))
        found.append((convention(framework, cell).class_path, report.total, report.formula.substituted))
    return found


def differences(count: ZooCount) -> list[str]:
    """One sentence per difference from the Keras 3 and PyTorch equivalents."""
    r, o = count.record, count.options
    found = equivalents(count)
    (keras_path, keras_total, _), (torch_path, torch_total, _) = found[-2:]
    symbols = ", ".join(g.symbol for g in r.gates)
    sentences = [
        f"{r.class_path} has {count.total:,} parameters; {keras_path} has {keras_total:,} and {torch_path} "
        f"{torch_total:,} at the same sizes (x = {o.features}, h = {o.units}).",
        f"Its gate order is {symbols}; Keras's is {_order('keras', r.cell)} and PyTorch's {_order('pytorch', r.cell)}.",
        f"It stores {len(count.tensors)} tensors ({', '.join(t.name for t in count.tensors)}), where Keras stores "
        f"{_tensor_count('keras', r.cell, o)} and PyTorch {_tensor_count('pytorch', r.cell, o)}.",
    ]
    if len(found) == 3 and o.bias:  # Flax's ConvLSTMCell beside Keras's ConvLSTM of the same kernel
        conv_path, conv_total, _ = found[0]
        sentences.append(
            f"{conv_path} with the same kernel has {conv_total:,}: {count.total - conv_total:,} fewer, "
            "the second convolution's bias (4·h), which Keras's layer does not have."
        )
    if r.conv_dims:
        sentences.append("PyTorch has no convolutional LSTM layer; its nearest is nn.LSTM, dense gates.")
        sentences.append(
            f"Its gates are convolutions: every weight is repeated over {o.taps} spatial taps of a "
            f"{' × '.join(map(str, o.kernel_size))} kernel, where a dense layer has one."
        )
    if r.cell == "mgu":
        sentences.append(
            "Keras and PyTorch have no minimal gated unit; their nearest layer is the GRU, with three gates."
        )
    sentences += [f"{n[0].upper()}{n[1:]}." for n in r.notes]
    return sentences


def _order(framework: str, family: str) -> str:
    return ", ".join(k.symbol for k in gate_kinds(framework, _CELL[family]))


def _tensor_count(framework: str, family: str, o: ZooOptions) -> int:
    spec = RecurrentSpec(framework=framework, cell=_CELL[family], features=o.features, units=o.units)
    return len(build_report(spec).tensors)


# --- the lesson's "other conventions" table ---------------------------------------------------


def default_options(record: Convention, features: int, units: int) -> ZooOptions:
    """The record at these sizes with its defaults (a ConvLSTM with a 3-wide kernel on each axis)."""
    sides = record.conv_dims if record.conv_dims > 0 else 2 if record.conv_dims else 0
    return ZooOptions(features=features, units=units, kernel_size=(3,) * sides)


def other_conventions_rows(features: int, units: int) -> list[Row]:
    """Every zoo class at these sizes: its count and formula, beside each other."""
    result = []
    for record in RECORDS:
        count = zoo_count(record, default_options(record, features, units))
        result.append(
            {
                "framework": record.framework.label,
                "class": record.class_path,
                "parameters": count.total,
                "formula": count.substituted,
                "what differs": record.notes[0] if record.notes else "",
            }
        )
    return result


# --- seeded weights and inputs for the page's forward pass -------------------------------------


def seeded_weights(count: ZooCount, seed: int = 0) -> dict[str, np.ndarray]:
    """Weights in the framework's names and shapes, drawn like a fresh layer's (scaled normal), reproducibly."""
    rng = np.random.default_rng(seed)
    weights = {}
    for t in count.tensors:
        fan_in = t.shape[-2] if len(t.shape) > 1 else 1
        scale = 0.0 if t.role == "bias" else 1.0 / np.sqrt(fan_in * max(1, count.options.taps))
        weights[t.name] = rng.standard_normal(t.shape) * scale
    return weights


def sine_inputs(count: ZooCount, steps: int, spatial: int = 6) -> np.ndarray:
    """Sine waves over time (T, 1, [spatial...,] x): one phase per feature and spatial position."""
    o = count.options
    sides = len(o.kernel_size) if count.record.conv_dims else 0
    shape = (steps, 1, *([spatial] * sides), o.features)
    phase = np.arange(int(np.prod(shape[2:]))).reshape(shape[2:]) * 0.7
    t = np.arange(steps).reshape((steps, 1, *([1] * (len(shape) - 2))))
    return np.sin(0.3 * t + phase)
