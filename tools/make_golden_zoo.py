"""Regenerate tests/data/golden_zoo.json and golden_zoo_forward.npz from the real frameworks.

Usage (the oracle venv has tensorflow-cpu, tf-keras, flax, jax, torch, keras 3 and onnx):

    /work/venv-oracle/bin/python tools/make_golden_zoo.py [--out-dir tests/data]

Every case builds the framework's own object and records what the framework reports:
- the total: Keras `count_params()`, torch `numel` over `named_parameters()`, the Flax parameter
  leaves (`linen` init's `params`, `nnx.state(cell, nnx.Param)`), TF1's `trainable_variables()`,
  the ONNX node's initializers;
- every tensor's own name and shape, in the framework's own order;
- for the forward cases, a short sequence run with seeded weights (inputs, weights under the
  framework's names, outputs and final states) into the .npz, so lstmviz's NumPy forward can be
  checked to 1e-5 without any of these frameworks installed.

CuDNNLSTM/CuDNNGRU have no CPU kernel (TF registers CudnnRNN for GPU only): their forward cases run
tf-keras's own CPU twin, the CuDNN weights converted by tf-keras's loader into an LSTM / GRU.
The tool only depends on the frameworks, not on lstmviz: the goldens are what the frameworks say.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "torch")  # Keras 3 (keras.layers.*)
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # tf.keras / tf.compat.v1.keras = tf-keras
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261204
BATCH = 2
STEPS = 3

Case = dict[str, Any]
Arrays = dict[str, np.ndarray]


def _weights(rng: np.random.Generator, shapes: list[tuple[str, tuple[int, ...]]]) -> list[np.ndarray]:
    """Seeded weights in the framework's tensor order (scaled so activations stay in range)."""
    return [(rng.standard_normal(shape) * 0.5).astype(np.float32) for _, shape in shapes]


def _inputs(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return rng.standard_normal(shape).astype(np.float32)


# --------------------------------------------------------------------------- torch


def torch_case(layer: str, opts: dict[str, Any], rng: np.random.Generator | None) -> tuple[Case, Arrays]:
    """torch.nn.LSTM/GRU/RNN and the LSTMCell/GRUCell/RNNCell one-step cells."""
    import torch

    cls = getattr(torch.nn, layer.rsplit(".", 1)[1])
    kwargs: dict[str, Any] = {"bias": opts.get("bias", True)}
    if "proj_size" in opts:
        kwargs["proj_size"] = opts["proj_size"]
    module = cls(opts["features"], opts["units"], **kwargs)
    named = list(module.named_parameters())
    case = {
        "total_params": int(sum(p.numel() for _, p in named)),
        "how": "sum of p.numel() over named_parameters()",
        "tensors": [{"name": n, "shape": list(p.shape)} for n, p in named],
    }
    arrays: Arrays = {}
    if rng is None:
        return case, arrays
    values = _weights(rng, [(n, tuple(p.shape)) for n, p in named])
    with torch.no_grad():
        for (_, p), v in zip(named, values, strict=True):
            p.copy_(torch.from_numpy(v))
        x = _inputs(rng, (STEPS, BATCH, opts["features"]))
        if layer.endswith("Cell"):
            state: Any = None
            outputs = []
            for t in range(STEPS):
                state = module(torch.from_numpy(x[t]), state)
                outputs.append((state[0] if isinstance(state, tuple) else state).numpy())
            arrays["output"] = np.stack(outputs)  # (T, B, h)
            if isinstance(state, tuple):
                arrays["final_c"] = state[1].numpy()
        else:
            y, state = module(torch.from_numpy(x))
            arrays["output"] = y.numpy()  # (T, B, h or proj)
            if isinstance(state, tuple):
                arrays["final_c"] = state[1][0].numpy()
    arrays["input"] = x
    for (n, _), v in zip(named, values, strict=True):
        arrays[f"w:{n}"] = v
    case["forward_layout"] = "input (T, B, x); output (T, B, h): h_t per step, from zero state"
    return case, arrays


# --------------------------------------------------------------------------- Keras 3


def keras_case(layer: str, opts: dict[str, Any], rng: np.random.Generator | None) -> tuple[Case, Arrays]:
    """keras.layers.LSTM/GRU/SimpleRNN and ConvLSTM1D/2D/3D, in a Sequential with a fixed input shape."""
    import keras

    name = layer.rsplit(".", 1)[1]
    cls = getattr(keras.layers, name)
    kwargs: dict[str, Any] = {"use_bias": opts.get("bias", True), "return_sequences": True}
    if name.endswith("Cell"):  # a one-step cell, looped over time by keras.layers.RNN
        cell_kwargs: dict[str, Any] = {"use_bias": opts.get("bias", True)}
        if name == "GRUCell":
            cell_kwargs["reset_after"] = opts.get("reset_after", True)
        cell = cls(opts["units"], **cell_kwargs)
        looped = keras.layers.RNN(cell, return_sequences=True)
        model = keras.Sequential([keras.Input((STEPS, opts["features"])), looped])
        return _keras_record(keras, model, cell, cell_kwargs, (STEPS, opts["features"]), rng)
    if name.startswith("ConvLSTM"):
        dims = int(name[-2])
        kwargs.update(kernel_size=tuple(opts["kernel_size"]), padding=opts.get("padding", "same"))
        spatial = tuple(opts.get("spatial", (4,) * dims))
        in_shape: tuple[int, ...] = (STEPS, *spatial, opts["features"])
    else:
        if name == "GRU":
            kwargs["reset_after"] = opts.get("reset_after", True)
        in_shape = (STEPS, opts["features"])
    lay = cls(opts["units"], **kwargs)
    model = keras.Sequential([keras.Input(in_shape), lay])
    return _keras_record(keras, model, lay, kwargs, in_shape, rng)


def _keras_record(
    keras: Any, model: Any, lay: Any, kwargs: dict[str, Any], in_shape: tuple[int, ...], rng: np.random.Generator | None
) -> tuple[Case, Arrays]:
    """The case of one Keras 3 layer (or cell) in a built model: count, tensors and, with rng, a forward run."""
    case = {
        "total_params": int(model.count_params()),
        "how": "model.count_params()",
        "constructor": {k: list(v) if isinstance(v, tuple) else v for k, v in kwargs.items()},
        "tensors": [{"name": w.name, "shape": [int(d) for d in w.shape], "path": w.path} for w in lay.weights],
    }
    arrays: Arrays = {}
    if rng is None:
        return case, arrays
    values = _weights(rng, [(w.name, tuple(w.shape)) for w in lay.weights])
    lay.set_weights(values)
    x = _inputs(rng, (BATCH, *in_shape))
    arrays["input"] = x
    arrays["output"] = np.asarray(keras.ops.convert_to_numpy(model(x)))
    for w, v in zip(lay.weights, values, strict=True):
        arrays[f"w:{w.name}"] = v
    case["forward_layout"] = "input (B, T, ...); output (B, T, ...): return_sequences=True, zero initial state"
    return case, arrays


# --------------------------------------------------------------------------- Flax linen


def _linen_leaves(tree: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Parameter leaves in the order init created them (dict insertion order), named 'ii/kernel'."""
    leaves: list[tuple[str, Any]] = []
    for key, value in tree.items():
        path = f"{prefix}/{key}" if prefix else str(key)
        leaves.extend(_linen_leaves(value, path) if hasattr(value, "items") else [(path, value)])
    return leaves


def _linen_set(tree: Any, path: str, value: Any) -> None:
    *parents, leaf = path.split("/")
    for key in parents:
        tree = tree[key]
    tree[leaf] = value


def linen_case(layer: str, opts: dict[str, Any], rng: np.random.Generator | None) -> tuple[Case, Arrays]:
    """flax.linen recurrent cells: init's params tree, then `apply` step by step."""
    import jax
    import jax.numpy as jnp
    from flax import linen

    name = layer.rsplit(".", 1)[1]
    cls = getattr(linen, name)
    kwargs: dict[str, Any] = {"features": opts["units"]}
    if name == "ConvLSTMCell":
        kwargs.update(kernel_size=tuple(opts["kernel_size"]), use_bias=opts.get("bias", True))
        spatial = tuple(opts.get("spatial", (4,) * len(opts["kernel_size"])))
        step_shape: tuple[int, ...] = (BATCH, *spatial, opts["features"])
    else:
        step_shape = (BATCH, opts["features"])
        if name == "MGUCell" and "reset_gate" in opts:
            kwargs["reset_gate"] = opts["reset_gate"]
    cell = cls(**kwargs)
    key = jax.random.PRNGKey(0)
    carry = cell.initialize_carry(key, step_shape)
    variables = cell.init(key, carry, jnp.zeros(step_shape))
    params = json_free_copy(variables["params"])
    leaves = _linen_leaves(params)
    case = {
        "total_params": int(sum(np.size(v) for v in jax.tree_util.tree_leaves(variables["params"]))),
        "how": "sum of leaf sizes of cell.init(...)['params']",
        "tensors": [{"name": n, "shape": list(np.shape(v))} for n, v in leaves],
    }
    arrays: Arrays = {}
    if rng is None:
        return case, arrays
    values = _weights(rng, [(n, tuple(np.shape(v))) for n, v in leaves])
    for (n, _), v in zip(leaves, values, strict=True):
        _linen_set(params, n, jnp.asarray(v))
    x = _inputs(rng, (STEPS, *step_shape))
    outputs = []
    for t in range(STEPS):
        carry, y = cell.apply({"params": params}, carry, jnp.asarray(x[t]))
        outputs.append(np.asarray(y))
    arrays["input"] = x
    arrays["output"] = np.stack(outputs)
    if isinstance(carry, tuple):  # LSTM carries (c, h)
        arrays["final_c"] = np.asarray(carry[0])
    for (n, _), v in zip(leaves, values, strict=True):
        arrays[f"w:{n}"] = v
    case["forward_layout"] = "input (T, B, ...); output (T, B, ...): y per step from initialize_carry (zeros)"
    return case, arrays


def json_free_copy(tree: Any) -> Any:
    """A plain nested dict copy of a params tree, so leaves can be replaced in place."""
    return {k: json_free_copy(v) if hasattr(v, "items") else v for k, v in tree.items()}


# --------------------------------------------------------------------------- Flax nnx


def nnx_case(layer: str, opts: dict[str, Any], rng: np.random.Generator | None) -> tuple[Case, Arrays]:
    """flax.nnx recurrent cells: nnx.state(cell, nnx.Param), then cell(carry, x) step by step."""
    import jax.numpy as jnp
    from flax import nnx

    cls = getattr(nnx, layer.rsplit(".", 1)[1])
    cell = cls(opts["features"], opts["units"], rngs=nnx.Rngs(0))
    flat = list(nnx.state(cell, nnx.Param).flat_state())
    names = ["/".join(str(p) for p in path) for path, _ in flat]
    shapes = [tuple(np.shape(var.get_value())) for _, var in flat]
    case = {
        "total_params": int(sum(int(np.prod(s)) for s in shapes)),
        "how": "sum of sizes over nnx.state(cell, nnx.Param)",
        "tensors": [{"name": n, "shape": list(s)} for n, s in zip(names, shapes, strict=True)],
    }
    arrays: Arrays = {}
    if rng is None:
        return case, arrays
    values = _weights(rng, list(zip(names, shapes, strict=True)))
    for (path, _), v in zip(flat, values, strict=True):
        target: Any = cell
        for part in path[:-1]:
            target = getattr(target, str(part))
        getattr(target, str(path[-1])).set_value(jnp.asarray(v))
    x = _inputs(rng, (STEPS, BATCH, opts["features"]))
    carry = cell.initialize_carry((BATCH, opts["features"]), rngs=nnx.Rngs(1))  # zeros by default
    outputs = []
    for t in range(STEPS):
        carry, y = cell(carry, jnp.asarray(x[t]))
        outputs.append(np.asarray(y))
    arrays["input"] = x
    arrays["output"] = np.stack(outputs)
    if isinstance(carry, tuple):
        arrays["final_c"] = np.asarray(carry[0])
    for n, v in zip(names, values, strict=True):
        arrays[f"w:{n}"] = v
    case["forward_layout"] = "input (T, B, x); output (T, B, h): y per step from initialize_carry (zeros)"
    return case, arrays


# --------------------------------------------------------------------------- TF1 cells and CuDNN


def tf1_case(layer: str, opts: dict[str, Any], rng: np.random.Generator | None) -> tuple[Case, Arrays]:
    """tf.compat.v1.nn.rnn_cell cells under dynamic_rnn in a graph; trainable_variables() in order."""
    import tensorflow as tf

    tf1 = tf.compat.v1
    name = layer.rsplit(".", 1)[1]
    kwargs: dict[str, Any] = {}
    if opts.get("use_peepholes"):
        kwargs["use_peepholes"] = True
    if opts.get("num_proj"):
        kwargs["num_proj"] = opts["num_proj"]
    graph = tf.Graph()
    with graph.as_default():
        cell = getattr(tf1.nn.rnn_cell, name)(opts["units"], **kwargs)
        x_in = tf1.placeholder(tf.float32, [BATCH, STEPS, opts["features"]])
        y, state = tf1.nn.dynamic_rnn(cell, x_in, dtype=tf.float32)
        variables = tf1.trainable_variables()
        case = {
            "total_params": int(sum(v.shape.num_elements() for v in variables)),
            "how": "sum over tf.compat.v1.trainable_variables() after dynamic_rnn",
            "tensors": [{"name": v.name, "shape": v.shape.as_list()} for v in variables],
        }
        arrays: Arrays = {}
        if rng is None:
            return case, arrays
        values = _weights(rng, [(v.name, tuple(v.shape.as_list())) for v in variables])
        x = _inputs(rng, (BATCH, STEPS, opts["features"]))
        with tf1.Session(graph=graph) as session:
            for v, value in zip(variables, values, strict=True):
                v.load(value, session)
            out, final = session.run([y, state], {x_in: x})
        arrays["input"] = x
        arrays["output"] = out
        if hasattr(final, "c"):
            arrays["final_c"] = final.c
        for v, value in zip(variables, values, strict=True):
            arrays[f"w:{v.name}"] = value
        case["forward_layout"] = "input (B, T, x); output (B, T, h or num_proj): dynamic_rnn from zero state"
        return case, arrays


def cudnn_case(layer: str, opts: dict[str, Any], rng: np.random.Generator | None) -> tuple[Case, Arrays]:
    """tf.compat.v1.keras.layers.CuDNNLSTM/CuDNNGRU (tf-keras): count_params() and weights.

    TensorFlow has no CPU kernel for CudnnRNN, so the forward case runs tf-keras's own equivalent:
    the CuDNN weights converted by tf-keras's loader (`_convert_rnn_weights`, which un-transposes
    each gate's cuDNN block and sums or splits the biases) into an LSTM / GRU(reset_after=True).
    """
    import tensorflow as tf
    from tf_keras.src.saving.legacy.hdf5_format import _convert_rnn_weights

    tf1 = tf.compat.v1
    name = layer.rsplit(".", 1)[1]
    graph = tf.Graph()
    with graph.as_default():
        lay = getattr(tf1.keras.layers, name)(opts["units"])
        model = tf1.keras.Sequential([tf1.keras.layers.InputLayer(input_shape=(STEPS, opts["features"])), lay])
        case = {
            "total_params": int(model.count_params()),
            "how": "model.count_params() (tf-keras)",
            "tensors": [{"name": w.name, "shape": w.shape.as_list()} for w in lay.weights],
        }
    arrays: Arrays = {}
    if rng is None:
        return case, arrays
    shapes = [(str(w.name), tuple(w.shape.as_list())) for w in lay.weights]
    values = _weights(rng, shapes)
    kwargs = {"reset_after": True} if name == "CuDNNGRU" else {}
    twin = getattr(tf.keras.layers, name.removeprefix("CuDNN"))(opts["units"], return_sequences=True, **kwargs)
    twin_model = tf.keras.Sequential([tf.keras.Input((STEPS, opts["features"])), twin])
    twin.set_weights(_convert_rnn_weights(twin, [v.copy() for v in values]))
    x = _inputs(rng, (BATCH, STEPS, opts["features"]))
    arrays["input"] = x
    arrays["output"] = np.asarray(twin_model(x))
    for (n, _), v in zip(shapes, values, strict=True):
        arrays[f"w:{n}"] = v
    case["forward_layout"] = "input (B, T, x); output (B, T, h): tf-keras's CPU twin from zero state"
    case["forward_via"] = "tf-keras's own CuDNN weight conversion into LSTM / GRU(reset_after=True), run on CPU"
    return case, arrays


# --------------------------------------------------------------------------- ONNX


def onnx_case(layer: str, opts: dict[str, Any], rng: np.random.Generator | None) -> tuple[Case, Arrays]:
    """An ONNX LSTM/GRU/RNN node with W, R (and B) initializers, run by ONNX's reference evaluator."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    from onnx.reference import ReferenceEvaluator

    op = layer.split()[-1]
    gates = {"LSTM": 4, "GRU": 3, "RNN": 1}[op]
    x, h = opts["features"], opts["units"]
    shapes: list[tuple[str, tuple[int, ...]]] = [("W", (1, gates * h, x)), ("R", (1, gates * h, h))]
    if opts.get("bias", True):
        shapes.append(("B", (1, 2 * gates * h)))
    generator = rng or np.random.default_rng(0)
    values = _weights(generator, shapes)
    inits = [numpy_helper.from_array(v, n) for (n, _), v in zip(shapes, values, strict=True)]
    attrs: dict[str, Any] = {"hidden_size": h}
    if op == "GRU":
        attrs["linear_before_reset"] = int(opts.get("reset_after", True))
    node = helper.make_node(op, ["X", "W", "R"] + (["B"] if opts.get("bias", True) else []), ["Y"], **attrs)
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [STEPS, BATCH, x])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [STEPS, 1, BATCH, h])],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
    onnx.checker.check_model(model)
    case = {
        "total_params": int(sum(int(np.prod(i.dims)) for i in model.graph.initializer)),
        "how": "sum of the node's initializer sizes (checked by onnx.checker)",
        "tensors": [{"name": i.name, "shape": list(i.dims)} for i in model.graph.initializer],
    }
    arrays: Arrays = {}
    if rng is None:
        return case, arrays
    xs = _inputs(rng, (STEPS, BATCH, x))
    outputs: list[Any] = list(ReferenceEvaluator(model).run(None, {"X": xs}))
    arrays["input"] = xs
    arrays["output"] = np.asarray(outputs[0])[:, 0]  # (T, 1 direction, B, h) -> (T, B, h)
    for (n, _), v in zip(shapes, values, strict=True):
        arrays[f"w:{n}"] = v
    case["forward_layout"] = "input (T, B, x); output (T, B, h): Y without its direction axis"
    return case, arrays


# --------------------------------------------------------------------------- cases

Builder = Callable[[str, dict[str, Any], "np.random.Generator | None"], tuple[Case, Arrays]]

SIZES = ((3, 2), (5, 4), (1, 7))  # (features, units)


def _sized(
    layer: str, extra: list[dict[str, Any]] | None = None, sizes: tuple[tuple[int, int], ...] = SIZES
) -> list[tuple[str, dict[str, Any]]]:
    cases = [(layer, {"features": x, "units": h}) for x, h in sizes]
    cases += [(layer, {"features": 4, "units": 3, **e}) for e in extra or []]
    return cases


def _conv(layer: str, dims: int) -> list[tuple[str, dict[str, Any]]]:
    cases: list[tuple[str, dict[str, Any]]] = []
    for k in (1, 3):
        for x, h in ((2, 3), (1, 4)):
            cases.append((layer, {"features": x, "units": h, "kernel_size": [k] * dims}))
    cases.append((layer, {"features": 3, "units": 2, "kernel_size": [3] * dims, "bias": False}))
    if dims > 1:
        cases.append((layer, {"features": 2, "units": 2, "kernel_size": [3] + [1] * (dims - 1)}))
    return cases


NO_BIAS: list[dict[str, Any]] = [{"bias": False}]
TF1_LSTM: list[dict[str, Any]] = [
    {"use_peepholes": True},
    {"num_proj": 2},
    {"use_peepholes": True, "num_proj": 1},
    {"num_proj": 5},  # TF1 projects to any size, also above units
    {"use_peepholes": True, "num_proj": 3},
]

CASES: list[tuple[str, dict[str, Any]]] = [
    *_conv("keras.layers.ConvLSTM1D", 1),
    *_conv("keras.layers.ConvLSTM2D", 2),
    *_conv("keras.layers.ConvLSTM3D", 3),
    *_sized("keras.layers.LSTM", NO_BIAS),
    *_sized("keras.layers.GRU", [*NO_BIAS, {"reset_after": False}]),
    *_sized("keras.layers.SimpleRNN", NO_BIAS),
    *_sized("torch.nn.LSTM", [*NO_BIAS, {"proj_size": 2}]),
    *_sized("torch.nn.GRU", NO_BIAS),
    *_sized("torch.nn.RNN", NO_BIAS),
    *_sized("torch.nn.LSTMCell", NO_BIAS),
    *_sized("torch.nn.GRUCell", NO_BIAS),
    *_sized("torch.nn.RNNCell", NO_BIAS),
    *_sized("onnx LSTM", NO_BIAS),
    *_sized("onnx GRU", [*NO_BIAS, {"reset_after": False}]),
    *_sized("onnx RNN", NO_BIAS),
    *_sized("flax.linen.LSTMCell"),
    *_sized("flax.linen.OptimizedLSTMCell"),
    *_sized("flax.linen.GRUCell"),
    *_sized("flax.linen.SimpleCell"),
    *_sized("flax.linen.MGUCell", [{"reset_gate": False}]),
    *[c for c in _conv("flax.linen.ConvLSTMCell", 2)],
    *_conv("flax.linen.ConvLSTMCell", 1)[2::2],
    *_conv("flax.linen.ConvLSTMCell", 3)[2::2],
    *_sized("flax.nnx.LSTMCell"),
    *_sized("flax.nnx.OptimizedLSTMCell"),
    *_sized("flax.nnx.GRUCell"),
    *_sized("flax.nnx.SimpleCell"),
    *_sized("tf.compat.v1.nn.rnn_cell.LSTMCell", TF1_LSTM),
    *_sized("tf.compat.v1.nn.rnn_cell.BasicLSTMCell"),
    *_sized("tf.compat.v1.nn.rnn_cell.GRUCell"),
    *_sized("tf.compat.v1.nn.rnn_cell.BasicRNNCell"),
    *_sized("tf.compat.v1.keras.layers.CuDNNLSTM"),
    *_sized("tf.compat.v1.keras.layers.CuDNNGRU"),
    # appended last so every earlier case's seeded weights (the shared rng) stay byte for byte
    *_sized("keras.layers.LSTMCell", NO_BIAS),
    *_sized("keras.layers.GRUCell", [*NO_BIAS, {"reset_after": False}, {"reset_after": False, "bias": False}]),
    *_sized("keras.layers.SimpleRNNCell", NO_BIAS),
]

BUILDERS: dict[str, Builder] = {
    "keras.layers.": keras_case,
    "torch.nn.": torch_case,
    "onnx ": onnx_case,
    "flax.linen.": linen_case,
    "flax.nnx.": nnx_case,
    "tf.compat.v1.nn.rnn_cell.": tf1_case,
    "tf.compat.v1.keras.layers.": cudnn_case,
}


def builder(layer: str) -> Builder:
    """The builder for a class path (by its prefix)."""
    return next(b for prefix, b in BUILDERS.items() if layer.startswith(prefix))


def case_id(layer: str, opts: dict[str, Any]) -> str:
    """A readable, unique id: the class path and every option."""
    parts = [layer.replace(" ", "-")]
    for key, value in opts.items():
        shown = "x".join(map(str, value)) if isinstance(value, list) else str(value).lower()
        parts.append(f"{key}={shown}")
    return ",".join(parts)


def forward_wanted(layer: str, index: int, cases: list[tuple[str, dict[str, Any]]]) -> bool:
    """Run a forward for the first case of each class and for every case with a non-default option."""
    opts = cases[index][1]
    first = next(i for i, (name, _) in enumerate(cases) if name == layer) == index
    optioned = any(k not in ("features", "units") for k in opts)
    return first or (optioned and opts.get("kernel_size", [3])[0] == 3)


def versions() -> dict[str, str]:
    """Versions of every framework the goldens come from."""
    import flax
    import jax
    import keras
    import onnx
    import tensorflow as tf
    import tf_keras
    import torch

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__,
        "keras": keras.__version__,
        "keras_backend": keras.backend.backend(),
        "tensorflow": tf.__version__,
        "tf_keras": tf_keras.__version__,
        "jax": jax.__version__,
        "flax": flax.__version__,
        "onnx": onnx.__version__,
    }


def main(argv: list[str] | None = None) -> int:
    """Build every case, write the JSON and the .npz."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0], allow_abbrev=False)
    parser.add_argument("--out-dir", type=Path, default=ROOT / "tests" / "data")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(SEED)
    records: list[dict[str, Any]] = []
    arrays: Arrays = {}
    for index, (layer, opts) in enumerate(CASES):
        wanted = forward_wanted(layer, index, CASES)
        case, case_arrays = builder(layer)(layer, opts, rng if wanted else None)
        cid = case_id(layer, opts)
        record = {"id": cid, "layer": layer, "options": opts, **case, "forward": bool(case_arrays)}
        records.append(record)
        for key, value in case_arrays.items():
            arrays[f"{cid}|{key}"] = value
        print(f"{cid}: {case['total_params']}{' + forward' if case_arrays else ''}", file=sys.stderr)
    ids = [r["id"] for r in records]
    assert len(set(ids)) == len(ids), "case ids must be unique"
    args.out_dir.mkdir(parents=True, exist_ok=True)
    document = {
        "generator": "tools/make_golden_zoo.py",
        "seed": SEED,
        "batch": BATCH,
        "steps": STEPS,
        "versions": versions(),
        "cases": records,
    }
    (args.out_dir / "golden_zoo.json").write_text(json.dumps(document, indent=1) + "\n")
    np.savez_compressed(args.out_dir / "golden_zoo_forward.npz", allow_pickle=False, **arrays)
    return 0


if __name__ == "__main__":
    sys.exit(main())
