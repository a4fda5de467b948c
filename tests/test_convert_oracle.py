"""`lstmviz convert` against real Keras 3 and PyTorch: files in, files out, outputs compared to 1e-5.

Random layers are built in the real frameworks and saved by them; the CLI converts the file;
the result is loaded by the other framework (load_state_dict(strict=True) into nn.LSTM / nn.GRU /
nn.RNN, or keras.saving.load_model on the .keras file lstmviz wrote) and run on the same inputs.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lstmviz.cli import main
from lstmviz.counting import keras_layer_name
from lstmviz.spec import RecurrentSpec
from tools import make_golden, make_keras_layouts

pytestmark = pytest.mark.oracle

TOLERANCE = 1e-5
SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@st.composite
def layer_specs(draw: st.DrawFn, framework: str) -> RecurrentSpec:
    """A small stack: any cell, sizes, bias, direction, depth and (Keras GRU) reset_after."""
    cell = draw(st.sampled_from(("lstm", "gru", "rnn")))
    return RecurrentSpec(
        framework=framework,
        cell=cell,
        features=draw(st.integers(1, 6)),
        units=draw(st.integers(1, 6)),
        layers=draw(st.integers(1, 3)),
        bidirectional=draw(st.booleans()),
        bias=draw(st.booleans()),
        reset_after=draw(st.booleans()) if cell == "gru" and framework == "keras" else True,
        return_sequences=framework == "keras",  # a PyTorch spec has no such option
    )


def _randomise_keras(model: Any, seed: int) -> None:
    # Trained-looking weights: every tensor (biases too) away from its initial value.
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(0.0, 0.6, w.shape).astype(np.float32) for w in model.get_weights()])


def _inputs(features: int, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((2, 11, features)).astype(np.float32)


def _run(*argv: str | Path) -> int:
    return main(["convert", *map(str, argv)])


def _torch_modules(torch: ModuleType, path: Path, specs: list[tuple[str, RecurrentSpec]]) -> list[Any]:
    from safetensors.torch import load_file

    state = load_file(str(path))
    modules = []
    for name, spec in specs:
        module = make_golden.build_torch(spec, torch)
        part = {k.removeprefix(name + "."): v for k, v in state.items() if k.startswith(name + ".")}
        module.load_state_dict(part, strict=True)
        modules.append(module)
    assert sum(len(m.state_dict()) for m in modules) == len(state)  # nothing left over
    return modules


@SETTINGS
@given(spec=layer_specs("keras"), seed=st.integers(0, 2**16))
def test_keras_to_pytorch(
    frameworks: tuple[ModuleType, ModuleType],
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    spec: RecurrentSpec,
    seed: int,
) -> None:
    keras, torch = frameworks
    keras.backend.clear_session()
    model = _keras_model(spec, keras)
    _randomise_keras(model, seed)
    tmp = tmp_path_factory.mktemp("k2p")
    model.save(tmp / "model.keras")
    out = tmp / "model.safetensors"
    code = _run(tmp / "model.keras", out, "--to", "pytorch")
    text = capsys.readouterr()
    if spec.cell == "gru" and not spec.reset_after:
        assert code == 2 and not out.exists()
        assert "reset_after=False" in text.err and text.err.count("\n") == 1
        return
    assert code == 0, text.err
    assert "max |Δ| = " in text.out and "load_state_dict(part, strict=True)" in text.out
    printed: dict[str, Any] = {}  # the printed PyTorch code runs as printed
    exec(compile(text.out[text.out.index("import torch") :], "printed", "exec"), printed)
    assert tuple(printed["outputs"].shape) == (2, 40, spec.directions * spec.units)
    one_layer = RecurrentSpec(**{**spec.as_dict(), "framework": "pytorch", "layers": 1, "return_sequences": False})
    names = [keras_layer_name(spec, i) for i in range(spec.layers)]
    stack = [(name, one_layer if i == 0 else _above(one_layer)) for i, name in enumerate(names)]
    x = _inputs(spec.features)
    y = torch.from_numpy(x)
    with torch.no_grad():
        for module in _torch_modules(torch, out, stack):
            y, _ = module(y)
    expected = keras.ops.convert_to_numpy(model(x))
    assert np.abs(y.numpy() - expected).max() <= TOLERANCE


def _above(spec: RecurrentSpec) -> RecurrentSpec:
    """The spec of a separate Keras layer stacked on `spec`: its input is the layer below's output."""
    return RecurrentSpec(**{**spec.as_dict(), "features": spec.directions * spec.units})


def _keras_model(spec: RecurrentSpec, keras: ModuleType) -> Any:
    return make_keras_layouts.build_model(spec, keras)


@SETTINGS
@given(spec=layer_specs("pytorch"), prefix=st.sampled_from(["", "rnn", "encoder.rnn"]))
def test_pytorch_to_keras(
    frameworks: tuple[ModuleType, ModuleType],
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    spec: RecurrentSpec,
    prefix: str,
) -> None:
    keras, torch = frameworks
    from safetensors.torch import save_file

    torch.manual_seed(0)
    module = make_golden.build_torch(spec, torch)
    tmp = tmp_path_factory.mktemp("p2k")
    dot = prefix + "." if prefix else ""
    save_file({dot + k: v.detach().contiguous() for k, v in module.state_dict().items()}, str(tmp / "m.safetensors"))
    out = tmp / "m.keras"
    code = _run(tmp / "m.safetensors", out, "--to", "keras")
    text = capsys.readouterr()
    assert code == 0, text.err
    printed: dict[str, Any] = {}  # the printed Keras code runs as printed
    exec(compile(text.out[text.out.index("import os") :], "printed", "exec"), printed)
    assert tuple(printed["outputs"].shape) == (2, 40, spec.directions * spec.units)
    keras.backend.clear_session()
    loaded = keras.saving.load_model(out)
    x = _inputs(spec.features)
    with torch.no_grad():
        expected = module(torch.from_numpy(x))[0].numpy()
    assert np.abs(keras.ops.convert_to_numpy(loaded(x)) - expected).max() <= TOLERANCE
    assert loaded.count_params() <= sum(p.numel() for p in module.parameters())  # one LSTM bias, not two


@SETTINGS
@given(spec=layer_specs("keras").map(lambda s: RecurrentSpec(**{**s.as_dict(), "layers": 1, "reset_after": True})))
def test_keras_round_trip_reproduces_the_weights(
    frameworks: tuple[ModuleType, ModuleType],
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    spec: RecurrentSpec,
) -> None:
    keras, _ = frameworks
    keras.backend.clear_session()
    model = _keras_model(spec, keras)
    _randomise_keras(model, 7)
    tmp = tmp_path_factory.mktemp("trip")
    model.save(tmp / "a.keras")
    assert _run(tmp / "a.keras", tmp / "b.safetensors", "--to", "pytorch") == 0
    assert _run(tmp / "b.safetensors", tmp / "c.keras", "--to", "keras") == 0
    capsys.readouterr()
    keras.backend.clear_session()
    back = keras.saving.load_model(tmp / "c.keras")
    before, after = model.get_weights(), back.get_weights()
    assert len(before) == len(after)
    for a, b in zip(before, after, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("kind", ["legacy-h5", "weights-h5"])
def test_other_keras_formats(
    frameworks: tuple[ModuleType, ModuleType], tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    keras, torch = frameworks
    spec = RecurrentSpec(framework="keras", cell="gru", features=3, units=4, bidirectional=True)
    keras.backend.clear_session()
    model = _keras_model(spec, keras)
    _randomise_keras(model, 3)
    source = tmp_path / ("model.h5" if kind == "legacy-h5" else "model.weights.h5")
    if kind == "legacy-h5":
        model.save(source)
    else:
        model.save_weights(source)
    out = tmp_path / "model.safetensors"
    assert _run(source, out, "--to", "pytorch") == 0, capsys.readouterr().err
    capsys.readouterr()
    (module,) = _torch_modules(
        torch,
        out,
        [("bidirectional", RecurrentSpec(**{**spec.as_dict(), "framework": "pytorch", "return_sequences": False}))],
    )
    x = _inputs(3)
    with torch.no_grad():
        got = module(torch.from_numpy(x))[0].numpy()
    assert np.abs(got - keras.ops.convert_to_numpy(model(x))).max() <= TOLERANCE


# --- refusals through the CLI ------------------------------------------------------------------


def _refused(capsys: pytest.CaptureFixture[str], out: Path, *argv: str | Path) -> str:
    code = _run(*argv)
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert err.startswith("lstmviz: error: ") and err.count("\n") == 1 and "Traceback" not in err
    return err


def test_refuses_proj_size(frameworks: tuple[ModuleType, ModuleType], tmp_path: Path, capsys: Any) -> None:
    _, torch = frameworks
    from safetensors.torch import save_file

    module = torch.nn.LSTM(3, 4, proj_size=2, batch_first=True)
    save_file({k: v.detach() for k, v in module.state_dict().items()}, str(tmp_path / "p.safetensors"))
    err = _refused(capsys, tmp_path / "p.keras", tmp_path / "p.safetensors", tmp_path / "p.keras", "--to", "keras")
    assert "proj_size=2" in err


def test_refuses_activations(frameworks: tuple[ModuleType, ModuleType], tmp_path: Path, capsys: Any) -> None:
    keras, _ = frameworks
    keras.backend.clear_session()
    model = keras.Sequential([keras.Input((None, 3)), keras.layers.SimpleRNN(2, activation="relu")])
    model.save(tmp_path / "relu.keras")
    out = tmp_path / "relu.safetensors"
    err = _refused(capsys, out, tmp_path / "relu.keras", out, "--to", "pytorch")
    assert "non-default activation (activation=relu)" in err


def test_refuses_wrong_direction_and_suffix(
    frameworks: tuple[ModuleType, ModuleType], tmp_path: Path, capsys: Any
) -> None:
    keras, _ = frameworks
    keras.backend.clear_session()
    model = _keras_model(RecurrentSpec(framework="keras", cell="lstm"), keras)
    model.save(tmp_path / "m.keras")
    assert "reads a PyTorch .safetensors" in _refused(
        capsys, tmp_path / "x.keras", tmp_path / "m.keras", tmp_path / "x.keras", "--to", "keras"
    )
    assert "writes a .safetensors file" in _refused(
        capsys, tmp_path / "x.pt", tmp_path / "m.keras", tmp_path / "x.pt", "--to", "pytorch"
    )
    assert "No such file" in _refused(
        capsys, tmp_path / "y.safetensors", tmp_path / "none.keras", tmp_path / "y.safetensors", "--to", "pytorch"
    )


@pytest.mark.parametrize("option", ["go_backwards", "merge_mode"])
def test_refuses_options_that_change_outputs_but_not_weights(
    frameworks: tuple[ModuleType, ModuleType], tmp_path: Path, capsys: Any, option: str
) -> None:
    # The weights would convert, but nn.LSTM reads forward and concatenates: the outputs would differ.
    keras, _ = frameworks
    keras.backend.clear_session()
    if option == "go_backwards":
        layer = keras.layers.LSTM(2, go_backwards=True)
    else:
        layer = keras.layers.Bidirectional(keras.layers.LSTM(2), merge_mode="sum")
    keras.Sequential([keras.Input((None, 3)), layer]).save(tmp_path / "m.keras")
    out = tmp_path / "m.safetensors"
    err = _refused(capsys, out, tmp_path / "m.keras", out, "--to", "pytorch")
    assert ("go_backwards=True" if option == "go_backwards" else "merge_mode=sum") in err
    assert "no PyTorch twin" in err
