"""Write a Keras 3 `.keras` file (config.json, metadata.json, model.weights.h5) without Keras.

The model is a Sequential: Input (None, x), then one recurrent layer per stacked layer with
return_sequences=True (wrapped in Bidirectional when bidirectional), so it maps (batch, T, x)
to the whole output sequence, as a PyTorch module does. The layout copies what Keras 3.15's
model.save writes, recorded by tools/make_keras_layouts.py in tests/data/keras_layouts.json.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

import h5py
import numpy as np
from numpy.typing import NDArray

from lstmviz.conventions import KERAS, class_name
from lstmviz.counting import breakdown, keras_layer_name
from lstmviz.spec import RecurrentSpec, convention_of

KERAS_VERSION = "3.15.1"  # the Keras whose layout this module writes (tests/data/keras_layouts.json)
MODEL_NAME = "sequential"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # Keras writes its JSON members with the zip epoch


def _object(module: str, name: str, config: dict[str, Any]) -> dict[str, Any]:
    return {"module": module, "class_name": name, "config": config, "registered_name": None}


def _dtype() -> dict[str, Any]:
    return _object("keras", "DTypePolicy", {"name": "float32"})


def _recurrent_config(spec: RecurrentSpec, name: str, *, backwards: bool, in_wrapper: bool) -> dict[str, Any]:
    """One LSTM / GRU / SimpleRNN layer's config with Keras's defaults."""
    config: dict[str, Any] = {
        "name": name,
        "trainable": True,
        "dtype": _dtype(),
        "return_sequences": True,
        "return_state": False,
        "go_backwards": backwards,
        "stateful": False,
        "unroll": False,
        "zero_output_for_mask": in_wrapper,  # Bidirectional sets it on both its layers
        "units": spec.units,
        "activation": "tanh",
        "use_bias": spec.bias,
        "kernel_initializer": _object(
            "keras.initializers", "GlorotUniform", {"seed": None, "input_axes": None, "output_axes": None}
        ),
        "recurrent_initializer": _object("keras.initializers", "Orthogonal", {"seed": None, "gain": 1.0}),
        "bias_initializer": _object("keras.initializers", "Zeros", {}),
        "kernel_regularizer": None,
        "recurrent_regularizer": None,
        "bias_regularizer": None,
        "activity_regularizer": None,
        "kernel_constraint": None,
        "recurrent_constraint": None,
        "bias_constraint": None,
        "dropout": 0.0,
        "recurrent_dropout": 0.0,
    }
    record = convention_of(spec)
    if any(g.activation == "sigmoid" for g in record.gates):  # LSTM and GRU gates; a SimpleRNN has none
        config["recurrent_activation"] = "sigmoid"
        config["seed"] = None
    if record.forget_bias:
        config["unit_forget_bias"] = True
    if record.has_option("reset_after"):
        config["reset_after"] = spec.reset_after
    return config


def _layer(spec: RecurrentSpec, index: int) -> dict[str, Any]:
    input_shape = [None, None, spec.features if index == 0 else spec.directions * spec.units]
    build = {"input_shape": input_shape}
    cls = class_name("keras", spec.cell)
    inner = keras_layer_name(replace(spec, bidirectional=False), index)
    if not spec.bidirectional:
        config = _recurrent_config(spec, inner, backwards=False, in_wrapper=False)
        return {**_object("keras.layers", cls, config), "build_config": build}
    halves = {
        key: {
            **_object(
                "keras.layers",
                cls,
                _recurrent_config(spec, f"{direction}_{inner}", backwards=direction == "backward", in_wrapper=True),
            ),
            "build_config": build,
        }
        for key, direction in (("layer", "forward"), ("backward_layer", "backward"))
    }
    wrapper = {"name": keras_layer_name(spec, index), "trainable": True, "dtype": _dtype(), "merge_mode": "concat"}
    return {**_object("keras.layers", "Bidirectional", {**wrapper, **halves}), "build_config": build}


def keras_config(spec: RecurrentSpec) -> dict[str, Any]:
    """The config.json of the Sequential that holds the stack."""
    _check(spec)
    input_shape = [None, None, spec.features]
    layers = [
        _object(
            "keras.layers",
            "InputLayer",
            {
                "batch_shape": input_shape,
                "dtype": "float32",
                "sparse": False,
                "ragged": False,
                "name": "input_layer",
                "optional": False,
            },
        )
    ]
    layers += [_layer(spec, index) for index in range(spec.layers)]
    config = {
        "name": MODEL_NAME,
        "trainable": True,
        "dtype": _dtype(),
        "layers": layers,
        "build_input_shape": input_shape,
    }
    return {
        **_object("keras", "Sequential", config),
        "build_config": {"input_shape": input_shape},
        "compile_config": {},
    }


def weight_paths(spec: RecurrentSpec) -> dict[str, str]:
    """HDF5 dataset path in model.weights.h5 of every tensor, keyed by `Tensor.key`."""
    _check(spec)
    paths = {}
    for layer in breakdown(spec).layers:
        group = f"layers/{keras_layer_name(spec, layer.layer)}/"
        if spec.bidirectional:
            group += f"{layer.direction}_layer/"
        # Keras stores a cell's variables in creation order: kernel, recurrent_kernel, bias.
        paths.update({t.key: f"{group}cell/vars/{k}" for k, t in enumerate(layer.tensors)})
    return paths


def weights_h5(spec: RecurrentSpec, weights: Mapping[str, NDArray[np.generic]]) -> bytes:
    """model.weights.h5: every tensor at its Keras path, plus the 'name' attributes Keras writes."""
    paths = weight_paths(spec)
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        f.create_group("layers")
        f.create_group("vars").attrs["name"] = MODEL_NAME
        cell_name = f"{convention_of(spec).snake_name}_cell"
        for layer in breakdown(spec).layers:
            outer = f"layers/{keras_layer_name(spec, layer.layer)}"
            if outer not in f:
                f.create_group(f"{outer}/vars").attrs["name"] = keras_layer_name(spec, layer.layer)
            group = outer
            if spec.bidirectional:
                group = f"{outer}/{layer.direction}_layer"
                inner = keras_layer_name(replace(spec, bidirectional=False), layer.layer)
                f.create_group(f"{group}/vars").attrs["name"] = f"{layer.direction}_{inner}"
            f.create_group(f"{group}/cell/vars").attrs["name"] = cell_name
            for tensor in layer.tensors:
                value = np.asarray(weights[tensor.key], dtype=np.float32)
                if value.shape != tensor.shape:
                    raise ValueError(f"weight {tensor.key!r} has shape {value.shape}, expected {tensor.shape}")
                f.create_dataset(paths[tensor.key], data=value)
    return buffer.getvalue()


def keras_file(
    spec: RecurrentSpec, weights: Mapping[str, NDArray[np.generic]], saved_at: datetime | None = None
) -> bytes:
    """The whole `.keras` zip: metadata.json, config.json and model.weights.h5, as model.save orders them."""
    when = saved_at or datetime.now(timezone.utc)
    metadata = {"keras_version": KERAS_VERSION, "date_saved": when.strftime("%Y-%m-%d@%H:%M:%S")}
    h5 = weights_h5(spec, weights)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in (("metadata.json", json.dumps(metadata)), ("config.json", json.dumps(keras_config(spec)))):
            archive.writestr(zipfile.ZipInfo(name, date_time=_ZIP_DATE), data)
        archive.writestr(zipfile.ZipInfo("model.weights.h5", date_time=when.timetuple()[:6]), h5)
    return buffer.getvalue()


def _check(spec: RecurrentSpec) -> None:
    if convention_of(spec).framework is not KERAS or spec.proj_size:
        raise ValueError(f"a .keras file holds a Keras layer without projection, not a {spec.framework} one")
