"""The counting core: the tutorial example's numbers, invariants that must hold for every spec, the CLI."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from dataclasses import replace
from math import prod
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lstmviz
from lstmviz import RecurrentSpec
from lstmviz.cli import main
from tests import strategies

TUTORIAL = RecurrentSpec()  # the tutorial's model: Keras LSTM, features=3, units=2, timesteps=40


def specs() -> st.SearchStrategy[RecurrentSpec]:
    """Any valid spec, up to sizes a counting test can afford."""
    return strategies.specs(sizes=st.integers(1, 300), layers=4, timesteps=st.integers(1, 1000))


# --- every number in the tutorial example ---------------------------------------------------


def test_tutorial_lstm_has_48_parameters() -> None:
    assert lstmviz.count_params(TUTORIAL) == 48


def test_tutorial_tensor_shapes_and_sizes() -> None:
    tensors = {t.name: t for t in lstmviz.weight_tensors(TUTORIAL)}
    assert [t.name for t in lstmviz.weight_tensors(TUTORIAL)] == ["kernel", "recurrent_kernel", "bias"]
    assert (tensors["kernel"].shape, tensors["kernel"].params) == ((3, 8), 24)
    assert (tensors["recurrent_kernel"].shape, tensors["recurrent_kernel"].params) == ((2, 8), 16)
    assert (tensors["bias"].shape, tensors["bias"].params) == ((8,), 8)


def test_tutorial_forget_gate_has_12_parameters() -> None:
    gates = {g.kind.symbol: g for g in lstmviz.breakdown(TUTORIAL).layer(0).gates}
    assert list(gates) == ["i", "f", "c", "o"]
    assert gates["f"].params == 12
    assert all(g.params == 12 for g in gates.values())


def test_tutorial_gate_slices_match_the_tutorials_indexing() -> None:
    # W_f = W[:, units: units * 2], b_f = b[units: units * 2]
    forget = lstmviz.gate_slices(TUTORIAL)["f"]
    assert {(s.tensor, s.axis, s.start, s.stop) for s in forget} == {
        ("kernel", 1, 2, 4),
        ("recurrent_kernel", 1, 2, 4),
        ("bias", 0, 2, 4),
    }


def test_tutorial_dense_warmup_is_32() -> None:
    dense = lstmviz.dense_params(3, 5, 2)
    assert (dense.hidden_params, dense.output_params, dense.total) == (20, 12, 32)


def test_tutorial_formula_and_summary() -> None:
    assert lstmviz.build_report(TUTORIAL).formula.substituted == "4 × ((3 + 2) × 2 + 2) = 48"
    assert lstmviz.build_report(TUTORIAL).formula.symbolic == "4 × ((x + h) × h + h)"
    text = lstmviz.keras_summary(lstmviz.breakdown(TUTORIAL))
    # Keras 3's own lines for the tutorial layer (tests/test_oracle.py compares whole summaries live).
    assert text.splitlines()[0] == 'Model: "sequential"'
    assert "│ lstm (LSTM)                     │ (None, 2)              │            48 │" in text
    assert text.splitlines()[-3:] == [
        " Total params: 48 (192.00 B)",
        " Trainable params: 48 (192.00 B)",
        " Non-trainable params: 0 (0.00 B)",
    ]


def test_readable_size_steps_by_1024() -> None:
    from lstmviz.summary import readable_size

    assert [readable_size(n) for n in (0, 192, 1023, 1024, 4 * 8_100_000)] == [
        "0.00 B",
        "192.00 B",
        "1023.00 B",
        "1.00 KB",
        f"{4 * 8_100_000 / 1024**2:.2f} MB",
    ]


@pytest.mark.parametrize(
    ("spec", "symbol", "term", "slices"),
    [
        # The acceptance examples: the forget gate's 12 at 2:4, PyTorch's output gate's 14 at 6:8.
        (TUTORIAL, "f", "f: (3 + 2) × 2 + 2 = 12", ("kernel[:, 2:4]", "recurrent_kernel[:, 2:4]", "bias[2:4]")),
        (
            RecurrentSpec(framework="pytorch"),
            "o",
            "o: (3 + 2) × 2 + 2 × 2 = 14",
            ("weight_ih_l0[6:8]", "weight_hh_l0[6:8]", "bias_ih_l0[6:8]", "bias_hh_l0[6:8]"),
        ),
        # A reset-after Keras GRU stacks its two biases as rows: the gate is a column block of both.
        (
            RecurrentSpec(cell="gru"),
            "r",
            "r: (3 + 2) × 2 + 2 × 2 = 14",
            ("kernel[:, 2:4]", "recurrent_kernel[:, 2:4]", "bias[:, 2:4]"),
        ),
    ],
)
def test_gate_term_and_slices(spec: RecurrentSpec, symbol: str, term: str, slices: tuple[str, ...]) -> None:
    from lstmviz.summary import gate_term

    layer = lstmviz.breakdown(spec).layers[0]
    assert gate_term(layer, symbol) == term
    assert layer.slice_texts(symbol) == slices
    gate = layer.gate(symbol)
    assert gate is not None and term.endswith(f"= {gate.params}")
    assert gate_term(layer, "no such gate") == "" and layer.slice_texts("no such gate") == ()


@given(spec=strategies.specs())
@settings(max_examples=25, deadline=None)
def test_gate_slices_spell_out_blocks_that_add_up(spec: RecurrentSpec) -> None:
    # Each spelled slice, applied to a tensor of the framework's shape, has as many entries as the gate counts.
    import numpy as np

    for layer in lstmviz.breakdown(spec).layers:
        shapes = {t.name: t.shape for t in layer.tensors}
        for gate in layer.gates:
            total = 0
            for text in layer.slice_texts(gate.symbol):
                name, index = text.rstrip("]").split("[", 1)
                # "[:, 2:4]" → (slice(None), slice(2, 4)): the text read back as numpy indexing.
                where = tuple(
                    slice(None) if part == ":" else slice(*(int(v) for v in part.split(":")))
                    for part in index.split(", ")
                )
                total += np.zeros(shapes[name])[where].size
            assert total == gate.params


def test_tensor_sum_and_layer_titles() -> None:
    from lstmviz.summary import tensor_sum

    layer = lstmviz.breakdown(TUTORIAL).layers[0]
    assert tensor_sum(layer) == "W kernel (3, 8) 24 + U recurrent_kernel (2, 8) 16 + b bias (8,) 8 = 48"
    assert layer.title == "layer 1"
    both = lstmviz.breakdown(RecurrentSpec(layers=2, bidirectional=True)).layers
    assert [lc.title for lc in both] == ["layer 1 forward", "layer 1 backward", "layer 2 forward", "layer 2 backward"]


def test_tutorial_output_shape() -> None:
    assert lstmviz.output_shapes(TUTORIAL).as_dict() == {"output": [None, 2]}


# --- invariants for every spec -----------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(specs())
def test_count_tree_adds_up(spec: RecurrentSpec) -> None:
    tree = lstmviz.breakdown(spec).tree()
    assert tree.mismatches() == []
    assert tree.params == lstmviz.count_params(spec)


@settings(max_examples=200, deadline=None)
@given(specs(), st.integers(1, 1000))
def test_timesteps_never_change_the_count(spec: RecurrentSpec, timesteps: int) -> None:
    other = replace(spec, timesteps=timesteps)
    assert lstmviz.count_params(other) == lstmviz.count_params(spec)
    assert lstmviz.weight_tensors(other) == lstmviz.weight_tensors(spec)


@settings(max_examples=200, deadline=None)
@given(specs())
def test_gate_parts_cover_their_tensors_exactly(spec: RecurrentSpec) -> None:
    for layer in lstmviz.breakdown(spec).layers:
        by_role: dict[str, int] = {}
        for t in layer.tensors:
            by_role[t.role] = by_role.get(t.role, 0) + t.params
        assert sum(g.input_weights for g in layer.gates) == by_role["input"]
        assert sum(g.recurrent_weights for g in layer.gates) == by_role["recurrent"]
        assert sum(g.biases for g in layer.gates) == by_role.get("bias", 0)
        assert layer.projection == by_role.get("projection", 0)


@settings(max_examples=100, deadline=None)
@given(specs())
def test_gate_slices_tile_each_fused_tensor(spec: RecurrentSpec) -> None:
    for layer in lstmviz.breakdown(spec).layers:
        shapes = {t.name: t.shape for t in layer.tensors}
        covered: dict[str, int] = {}
        for gate in layer.gates:
            block = 0
            for s in gate.slices:
                shape = shapes[s.tensor]
                assert 0 <= s.start < s.stop <= shape[s.axis]
                block += (s.stop - s.start) * prod(shape) // shape[s.axis]
                covered[s.tensor] = covered.get(s.tensor, 0) + s.stop - s.start
            assert block == gate.params
        for name, rows in covered.items():
            axis = gate.slices[[s.tensor for s in gate.slices].index(name)].axis
            assert rows == shapes[name][axis]


@settings(max_examples=200, deadline=None)
@given(specs())
def test_shapes_multiply_out_to_the_count(spec: RecurrentSpec) -> None:
    assert sum(prod(t.shape) for t in lstmviz.weight_tensors(spec)) == lstmviz.closed_form_total(spec)


@settings(max_examples=200, deadline=None)
@given(specs())
def test_formula_evaluates_to_the_count(spec: RecurrentSpec) -> None:
    text = lstmviz.build_report(spec).formula.substituted
    expression, total = text.split(" = ")
    value = eval(expression.replace("×", "*"), {"__builtins__": {}})  # digits, +, *, () only
    assert value == int(total.replace(",", "")) == lstmviz.count_params(spec)


@settings(max_examples=100, deadline=None)
@given(specs())
def test_cost_grows_linearly_with_timesteps(spec: RecurrentSpec) -> None:
    one = lstmviz.cost(replace(spec, timesteps=1))
    many = lstmviz.cost(spec)
    assert many.multiply_adds_per_sequence == spec.timesteps * one.multiply_adds_per_sequence
    assert many.activations_per_sequence == spec.timesteps * one.activations_per_sequence
    assert many.activation_bytes_float32 == 4 * many.activations_per_sequence


def test_cost_of_the_tutorial_example_counts_matmuls_only() -> None:
    # The four gate matmuls of one step have exactly as many multiply-adds as weights.
    seed = lstmviz.cost(TUTORIAL)
    weights = sum(t.params for t in lstmviz.weight_tensors(TUTORIAL) if t.role != "bias")
    assert seed.multiply_adds_per_step == weights
    assert seed.multiply_adds_per_sequence == 40 * weights


@settings(max_examples=100, deadline=None)
@given(specs())
def test_stacked_layer_input_is_directions_times_hidden_out(spec: RecurrentSpec) -> None:
    layers = lstmviz.breakdown(spec).layers
    assert all(lc.input_size == spec.features for lc in layers if lc.layer == 0)
    assert all(lc.input_size == spec.directions * spec.hidden_out for lc in layers if lc.layer > 0)
    assert len(layers) == spec.layers * spec.directions


# --- validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("units", 0),
        ("features", -3),
        ("timesteps", 0),
        ("layers", 17),
        ("units", 10**9),
        ("features", "3"),
        ("units", 2.5),
        ("units", True),
        ("framework", "jax"),
        ("cell", "transformer"),
        ("bidirectional", "yes"),
        ("proj_size", -1),
    ],
)
def test_invalid_values_name_the_field(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=field):
        RecurrentSpec(**{field: value})  # type: ignore[arg-type]


def test_proj_size_only_on_a_pytorch_lstm_smaller_than_units() -> None:
    with pytest.raises(ValueError, match="proj_size"):
        RecurrentSpec(framework="pytorch", cell="gru", units=4, proj_size=2)
    with pytest.raises(ValueError, match="proj_size"):
        RecurrentSpec(framework="keras", cell="lstm", units=4, proj_size=2)
    with pytest.raises(ValueError, match="proj_size"):
        RecurrentSpec(framework="pytorch", cell="lstm", units=4, proj_size=4)


# --- command line -----------------------------------------------------------------------


def test_cli_json_defaults_to_the_tutorial_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["count", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total_params"] == 48
    assert [(t["name"], t["shape"], t["params"]) for t in data["tensors"]] == [
        ("kernel", [3, 8], 24),
        ("recurrent_kernel", [2, 8], 16),
        ("bias", [8], 8),
    ]
    assert data["output_shape"] == [None, 2]
    assert [g["symbol"] for g in data["gates"]] == ["i", "f", "c", "o"]
    assert data["dense_warmup"]["total_params"] == 32


def test_cli_flags_reach_the_spec(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["count", "--json", "--framework", "pytorch", "--cell", "lstm", "--features", "5", "--units", "4"]
    argv += ["--timesteps", "7", "--layers", "2", "--bidirectional", "--no-bias", "--proj-size", "3"]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    expected = RecurrentSpec(
        framework="pytorch", features=5, units=4, timesteps=7, layers=2, bidirectional=True, bias=False, proj_size=3
    )
    assert data["spec"] == expected.as_dict()
    assert data["total_params"] == lstmviz.count_params(expected)
    assert "output_shape" not in data and data["outputs"]["h_n"] == [4, None, 3]


def test_cli_text_shows_summary_and_formula(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["count"]) == 0
    out = capsys.readouterr().out
    assert "Total params: 48" in out and "4 × ((3 + 2) × 2 + 2) = 48" in out


@pytest.mark.parametrize(
    "flags",
    [
        ["--units", "0"],
        ["--features", "-3"],
        ["--features", "abc"],
        ["--cell", "gru", "--proj-size", "1"],
        ["--framework", "pytorch", "--units", "2", "--proj-size", "2"],
        ["--cell", "cnn"],
        ["--timesteps", "1e3"],
    ],
)
def test_cli_bad_input_is_one_clear_line(flags: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lstmviz", "count", *flags], capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lstmviz: error:")
    assert "Traceback" not in result.stderr


_PACKAGE = Path(__file__).resolve().parents[1] / "lstmviz"
CORE_MODULES = sorted(
    ".".join(("lstmviz", *path.relative_to(_PACKAGE).with_suffix("").parts)).removesuffix(".__init__")
    for path in _PACKAGE.rglob("*.py")
    # figures and ui draw; __main__ would run the CLI; internals is the one module that wraps Streamlit's
    # and Plotly's internals (for figures and ui), and says so.
    if path.relative_to(_PACKAGE).parts[0] not in ("figures", "ui", "__main__.py", "internals.py", "__init__.py")
) + ["lstmviz"]


def _imported(modules: list[str]) -> list[str]:
    """The Streamlit and Plotly modules a fresh interpreter has loaded after importing `modules`."""
    code = (
        f"import sys, importlib; [importlib.import_module(m) for m in {modules!r}];"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'streamlit', 'plotly'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return list(ast.literal_eval(result.stdout.strip()))


def test_core_imports_neither_streamlit_nor_plotly() -> None:
    # Every module of the core, found on disk so a new one is covered without editing this test.
    assert {"lstmviz.export", "lstmviz.practice", "lstmviz.style", "lstmviz.report", "lstmviz.tables"} <= set(
        CORE_MODULES
    )
    assert {"lstmviz.modelfiles", "lstmviz.modelfiles.keras", "lstmviz.zoo.forward", "lstmviz.cli"} <= set(CORE_MODULES)
    assert _imported(CORE_MODULES) == []


def test_figures_import_no_streamlit() -> None:
    figures = sorted(
        f"lstmviz.figures.{path.stem}"
        for path in (Path(__file__).resolve().parents[1] / "lstmviz" / "figures").glob("*.py")
        if path.stem != "__init__"
    ) + ["lstmviz.figures"]
    assert "lstmviz.figures.budget" in figures
    assert not [m for m in _imported(figures) if m.split(".")[0] == "streamlit"]
