"""`--layer CLASS` on the command line: a class path picks a zoo record or a Keras/PyTorch/ONNX spec."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

from lstmviz.conventions import CONVENTIONS, Convention, convention
from lstmviz.spec import RecurrentSpec
from lstmviz.zoo import RECORDS, ZooCount, ZooOptions, find_zoo, zoo_count

__all__ = ["KernelFlag", "ZooCount", "layer_from_args", "layers_text", "spec_layer_path", "zoo_json", "zoo_text"]

# Other spellings of the spec classes' paths: tf.keras.layers.LSTM, nn.LSTM, onnx.LSTM.
_SPEC_ALIASES = {"keras": ("tf.keras.layers.",), "pytorch": ("nn.",), "onnx": ("onnx.", "onnx:")}


def spec_layer_path(spec: RecurrentSpec) -> str:
    """The framework's own class path of a spec's layer: keras.layers.LSTM, torch.nn.GRU, onnx RNN."""
    return convention(spec.framework, spec.cell).class_path


def _spec_paths() -> dict[str, tuple[str, str]]:
    paths = {}
    for key, record in CONVENTIONS.items():
        spellings = (record.class_path, *record.aliases)
        spellings += tuple(prefix + record.class_name for prefix in _SPEC_ALIASES[record.framework.key])
        paths.update({spelling.lower(): key for spelling in spellings})
    return paths


SPEC_PATHS = _spec_paths()

# Flags only a spec layer (Keras 3 / PyTorch / ONNX LSTM, GRU, SimpleRNN) has, with their flag names.
_SPEC_ONLY = {
    "framework": "--framework",
    "cell": "--cell",
    "layers": "--layers",
    "bidirectional": "--bidirectional",
    "reset_after": "--no-reset-after",
    "proj_size": "--proj-size",
    "return_sequences": "--return-sequences",
}
_ZOO_ONLY = {"kernel_size": "--kernel-size", "use_peepholes": "--use-peepholes", "reset_gate": "--no-reset-gate"}


def known_layers() -> str:
    """Every class path, comma-separated (for an error line)."""
    return ", ".join(r.class_path for r in (*CONVENTIONS.values(), *RECORDS))


# The family a module path belongs to, by its first part: a class's __module__ spelling such as
# flax.linen.recurrent.LSTMCell, torch.nn.modules.rnn.GRUCell or tf_keras.src.layers.rnn.legacy_cells.LSTMCell.
_FAMILIES = {
    "torch": ("torch.",),
    "flax.nnx": ("flax.nnx.",),
    "flax.linen": ("flax.linen.",),
    "keras": ("keras.", "tf.keras.", "tensorflow.keras."),
    "tf": ("tf.", "tensorflow.", "tf_keras."),
    "onnx": ("onnx",),
}


def _family(path: str) -> str | None:
    lowered = path.lower()
    for family, prefixes in _FAMILIES.items():
        if any(lowered.startswith(p) for p in prefixes):
            return family
    return None


def layer_candidates(name: str) -> tuple[str, ...]:
    """Every class path a --layer spelling may name: itself when known; `tensorflow.` read as `tf.`; a
    bare class name (ConvLSTM2D) matched against every class; a module-qualified spelling
    (flax.linen.recurrent.LSTMCell, torch.nn.modules.rnn.LSTMCell, keras.src.layers...ConvLSTM2D) matched
    by its family and class name. One path is a match, several an ambiguity, none an unknown name."""
    text = " ".join(name.split())
    lowered = text.lower()
    for spelling in (lowered, "tf." + lowered.removeprefix("tensorflow.")):
        if spelling in SPEC_PATHS or find_zoo(spelling) is not None:
            return (text if spelling == lowered else _known_path(spelling),)
    records = (*CONVENTIONS.values(), *RECORDS)
    leaf = lowered.replace(" ", ".").rsplit(".", 1)[-1]
    if "." not in lowered and " " not in lowered:  # a bare class name: every class of that name
        return tuple(r.class_path for r in records if r.class_name.lower() == leaf)
    family = _family(text)
    if family is None:
        return ()
    found = [
        r
        for r in records
        if r.class_name.lower() == leaf
        and (_family(r.class_path) == family or (family == "tf" and _family(r.class_path) in ("tf", "keras")))
    ]
    if family == "tf" and len(found) > 1:  # TF1 cells (rnn_cell, legacy_cells) before Keras's cells
        legacy = "rnn_cell" in lowered or "legacy" in lowered
        preferred = [r for r in found if (_family(r.class_path) == "tf") == legacy]
        found = preferred or found
    return tuple(r.class_path for r in found)


def _known_path(spelling: str) -> str:
    """The class path of a known spelling (lowercase)."""
    record = find_zoo(spelling)
    if record is not None:
        return record.class_path
    framework, cell = SPEC_PATHS[spelling]
    return convention(framework, cell).class_path


def canonical_path(name: str) -> str:
    """A class path as lstmviz spells it when the spelling names one class (layer_candidates); else
    the name as given (whitespace normalised), which no lookup knows."""
    candidates = layer_candidates(name)
    return candidates[0] if len(candidates) == 1 else " ".join(name.split())


def resolve_layer(name: str) -> str:
    """The one class path a --layer spelling names; ValueError with one line if none or several."""
    candidates = layer_candidates(name)
    if len(candidates) > 1:
        raise ValueError(f"--layer {name[:60]!r} is ambiguous: it names {', '.join(candidates)}; give the class path")
    if not candidates:
        raise ValueError(f"unknown --layer {name[:60]!r}; known: {known_layers()}")
    return candidates[0]


def layer_from_args(args: argparse.Namespace) -> RecurrentSpec | ZooCount:
    """The layer the flags name: a spec (no --layer, or a Keras/PyTorch/ONNX class) or a zoo count."""
    given = {name: getattr(args, name, None) for name in (*_SPEC_ONLY, *_ZOO_ONLY, "num_proj", "bias")}
    if args.layer is None:
        _refuse(given, _ZOO_ONLY, "without --layer (they belong to --layer classes such as keras.layers.ConvLSTM2D)")
        if given["num_proj"] is not None:
            raise ValueError("--num-proj needs --layer tf.compat.v1.nn.rnn_cell.LSTMCell (PyTorch: --proj-size)")
        return _spec(args, {})
    name = resolve_layer(args.layer).lower()
    if name in SPEC_PATHS:
        framework, cell = SPEC_PATHS[name]
        path = convention(framework, cell).class_path
        for key, value in (("framework", framework), ("cell", cell)):
            if given[key] not in (None, value):
                raise ValueError(f"--{key} {given[key]} contradicts --layer {path}; give one of them")
        _refuse(given, _ZOO_ONLY, f"to {path}")
        overrides: dict[str, Any] = {"framework": framework, "cell": cell}
        if given["num_proj"] is not None:
            if (framework, cell) != ("pytorch", "lstm"):
                raise ValueError(f"--num-proj does not apply to {path}: only TF1 LSTMCell and torch.nn.LSTM project")
            overrides["proj_size"] = given["num_proj"]
        return _spec(args, overrides)
    record = find_zoo(name)
    if record is None:
        raise ValueError(f"unknown --layer {args.layer[:60]!r}; known: {known_layers()}")
    # --no-reset-after also belongs to keras.layers.GRUCell; check() refuses it on the other records
    _refuse(given, {k: v for k, v in _SPEC_ONLY.items() if k != "reset_after"}, f"to {record.class_path}")
    return zoo_count(record, _zoo_options(record, args))


def _refuse(given: dict[str, Any], flags: dict[str, str], where: str) -> None:
    for name, flag in flags.items():
        if given[name] is not None:
            raise ValueError(f"{flag} does not apply {where}")


def _spec(args: argparse.Namespace, overrides: dict[str, Any]) -> RecurrentSpec:
    given = {name: getattr(args, name, None) for name in RecurrentSpec.field_names()}
    fields = {name: value for name, value in given.items() if value is not None}
    return RecurrentSpec(**{**fields, **overrides})


@dataclass(frozen=True)
class KernelFlag:
    """--kernel-size as given: its sides, and whether they were given per axis (`3,3`, `3,`) or as one K."""

    sides: tuple[int, ...]
    per_axis: bool


def _zoo_options(record: Convention, args: argparse.Namespace) -> ZooOptions:
    """ZooOptions from the flags. One K means K on every axis, as Keras reads kernel_size=3; a Flax
    ConvLSTMCell has as many axes as its kernel, so one K is its usual 2-D K×K and `K,` a 1-D kernel.
    Without the flag: 3 on every Keras axis, Flax (3, 3)."""
    flag: KernelFlag | None = args.kernel_size
    kernel: tuple[int, ...] = flag.sides if flag else ()
    if record.conv_dims:
        axes = record.conv_dims if record.conv_dims > 0 else 2
        kernel = kernel or (3,)
        kernel = kernel * axes if flag is None or not flag.per_axis else kernel
    fields: dict[str, Any] = {"features": args.features, "units": args.units, "kernel_size": kernel}
    for name in ("bias", "use_peepholes", "num_proj", "reset_gate", "reset_after"):
        if getattr(args, name, None) is not None:
            fields[name] = getattr(args, name)
    return ZooOptions(**fields)


def zoo_options_dict(count: ZooCount) -> dict[str, Any]:
    """The options that apply to the class, named like the CLI flags (features, units, kernel_size, ...)."""
    o, record = count.options, count.record
    result: dict[str, Any] = {"features": o.features, "units": o.units}
    if record.conv_dims:
        result["kernel_size"] = list(o.kernel_size)
    for name in record.options:
        result[name] = getattr(o, name)
    return result


def zoo_json(count: ZooCount) -> dict[str, Any]:
    """A zoo layer's count as one JSON-ready dict: total, formula, tensors in the framework's order."""
    record = count.record
    return {
        "layer": record.class_path,
        "framework": record.framework.label,
        "options": zoo_options_dict(count),
        "total_params": count.total,
        "formula": count.substituted,
        "formula_symbolic": count.symbolic,
        "tensors": [
            {"name": t.name, "shape": list(t.shape), "params": t.params, "role": t.role, "gates": list(t.gates)}
            for t in count.tensors
        ],
        "gates": [{"symbol": g.symbol, "name": g.name, "activation": g.activation} for g in record.gates],
        "notes": list(record.notes),
    }


def zoo_text(count: ZooCount) -> str:
    """A zoo layer's count as text: total, tensors in the framework's order, formula, what trips users up."""
    width = max(len(t.name) for t in count.tensors)
    rows = "\n".join(f"  {t.name:<{width}}  {str(t.shape):<18} {t.params:>12,}" for t in count.tensors)
    notes = "\n".join(f"- {n}" for n in count.record.notes)
    options = ", ".join(f"{k}={v}" for k, v in zoo_options_dict(count).items())
    return (
        f"{count.record.class_path} ({options}): {count.total:,} parameters\n\n{rows}\n\n"
        f"{count.symbolic}\n{count.substituted}\n\n{notes}\n"
    )


def layers_text() -> str:
    """Every class path lstmviz counts, grouped by framework."""
    groups: dict[str, list[str]] = {}
    for record in (*CONVENTIONS.values(), *RECORDS):
        groups.setdefault(record.framework.label, []).append(record.class_path)
    return "".join(f"{group}:\n" + "".join(f"  {path}\n" for path in paths) for group, paths in groups.items())
