"""Regenerate tests/data/golden_forward.npz from real Keras 3 (torch backend) and PyTorch layers.

Usage: python tools/make_golden_forward.py [--out PATH]

Each case sets seeded weights into the real layers, runs them on a small input and records
what the framework returns: the last layer's output sequence and the final states in PyTorch's
(D·L, N, ·) layout. The golden tests then check lstmviz.forward without either framework.
npz keys: "<case>/spec" (JSON), "<case>/inputs", "<case>/weight/<NN>" (tensor NN in framework
order), "<case>/weight_keys" (JSON: their Tensor.key when written),
"<case>/outputs", "<case>/h_n", "<case>/c_n" (LSTM only); "versions" (JSON).

The functions here are also used by tests/test_forward.py to run the frameworks live.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from lstmviz.counting import breakdown  # noqa: E402
from lstmviz.forward import forward  # noqa: E402
from lstmviz.inputs import one_hot_sequence, random_inputs, sine_waves  # noqa: E402
from lstmviz.spec import RecurrentSpec  # noqa: E402
from lstmviz.weights import init_weights  # noqa: E402
from tools.make_golden import build_torch, load_frameworks  # noqa: E402

GOLDEN_PATH = ROOT / "tests" / "data" / "golden_forward.npz"

Arrays = dict[str, np.ndarray]


def oracle_weights(spec: RecurrentSpec, seed: int) -> Arrays:
    """init_weights, with every bias replaced by seeded noise: Keras's zero biases would hide a bias mix-up."""
    weights = init_weights(spec, seed)
    rng = np.random.default_rng([seed, 99])
    for t in breakdown(spec).tensors:
        if t.role == "bias":
            weights[t.key] = rng.uniform(-0.5, 0.5, size=t.shape).astype(np.float32)
    return weights


def run_keras(
    spec: RecurrentSpec, weights: Mapping[str, np.ndarray], inputs: np.ndarray, sequences: bool = True
) -> Arrays:
    """Run a Keras 3 functional model of the spec; sequences=False makes the top layer return its last output."""
    keras, _ = load_frameworks()
    cls = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU, "rnn": keras.layers.SimpleRNN}[spec.cell]
    extra = {"reset_after": spec.reset_after} if spec.cell == "gru" else {}
    tensors = breakdown(spec).tensors
    x = inp = keras.Input(shape=(None, spec.features))
    layers: list[Any] = []
    states: list[Any] = []
    for index in range(spec.layers):
        top = index == spec.layers - 1
        rnn = cls(spec.units, use_bias=spec.bias, return_sequences=sequences or not top, return_state=True, **extra)
        layer = keras.layers.Bidirectional(rnn) if spec.bidirectional else rnn
        out = layer(x)
        x, states = out[0], states + list(out[1:])
        layers.append(layer)
    model = keras.Model(inp, [x, *states])
    for index, layer in enumerate(layers):
        layer.set_weights([np.asarray(weights[t.key]) for t in tensors if t.layer == index])
    # The torch backend returns torch tensors; .numpy() avoids Keras's deprecated np.array() route.
    result = [v.detach().cpu().numpy() for v in model(inputs.astype(np.float32))]
    per = 2 if spec.cell == "lstm" else 1  # states per direction: (h, c) or (h,)
    arrays = {"outputs": result[0], "h_n": np.stack(result[1::per])}
    if spec.cell == "lstm":
        arrays["c_n"] = np.stack(result[2::per])
    return arrays


def run_torch(spec: RecurrentSpec, weights: Mapping[str, np.ndarray], inputs: np.ndarray) -> Arrays:
    """Run nn.LSTM / nn.GRU / nn.RNN (batch_first) with the given weights."""
    _, torch = load_frameworks()
    module = build_torch(spec, torch)
    names = [name for name, _ in module.named_parameters()]
    if names != [t.key for t in breakdown(spec).tensors]:
        raise AssertionError(f"PyTorch parameters {names} differ from lstmviz's tensor keys")
    with torch.no_grad():
        for name, param in module.named_parameters():
            param.copy_(torch.from_numpy(np.asarray(weights[name], dtype=np.float32)))
        out, state = module(torch.from_numpy(inputs.astype(np.float32)))
    arrays = {"outputs": out.numpy()}
    if spec.cell == "lstm":
        arrays["h_n"], arrays["c_n"] = state[0].numpy(), state[1].numpy()
    else:
        arrays["h_n"] = state.numpy()
    return arrays


def run_framework(spec: RecurrentSpec, weights: Mapping[str, np.ndarray], inputs: np.ndarray) -> Arrays:
    """The framework the spec names, run for real."""
    return (run_keras if spec.framework == "keras" else run_torch)(spec, weights, inputs)


def _spec(**fields: Any) -> RecurrentSpec:
    return RecurrentSpec(**fields)


SEED_INPUT = one_hot_sequence((4, 7, 8, 4), depth=10)

# (name, spec, inputs, weight seed): small, but every code path of forward() at least once.
CASES: tuple[tuple[str, RecurrentSpec, np.ndarray, int], ...] = (
    ("seed-keras-lstm-onehot", _spec(framework="keras", features=10, units=2, timesteps=4), SEED_INPUT, 0),
    ("seed-pytorch-lstm-onehot", _spec(framework="pytorch", features=10, units=2, timesteps=4), SEED_INPUT, 0),
    (
        "keras-lstm-bi-2layers",
        _spec(framework="keras", features=3, units=4, timesteps=7, layers=2, bidirectional=True),
        sine_waves(2, 7, 3, seed=1),
        1,
    ),
    (
        "keras-gru-reset-after",
        _spec(framework="keras", cell="gru", features=3, units=4),
        sine_waves(2, 9, 3, seed=2),
        2,
    ),
    (
        "keras-gru-reset-before-bi-2layers",
        _spec(framework="keras", cell="gru", reset_after=False, features=3, units=3, layers=2, bidirectional=True),
        random_inputs(2, 6, 3, seed=3),
        3,
    ),
    (
        "keras-rnn-nobias",
        _spec(framework="keras", cell="rnn", features=4, units=5, bias=False),
        random_inputs(3, 5, 4, seed=4),
        4,
    ),
    (
        "pytorch-lstm-proj-bi-2layers",
        _spec(framework="pytorch", features=3, units=5, proj_size=2, layers=2, bidirectional=True),
        sine_waves(2, 8, 3, seed=5),
        5,
    ),
    (
        "pytorch-gru-bi-2layers",
        _spec(framework="pytorch", cell="gru", features=3, units=4, layers=2, bidirectional=True),
        random_inputs(2, 6, 3, seed=6),
        6,
    ),
    (
        "pytorch-rnn-nobias",
        _spec(framework="pytorch", cell="rnn", features=4, units=3, bias=False),
        random_inputs(2, 5, 4, seed=7),
        7,
    ),
)


def build_golden() -> Arrays:
    """Every case's spec, inputs, weights and framework results, keyed for np.savez."""
    keras, torch = load_frameworks()
    arrays: Arrays = {
        "versions": np.array(
            json.dumps({"keras": keras.__version__, "torch": torch.__version__, "numpy": np.__version__})
        )
    }
    for name, spec, inputs, seed in CASES:
        weights = oracle_weights(spec, seed)
        expected = run_framework(spec, weights, inputs)
        ours = forward(spec, weights, inputs)
        gap = max(
            float(np.abs(ours.outputs - expected["outputs"]).max()), float(np.abs(ours.h_n - expected["h_n"]).max())
        )
        print(f"{name:40s} max |forward - {spec.framework}| = {gap:.2e}")
        arrays[f"{name}/spec"] = np.array(json.dumps(spec.as_dict()))
        arrays[f"{name}/inputs"] = inputs.astype(np.float32)
        # Weights by position in framework order, so a later rename of Tensor.key keeps the file valid.
        keys = [t.key for t in breakdown(spec).tensors]
        arrays[f"{name}/weight_keys"] = np.array(json.dumps(keys))
        arrays.update({f"{name}/weight/{i:02d}": weights[key] for i, key in enumerate(keys)})
        arrays.update({f"{name}/{key}": value for key, value in expected.items()})
    return arrays


def main(argv: list[str] | None = None) -> int:
    """Write the golden file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=GOLDEN_PATH)
    args = parser.parse_args(argv)
    arrays = build_golden()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, **arrays)  # type: ignore[arg-type]  # numpy's stub types the first kwarg as bool
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes, {len(CASES)} cases)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
