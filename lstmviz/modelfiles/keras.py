"""Keras files: `.keras` zips, legacy `.h5` models and config-less `.weights.h5`, read as data.

Never `keras.saving.load_model`: config.json is parsed as plain JSON and weights come from h5py
after lstmviz.modelfiles.guards has checked every HDF5 object.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import h5py
import numpy as np

from lstmviz.conventions import convention
from lstmviz.counting import breakdown
from lstmviz.modelfiles.contents import ModelFile, RecurrentLayer, RefusedFile, zoo_check
from lstmviz.modelfiles.guards import (
    H5Tree,
    check_h5,
    h5_attr_names,
    h5_attr_text,
    open_h5,
    parse_json,
    read_array,
    read_zip,
)
from lstmviz.modelfiles.other_layers import class_from_name, explain, listing
from lstmviz.spec import RecurrentSpec

KERAS_MEMBERS = ("config.json", "metadata.json", "model.weights.h5")
RECURRENT_CLASSES = {"LSTM": "lstm", "GRU": "gru", "SimpleRNN": "rnn"}
CELL_NAMES = {"lstm_cell": "lstm", "gru_cell": "gru", "simple_rnn_cell": "rnn"}
GATES_TO_CELL = {4: "lstm", 3: "gru", 1: "rnn"}
ROLES = ("kernel", "recurrent_kernel", "bias")
_LEGACY_WEIGHT = re.compile(r"^(?P<layer>.*)/(?P<cell>lstm_cell|gru_cell|simple_rnn_cell)/(?P<role>[a-z_]+?)(:0)?$")


@dataclass
class _Found:
    """A recurrent layer as found in the file, before its spec is worked out."""

    name: str
    hint: str | None  # cell from a class or cell name; shapes decide and must agree
    config: Mapping[str, Any] | None  # the recurrent layer's own config (inside any Bidirectional)
    wrapper: Mapping[str, Any] | None = None  # the Bidirectional config, if any
    build: Mapping[str, Any] | None = None  # the saved layer entry, whose build_config holds the input shape
    directions: dict[str, dict[str, tuple[str, Any]]] = field(default_factory=dict)  # h5py.Dataset or array
    keras_version: str | None = None  # decides what hard_sigmoid means
    source_class: str = ""  # the config's class when it is not plain LSTM/GRU/SimpleRNN


# --- .keras -----------------------------------------------------------------------------------


def read_keras_zip(data: bytes, max_params: int) -> ModelFile:
    """A Keras 3 `.keras` archive: config.json for structure, model.weights.h5 for values."""
    members = read_zip(data, KERAS_MEMBERS, ".keras file")
    for name in ("config.json", "model.weights.h5"):
        if name not in members:
            raise RefusedFile(f"this .keras file has no {name}; it is not a Keras 3 model")
    config = parse_json(members["config.json"], "config.json")
    if not isinstance(config, dict):
        raise RefusedFile("config.json does not describe a model")
    with open_h5(members["model.weights.h5"]) as file:
        tree = check_h5(file, max_params)
        return _from_v3_weights(file, tree, config, "keras")


def read_keras_h5(data: bytes, max_params: int) -> ModelFile:
    """A legacy whole-model `.h5` (model_config attribute) or a Keras 3 `.weights.h5` without config."""
    with open_h5(data) as file:
        tree = check_h5(file, max_params)
        text = h5_attr_text(file, "model_config")
        if text is not None:
            config = parse_json(text, "the model_config attribute")
            if not isinstance(config, dict):
                raise RefusedFile("the model_config attribute does not describe a model")
            return _from_legacy(file, tree, config)
        if "layers" in file and isinstance(file["layers"], h5py.Group):
            return _from_v3_weights(file, tree, None, "keras-weights")
        if "model_weights" in file or h5_attr_names(file, "layer_names"):
            return _from_legacy(file, tree, None)
        raise RefusedFile("this HDF5 file holds no Keras weights (no 'layers' or 'model_weights' group)")


# --- Keras 3 weights layout: layers/<snake_case class>[_n]/cell/vars/0..2 ----------------------


def to_snake_case(name: str) -> str:
    """Keras's own class-name → group-name rule (keras.src.utils.naming.to_snake_case)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _config_layers(model: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """A model config's layers as Keras saves their weights (a Sequential's layers omit InputLayer)."""
    inner = model.get("config")
    # Keras 1 saved a Sequential's config as the list of its layers itself.
    layers = (
        inner.get("layers") if isinstance(inner, dict) else inner if model.get("class_name") == "Sequential" else None
    )
    if not isinstance(layers, list):
        return []
    entries: list[Mapping[str, Any]] = [
        e for e in layers if isinstance(e, dict) and isinstance(e.get("class_name"), str)
    ]
    if model.get("class_name") == "Sequential":
        entries = [e for e in entries if e["class_name"] != "InputLayer"]
    return entries


def _layer_name(entry: Mapping[str, Any], fallback: str) -> str:
    cfg = entry.get("config")
    name = cfg.get("name") if isinstance(cfg, dict) else None
    return name if isinstance(name, str) and name else fallback


def _from_v3_weights(file: h5py.File, tree: H5Tree, config: Mapping[str, Any] | None, fmt: str) -> ModelFile:
    if "layers" not in file or not isinstance(file["layers"], h5py.Group):
        raise RefusedFile("model.weights.h5 has no 'layers' group; it is not a Keras 3 weights file")
    found: list[_Found] = []
    others: list[tuple[str, int]] = []
    unread: list[tuple[str, str]] = []
    formulas: dict[str, str] = {}
    _walk_v3(file["layers"], "layers/", config, "", tree, found, others, unread, formulas)
    total = tree.params_under("layers/") + tree.params_under("vars/")
    version = _v3_version(config)
    for item in found:
        item.keras_version = version
    return _finish(
        fmt, total, found, others, tree.params_under("optimizer/"), config, "config",
        read_notes=[note for _, note in unread], unread=[name for name, _ in unread], formulas=formulas,
    )  # fmt: skip


def _v3_version(config: Mapping[str, Any] | None) -> str | None:
    """The Keras version a .keras config names (module keras.src... means Keras 3)."""
    text = config.get("module") if config else None
    return "3" if isinstance(text, str) and text.startswith("keras") else None


def _unread_note(name: str, cls: str | None, params: int, shapes: Mapping[str, tuple[int, ...]] | None = None) -> str:
    what = f"a {cls}" if cls else "recurrent-looking weights"
    check = ""
    kernel = (shapes or {}).get("kernel")
    if cls and cls.startswith("ConvLSTM") and kernel and len(kernel) >= 3 and kernel[-1] % 4 == 0:
        # A ConvLSTM kernel is (k..., in_channels, 4·filters): the layer zoo counts and draws it.
        check = zoo_check(f"keras.layers.{cls}", kernel[-2], kernel[-1] // 4, params, tuple(kernel[:-2]),
                          "bias" in (shapes or {}))  # fmt: skip
    return (
        f"{name}: {what}, a recurrent layer the file view does not read yet ({params:,} parameters, counted as other"
        + (f"; {check}" if check else "")
        + ")"
    )


def _finish(
    fmt: str,
    total: int,
    found: list[_Found],
    others: list[tuple[str, int]],
    optimizer: int,
    config: Mapping[str, Any] | None,
    config_name: str,
    read_notes: list[str],
    unread: list[str],
    formulas: Mapping[str, str],
) -> ModelFile:
    """The ModelFile of a Keras file's found layers, with the notes both layouts share, then the reader's own."""
    notes = []
    if optimizer:
        notes.append(f"optimizer state ({optimizer:,} values) is not counted as parameters")
    if config is None:
        notes.append(f"no {config_name} in this file: cells and sizes inferred from tensor names and shapes")
    if config is None:
        notes.append("activations are not stored without a config: tanh and sigmoid assumed")
    layers = tuple(_keras_layer(f, inferred=config is None) for f in found)
    for layer in layers:
        if layer.source_class in CUDNN_NOTES:
            check = zoo_check(
                f"tf.compat.v1.keras.layers.{layer.source_class}", layer.spec.features, layer.spec.units,
                layer.params // (2 if layer.spec.bidirectional else 1),
            )  # fmt: skip
            notes.append(f"{layer.name}: {CUDNN_NOTES[layer.source_class]}" + (f"; {check}" if check else ""))
    model = _model(fmt, total, layers, others, notes)
    return ModelFile(
        model.format, model.total_params, model.layers, model.other_layers,
        (*model.notes, *read_notes), tuple(unread), tuple(formulas.items()),
    )  # fmt: skip


def _walk_v3(
    group: h5py.Group,
    path: str,
    config: Mapping[str, Any] | None,
    name_prefix: str,
    tree: H5Tree,
    found: list[_Found],
    others: list[tuple[str, int]],
    unread: list[tuple[str, str]],
    formulas: dict[str, str],
) -> None:
    for group_name, entry in _ordered_children(group, config):
        child = group[group_name]
        child_path = f"{path}{group_name}/"
        if not isinstance(child, h5py.Group):
            others.append((name_prefix + group_name, tree.params_under(child_path[:-1])))
            formulas[name_prefix + group_name] = explain([(group_name, tuple(child.shape))])
            continue
        name = _saved_name(child, entry, group_name)
        cls = entry.get("class_name") if entry else None
        inner = _inner_entry(entry)
        inner_cls = inner.get("class_name") if inner else None
        before = len(found)
        looks = isinstance(inner_cls, str) and RECURRENT_LOOKING.search(inner_cls) and inner_cls not in MODELLED_CLASSES
        if looks or ("cell" in child and _has_vars(child["cell"]) and not _cell_fits(child["cell"])):
            params = tree.params_under(child_path)
            label = name_prefix + name
            shapes = _v3_shapes(child)
            unread.append(
                (label, _unread_note(label, inner_cls if isinstance(inner_cls, str) else None, params, shapes))
            )
            others.append((label, params))
            continue
        if "cell" in child and _has_vars(child["cell"]):
            item = _Found(name, _hint(cls, child["cell"]), _cfg(entry), None, entry)
            item.directions["forward"] = _v3_vars(child["cell"], child_path + "cell/vars/", tree)
            found.append(item)
        elif "forward_layer" in child and "backward_layer" in child:
            inner = entry.get("config", {}).get("layer") if entry and isinstance(entry.get("config"), dict) else None
            inner_cls = inner.get("class_name") if isinstance(inner, dict) else None
            item = _Found(name, None, _cfg(inner) if isinstance(inner, dict) else None, _cfg(entry), entry)
            for direction in ("forward", "backward"):
                cell_group = child[f"{direction}_layer"]
                if not (isinstance(cell_group, h5py.Group) and "cell" in cell_group and _has_vars(cell_group["cell"])):
                    raise RefusedFile(f"{name}: the {direction} layer of this Bidirectional has no cell weights")
                item.hint = item.hint or _hint(inner_cls, cell_group["cell"])
                item.directions[direction] = _v3_vars(
                    cell_group["cell"], f"{child_path}{direction}_layer/cell/vars/", tree
                )
            found.append(item)
        elif "layers" in child and isinstance(child["layers"], h5py.Group):
            prefix = name_prefix + name + "/"
            _walk_v3(child["layers"], child_path + "layers/", entry, prefix, tree, found, others, unread, formulas)
            own = tree.params_under(child_path + "vars/")
            if own:
                others.append((name_prefix + name, own))
                formulas[name_prefix + name] = explain(_shapes_under(tree, child_path + "vars/"))
            continue
        params = tree.params_under(child_path[:-1] + "/")
        rest = params - sum(_stored(f) for f in found[before:])
        if rest or len(found) == before:
            label = name_prefix + name
            label = label if len(found) == before else f"{label} (other weights)"
            used = {p for f in found[before:] for roles in f.directions.values() for p, _ in roles.values()}
            tensors = [t for t in _shapes_under(tree, child_path) if child_path + t[0] not in used]
            if len(found) == before:
                formulas[label] = explain(tensors, _class_of(entry), hint=class_from_name(group_name))
            else:  # beside a recurrent cell: no class's formula applies
                formulas[label] = listing(tensors)
            others.append((label, rest))


def _shapes_under(tree: H5Tree, prefix: str) -> list[tuple[str, tuple[int, ...]]]:
    """(path below prefix, shape) of every dataset under prefix, in the file's order."""
    return [(p[len(prefix) :], tuple(ds.shape)) for p, ds in tree.datasets.items() if p.startswith(prefix)]


def _class_of(entry: Mapping[str, Any] | None) -> str:
    """The config's class name of a layer entry, '' when there is no config."""
    cls = entry.get("class_name") if entry else None
    return cls if isinstance(cls, str) else ""


def _ordered_children(
    group: h5py.Group, config: Mapping[str, Any] | None
) -> Iterator[tuple[str, Mapping[str, Any] | None]]:
    """Child groups in model order when a config says it (Keras names them class_n in order), else by name."""
    names = list(group)
    used: dict[str, int] = {}
    done: set[str] = set()
    for entry in _config_layers(config) if config else []:
        base = to_snake_case(entry["class_name"])
        used[base] = used.get(base, -1) + 1
        group_name = base if used[base] == 0 else f"{base}_{used[base]}"
        if group_name in names and group_name not in done:
            done.add(group_name)
            yield group_name, entry
    rest = [n for n in names if n not in done]
    # Without a config, model order is the order Keras wrote the weights: the byte offset of each
    # layer's first contiguous dataset (HDF5 lists names alphabetically). Ties sort by name, numbers as numbers.
    rest.sort(key=lambda n: (_first_offset(group[n]), [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", n)]))
    for group_name in rest:
        yield group_name, None


def _first_offset(obj: object) -> float:
    """The smallest file offset of any contiguous dataset under obj (inf when none has one)."""
    if isinstance(obj, h5py.Dataset):
        offset = obj.id.get_offset()
        return float(offset) if offset is not None else float("inf")
    if isinstance(obj, h5py.Group):
        return min((_first_offset(obj[k]) for k in obj), default=float("inf"))
    return float("inf")


def _saved_name(child: h5py.Group, entry: Mapping[str, Any] | None, fallback: str) -> str:
    if entry is not None:
        return _layer_name(entry, fallback)
    vars_group = child.get("vars")
    text = h5_attr_text(vars_group, "name") if isinstance(vars_group, h5py.Group) else None
    return text or fallback


def _v3_shapes(child: h5py.Group) -> dict[str, tuple[int, ...]]:
    """A Keras 3 layer's cell variables by role (kernel, recurrent_kernel, bias), when it has a cell."""
    if "cell" not in child or not _has_vars(child["cell"]):
        return {}
    found = child["cell"]["vars"]
    return {ROLES[int(k)]: tuple(found[k].shape) for k in ("0", "1", "2") if k in found and hasattr(found[k], "shape")}


def _cell_fits(cell: h5py.Group) -> bool:
    """Whether a cell's first two variables are 2-D, as an LSTM, GRU or SimpleRNN cell's kernels are."""
    found = [cell["vars"][k] for k in ("0", "1") if k in cell["vars"]]
    return all(isinstance(v, h5py.Dataset) and len(v.shape) == 2 for v in found)


def _has_vars(group: object) -> bool:
    return isinstance(group, h5py.Group) and "vars" in group and isinstance(group["vars"], h5py.Group)


def _hint(cls: object, cell: h5py.Group) -> str | None:
    if isinstance(cls, str) and cls in RECURRENT_CLASSES:
        return RECURRENT_CLASSES[cls]
    text = h5_attr_text(cell["vars"], "name")
    return CELL_NAMES.get(text or "")


def _cfg(entry: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    cfg = entry.get("config") if entry else None
    return cfg if isinstance(cfg, dict) else None


def _v3_vars(cell: h5py.Group, path: str, tree: H5Tree) -> dict[str, tuple[str, h5py.Dataset]]:
    vars_group = cell["vars"]
    keys = sorted(vars_group, key=lambda k: int(k) if k.isdigit() else 1 << 30)
    if keys not in (["0", "1"], ["0", "1", "2"]):
        raise RefusedFile(f"{path} holds {keys[:5]}; a Keras recurrent cell stores kernel, recurrent kernel, bias")
    return {ROLES[int(k)]: (path + k, tree.datasets[path + k]) for k in keys}


def _stored(item: _Found) -> int:
    return sum(math.prod(ds.shape) for roles in item.directions.values() for _, ds in roles.values())


# --- legacy .h5: model_weights/<layer>/<weight_name> -------------------------------------------

# Keras 1 stores one tensor per gate: <layer>_W_i (x, h), <layer>_U_i (h, h), <layer>_b_i (h,);
# SimpleRNN has <layer>_W, _U, _b. Keras 2 fuses them along the last axis in this gate order.
_KERAS1_WEIGHT = re.compile(r"^(?P<owner>.+?)_(?P<kind>W|U|b)(?:_(?P<gate>[a-z]))?$")
KERAS1_GATES = {"ifco": "lstm", "zrh": "gru", "": "rnn"}
# Classes whose weights lstmviz reads; CuDNN ones store two bias vectors (PyTorch's count).
MODELLED_CLASSES = {**RECURRENT_CLASSES, "CuDNNLSTM": "lstm", "CuDNNGRU": "gru"}
CUDNN_NOTES = {
    "CuDNNLSTM": "a CuDNNLSTM: its (8h,) bias is two vectors, so it counts as PyTorch's LSTM, "
    "4 × (x·h + h·h + 2h); shown with PyTorch's names, kernels transposed, gate order i, f, c/g, o unchanged",
    "CuDNNGRU": "a CuDNNGRU: its (6h,) bias is two vectors, read as Keras's GRU(reset_after=True) with a (2, 3h) bias",
}
RECURRENT_LOOKING = re.compile(r"LSTM|GRU|RNN|Recurrent|CuDNN", re.IGNORECASE)


def _all_configs(model: Mapping[str, Any], out: dict[str, tuple[Mapping[str, Any], Mapping[str, Any] | None]]) -> None:
    """Every layer config by name, nested models included: name → (entry, wrapper or None)."""
    for entry in _config_layers(model):
        name = _layer_name(entry, "")
        out.setdefault(name, (entry, None))
        if entry.get("class_name") == "Bidirectional" and isinstance(entry.get("config"), dict):
            for key in ("layer", "backward_layer"):
                inner = entry["config"].get(key)
                if isinstance(inner, dict):
                    out.setdefault(_layer_name(inner, ""), (inner, entry))
        if _config_layers(entry):
            _all_configs(entry, out)


def _inner_entry(entry: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """The recurrent layer's own entry: the wrapped layer of a Bidirectional, else the entry itself."""
    if entry and entry.get("class_name") in ("Bidirectional", "TimeDistributed"):
        inner = (_cfg(entry) or {}).get("layer")
        return inner if isinstance(inner, dict) else None
    return entry


def _from_legacy(file: h5py.File, tree: H5Tree, config: Mapping[str, Any] | None) -> ModelFile:
    root = file["model_weights"] if "model_weights" in file else file
    if not isinstance(root, h5py.Group):
        raise RefusedFile("model_weights is not a group; this is not a Keras .h5 model")
    prefix = "model_weights/" if root is not file else ""
    configs: dict[str, tuple[Mapping[str, Any], Mapping[str, Any] | None]] = {}
    if config is not None:
        _all_configs(config, configs)
    version = h5_attr_text(file, "keras_version") or h5_attr_text(root, "keras_version")
    order = h5_attr_names(root, "layer_names") or [n for n in root if isinstance(root[n], h5py.Group)]
    found: list[_Found] = []
    others: list[tuple[str, int]] = []
    unread: list[str] = []
    notes: list[str] = []
    formulas: dict[str, str] = {}
    for layer in order:
        if layer not in root or not isinstance(root[layer], h5py.Group):
            raise RefusedFile(f"layer {layer!r} is listed but has no weights group")
        group_path = f"{prefix}{layer}/"
        names = h5_attr_names(root[layer], "weight_names")
        for weight in names:
            if group_path + weight not in tree.datasets:
                raise RefusedFile(f"weight {weight!r} of layer {layer!r} is missing")
        params = sum(math.prod(tree.datasets[group_path + w].shape) for w in names)
        entry, wrapper = configs.get(layer, (None, None))
        inner = _inner_entry(entry)
        cls = inner.get("class_name") if inner else None
        cls = cls if isinstance(cls, str) else None
        item = _legacy_layer(layer, group_path, names, tree, entry, version)
        if item is None:
            if cls and RECURRENT_LOOKING.search(cls):
                unread.append(layer)
                notes.append(_unread_note(layer, cls, params))
            else:
                tensors = [(w, tuple(tree.datasets[group_path + w].shape)) for w in names]
                formulas[layer] = explain(tensors, cls or "", hint=class_from_name(layer))
            others.append((layer, params))
            continue
        if cls and cls not in MODELLED_CLASSES:
            unread.append(layer)
            shapes = {r: tuple(a.shape) for r, (_, a) in item.directions.get("forward", {}).items()}
            notes.append(_unread_note(layer, cls, params, shapes))
            others.append((layer, params))
            continue
        if cls is None and entry is None and not _fits_cell(item):
            unread.append(layer)
            described = ", ".join(f"{r} {tuple(a.shape)}" for r, (_, a) in item.directions["forward"].items())
            notes.append(
                f"{layer}: recurrent weights ({described}) that fit no LSTM, GRU or SimpleRNN cell "
                f"(a ConvLSTM or a custom cell?); not read ({params:,} parameters, counted as other)"
            )
            others.append((layer, params))
            continue
        item.hint = MODELLED_CLASSES.get(cls) if cls else item.hint
        item.source_class = cls if cls and cls.startswith("CuDNN") else ""
        found.append(item)
        rest = params - _stored(item)
        if rest:
            others.append((f"{layer} (other weights)", rest))
    optimizer = tree.params_under("optimizer_weights/")
    return _finish(
        "keras-h5", tree.params_under(prefix), found, others, optimizer, config, "model_config",
        read_notes=notes, unread=unread, formulas=formulas,
    )  # fmt: skip


def _fits_cell(item: _Found) -> bool:
    """Whether a config-less layer's kernels are 2-D, as an LSTM, GRU or SimpleRNN cell's are."""
    roles = item.directions.get("forward", {})
    return all(len(roles[r][1].shape) == 2 for r in ("kernel", "recurrent_kernel") if r in roles)


def _legacy_layer(
    layer: str, group_path: str, names: list[str], tree: H5Tree, entry: Mapping[str, Any] | None, version: str | None
) -> _Found | None:
    """A layer's recurrent tensors by direction and role (Keras 2 fused or Keras 1 per gate); None if it has none."""
    fused: dict[str, dict[str, tuple[str, Any]]] = {}
    per_gate: dict[str, dict[tuple[str, str], tuple[str, Any]]] = {}
    for weight in names:
        path = group_path + weight
        parts = re.sub(r":\d+$", "", weight).split("/")
        direction = "backward" if any(p.startswith("backward_") for p in parts) else "forward"
        last = parts[-1]
        match = _KERAS1_WEIGHT.match(last)
        if last in ROLES:
            fused.setdefault(direction, {})[last] = (path, tree.datasets[path])
        elif match and ":" not in weight:
            per_gate.setdefault(direction, {})[(match["kind"], match["gate"] or "")] = (path, tree.datasets[path])
    wrapper = entry if entry and entry.get("class_name") == "Bidirectional" else None
    inner = _inner_entry(entry)
    item = _Found(layer, None, _cfg(inner), _cfg(wrapper), inner, keras_version=version)
    if any("recurrent_kernel" in roles for roles in fused.values()):
        item.directions = fused
        return item
    if any(kind == "U" for roles in per_gate.values() for kind, _ in roles):
        for direction, roles in per_gate.items():
            item.directions[direction] = _fuse_keras1(layer, roles)
        item.keras_version = version or "1"
        return item
    return None


def _fuse_keras1(layer: str, roles: Mapping[tuple[str, str], tuple[str, Any]]) -> dict[str, tuple[str, Any]]:
    """Keras 1's per-gate tensors joined into Keras 2's kernel, recurrent kernel and bias (gate order kept)."""
    gates = "".join(sorted({gate for _, gate in roles}))
    order = next((o for o in KERAS1_GATES if sorted(o) == sorted(gates)), None)
    if order is None:
        raise RefusedFile(
            f"{layer}: Keras 1 gate tensors {gates or '-'} fit no LSTM (i, c, f, o), GRU (z, r, h) or SimpleRNN"
        )
    out: dict[str, tuple[str, Any]] = {}
    for kind, role in (("W", "kernel"), ("U", "recurrent_kernel"), ("b", "bias")):
        keys = [(kind, g) for g in order] if order else [(kind, "")]
        if not all(k in roles for k in keys):
            if kind == "b" and not any(k in roles for k in keys):
                continue
            raise RefusedFile(f"{layer}: Keras 1 {kind} tensors are missing for some gates")
        blocks = [read_array(roles[k][1], f"{layer}: {roles[k][0]}") for k in keys]
        if len({b.shape[:-1] for b in blocks}) != 1:
            raise RefusedFile(f"{layer}: Keras 1 {kind} tensors of different shapes")
        source = roles[keys[0]][0].rsplit("_", 1)[0] if order else roles[keys[0]][0]
        out[role] = (f"{source}_[{','.join(order)}]" if order else source, np.concatenate(blocks, axis=-1))
    return out


# --- one recurrent layer ------------------------------------------------------------------------


def _keras_layer(item: _Found, inferred: bool) -> RecurrentLayer:
    """Check shapes against each other and the config, then key the arrays like lstmviz.breakdown."""
    name = item.name
    if set(item.directions) not in ({"forward"}, {"forward", "backward"}):
        raise RefusedFile(f"{name}: found directions {sorted(item.directions)}; expected forward (and backward)")
    shapes = {d: {r: tuple(ds.shape) for r, (_, ds) in roles.items()} for d, roles in item.directions.items()}
    forward = shapes["forward"]
    if "kernel" not in forward or "recurrent_kernel" not in forward:
        raise RefusedFile(f"{name}: a recurrent cell needs a kernel and a recurrent kernel")
    kernel, recurrent = forward["kernel"], forward["recurrent_kernel"]
    if len(kernel) != 2 or len(recurrent) != 2 or recurrent[0] < 1 or kernel[1] != recurrent[1]:
        raise RefusedFile(f"{name}: kernel {kernel} and recurrent kernel {recurrent} do not fit a recurrent cell")
    units = recurrent[0]
    gates, leftover = divmod(recurrent[1], units)
    cell = GATES_TO_CELL.get(gates) if leftover == 0 else None
    if cell is None:
        raise RefusedFile(f"{name}: recurrent kernel {recurrent} is not (h, G·h) for G = 4 (LSTM), 3 (GRU) or 1")
    if item.hint and item.hint != cell:
        raise RefusedFile(f"{name}: named a {item.hint} but its tensors have {gates} gate blocks")
    if any(s != forward for s in shapes.values()):
        raise RefusedFile(f"{name}: the backward direction's tensors differ from the forward one's")
    bias_shape = forward.get("bias")
    cfg = item.config or {}
    width = gates * units
    record = convention("keras", cell)
    # Only a layer with reset_after (a GRU) stores its two biases as rows: (2, G·h).
    two_rows = record.has_option("reset_after")
    # CuDNNLSTM / CuDNNGRU keep cuDNN's two bias vectors end to end: (8h,) / (6h,); there is no CuDNN SimpleRNN.
    cudnn = bias_shape == (2 * width,) and gates > 1
    if (
        bias_shape not in (None, (width,), (2, width), (2 * width,))
        or (bias_shape == (2, width) and not two_rows)
        or (bias_shape == (2 * width,) and not cudnn)
    ):
        raise RefusedFile(f"{name}: bias {bias_shape} does not fit a {cell} with {units} units")
    config_units = cfg.get("units", cfg.get("output_dim"))
    if isinstance(config_units, int) and config_units != units:
        raise RefusedFile(f"{name}: config says {config_units} units but the weights hold {units}")
    if isinstance(cfg.get("use_bias"), bool) and cfg["use_bias"] != (bias_shape is not None):
        raise RefusedFile(f"{name}: config says use_bias={cfg['use_bias']} but the weights disagree")
    if cudnn:
        reset_after = True
    else:
        reset_after = bias_shape == (2, width) if bias_shape is not None else cfg.get("reset_after", True) is True
    if two_rows and isinstance(cfg.get("reset_after"), bool) and cfg["reset_after"] != reset_after:
        raise RefusedFile(f"{name}: config says reset_after={cfg['reset_after']} but the bias has shape {bias_shape}")
    source_class = item.source_class or ""
    if cudnn:
        source_class = f"CuDNN{record.class_name}"
    elif source_class.startswith("CuDNN"):
        raise RefusedFile(f"{name}: a {source_class} stores a ({2 * width},) bias, not {bias_shape}")
    try:
        spec = RecurrentSpec(
            # A CuDNNLSTM counts as PyTorch's LSTM (two biases, which a Keras LSTM cannot hold); its weights
            # are re-keyed below.
            framework="pytorch" if cudnn and not two_rows else "keras",
            cell=cell,
            features=kernel[0],
            units=units,
            timesteps=_timesteps(item.build, kernel[0]),
            bidirectional="backward" in item.directions,
            bias=bias_shape is not None,
            reset_after=reset_after if two_rows else True,
            return_sequences=cfg.get("return_sequences") is True and not (cudnn and not two_rows),
        )
    except ValueError as error:
        raise RefusedFile(f"{name}: {error}") from None
    weights: dict[str, np.ndarray] = {}
    sources: dict[str, str] = {}
    if cudnn and not two_rows:  # re-keyed as PyTorch tensors
        for direction, roles in item.directions.items():
            suffix = "_reverse" if direction == "backward" else ""
            arrays = {r: _values(ds, f"{name}: {path}") for r, (path, ds) in roles.items()}
            paths = {r: path for r, (path, _) in roles.items()}
            parts = {
                "weight_ih_l0": (arrays["kernel"].T, paths["kernel"] + " (transposed)"),
                "weight_hh_l0": (arrays["recurrent_kernel"].T, paths["recurrent_kernel"] + " (transposed)"),
                "bias_ih_l0": (arrays["bias"][:width], paths["bias"] + f"[:{width}]"),
                "bias_hh_l0": (arrays["bias"][width:], paths["bias"] + f"[{width}:]"),
            }
            for key, (values, source) in parts.items():
                weights[key + suffix] = np.ascontiguousarray(values)
                sources[key + suffix] = source
    else:
        for tensor in breakdown(spec).tensors:
            path, ds = item.directions[tensor.direction][tensor.name]
            values = _values(ds, f"{name}: {path}")
            weights[tensor.key] = values.reshape(tensor.shape) if cudnn else values
            sources[tensor.key] = path + (" (as (2, 3h))" if cudnn else "")
    activation = _activation(cfg, item.wrapper, item.keras_version)
    # go_backwards and merge_mode change the outputs in ways the forward pass does not model.
    runnable = (
        None
        if "go_backwards" in activation or "merge_mode" in activation
        else _forward_activations(cfg, item.keras_version)
    )
    return RecurrentLayer(name, spec, weights, inferred, sources, activation, source_class, runnable)


def _values(ds: Any, where: str) -> np.ndarray:
    """A dataset read and checked, or an array already read (Keras 1 gates joined)."""
    return ds if isinstance(ds, np.ndarray) else read_array(ds, where)


def _timesteps(entry: Mapping[str, Any] | None, features: int | None = None) -> int:
    """T from the saved layer's input shape (None, T, x) when known and x fits the kernel; else the default."""
    build = entry.get("build_config") if entry else None
    shape = build.get("input_shape") if isinstance(build, dict) else None
    if shape is None and entry is not None:
        shape = (_cfg(entry) or {}).get("batch_input_shape")  # Keras 2's config; only a hint
    if isinstance(shape, list) and len(shape) == 3 and isinstance(shape[1], int) and 1 <= shape[1] <= 1_000_000:
        if features is None or shape[2] in (None, features):
            return int(shape[1])
    return RecurrentSpec().timesteps


HARD_SIGMOID = {
    "2": "hard_sigmoid (Keras 1 and 2: clip(0.2·x + 0.5, 0, 1))",
    "3": "hard_sigmoid (Keras 3: relu6(x + 3) / 6)",
}


def _activation(
    cfg: Mapping[str, Any], wrapper: Mapping[str, Any] | None = None, keras_version: str | None = None
) -> str:
    """'default' for tanh + sigmoid read forward (directions concatenated); else what differs (convert refuses)."""
    parts = _unusual_activations(cfg, "", keras_version)
    # These change the outputs without changing any weight, so the views and convert must know.
    if wrapper is None and cfg.get("go_backwards") is True:
        parts.append("go_backwards=True")
    if wrapper is not None:
        # Both halves of a Bidirectional are checked: the wrapped (forward) layer reads forward in
        # time, and a separate backward_layer has its own activations and reads backward.
        forward = _cfg(wrapper.get("layer")) if isinstance(wrapper.get("layer"), dict) else None
        if (forward or cfg).get("go_backwards") is True:
            parts.append("forward layer go_backwards=True")
        if forward is not None and forward is not cfg:
            parts += _unusual_activations(forward, "forward layer ", keras_version)
        backward_entry = wrapper.get("backward_layer")
        backward = _cfg(backward_entry) if isinstance(backward_entry, dict) else None
        if backward is not None:
            parts += _unusual_activations(backward, "backward_layer ", keras_version)
            if backward.get("go_backwards") is False:
                parts.append("backward_layer go_backwards=False")
        if wrapper.get("merge_mode", "concat") != "concat":
            parts.append(f"merge_mode={wrapper.get('merge_mode')}")
    return ", ".join(dict.fromkeys(parts)) or "default"


def _unusual_activations(cfg: Mapping[str, Any], label: str, keras_version: str | None) -> list[str]:
    """The activations of one layer config that are not tanh with sigmoid gates, e.g. 'activation=relu'."""
    parts = []
    for key, default in (("activation", "tanh"), ("recurrent_activation", "sigmoid")):
        # Keras 1 called the gates' activation inner_activation.
        value = cfg.get(key, cfg.get("inner_activation", default) if key == "recurrent_activation" else default)
        if isinstance(value, dict):
            value = value.get("config") if isinstance(value.get("config"), str) else "custom"
        if value == "hard_sigmoid":
            # The same name is two functions: Keras 3 changed it (the file's keras_version decides).
            major = (keras_version or "3").split(".")[0]
            value = HARD_SIGMOID["3" if major not in ("1", "2") else "2"]
        if value != default:
            parts.append(f"{label}{key}={value}")
    return parts


FORWARD_NAMES = {"tanh": "tanh", "sigmoid": "sigmoid", "relu": "relu", "linear": "linear", None: "linear"}


def _forward_activations(cfg: Mapping[str, Any], keras_version: str | None) -> tuple[str, str] | None:
    """The (activation, recurrent_activation) lstmviz.forward runs, or None for one it has not got."""
    names = []
    for key, default in (("activation", "tanh"), ("recurrent_activation", "sigmoid")):
        value = cfg.get(key, cfg.get("inner_activation", default) if key == "recurrent_activation" else default)
        if value == "hard_sigmoid":
            major = (keras_version or "3").split(".")[0]
            names.append("hard_sigmoid_keras2" if major in ("1", "2") else "hard_sigmoid_keras3")
        elif isinstance(value, str) or value is None:
            if value not in FORWARD_NAMES:
                return None
            names.append(FORWARD_NAMES[value])
        else:
            return None
    return (names[0], names[1])


def _model(
    fmt: str, total: int, layers: tuple[RecurrentLayer, ...], others: list[tuple[str, int]], notes: list[str]
) -> ModelFile:
    return ModelFile(fmt, total, layers, tuple(others), tuple(notes))
