"""Practice: quiz questions, and the inverse question, which sizes fit a parameter budget."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from itertools import islice

import numpy as np

from lstmviz.counting import count_params
from lstmviz.spec import MAX_SIZE, RecurrentSpec, SpecTypeError, require_spec

MAX_QUESTION = 10_000
MAX_FRONTIER = 10_000  # hidden sizes one budget_frontier call may try (two counts each)


def quiz_question(number: int) -> RecurrentSpec:
    """Question `number` of the quiz: a small layer whose count can be worked out by hand."""
    if isinstance(number, bool) or not isinstance(number, int):
        raise SpecTypeError(f"number (the question) must be a whole number, got {type(number).__name__} {number!r:.60}")
    if not 1 <= number <= MAX_QUESTION:
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
        # Drawn for every question so the stream (and every question) stays the same; only a Keras GRU has it.
        reset_after=bool(rng.random() < 0.7) or not (framework == "keras" and cell == "gru"),
    )


@dataclass(frozen=True)
class Fit:
    """The largest input size that fits a budget at one hidden size."""

    units: int
    max_features: int
    params: int


def max_features(spec: RecurrentSpec, budget: int) -> int:
    """The largest features x with count ≤ budget for the spec's other fields (0 if none fits)."""
    require_spec(spec)
    _check_budget(budget)
    # The count is linear in x (only the first layer reads x), so two counts give it exactly.
    at_one = count_params(replace(spec, features=1))
    slope = count_params(replace(spec, features=2)) - at_one
    if at_one > budget:
        return 0
    return min(MAX_SIZE, 1 + (budget - at_one) // slope)


def budget_frontier(spec: RecurrentSpec, budget: int, units: Iterable[int]) -> list[Fit]:
    """For each hidden size, the largest input size within the budget and its exact count."""
    require_spec(spec)
    _check_budget(budget)
    sizes = _unit_sizes(units)
    fits = []
    for h in sizes:
        if spec.proj_size >= h:
            continue  # a projection must stay smaller than units
        at_h = replace(spec, units=h)
        x = max_features(at_h, budget)
        if x:
            fits.append(Fit(h, x, count_params(replace(at_h, features=x))))
    return fits


def _check_budget(budget: object) -> None:
    if isinstance(budget, bool) or not isinstance(budget, int):
        raise SpecTypeError(f"budget must be a whole number, got {type(budget).__name__} {budget!r:.60}")
    if budget < 1:
        raise ValueError(f"budget must be a positive whole number, got {budget}")


def _unit_sizes(units: object) -> list[int]:
    """The hidden sizes to try: a non-empty list of whole numbers in 1..MAX_SIZE, at most MAX_FRONTIER long."""
    if isinstance(units, str | bytes) or not isinstance(units, Iterable):
        raise SpecTypeError(f"units must be an iterable of whole numbers, got {type(units).__name__}")
    # islice: an endless or huge iterable must not become an endless loop.
    sizes = list(islice(units, MAX_FRONTIER + 1))
    if not sizes:
        raise ValueError("units must list at least one hidden size, got none")
    if len(sizes) > MAX_FRONTIER:
        raise ValueError(f"units may list at most {MAX_FRONTIER} hidden sizes, got more")
    for h in sizes:
        if isinstance(h, bool) or not isinstance(h, int):
            raise SpecTypeError(f"each of units must be a whole number, got {type(h).__name__} {h!r:.60}")
        if not 1 <= h <= MAX_SIZE:
            raise ValueError(f"each of units must be between 1 and {MAX_SIZE}, got {h}")
    return sizes
