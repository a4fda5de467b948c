"""lstmviz.forward against real Keras 3 / PyTorch (oracle), a recorded golden file and a textbook loop."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstmviz.conventions import gate_kinds
from lstmviz.counting import DIRECTIONS, breakdown
from lstmviz.forward import ForwardResult, forward
from lstmviz.inputs import MAX_VALUES, one_hot_sequence, random_inputs, sine_waves
from lstmviz.spec import RecurrentSpec
from lstmviz.weights import init_weights
from tests import strategies
from tools.make_golden_forward import oracle_weights, run_framework, run_keras

# lstmviz/__init__.py exports the function forward, which shadows the module's attribute name.
forward_module = importlib.import_module("lstmviz.forward")
GOLDEN = Path(__file__).parent / "data" / "golden_forward.npz"
ATOL = RTOL = 1e-5


def _close(ours: np.ndarray, theirs: np.ndarray, what: str) -> None:
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape} != {theirs.shape}"
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL, err_msg=what)


def _check_against(result: ForwardResult, expected: dict[str, np.ndarray]) -> None:
    _close(result.outputs, expected["outputs"], "outputs")
    _close(result.h_n, expected["h_n"], "h_n")
    if result.spec.cell == "lstm":
        assert result.c_n is not None
        _close(result.c_n, expected["c_n"], "c_n")
    else:
        assert result.c_n is None


# --- a textbook loop in float64, straight from each framework's documented equations -----------


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-a))


def _reference(spec: RecurrentSpec, weights: dict[str, np.ndarray], inputs: np.ndarray) -> dict[str, np.ndarray]:
    """One gate and one timestep at a time: slow, obvious, independent of forward()'s tricks."""
    h, seq = spec.units, inputs.astype(np.float64)
    symbols = [k.symbol for k in gate_kinds(spec.framework, spec.cell)]
    h_n, c_n = [], []
    for layer in range(spec.layers):
        outs = []
        for direction in DIRECTIONS[: spec.directions]:
            tensors = breakdown(spec).layer(layer, direction).tensors
            w = {re.sub(r"_l\d+(_reverse)?$", "", t.name): weights[t.key].astype(np.float64) for t in tensors}
            g = len(symbols)
            if spec.framework == "keras":
                W, U = w["kernel"], w["recurrent_kernel"]
                bias = w.get("bias", np.zeros(g * h))
                b_in, b_rec = (bias[0], bias[1]) if bias.ndim == 2 else (bias, np.zeros(g * h))
                P = None
            else:
                W, U, P = w["weight_ih"].T, w["weight_hh"].T, w.get("weight_hr")
                b_in, b_rec = w.get("bias_ih", np.zeros(g * h)), w.get("bias_hh", np.zeros(g * h))

            def block(a: np.ndarray, s: str) -> np.ndarray:
                k = symbols.index(s)
                return a[..., k * h : (k + 1) * h]

            n_batch, t_len = seq.shape[0], seq.shape[1]
            hp, c = np.zeros((n_batch, spec.hidden_out)), np.zeros((n_batch, h))
            out = np.zeros((n_batch, t_len, spec.hidden_out))
            order = range(t_len - 1, -1, -1) if direction == "backward" else range(t_len)
            for t in order:
                xa, ha = seq[:, t] @ W + b_in, hp @ U + b_rec
                if spec.cell == "lstm":
                    cand = "c" if spec.framework == "keras" else "g"
                    i, f, o = (_sigmoid(block(xa, s) + block(ha, s)) for s in "ifo")
                    c = f * c + i * np.tanh(block(xa, cand) + block(ha, cand))
                    hp = o * np.tanh(c) if P is None else (o * np.tanh(c)) @ P.T
                elif spec.cell == "gru" and spec.framework == "keras":
                    z, r = (_sigmoid(block(xa, s) + block(ha, s)) for s in "zr")
                    if spec.reset_after:
                        hh = np.tanh(block(xa, "h") + r * block(ha, "h"))
                    else:
                        hh = np.tanh(block(xa, "h") + (r * hp) @ block(U, "h"))
                    hp = z * hp + (1 - z) * hh
                elif spec.cell == "gru":
                    r, z = (_sigmoid(block(xa, s) + block(ha, s)) for s in "rz")
                    n = np.tanh(block(xa, "n") + r * block(ha, "n"))
                    hp = (1 - z) * n + z * hp
                else:
                    hp = np.tanh(xa + ha)
                out[:, t] = hp
            outs.append(out)
            h_n.append(hp)
            c_n.append(c)
        seq = np.concatenate(outs, axis=-1)
    result = {"outputs": seq, "h_n": np.stack(h_n)}
    if spec.cell == "lstm":
        result["c_n"] = np.stack(c_n)
    return result


def specs() -> st.SearchStrategy[RecurrentSpec]:
    """Small specs: the textbook loop is slow."""
    return strategies.specs(
        sizes=st.integers(1, 6), features=st.integers(1, 5), frameworks=strategies.ORACLE_FRAMEWORKS
    )


@settings(max_examples=80, deadline=None)
@given(spec=specs(), batch=st.integers(1, 3), t_len=st.integers(1, 7), seed=st.integers(0, 2**16))
def test_matches_the_textbook_loop(spec: RecurrentSpec, batch: int, t_len: int, seed: int) -> None:
    weights = oracle_weights(spec, seed)
    inputs = random_inputs(batch, t_len, spec.features, seed)
    _check_against(forward(spec, weights, inputs), _reference(spec, weights, inputs))


# --- golden file: what the frameworks returned, recorded by tools/make_golden_forward.py ---------


def _golden_cases() -> dict[str, dict[str, Any]]:
    cases: dict[str, dict[str, Any]] = {}
    with np.load(GOLDEN, allow_pickle=False) as data:
        for key in data.files:
            if key != "versions":
                name, rest = key.split("/", 1)
                cases.setdefault(name, {})[rest] = data[key]
    for case in cases.values():
        case["spec"] = spec = RecurrentSpec(**json.loads(str(case["spec"])))
        # Stored by position in framework order: the file outlives any rename of Tensor.key.
        tensors = breakdown(spec).tensors
        case["weights"] = {t.key: case[f"weight/{i:02d}"] for i, t in enumerate(tensors)}
        assert len(json.loads(str(case["weight_keys"]))) == len(tensors)
    return cases


GOLDEN_CASES = _golden_cases()


def test_golden_file_is_small_and_covers_every_cell() -> None:
    assert GOLDEN.stat().st_size < 300_000
    kinds = {(c["spec"].framework, c["spec"].cell, c["spec"].uses_reset_after) for c in GOLDEN_CASES.values()}
    assert len(kinds) == 7  # 2 frameworks × 3 cells, plus Keras's reset-before GRU
    assert "seed-keras-lstm-onehot" in GOLDEN_CASES and "seed-pytorch-lstm-onehot" in GOLDEN_CASES


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_golden(name: str) -> None:
    case = GOLDEN_CASES[name]
    result = forward(case["spec"], case["weights"], case["inputs"])
    _check_against(result, case)


def test_tutorial_one_hot_example() -> None:
    case = GOLDEN_CASES["seed-keras-lstm-onehot"]
    np.testing.assert_array_equal(case["inputs"], one_hot_sequence((4, 7, 8, 4), depth=10))
    result = forward(case["spec"], case["weights"], case["inputs"])
    assert result.outputs.shape == (1, 4, 2) and result.h_n.shape == (1, 1, 2)
    assert set(result.gates[(0, "forward")]) == {"i", "f", "c", "o"}
    assert result.gates[(0, "forward")]["i"].shape == (1, 4, 2)
    assert result.c_t[(0, "forward")].shape == (1, 4, 2)
    np.testing.assert_array_equal(result.last_output, result.outputs[:, -1])


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_trace_is_consistent(name: str) -> None:
    case = GOLDEN_CASES[name]
    spec: RecurrentSpec = case["spec"]
    result = forward(spec, case["weights"], case["inputs"])
    d, h_out = spec.directions, spec.hidden_out
    for k, direction in enumerate(DIRECTIONS[:d]):
        top = result.h_t[(spec.layers - 1, direction)]
        np.testing.assert_array_equal(top, result.outputs[..., k * h_out : (k + 1) * h_out])
        last = 0 if direction == "backward" else -1  # the backward pass ends at t = 0
        np.testing.assert_array_equal(result.h_n[(spec.layers - 1) * d + k], top[:, last])
    for (layer, direction), gates in result.gates.items():
        assert list(gates) == [kind.symbol for kind in gate_kinds(spec.framework, spec.cell)]
        for kind in gate_kinds(spec.framework, spec.cell):
            values = gates[kind.symbol]
            low = 0.0 if kind.activation == "sigmoid" else -1.0
            assert values.shape == (*case["inputs"].shape[:2], spec.units)
            assert values.min() >= low and values.max() <= 1.0
        if spec.cell == "lstm" and not spec.proj_size:
            o, c = gates["o"], result.c_t[(layer, direction)]
            np.testing.assert_allclose(result.h_t[(layer, direction)], o * np.tanh(c), atol=1e-6)


def test_result_is_read_only() -> None:
    case = GOLDEN_CASES["seed-pytorch-lstm-onehot"]
    result = forward(case["spec"], case["weights"], case["inputs"])
    with pytest.raises(ValueError):
        result.outputs[0, 0, 0] = 1.0
    with pytest.raises(ValueError):
        result.gates[(0, "forward")]["i"][0, 0, 0] = 1.0
    with pytest.raises(TypeError):
        result.gates[(0, "forward")] = {}  # type: ignore[index]


def test_uses_the_inputs_own_timesteps() -> None:
    spec = RecurrentSpec(framework="pytorch", cell="gru", features=3, units=2, timesteps=40)
    result = forward(spec, init_weights(spec, 0), sine_waves(2, 11, 3))
    assert result.outputs.shape == (2, 11, 2)


# --- errors --------------------------------------------------------------------------------------

SPEC = RecurrentSpec(framework="keras", cell="lstm", features=3, units=2)
KERNEL = "lstm/lstm_cell/kernel"


def test_missing_weight_names_key_and_shape() -> None:
    weights = init_weights(SPEC)
    del weights[KERNEL]
    with pytest.raises(ValueError, match=r"lstm/lstm_cell/kernel.*\(3, 8\)"):
        forward(SPEC, weights, random_inputs(1, 4, 3))


def test_extra_weight_names_key_and_shape() -> None:
    weights = init_weights(SPEC)
    weights["lstm_1/lstm_cell/kernel"] = np.zeros((2, 8), np.float32)
    with pytest.raises(ValueError, match=r"lstm_1/lstm_cell/kernel.*\(2, 8\)"):
        forward(SPEC, weights, random_inputs(1, 4, 3))


@pytest.mark.parametrize(
    ("spec", "key", "bad"),
    [
        (SPEC, KERNEL, (8, 3)),  # PyTorch's layout given to Keras
        (SPEC, "lstm/lstm_cell/bias", (2, 8)),
        (replace(SPEC, cell="gru"), "gru/gru_cell/bias", (6,)),  # reset_after needs (2, 3h)
        (replace(SPEC, framework="pytorch"), "weight_ih_l0", (3, 8)),
    ],
)
def test_misshaped_weight_names_key_and_both_shapes(spec: RecurrentSpec, key: str, bad: tuple[int, ...]) -> None:
    weights = init_weights(spec)
    good = weights[key].shape
    weights[key] = np.zeros(bad, np.float32)
    with pytest.raises(ValueError, match=rf"{key}.*expected {_re_shape(good)}, got {_re_shape(bad)}"):
        forward(spec, weights, random_inputs(1, 4, 3))


def _re_shape(shape: tuple[int, ...]) -> str:
    return str(shape).replace("(", r"\(").replace(")", r"\)")


@pytest.mark.parametrize(
    "inputs",
    [
        np.zeros((1, 4, 4), np.float32),  # wrong features
        np.zeros((4, 3), np.float32),  # no batch axis
        np.zeros((0, 4, 3), np.float32),
        np.zeros((1, 0, 3), np.float32),
        np.full((1, 2, 3), np.nan, np.float32),
        np.array([[["a", "b", "c"]]]),
    ],
)
def test_bad_inputs(inputs: np.ndarray) -> None:
    with pytest.raises(ValueError, match="inputs"):
        forward(SPEC, init_weights(SPEC), inputs)


def test_non_finite_weight() -> None:
    weights = init_weights(SPEC)
    weights[KERNEL][0, 0] = np.inf
    with pytest.raises(ValueError, match=KERNEL):
        forward(SPEC, weights, random_inputs(1, 4, 3))


def test_memory_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forward_module, "MAX_TRACE_VALUES", 100)
    with pytest.raises(ValueError, match="limit"):
        forward(SPEC, init_weights(SPEC), random_inputs(2, 20, 3))


# --- inputs --------------------------------------------------------------------------------------


def test_one_hot_sequence() -> None:
    x = one_hot_sequence()
    assert x.shape == (1, 4, 10) and x.dtype == np.float32
    assert x.sum() == 4 and list(x[0].argmax(axis=1)) == [4, 7, 8, 4]


@pytest.mark.parametrize("make", [sine_waves, random_inputs])
def test_seeded_inputs(make: Any) -> None:
    x = make(2, 5, 3, seed=1)
    assert x.shape == (2, 5, 3) and x.dtype == np.float32
    np.testing.assert_array_equal(x, make(2, 5, 3, seed=1))
    assert not np.array_equal(x, make(2, 5, 3, seed=2))
    if make is sine_waves:
        assert np.abs(x).max() <= 1.0


@pytest.mark.parametrize(
    "call",
    [
        lambda: one_hot_sequence((), 10),
        lambda: one_hot_sequence((10,), 10),
        lambda: one_hot_sequence((-1,), 10),
        lambda: one_hot_sequence((1,), 0),
        lambda: one_hot_sequence((True,), 3),
        lambda: sine_waves(0, 5, 3),
        lambda: sine_waves(1, 5, 3, seed=-1),
        lambda: random_inputs(1, 2.5, 3),  # type: ignore[arg-type]
        lambda: random_inputs(True, 5, 3),
        lambda: random_inputs(MAX_VALUES, 2, 1),
    ],
)
def test_inputs_validation(call: Any) -> None:
    with pytest.raises(ValueError):
        call()


# --- oracle: the real frameworks, live -----------------------------------------------------------


def _grid() -> list[RecurrentSpec]:
    variants = [
        ("keras", "lstm", True, 0),
        ("keras", "gru", True, 0),
        ("keras", "gru", False, 0),
        ("keras", "rnn", True, 0),
        ("pytorch", "lstm", True, 0),
        ("pytorch", "lstm", True, 2),
        ("pytorch", "gru", True, 0),
        ("pytorch", "rnn", True, 0),
    ]
    return [
        RecurrentSpec(
            framework=fw,
            cell=cell,
            reset_after=reset_after,
            proj_size=proj,
            features=3,
            units=4,
            timesteps=5,
            layers=layers,
            bidirectional=bidirectional,
            bias=bias,
        )
        for fw, cell, reset_after, proj in variants
        for bias in (True, False)
        for layers in (1, 2)
        for bidirectional in (False, True)
    ]


def _id(spec: RecurrentSpec) -> str:
    parts = [spec.framework, spec.cell, f"L{spec.layers}"]
    parts += ["bi"] * spec.bidirectional + ["nobias"] * (not spec.bias) + [f"p{spec.proj_size}"] * bool(spec.proj_size)
    parts += ["reset-before"] * (spec.cell == "gru" and not spec.uses_reset_after)
    return "-".join(parts)


@pytest.mark.oracle
@pytest.mark.parametrize("spec", _grid(), ids=_id)
def test_oracle_grid(spec: RecurrentSpec, frameworks: tuple[ModuleType, ModuleType]) -> None:
    weights = oracle_weights(spec, seed=11)
    inputs = sine_waves(2, 5, spec.features, seed=3)
    _check_against(forward(spec, weights, inputs), run_framework(spec, weights, inputs))


@pytest.mark.oracle
@settings(max_examples=30, deadline=None)
@given(spec=specs(), batch=st.integers(1, 3), t_len=st.integers(1, 9), seed=st.integers(0, 2**16))
def test_oracle_random(
    spec: RecurrentSpec, batch: int, t_len: int, seed: int, frameworks: tuple[ModuleType, ModuleType]
) -> None:
    weights = oracle_weights(spec, seed) if seed % 2 else init_weights(spec, seed)
    inputs = random_inputs(batch, t_len, spec.features, seed)
    _check_against(forward(spec, weights, inputs), run_framework(spec, weights, inputs))


@pytest.mark.oracle
@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_oracle_keras_last_output(cell: str, bidirectional: bool, frameworks: tuple[ModuleType, ModuleType]) -> None:
    spec = RecurrentSpec(framework="keras", cell=cell, features=3, units=4, layers=2, bidirectional=bidirectional)
    weights = oracle_weights(spec, seed=5)
    inputs = sine_waves(2, 6, 3, seed=5)
    keras_out = run_keras(spec, weights, inputs, sequences=False)["outputs"]
    _close(forward(spec, weights, inputs).last_output, keras_out, "last_output")


@pytest.mark.oracle
def test_oracle_tutorial_example(frameworks: tuple[ModuleType, ModuleType]) -> None:
    for framework in ("keras", "pytorch"):
        spec = RecurrentSpec(framework=framework, features=10, units=2, timesteps=4)
        weights, inputs = init_weights(spec, 0), one_hot_sequence()
        _check_against(forward(spec, weights, inputs), run_framework(spec, weights, inputs))


def test_core_modules_import_no_app_or_framework() -> None:
    code = (
        "import sys, lstmviz.forward, lstmviz.inputs; "
        "bad = [m for m in ('streamlit', 'plotly', 'keras', 'torch') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent.parent)


def test_lecture_inputs_by_name() -> None:
    from lstmviz.inputs import LECTURE_INPUTS, ONE_HOT, lecture_input

    one_hot = lecture_input(ONE_HOT, 40, 10)
    assert one_hot.shape == (1, 4, 10) and one_hot[0].argmax(axis=1).tolist() == [4, 7, 8, 4]
    assert all(lecture_input(kind, 12, 3).shape == (1, 12, 3) for kind in LECTURE_INPUTS if kind != ONE_HOT)
    with pytest.raises(ValueError, match="input must be one of"):
        lecture_input("white noise", 12, 3)
