"""Record how real Keras 3 saves the models `lstmviz convert --to keras` writes: tests/data/keras_layouts.json.

Usage: python tools/make_keras_layouts.py [--out PATH]

Each case is a keras.Sequential built for real (Input (None, x), then one recurrent layer per
stacked layer, return_sequences=True, Bidirectional-wrapped when bidirectional, named as Keras
names them in a fresh model) and saved with model.save. The file records the zip members,
config.json (without Keras's per-process shared_object_id markers), metadata.json's keys and
every HDF5 group (with attributes) and dataset (with shape and dtype) of model.weights.h5.
tests/test_convert.py checks lstmviz.modelfiles.keras_writer against it.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import h5py  # noqa: E402

from lstmviz.conventions import class_name  # noqa: E402
from lstmviz.counting import keras_layer_name  # noqa: E402
from lstmviz.spec import RecurrentSpec  # noqa: E402
from tools.make_golden import keras_inner_name, load_frameworks, versions  # noqa: E402

LAYOUTS_PATH = ROOT / "tests" / "data" / "keras_layouts.json"

CASES: tuple[tuple[str, RecurrentSpec], ...] = tuple(
    (case_id, RecurrentSpec(framework="keras", return_sequences=True, **fields))  # type: ignore[arg-type]
    for case_id, fields in (
        ("lstm", {"cell": "lstm", "features": 3, "units": 2}),
        ("lstm-no-bias-stacked", {"cell": "lstm", "features": 5, "units": 4, "layers": 2, "bias": False}),
        ("gru", {"cell": "gru", "features": 3, "units": 2}),
        ("gru-no-bias", {"cell": "gru", "features": 2, "units": 3, "bias": False}),
        ("simple-rnn", {"cell": "rnn", "features": 4, "units": 3}),
        ("bidirectional-lstm-stacked", {"cell": "lstm", "features": 3, "units": 2, "layers": 2, "bidirectional": True}),
        ("bidirectional-gru-stacked-3", {"cell": "gru", "features": 2, "units": 2, "layers": 3, "bidirectional": True}),
        ("bidirectional-rnn-no-bias", {"cell": "rnn", "features": 3, "units": 5, "bidirectional": True, "bias": False}),
    )
)


def build_model(spec: RecurrentSpec, keras: Any) -> Any:
    """The Sequential a conversion to Keras writes, built by Keras itself."""
    stack: list[Any] = [keras.Input((None, spec.features))]
    for index in range(spec.layers):
        kwargs: dict[str, Any] = {
            "return_sequences": True,
            "use_bias": spec.bias,
            "name": keras_inner_name(spec, index),
        }
        if spec.cell == "gru":
            kwargs["reset_after"] = spec.reset_after
        layer = getattr(keras.layers, class_name("keras", spec.cell))(spec.units, **kwargs)
        if spec.bidirectional:
            layer = keras.layers.Bidirectional(layer, name=keras_layer_name(spec, index))
        stack.append(layer)
    return keras.Sequential(stack, name="sequential")


def without_shared_ids(value: Any) -> Any:
    """The config with Keras's shared_object_id keys (memory addresses of this process) removed."""
    if isinstance(value, dict):
        return {k: without_shared_ids(v) for k, v in value.items() if k != "shared_object_id"}
    if isinstance(value, list):
        return [without_shared_ids(v) for v in value]
    return value


def h5_tree(data: bytes) -> dict[str, Any]:
    """Every group (its attributes) and dataset (shape, dtype) of an HDF5 file, by path."""
    tree: dict[str, Any] = {}
    with h5py.File(io.BytesIO(data), "r") as f:
        tree["/"] = {"attrs": {k: _attr(v) for k, v in f.attrs.items()}}

        def visit(name: str, obj: Any) -> None:
            if isinstance(obj, h5py.Dataset):
                tree[name] = {"shape": list(obj.shape), "dtype": str(obj.dtype)}
            else:
                tree[name] = {"attrs": {k: _attr(v) for k, v in obj.attrs.items()}}

        f.visititems(visit)
    return tree


def _attr(value: Any) -> Any:
    return value.decode() if isinstance(value, bytes) else str(value) if not isinstance(value, str | int) else value


def record(case_id: str, spec: RecurrentSpec, keras: Any) -> dict[str, Any]:
    """What model.save writes for one case."""
    keras.backend.clear_session()
    model = build_model(spec, keras)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.keras"
        model.save(path)
        with zipfile.ZipFile(path) as archive:
            members = [{"name": i.filename, "compress_type": i.compress_type} for i in archive.infolist()]
            config = json.loads(archive.read("config.json"))
            metadata = json.loads(archive.read("metadata.json"))
            weights = archive.read("model.weights.h5")
    return {
        "id": case_id,
        "spec": spec.as_dict(),
        "members": members,
        "config": without_shared_ids(config),
        "metadata_keys": sorted(metadata),
        "h5": h5_tree(weights),
        "weight_paths": [w.path for w in model.weights],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=LAYOUTS_PATH)
    args = parser.parse_args(argv)
    keras, torch = load_frameworks()
    document = {
        "generator": "tools/make_keras_layouts.py",
        "versions": versions(keras, torch),
        "cases": [record(case_id, spec, keras) for case_id, spec in CASES],
    }
    args.out.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(CASES)} cases to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
