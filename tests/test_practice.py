"""Quiz questions and the parameter-budget inverse."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lstmviz
from lstmviz import RecurrentSpec
from lstmviz.practice import budget_frontier, max_features, quiz_question


def test_quiz_questions_are_deterministic_and_varied() -> None:
    assert quiz_question(3) == quiz_question(3)
    questions = {quiz_question(n) for n in range(1, 60)}
    assert len(questions) > 50
    assert {q.framework for q in questions} == {"keras", "pytorch"}
    assert {q.cell for q in questions} == {"lstm", "gru", "rnn"}


def test_the_quiz_starts_from_the_tutorials_layer_and_adds_one_idea_at_a_time() -> None:
    assert quiz_question(1) == RecurrentSpec()  # the lesson's own LSTM: its formula gives 48, not "Not quite"
    early = [quiz_question(n) for n in range(2, 5)]
    assert all(q.framework == "keras" and q.cell == "lstm" and not q.bidirectional for q in early)
    middle = [quiz_question(n) for n in range(5, 9)]
    assert all(q.cell == "lstm" and not q.bidirectional for q in middle)
    assert not any(quiz_question(n).bidirectional for n in range(1, 13))


@pytest.mark.parametrize("bad", [0, -1, 10_001, "3", True])
def test_quiz_question_number_is_validated(bad: object) -> None:
    with pytest.raises(ValueError, match="question"):
        quiz_question(bad)  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(["keras", "pytorch"]),
    st.sampled_from(["lstm", "gru", "rnn"]),
    st.integers(1, 200),
    st.integers(1, 3),
    st.booleans(),
    st.integers(1, 10**7),
)
def test_max_features_is_the_largest_that_fits(
    framework: str, cell: str, units: int, layers: int, bidirectional: bool, budget: int
) -> None:
    spec = RecurrentSpec(framework=framework, cell=cell, units=units, layers=layers, bidirectional=bidirectional)
    x = max_features(spec, budget)
    if x == 0:
        assert lstmviz.count_params(replace(spec, features=1)) > budget
    else:
        assert lstmviz.count_params(replace(spec, features=x)) <= budget
        if x < 65_536:
            assert lstmviz.count_params(replace(spec, features=x + 1)) > budget


def test_budget_frontier_reports_exact_counts_and_skips_invalid_projection() -> None:
    spec = RecurrentSpec(framework="pytorch", units=8, proj_size=4)
    fits = budget_frontier(spec, 5_000, range(1, 20))
    assert all(f.units > 4 for f in fits)
    for f in fits:
        assert f.params == lstmviz.count_params(replace(spec, units=f.units, features=f.max_features)) <= 5_000
    with pytest.raises(ValueError, match="budget"):
        budget_frontier(spec, 0, [8])
