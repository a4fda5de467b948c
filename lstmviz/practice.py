"""Practice: quiz questions, and the inverse question, which sizes fit a parameter budget."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np

from lstmviz.counting import count_params
from lstmviz.spec import MAX_SIZE, RecurrentSpec

MAX_QUESTION = 10_000


def quiz_question(number: int) -> RecurrentSpec:
    """Question `number` of the quiz: a small layer whose count can be worked out by hand."""
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= MAX_QUESTION:
        raise ValueError(f"question must be between 1 and {MAX_QUESTION}, got {number!r}")
    rng = np.random.default_rng(number)
    framework = ("keras", "pytorch")[int(rng.integers(2))]
    cell = ("lstm", "lstm", "gru", "rnn")[int(rng.integers(4))]  # LSTMs are the lesson's subject
    return RecurrentSpec(
        framework=framework,
        cell=cell,
        features=int(rng.integers(1, 11)),
        units=int(rng.integers(1, 9)),
        timesteps=int(rng.integers(5, 101)),
        bidirectional=bool(rng.random() < 0.25),
        reset_after=bool(rng.random() < 0.7),
    )


@dataclass(frozen=True)
class Fit:
    """The largest input size that fits a budget at one hidden size."""

    units: int
    max_features: int
    params: int


def max_features(spec: RecurrentSpec, budget: int) -> int:
    """The largest features x with count ≤ budget for the spec's other fields (0 if none fits)."""
    # The count is linear in x (only the first layer reads x), so two counts give it exactly.
    at_one = count_params(replace(spec, features=1))
    slope = count_params(replace(spec, features=2)) - at_one
    if at_one > budget:
        return 0
    return min(MAX_SIZE, 1 + (budget - at_one) // slope)


def budget_frontier(spec: RecurrentSpec, budget: int, units: Iterable[int]) -> list[Fit]:
    """For each hidden size, the largest input size within the budget and its exact count."""
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
        raise ValueError(f"budget must be a positive whole number, got {budget!r}")
    fits = []
    for h in units:
        if spec.proj_size >= h:
            continue  # a projection must stay smaller than units
        at_h = replace(spec, units=h)
        x = max_features(at_h, budget)
        if x:
            fits.append(Fit(h, x, count_params(replace(at_h, features=x))))
    return fits
