"""ONNX models: LSTM, GRU and RNN nodes with their W, R, B initializers, read as data.

The protobuf is parsed from bytes in memory; any tensor that keeps its data outside the file
(external data) is refused before anything is read, so a model can never make lstmviz open
another file on the host. Each recurrent node is one RecurrentLayer (ONNX has no stacked op).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import onnx
from onnx import numpy_helper

from lstmviz.conventions import convention
from lstmviz.counting import breakdown
from lstmviz.modelfiles.contents import MAX_OBJECTS, ModelFile, RecurrentLayer, RefusedFile
from lstmviz.modelfiles.guards import check_wire, finite_float32
from lstmviz.spec import RecurrentSpec

OPS = {"LSTM": ("lstm", 4), "GRU": ("gru", 3), "RNN": ("rnn", 1)}
DEFAULT_ACTIVATIONS = {"lstm": ["Sigmoid", "Tanh", "Tanh"], "gru": ["Sigmoid", "Tanh"], "rnn": ["Tanh"]}
FLOAT_TYPES = {onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE, onnx.TensorProto.FLOAT16, onnx.TensorProto.BFLOAT16}
DIRECTIONS = ("forward", "reverse", "bidirectional")
STATE_INPUTS = (4, 5, 6)  # sequence_lens, initial_h, initial_c: inputs, not parameters


PARAMETER_RULE = (
    "parameters are the floating-point initializers and Constant values of rank ≥ 1 in every graph and subgraph, "
    "each counted once however many nodes use it; rank-0 scalars, integer tensors (shapes, axes, indices) "
    "and recurrent nodes' initial states are not parameters"
)
# Ops through which a weight reaches a recurrent node's W, R or B unchanged in value (PyTorch's exporter
# reorders gate blocks with Slice + Concat and adds the direction axis with Unsqueeze).
VALUE_OPS = ("Identity", "Cast", "Unsqueeze", "Squeeze", "Reshape", "Slice", "Concat", "Transpose")
MAX_RESOLVE_DEPTH = 64
# Ops an exporter builds a zero initial state with (torch.onnx: Constant -> Expand to the batch size).
STATE_OPS = (*VALUE_OPS, "Expand", "Tile", "ConstantOfShape")
LOOP_OPS = ("Loop", "Scan")
_CELL_OPS = {"MatMul", "Gemm"}
_SIDECAR_ADVICE = (
    "save it inline: onnx.save(model, path, save_as_external_data=False), or export with "
    "torch.onnx.export(..., external_data=False)"
)


@dataclass
class _Scope:
    """A graph's values by name: initializers and node outputs; names not found here belong to `parent`."""

    graph: onnx.GraphProto
    path: str
    parent: _Scope | None
    values: dict[str, tuple[str, object]] = field(default_factory=dict)

    def find(self, name: str) -> tuple[_Scope, tuple[str, object]] | None:
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.values:
                return scope, scope.values[name]
            scope = scope.parent
        return None


def read_onnx(data: bytes, max_params: int) -> ModelFile:
    """Every LSTM/GRU/RNN node of an ONNX model (subgraphs included) with its weights; the rest counted."""
    check_wire(data)
    try:
        model = onnx.load_model_from_string(data)
    except Exception as error:  # DecodeError and friends: not a readable protobuf
        raise RefusedFile(f"this is not a readable ONNX model ({str(error)[:80]})") from None
    tensors = list(_all_tensors(model))
    scopes = _scopes(model.graph, "", None)
    if len(tensors) + sum(len(sc.graph.node) for sc in scopes) > MAX_OBJECTS:
        raise RefusedFile(f"this ONNX model has more than {MAX_OBJECTS:,} tensors and nodes; refused")
    declared = 0
    for tensor in tensors:
        if tensor.data_location == onnx.TensorProto.EXTERNAL or len(tensor.external_data):
            where = next((e.value for e in tensor.external_data if e.key == "location"), "another file")
            raise RefusedFile(
                f"ONNX tensor {tensor.name!r} keeps its data in {where[:60]!r} (external data, as torch.onnx's "
                f"dynamo exporter writes a .onnx.data sidecar); lstmviz reads one file only: {_SIDECAR_ADVICE}"
            )
        if any(d < 0 for d in tensor.dims):
            raise RefusedFile(f"ONNX tensor {tensor.name!r} has a negative dimension; refused")
        declared += math.prod(tensor.dims)
        if declared > max_params:
            raise RefusedFile(f"this file declares more than {max_params:,} parameters, the cap; refused")
    params = _parameters(scopes)
    state: set[tuple[int, str]] = set()
    layers: list[RecurrentLayer] = []
    claimed: dict[tuple[int, str], str] = {}
    notes: list[str] = []
    unread: list[str] = []
    resolver = _Resolver()
    for scope in scopes:
        for index, node in enumerate(scope.graph.node):
            if node.op_type in OPS and node.domain in ("", "ai.onnx"):
                for i in STATE_INPUTS:
                    if i < len(node.input) and node.input[i]:
                        state |= resolver.sources(scope, node.input[i])
                layer, used, note = _node_layer(node, index, scope, resolver)
                if layer is not None:
                    shared = sorted({claimed[u] for u in used if u in claimed})
                    if shared:
                        notes.append(f"{layer.name} shares its weights with {', '.join(shared)}: counted once")
                    layers.append(layer)
                    for u in used:
                        claimed.setdefault(u, layer.name)
                else:
                    unread.append(node.name or f"{node.op_type}_{index}")
                if note:
                    notes.append(note)
            elif node.op_type in LOOP_OPS and _looks_recurrent(node):
                name = node.name or f"{node.op_type}_{index}"
                unread.append(name)
                notes.append(
                    f"{name}: a {node.op_type} whose body computes a recurrent cell (as tf2onnx exports Keras LSTM "
                    "and GRU layers); not read as a layer, its weights are counted as other"
                )
    others: list[tuple[str, int]] = []
    skipped = 0
    for key, size in params.items():
        if key in claimed:
            continue
        if key in state:
            skipped += size
            continue
        others.append((key[1], size))
    if skipped:
        notes.append(f"{skipped:,} values of recurrent nodes' initial states are not counted as parameters")
    modules: dict[str, int] = {}
    for name, size in others:
        module = name.rsplit(".", 1)[0] if "." in name else name
        if re.search(r"lstm|gru|rnn", module.rsplit("/", 1)[-1].rsplit(".", 1)[-1], re.IGNORECASE):
            modules[module] = modules.get(module, 0) + size
    for module, size in modules.items():
        unread.append(module)
        notes.append(
            f"{module}: weights named like a recurrent layer that no LSTM, GRU or RNN node uses (the cell is "
            f"computed from plain ops such as Gemm, Sigmoid and Tanh); not read as a layer ({size:,} parameters, "
            "counted as other)"
        )
    notes.append(PARAMETER_RULE)
    total = sum(size for key, size in params.items() if key not in state)
    return ModelFile("onnx", total, tuple(layers), tuple(others), tuple(notes), tuple(unread))


def _scopes(graph: onnx.GraphProto, path: str, parent: _Scope | None) -> list[_Scope]:
    """Every graph of the model (If/Loop/Scan bodies included), outermost first, with its values by name."""
    scope = _Scope(graph, path, parent)
    for tensor in graph.initializer:
        scope.values[tensor.name] = ("init", tensor)
    for node in graph.node:
        for output in node.output:
            if output:
                scope.values[output] = ("node", node)
    out = [scope]
    for node in graph.node:
        for attribute in node.attribute:
            subgraphs = [attribute.g] if attribute.HasField("g") else []
            for sub in [*subgraphs, *attribute.graphs]:
                out.extend(_scopes(sub, f"{path}/{node.name or node.op_type}.{attribute.name}", scope))
    return out


def _parameters(scopes: list[_Scope]) -> dict[tuple[int, str], int]:
    """Every tensor the rule counts, keyed by (graph, name) so a name reused in two graphs is two tensors."""
    out: dict[tuple[int, str], int] = {}
    for scope in scopes:
        for tensor in scope.graph.initializer:
            if tensor.data_type in FLOAT_TYPES and len(tensor.dims) >= 1:
                out[(id(scope.graph), tensor.name)] = math.prod(tensor.dims)
        for node in scope.graph.node:
            value = _constant_tensor(node)
            if value is not None and value.data_type in FLOAT_TYPES and len(value.dims) >= 1:
                out[(id(scope.graph), node.output[0])] = math.prod(value.dims)
    return out


def _constant_tensor(node: onnx.NodeProto) -> onnx.TensorProto | None:
    if node.op_type != "Constant" or node.domain not in ("", "ai.onnx") or not node.output:
        return None
    return next((a.t for a in node.attribute if a.name == "value" and a.HasField("t")), None)


def _looks_recurrent(node: onnx.NodeProto) -> bool:
    """A Loop/Scan named like a recurrent layer, or whose body multiplies matrices through sigmoid and tanh."""
    if re.search(r"lstm|gru|rnn", node.name, re.IGNORECASE):
        return True
    for attribute in node.attribute:
        if attribute.HasField("g"):
            ops = {n.op_type for n in attribute.g.node}
            if ops & _CELL_OPS and {"Sigmoid", "Tanh"} <= ops:
                return True
    return False


class _Resolver:
    """Values computed from constants alone through VALUE_OPS, with the parameter tensors they came from."""

    def __init__(self) -> None:
        self.cache: dict[tuple[int, str], tuple[np.ndarray, frozenset[tuple[int, str]]] | None] = {}

    def sources(self, scope: _Scope, name: str) -> set[tuple[int, str]]:
        """The constants a value is computed from, through any ops (an initial state is often Expand-ed)."""
        out: set[tuple[int, str]] = set()
        todo = [(scope, name, 0)]
        seen: set[tuple[int, str]] = set()
        while todo:
            where, value, depth = todo.pop()
            hit = where.find(value) if value and depth <= MAX_RESOLVE_DEPTH else None
            if hit is None:
                continue
            owner, (kind, obj) = hit
            key = (id(owner.graph), value)
            if key in seen:
                continue
            seen.add(key)
            if kind == "init" or (isinstance(obj, onnx.NodeProto) and _constant_tensor(obj) is not None):
                out.add(key)
            elif isinstance(obj, onnx.NodeProto) and obj.op_type in STATE_OPS:
                todo.extend((owner, i, depth + 1) for i in obj.input)
        return out

    def value(self, scope: _Scope, name: str, depth: int = 0) -> tuple[np.ndarray, frozenset[tuple[int, str]]] | None:
        if not name or depth > MAX_RESOLVE_DEPTH:
            return None
        hit = scope.find(name)
        if hit is None:
            return None
        owner, (kind, obj) = hit
        key = (id(owner.graph), name)
        if key in self.cache:
            return self.cache[key]
        self.cache[key] = None  # a cycle resolves to "computed"
        result = self._compute(owner, name, kind, obj, depth)
        self.cache[key] = result
        return result

    def _compute(
        self, scope: _Scope, name: str, kind: str, obj: object, depth: int
    ) -> tuple[np.ndarray, frozenset[tuple[int, str]]] | None:
        key = (id(scope.graph), name)
        if kind == "init":
            assert isinstance(obj, onnx.TensorProto)
            return np.asarray(numpy_helper.to_array(obj)), frozenset({key})
        assert isinstance(obj, onnx.NodeProto)
        node = obj
        constant = _constant_tensor(node)
        if constant is not None:
            return np.asarray(numpy_helper.to_array(constant)), frozenset({key})
        if node.op_type not in VALUE_OPS or node.domain not in ("", "ai.onnx"):
            return None
        inputs = [self.value(scope, i, depth + 1) if i else None for i in node.input]
        if not inputs or any(x is None for x in inputs[:1]) or (node.op_type == "Concat" and None in inputs):
            return None
        sources = frozenset().union(*(x[1] for x in inputs if x is not None))
        try:
            values = _apply(node, [x[0] if x is not None else None for x in inputs])
        except (ValueError, IndexError, TypeError):
            return None
        return (values, sources) if values is not None else None


def _apply(node: onnx.NodeProto, args: list[np.ndarray | None]) -> np.ndarray | None:
    """One VALUE_OPS node evaluated on constant inputs (opset 1-21 forms: attributes or inputs)."""
    attrs = _attributes(node)
    x = args[0]
    assert x is not None
    op = node.op_type
    if op in ("Identity", "Cast"):
        return x.astype(np.float32) if op == "Cast" and x.dtype.kind == "f" else x
    if op in ("Unsqueeze", "Squeeze"):
        axes = attrs.get("axes", args[1] if len(args) > 1 else None)
        if axes is None:
            return np.squeeze(x) if op == "Squeeze" else None
        axes = [int(a) for a in np.asarray(axes).ravel()]
        if op == "Squeeze":
            return np.squeeze(x, axis=tuple(a % x.ndim for a in axes))
        out = x
        for a in sorted(a % (x.ndim + len(axes)) for a in axes):
            out = np.expand_dims(out, a)
        return out
    if op == "Reshape":
        shape = args[1] if len(args) > 1 and args[1] is not None else attrs.get("shape")
        dims = [int(d) for d in np.asarray(shape).ravel()]
        dims = [x.shape[i] if d == 0 and i < x.ndim else d for i, d in enumerate(dims)]
        return x.reshape(dims)
    if op == "Transpose":
        perm = attrs.get("perm")
        return np.transpose(x, [int(p) for p in np.asarray(perm).ravel()] if perm is not None else None)
    if op == "Concat":
        axis = attrs.get("axis", 0)
        return np.concatenate([a for a in args if a is not None], axis=int(axis) if isinstance(axis, int) else 0)
    if op == "Slice":
        if len(args) >= 3:
            starts, ends = args[1], args[2]
            axes = args[3] if len(args) > 3 and args[3] is not None else range(len(np.asarray(starts).ravel()))
            steps = args[4] if len(args) > 4 and args[4] is not None else [1] * len(np.asarray(starts).ravel())
        else:
            starts, ends = np.asarray(attrs.get("starts")), np.asarray(attrs.get("ends"))
            axes = attrs.get("axes", range(starts.size))
            steps = [1] * starts.size
        index = [slice(None)] * x.ndim
        for a, b, e, st in zip(
            np.asarray(axes).ravel(),
            np.asarray(starts).ravel(),
            np.asarray(ends).ravel(),
            np.asarray(steps).ravel(),
            strict=True,
        ):
            index[int(a)] = slice(int(max(min(b, 1 << 62), -(1 << 62))), int(max(min(e, 1 << 62), -(1 << 62))), int(st))
        return x[tuple(index)]
    return None


def _all_tensors(model: onnx.ModelProto) -> Iterator[onnx.TensorProto]:
    """Every TensorProto in the model: initializers, sparse ones, and node attributes in every subgraph."""
    graphs = [model.graph]
    nodes = [node for function in model.functions for node in function.node]
    while graphs or nodes:
        if graphs:
            graph = graphs.pop()
            yield from graph.initializer
            for sparse in graph.sparse_initializer:
                yield sparse.values
                yield sparse.indices
            nodes.extend(graph.node)
            continue
        node = nodes.pop()
        for attribute in node.attribute:
            if attribute.HasField("t"):
                yield attribute.t
            yield from attribute.tensors
            if attribute.HasField("sparse_tensor"):
                yield attribute.sparse_tensor.values
            if attribute.HasField("g"):
                graphs.append(attribute.g)
            graphs.extend(attribute.graphs)


def _attributes(node: onnx.NodeProto) -> dict[str, object]:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _node_layer(
    node: onnx.NodeProto, index: int, scope: _Scope, resolver: _Resolver
) -> tuple[RecurrentLayer | None, set[tuple[int, str]], str]:
    """One recurrent node as a layer, the parameter tensors its W, R, B come from, and a note (or "")."""
    cell, gates = OPS[node.op_type]
    record = convention("onnx", cell)
    name = node.name or f"{node.op_type}_{index}"
    inputs = list(node.input) + [""] * (8 - len(node.input))
    w_name, r_name, b_name, p_name = inputs[1], inputs[2], inputs[3], inputs[7]
    found = {role: resolver.value(scope, n) for role, n in (("W", w_name), ("R", r_name), ("B", b_name))}
    if found["W"] is None or found["R"] is None or (b_name and found["B"] is None):
        return (
            None,
            set(),
            (f"{name}: a {node.op_type} whose W, R or B is computed from the inputs, not stored, so it is not read"),
        )
    attrs = _attributes(node)
    W = _checked(found["W"][0], f"{name}: W")
    R = _checked(found["R"][0], f"{name}: R")
    B = _checked(found["B"][0], f"{name}: B") if found["B"] is not None else None
    direction = attrs.get("direction", b"forward")
    direction = direction.decode("utf-8", errors="replace") if isinstance(direction, bytes) else str(direction)
    if direction not in DIRECTIONS:
        # ONNX defines three; onnxruntime rejects any other, so no reading of it is the file's meaning.
        raise RefusedFile(f"{name}: direction {direction[:40]!r} is not one of {', '.join(DIRECTIONS)}; refused")
    directions = 2 if direction == "bidirectional" else 1
    if W.ndim != 3 or R.ndim != 3 or W.shape[0] != directions or R.shape[0] != directions:
        raise RefusedFile(f"{name}: W {W.shape} and R {R.shape} are not [directions, G·h, ·] for {direction}")
    units = R.shape[2]
    hidden = attrs.get("hidden_size", units)
    if hidden != units or R.shape[1] != gates * units or W.shape[1] != gates * units:
        raise RefusedFile(f"{name}: W {W.shape}, R {R.shape} do not fit a {node.op_type} with hidden_size {hidden}")
    if B is not None and B.shape != (directions, 2 * gates * units):
        raise RefusedFile(f"{name}: B {B.shape} is not [directions, 2·{gates}·h]")
    unusual = _unusual(cell, attrs, direction, directions)
    used: set[tuple[int, str]] = set()
    for value in found.values():
        if value is not None:
            used |= value[1]
    if p_name:
        peephole = resolver.value(scope, p_name)
        if peephole is not None:
            unusual.append("peepholes P (not drawn, not in the count check)")
            used |= peephole[1]
    try:
        spec = RecurrentSpec(
            framework="onnx",
            cell=cell,
            features=int(W.shape[2]),
            units=int(units),
            bidirectional=directions == 2,
            bias=B is not None,
            reset_after=attrs.get(record.option_name("reset_after"), 0) == 1
            if record.has_option("reset_after")
            else True,
        )
    except ValueError as error:
        raise RefusedFile(f"{name}: {error}") from None
    weights: dict[str, np.ndarray] = {}
    sources: dict[str, str] = {}
    arrays = {"W": (W, w_name), "R": (R, r_name), "B": (B, b_name)}
    for tensor in breakdown(spec).tensors:  # B is in the breakdown only when the node has one
        values, source = arrays[tensor.name]
        d = 0 if tensor.direction == "forward" else 1
        weights[tensor.key] = np.zeros(tensor.shape, np.float32) if values is None else values[d]
        sources[tensor.key] = f"{source}[{d}]"
    layer = RecurrentLayer(name, spec, weights, False, sources, ", ".join(unusual) or "default")
    note = f"{name}: {', '.join(unusual)}" if unusual else ""
    return layer, used, note


def _checked(values: np.ndarray, where: str) -> np.ndarray:
    if values.dtype.kind != "f":
        raise RefusedFile(f"{where} is not floating-point weights")
    return finite_float32(values, where)


def _unusual(cell: str, attrs: dict[str, object], direction: str, directions: int) -> list[str]:
    """Options lstmviz's views do not model: recorded so the views and convert can say so."""
    out = []
    activations = attrs.get("activations")
    if activations:
        names = [a.decode() if isinstance(a, bytes) else str(a) for a in activations]  # type: ignore[attr-defined]
        if names != DEFAULT_ACTIVATIONS[cell] * directions:
            out.append(f"activations={','.join(names)}")
    if direction == "reverse":
        out.append("direction=reverse")
    if attrs.get("clip") is not None:
        out.append(f"clip={attrs['clip']}")
    if attrs.get("input_forget", 0):
        out.append("input_forget=1")
    return out


def _array(tensor: onnx.TensorProto, where: str) -> np.ndarray:
    if tensor.data_type not in FLOAT_TYPES:
        raise RefusedFile(f"{where} is not floating-point weights")
    return finite_float32(np.asarray(numpy_helper.to_array(tensor)), where)
