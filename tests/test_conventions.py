"""The convention records: each one complete and consistent, and the core derived from them."""

from __future__ import annotations

from math import prod

import pytest

import lstmviz
from lstmviz.conventions import (
    BY_CLASS_PATH,
    CONVENTIONS,
    RECORDS,
    ROLES,
    Sizes,
    convention,
    dim_size,
    holds,
)
from lstmviz.spec import CELLS, FRAMEWORKS, OPTION_DEFAULTS, RecurrentSpec, option_applies


def test_every_framework_and_cell_has_a_record() -> None:
    assert {(f, c) for f in FRAMEWORKS for c in CELLS} <= set(CONVENTIONS)


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.class_path)
def test_record_is_complete(record: lstmviz.conventions.Convention) -> None:
    assert BY_CLASS_PATH[record.class_path] is record
    assert sorted(record.compute_order) == list(range(len(record.gates)))
    assert len({g.symbol for g in record.gates}) == len(record.gates)
    assert all(g.activation in ("sigmoid", "tanh") for g in record.gates)
    assert all(rule.role in ROLES for rule in record.tensors)
    assert set(record.options) <= set(OPTION_DEFAULTS)
    assert record.label.startswith(record.framework.label + " ")
    # Every role a record stores has an initialiser.
    assert {rule.role for rule in record.tensors} <= set(record.initializers)


def test_dim_size_multiplies_names_and_numbers() -> None:
    sizes = Sizes(x=3, h=2, h_out=2, p=0, G=4)
    assert [dim_size(d, sizes) for d in ("x", "G*h", "2*G*h", "h_out")] == [3, 8, 16, 2]
    with pytest.raises(KeyError):
        dim_size("q", sizes)


def test_holds_reads_negations() -> None:
    assert holds(("bias", "!reset_after"), {"bias": True, "reset_after": False})
    assert not holds(("bias", "!reset_after"), {"bias": True, "reset_after": True})
    assert holds((), {})


@pytest.mark.parametrize(
    ("framework", "cell", "names"),
    [
        ("keras", "lstm", ["kernel", "recurrent_kernel", "bias"]),
        ("pytorch", "gru", ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]),
        ("onnx", "rnn", ["W", "R", "B"]),
    ],
)
def test_record_rules_name_the_tensors(framework: str, cell: str, names: list[str]) -> None:
    tensors = lstmviz.weight_tensors(RecurrentSpec(framework=framework, cell=cell))
    assert [t.name for t in tensors] == names
    record = convention(framework, cell)
    assert all(t.rule is not None and t.rule in record.tensors for t in tensors)


def test_option_applies_follows_the_records() -> None:
    # ONNX's GRU has linear_before_reset, the drift the records removed.
    assert option_applies("reset_after", "onnx", "gru")
    assert convention("onnx", "gru").option_name("reset_after") == "linear_before_reset"
    assert not option_applies("reset_after", "pytorch", "gru")
    assert RecurrentSpec(framework="pytorch", cell="gru").uses_reset_after  # fixed by nn.GRU
    assert option_applies("proj_size", "pytorch", "lstm") and not option_applies("proj_size", "onnx", "lstm")
    assert option_applies("return_sequences", "keras", "rnn") and not option_applies("return_sequences", "onnx", "rnn")


@pytest.mark.parametrize("key", list(CONVENTIONS))
def test_gate_parts_add_up_to_the_tensors(key: tuple[str, str]) -> None:
    framework, cell = key
    for bias in (True, False):
        spec = RecurrentSpec(framework=framework, cell=cell, features=5, units=3, bias=bias, layers=2)
        for layer in lstmviz.breakdown(spec).layers:
            assert layer.params == sum(prod(t.shape) for t in layer.tensors)
