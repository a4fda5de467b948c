"""Regenerate tests/data/golden_counts.json from real Keras 3 (torch backend) and PyTorch layers.

Usage: python tools/make_golden.py [--out PATH]

Every case is built for real: Keras 3 via keras.Sequential, PyTorch via nn.LSTM / nn.GRU / nn.RNN
run on zeros. The file records what the frameworks report (parameter count, tensor names and
shapes in framework order, output shapes) so the golden tests can check lstmviz without either
framework installed. The cases are fixed by a seeded RNG, so re-running gives the same file
(the versions block changes only when the installed frameworks do).

The functions here are also used by tests/test_oracle.py to rebuild cases live.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import warnings
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from lstmviz.conventions import class_name  # noqa: E402
from lstmviz.counting import keras_layer_name  # noqa: E402
from lstmviz.spec import RecurrentSpec, option_applies  # noqa: E402

GOLDEN_PATH = ROOT / "tests" / "data" / "golden_counts.json"
SEED = 20240611
RANDOM_CASES = 150
LARGE_SIZES = (64, 128)
TORCH_BATCH = 2

# The seed's worked examples: (id, spec fields, expected total).
SEED_CASES: tuple[tuple[str, dict[str, Any], int], ...] = (
    (
        "seed-keras-lstm-x3-h2-T40",
        {"framework": "keras", "cell": "lstm", "features": 3, "units": 2, "timesteps": 40},
        48,
    ),
    (
        "seed-pytorch-lstm-x3-h2",
        {"framework": "pytorch", "cell": "lstm", "features": 3, "units": 2, "timesteps": 40},
        56,
    ),
    (
        "seed-keras-gru-x3-h2-reset-after",
        {"framework": "keras", "cell": "gru", "features": 3, "units": 2, "timesteps": 40, "reset_after": True},
        42,
    ),
    (
        "seed-keras-gru-x3-h2-reset-before",
        {"framework": "keras", "cell": "gru", "features": 3, "units": 2, "timesteps": 40, "reset_after": False},
        36,
    ),
)


def load_frameworks() -> tuple[ModuleType, ModuleType]:
    """Import keras (torch backend) and torch; raises ImportError if either is missing."""
    if "keras" not in sys.modules:
        os.environ["KERAS_BACKEND"] = "torch"
    import keras
    import torch

    if keras.backend.backend() != "torch":
        raise ImportError(f"keras was already imported with the {keras.backend.backend()!r} backend, not torch")
    return keras, torch


def keras_inner_name(spec: RecurrentSpec, index: int) -> str:
    """Name Keras gives the recurrent layer `index` (inside any Bidirectional) in a fresh model."""
    return keras_layer_name(replace(spec, bidirectional=False), index)


def build_keras(spec: RecurrentSpec, keras: ModuleType, explicit_names: bool = True) -> Any:
    """The Keras 3 Sequential model of the spec.

    With explicit_names, every layer (and Bidirectional wrapper) gets the name Keras would give it
    in a fresh model, so variable paths don't depend on how many layers this process has built.
    """
    layers = keras.layers
    stack: list[Any] = [keras.Input((spec.timesteps, spec.features))]
    for index in range(spec.layers):
        kwargs: dict[str, Any] = {
            "return_sequences": index < spec.layers - 1 or spec.return_sequences,
            "use_bias": spec.bias,
        }
        if spec.cell == "gru":
            kwargs["reset_after"] = spec.reset_after
        if explicit_names:
            kwargs["name"] = keras_inner_name(spec, index)
        layer = getattr(layers, class_name("keras", spec.cell))(spec.units, **kwargs)
        if spec.bidirectional:
            wrapper_kwargs = {"name": keras_layer_name(spec, index)} if explicit_names else {}
            layer = layers.Bidirectional(layer, **wrapper_kwargs)
        stack.append(layer)
    return keras.Sequential(stack, name="sequential")


def keras_record(spec: RecurrentSpec, keras: ModuleType) -> dict[str, Any]:
    """What Keras reports for the spec: count, weights in order (with model-relative path), output shape."""
    keras.backend.clear_session()
    model = build_keras(spec, keras)
    return {
        "total_params": int(model.count_params()),
        "tensors": [
            {"name": w.name, "shape": [int(d) for d in w.shape], "path": w.path.split("/", 1)[1]} for w in model.weights
        ],
        "outputs": {"output": [None if d is None else int(d) for d in model.output_shape]},
    }


def build_torch(spec: RecurrentSpec, torch: ModuleType) -> Any:
    """The PyTorch nn.LSTM / nn.GRU / nn.RNN of the spec (batch_first=True)."""
    kwargs: dict[str, Any] = {
        "num_layers": spec.layers,
        "bias": spec.bias,
        "batch_first": True,
        "bidirectional": spec.bidirectional,
    }
    if spec.cell == "lstm":
        kwargs["proj_size"] = spec.proj_size
    if spec.cell == "rnn":
        kwargs["nonlinearity"] = "tanh"
    return getattr(torch.nn, class_name("pytorch", spec.cell))(spec.features, spec.units, **kwargs)


def _without_batch(shape: Any, axis: int) -> list[int | None]:
    dims: list[int | None] = [int(d) for d in shape]
    if dims[axis] != TORCH_BATCH:
        raise AssertionError(f"expected batch {TORCH_BATCH} on axis {axis} of {dims}")
    dims[axis] = None
    return dims


def torch_record(spec: RecurrentSpec, torch: ModuleType) -> dict[str, Any]:
    """What PyTorch reports for the spec: named_parameters in order, and output/h_n/c_n shapes."""
    module = build_torch(spec, torch)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="LSTM with projections is not supported")
        output, state = module(torch.zeros(TORCH_BATCH, spec.timesteps, spec.features))
    outputs = {"output": _without_batch(output.shape, 0)}
    if spec.cell == "lstm":
        h_n, c_n = state
        outputs["h_n"] = _without_batch(h_n.shape, 1)
        outputs["c_n"] = _without_batch(c_n.shape, 1)
    else:
        outputs["h_n"] = _without_batch(state.shape, 1)
    named = list(module.named_parameters())
    return {
        "total_params": int(sum(p.numel() for _, p in named)),
        "tensors": [{"name": n, "shape": [int(d) for d in p.shape]} for n, p in named],
        "outputs": outputs,
    }


def record(case_id: str, spec: RecurrentSpec, keras: ModuleType, torch: ModuleType) -> dict[str, Any]:
    """One golden case: the spec and what its framework reports."""
    measured = keras_record(spec, keras) if spec.framework == "keras" else torch_record(spec, torch)
    return {"id": case_id, "spec": spec.as_dict(), **measured}


def dense_warmup(keras: ModuleType) -> dict[str, Any]:
    """The seed's warm-up: Input((None, 3)) → Dense(5) → Dense(2)."""
    keras.backend.clear_session()
    model = keras.Sequential([keras.Input((None, 3)), keras.layers.Dense(5), keras.layers.Dense(2)])
    return {
        "inputs": 3,
        "hidden": 5,
        "outputs": 2,
        "per_layer": [int(layer.count_params()) for layer in model.layers],
        "total_params": int(model.count_params()),
        "output_shape": [None if d is None else int(d) for d in model.output_shape],
    }


def _size(rng: random.Random) -> int:
    return rng.choice(LARGE_SIZES) if rng.random() < 0.1 else rng.randint(1, 12)


def random_spec(rng: random.Random) -> RecurrentSpec:
    """One random valid spec; every option is drawn (same stream), kept only where the layer has it."""
    framework = rng.choice(("keras", "pytorch"))
    cell = rng.choice(("lstm", "gru", "rnn"))
    units = _size(rng)
    proj_size = 0
    if framework == "pytorch" and cell == "lstm" and units > 1 and rng.random() < 0.5:
        proj_size = rng.randint(1, units - 1)
    return RecurrentSpec(
        framework=framework,
        cell=cell,
        features=_size(rng),
        units=units,
        timesteps=rng.randint(1, 50),
        layers=rng.randint(1, 3),
        bidirectional=rng.random() < 0.5,
        bias=rng.random() < 0.75,
        reset_after=rng.random() < 0.5 or not option_applies("reset_after", framework, cell),
        proj_size=proj_size,
        return_sequences=rng.random() < 0.5 and option_applies("return_sequences", framework, cell),
    )


def case_specs() -> list[tuple[str, RecurrentSpec]]:
    """All golden cases, in file order: the seed's examples, then the seeded random ones."""
    cases = [(case_id, RecurrentSpec(**fields)) for case_id, fields, _ in SEED_CASES]
    rng = random.Random(SEED)
    cases += [(f"random-{i:03d}", random_spec(rng)) for i in range(RANDOM_CASES)]
    return cases


def coverage_gaps(specs: list[RecurrentSpec]) -> list[str]:
    """Options some framework/cell never exercises in `specs` (should be empty)."""
    wanted: dict[str, set[Any]] = {}
    for fw in ("keras", "pytorch"):
        for cell in ("lstm", "gru", "rnn"):
            for key in ("layers=1", "layers=2", "layers=3", "bidirectional", "unidirectional", "bias", "no-bias"):
                wanted.setdefault(f"{fw}/{cell}", set()).add(key)
    wanted["keras/gru"] |= {"reset_after", "reset_before"}
    wanted["pytorch/lstm"] |= {"proj", "no-proj", "proj+bidirectional", "proj+layers>1"}
    for cell in ("lstm", "gru", "rnn"):
        wanted[f"keras/{cell}"] |= {"return_sequences", "last-step", "stacked+return_sequences"}
    seen: dict[str, set[Any]] = {k: set() for k in wanted}
    for s in specs:
        got = seen[f"{s.framework}/{s.cell}"]
        got |= {f"layers={s.layers}", "bidirectional" if s.bidirectional else "unidirectional"}
        got.add("bias" if s.bias else "no-bias")
        got.add("reset_after" if s.reset_after else "reset_before")
        got.add("return_sequences" if s.return_sequences else "last-step")
        if s.return_sequences and s.layers > 1:
            got.add("stacked+return_sequences")
        got.add("proj" if s.proj_size else "no-proj")
        if s.proj_size and s.bidirectional:
            got.add("proj+bidirectional")
        if s.proj_size and s.layers > 1:
            got.add("proj+layers>1")
    large = any(max(s.features, s.units) in LARGE_SIZES for s in specs)
    gaps = [f"{k}: {sorted(wanted[k] - seen[k])}" for k in sorted(wanted) if wanted[k] - seen[k]]
    return gaps + ([] if large else ["no case with a large size"])


def versions(keras: ModuleType, torch: ModuleType) -> dict[str, str]:
    """Versions of the tools that produced the file."""
    import numpy

    return {
        "keras": keras.__version__,
        "keras_backend": keras.backend.backend(),
        "torch": torch.__version__,
        "numpy": numpy.__version__,
        "python": platform.python_version(),
    }


def golden(keras: ModuleType, torch: ModuleType) -> dict[str, Any]:
    """The whole golden document."""
    cases = case_specs()
    gaps = coverage_gaps([spec for _, spec in cases])
    if gaps:
        raise AssertionError("random cases miss options: " + "; ".join(gaps))
    records = [record(case_id, spec, keras, torch) for case_id, spec in cases]
    for (case_id, _, expected), rec in zip(SEED_CASES, records, strict=False):
        if rec["total_params"] != expected:
            raise AssertionError(f"{case_id}: the framework reports {rec['total_params']}, the seed says {expected}")
    warmup = dense_warmup(keras)
    if warmup["per_layer"] != [20, 12] or warmup["total_params"] != 32:
        raise AssertionError(f"dense warm-up: {warmup}")
    return {
        "generator": "tools/make_golden.py",
        "seed": SEED,
        "versions": versions(keras, torch),
        "dense_warmup": warmup,
        "cases": records,
    }


def dumps(document: dict[str, Any]) -> str:
    """JSON text with one case per line: compact, stable and diff-friendly."""
    head = {k: v for k, v in document.items() if k != "cases"}
    lines = [f"  {json.dumps(k)}: {json.dumps(v)}," for k, v in head.items()]
    cases = [f"    {json.dumps(c, separators=(',', ':'))}" for c in document["cases"]]
    return "{\n" + "\n".join(lines) + '\n  "cases": [\n' + ",\n".join(cases) + "\n  ]\n}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=GOLDEN_PATH)
    args = parser.parse_args(argv)
    keras, torch = load_frameworks()
    document = golden(keras, torch)
    text = dumps(document)
    json.loads(text)  # the hand-joined text must stay valid JSON
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(f"wrote {len(document['cases'])} cases to {args.out} ({document['versions']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
