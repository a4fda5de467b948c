"""Comparisons, equations and practice questions against the real frameworks' golden counts and shapes.

tests/data/golden_counts.json was written by tools/make_golden.py from real Keras 3 and PyTorch layers.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import lstmviz
from lstmviz import RecurrentSpec
from lstmviz.compare import MODES, compare, gate_role, matching_gate
from lstmviz.equations import cell_equations
from lstmviz.practice import gate_question, parse_shape, shape_question

GOLDEN = json.loads((Path(__file__).parent / "data" / "golden_counts.json").read_text())["cases"]


def _key(spec: RecurrentSpec) -> tuple[Any, ...]:
    """What decides a count and the tensors: everything but timesteps and return_sequences."""
    fields = spec.as_dict()
    return tuple(v for k, v in sorted(fields.items()) if k not in ("timesteps", "return_sequences"))


GOLDEN_BY_SPEC = {_key(RecurrentSpec(**case["spec"])): case for case in GOLDEN}


def test_compare_totals_are_the_frameworks_own() -> None:
    matched = 0
    for case in GOLDEN:
        spec = RecurrentSpec(**case["spec"])
        for mode in MODES:
            for side in compare(spec, mode).sides:
                golden = GOLDEN_BY_SPEC.get(_key(side.report.spec))
                if golden:
                    assert side.report.total == golden["total_params"], (mode, side.label)
                    matched += 1
    assert matched > 200  # most sides of most comparisons have a real-framework count


def test_tutorial_comparison_is_48_beside_56_and_says_why() -> None:
    keras, torch = (GOLDEN_BY_SPEC[_key(RecurrentSpec(framework=f))]["total_params"] for f in ("keras", "pytorch"))
    comparison = compare(RecurrentSpec(), "frameworks")
    assert [s.report.total for s in comparison.sides] == [keras, torch]
    assert f"{torch - keras:,} more in all ({keras:,} vs {torch:,})" in comparison.differences[0]


def test_gru_comparison_has_both_reset_after_beside_pytorch() -> None:
    spec = RecurrentSpec(cell="gru", features=10, units=8)
    sides = compare(spec, "frameworks").sides
    assert [s.report.spec for s in sides] == [
        replace(spec, reset_after=True),
        replace(spec, reset_after=False),
        replace(spec, framework="pytorch"),
    ]
    # Their counts (480, 456, 480) are count_params of these specs, which test_oracle checks against the frameworks.


def test_directions_sentence_counts_a_stack() -> None:
    spec = RecurrentSpec(framework="pytorch", layers=2)
    (sentence,) = compare(spec, "directions").differences
    one, two = lstmviz.count_params(spec), lstmviz.count_params(replace(spec, bidirectional=True))
    assert sentence.endswith(f"{one:,} → {two:,}.") and "more than double" in sentence


def test_compare_rejects_an_unknown_mode() -> None:
    with pytest.raises(ValueError, match="mode"):
        compare(RecurrentSpec(), "sideways")


@pytest.mark.parametrize(
    ("cell", "keras", "pytorch"),
    [("lstm", "c", "g"), ("lstm", "f", "f"), ("gru", "h", "n"), ("gru", "z", "z"), ("gru", "r", "r")],
)
def test_matching_gates_across_frameworks(cell: str, keras: str, pytorch: str) -> None:
    k = lstmviz.breakdown(RecurrentSpec(cell=cell)).layer(0)
    p = lstmviz.breakdown(RecurrentSpec(framework="pytorch", cell=cell)).layer(0)
    gate = next(g for g in k.gates if g.kind.symbol == keras)
    match = matching_gate(p, gate_role(gate))
    assert match is not None and match.kind.symbol == pytorch
    assert matching_gate(p, keras) == match  # another framework's symbol works too
    assert matching_gate(p, "nonsense") is None


def test_shape_questions_ask_for_the_frameworks_own_shapes() -> None:
    matched = 0
    for number in range(1, 400):
        question = shape_question(number)
        golden = GOLDEN_BY_SPEC.get(_key(question.spec))
        if golden:
            shapes = {t["name"]: tuple(t["shape"]) for t in golden["tensors"]}
            assert question.tensor.shape == shapes[question.tensor.name], number
            matched += 1
        assert question.tensor in lstmviz.weight_tensors(question.spec)
    assert matched >= 3


@pytest.mark.parametrize(
    ("typed", "shape"),
    [("(12, 3)", (12, 3)), ("12x3", (12, 3)), ("[8]", (8,)), ("(2, 24)", (2, 24)), ("no", None), ("", None)],
)
def test_parse_shape(typed: str, shape: tuple[int, ...] | None) -> None:
    assert parse_shape(typed) == shape


def test_parse_shape_is_bounded() -> None:
    assert parse_shape("1 " * 100_000) is None


def test_gate_questions_follow_the_frameworks_order() -> None:
    for number in range(1, 50):
        question = gate_question(number)
        order = [g.kind.name for g in lstmviz.breakdown(question.spec).layer(0).gates]
        assert question.answer == order[question.index]
        assert f"block {question.index + 1} of {len(order)}" in question.hint


@pytest.mark.parametrize(
    ("spec", "lines"),
    [
        (
            RecurrentSpec(),
            ["i_t = σ(W_i x_t + U_i h_t−1 + b_i)", "c_t = f_t ⊙ c_t−1 + i_t ⊙ c̃_t", "h_t = o_t ⊙ tanh(c_t)"],
        ),
        (RecurrentSpec(framework="pytorch"), ["g_t = tanh(W_ig x_t + b_ig + W_hg h_t−1 + b_hg)"]),
        (RecurrentSpec(cell="gru"), ["h̃_t = tanh(W_h x_t + b_h + r_t ⊙ (U_h h_t−1 + b'_h))"]),
        (RecurrentSpec(cell="gru", reset_after=False), ["h̃_t = tanh(W_h x_t + U_h (r_t ⊙ h_t−1) + b_h)"]),
        (RecurrentSpec(framework="pytorch", cell="gru"), ["h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_t−1"]),
        (RecurrentSpec(cell="rnn", bias=False), ["h_t = tanh(W x_t + U h_t−1)"]),
    ],
)
def test_equations_name_each_frameworks_tensors(spec: RecurrentSpec, lines: list[str]) -> None:
    written = [f"{e.lhs} = {e.rhs}" for e in cell_equations(lstmviz.breakdown(spec).layer(0))]
    assert set(lines) <= set(written), written
