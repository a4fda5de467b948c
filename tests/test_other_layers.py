"""Non-recurrent layers explained by formula: each formula's number is the framework's own count of that layer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lstmviz.modelfiles import read_model
from lstmviz.modelfiles.inspection import model_json, model_rows, summary_text
from lstmviz.modelfiles.other_layers import explain, listing
from tests.frameworks import require_frameworks

EXAMPLE = Path(__file__).parent.parent / "lstmviz" / "examples" / "keras_sine_lstm.keras"


def _number(formula: str) -> int:
    """The count a formula gives: 'Embedding 800 × 16 = 12,800 (vocab × dim)' -> 12800."""
    match = re.search(r"= ([0-9,]+)( \(|$)", formula)
    assert match, formula
    return int(match[1].replace(",", ""))


def test_keras_layers_match_keras_count_params(tmp_path: Path) -> None:
    keras, _ = require_frameworks()
    model = keras.Sequential(
        [
            keras.Input(shape=(10,), dtype="int32"),
            keras.layers.Embedding(50, 8),
            keras.layers.Conv1D(12, 3),
            keras.layers.BatchNormalization(),
            keras.layers.LayerNormalization(),
            keras.layers.Reshape((8, 12, 1)),
            keras.layers.Conv2D(4, (3, 3)),
            keras.layers.Conv2D(2, (1, 2), use_bias=False),
            keras.layers.Flatten(),
            keras.layers.Dense(5),
            keras.layers.Dense(3, use_bias=False),
        ]
    )
    path = tmp_path / "mixed.keras"
    model.save(path)
    read = read_model(path.read_bytes(), path.name)
    formulas = dict(read.other_formulas)
    expected_words = {
        "Embedding": "Embedding 50 × 8",
        "Conv1D": "Conv1D 3·8·12 + 12",
        "BatchNormalization": "BatchNormalization 4 × 12",
        "LayerNormalization": "LayerNormalization 2 × 12",
        "Dense": "Dense",
    }
    for layer in model.layers:
        if not layer.weights:
            continue
        formula = formulas[layer.name]
        assert _number(formula) == layer.count_params(), (layer.name, formula)
        cls = type(layer).__name__
        assert formula.startswith(expected_words.get(cls, cls)), formula
    assert formulas["dense_1"] == "Dense 5 × 3 = 15 (in × out, no bias)"
    assert "the moving mean and variance are statistics" in formulas["batch_normalization"]
    # The total is still every tensor of the file.
    assert read.total_params == model.count_params()


def test_pytorch_modules_match_the_state_dict(tmp_path: Path) -> None:
    _, torch = require_frameworks()
    from safetensors.torch import save_file

    net = torch.nn.ModuleDict(
        {
            "embedding": torch.nn.Embedding(30, 6),
            "conv": torch.nn.Conv1d(6, 10, 3),
            "conv2": torch.nn.Conv2d(2, 4, (3, 3), bias=False),
            "bn": torch.nn.BatchNorm1d(10),
            "ln": torch.nn.LayerNorm(10),
            "fc": torch.nn.Linear(16, 5),
        }
    )
    state = {k: v.contiguous() for k, v in net.state_dict().items()}
    path = tmp_path / "mixed.safetensors"
    save_file(state, str(path))
    read = read_model(path.read_bytes(), path.name)
    formulas = dict(read.other_formulas)
    for name in net:
        stored = sum(t.numel() for k, t in state.items() if k.startswith(name + "."))
        assert _number(formulas[name]) == stored, (name, formulas[name])
    assert formulas["fc"] == "Linear 16 × 5 + 5 = 85 (in × out + out)"
    assert formulas["embedding"].startswith("Embedding 30 × 6")
    assert formulas["conv2"] == "Conv2d 3²·2·4 = 72 (k^d·c_in·c_out, no bias)"
    # BatchNorm's file count is its 2 parameters, 2 running statistics and num_batches_tracked;
    # PyTorch's parameters() holds only the first two.
    bn = net["bn"]
    assert sum(p.numel() for p in bn.parameters()) == 20
    assert formulas["bn"].startswith("BatchNorm 4 × 10 + 1 = 41 (weight, bias trained; running_mean")
    assert formulas["ln"].startswith("LayerNorm 2 × 10")


def test_the_example_adds_up_and_json_carries_formulas() -> None:
    model = read_model(EXAMPLE.read_bytes(), EXAMPLE.name)
    rows = {name: (params, check) for name, _, params, check in model_rows(model)}
    for name, params in model.other_layers:
        assert _number(rows[name][1]) == params
    data = model_json(model)
    assert all(item["formula"] for item in data["other_layers"])
    assert sum(layer.params for layer in model.layers) + sum(p for _, p in model.other_layers) == model.total_params
    for name, formula in model.other_formulas:
        assert f"{name}: {formula}" in summary_text(model, EXAMPLE.name)


@pytest.mark.parametrize(
    ("tensors", "cls", "pytorch", "expected"),
    [
        ([("embedding/embeddings:0", (800, 16))], "", False, "Embedding 800 × 16 = 12,800 (vocab × dim)"),
        ([("fc.weight", (5, 16)), ("fc.bias", (5,))], "", True, "Linear 16 × 5 + 5 = 85 (in × out + out)"),
        # A bias that fits no kernel, and a class lstmviz has no formula for: listed, no formula claimed.
        ([("kernel", (4, 3)), ("bias", (4,))], "Dense", False, "16 values in tensors kernel (4, 3), bias (4,)"),
        ([("vars/0", (4, 3))], "MultiHeadAttention", False, "12 values in tensor vars/0 (4, 3)"),
        ([], "Flatten", False, "no weights"),
        # nn.Sequential's "0.weight" (20, 4): an Embedding or a bias-free Linear; both are said.
        (
            [("0.weight", (20, 4))],
            "",
            True,
            "Linear 4 × 20 = 80 (in × out, no bias; or an Embedding 20 × 4, the same count: "
            "a state dict names no class)",
        ),
    ],
)
def test_explain(tensors: list[tuple[str, tuple[int, ...]]], cls: str, pytorch: bool, expected: str) -> None:
    assert explain(tensors, cls, pytorch) == expected


def test_listing_names_every_tensor() -> None:
    assert listing([("a", (2, 3)), ("b", ())]) == "7 values in tensors a (2, 3), b ()"


def test_listing_is_bounded() -> None:
    text = listing([(f"t{i}" * 100, (1,)) for i in range(5000)])
    assert text.startswith("5,000 values in tensors") and text.endswith("and 4,994 more")
    assert len(text) < 1000
