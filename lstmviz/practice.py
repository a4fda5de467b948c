"""Practice: quiz questions, and the inverse question, which sizes fit a parameter budget."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from itertools import islice

import numpy as np

from lstmviz.conventions import TENSOR_LETTER
from lstmviz.counting import LayerCount, Tensor, breakdown, count_params
from lstmviz.spec import MAX_SIZE, RecurrentSpec, SpecTypeError, convention_of, option_applies, require_spec

MAX_QUESTION = 10_000
MAX_FRONTIER = 10_000  # hidden sizes one budget_frontier call may try (two counts each)
KINDS = ("count", "shape", "gate block")  # ?quiz=... in the URL


def _check_number(number: object) -> None:
    """A question number: a whole number in 1..MAX_QUESTION."""
    if isinstance(number, bool) or not isinstance(number, int):
        raise SpecTypeError(f"number (the question) must be a whole number, got {type(number).__name__} {number!r:.60}")
    if not 1 <= number <= MAX_QUESTION:
        raise ValueError(f"question must be between 1 and {MAX_QUESTION}, got {number!r}")


# The quiz grows harder: the tutorial's own layer first, then Keras LSTMs of other sizes, then PyTorch's
# second bias, then the other cells, then bidirectional layers. (first question of a level, what it adds)
LEVELS = ((2, "keras lstm"), (5, "either framework's lstm"), (9, "any cell"), (13, "bidirectional"))


def quiz_question(number: int) -> RecurrentSpec:
    """Question `number` of the quiz: a small layer whose count can be worked out by hand.

    Question 1 is the tutorial's Keras LSTM (x = 3, h = 2); later ones add one new idea at a time
    (LEVELS): other sizes, PyTorch's two biases, GRU and SimpleRNN, bidirectional layers."""
    _check_number(number)
    if number == 1:
        return RecurrentSpec()  # the tutorial's layer: 4 × ((3 + 2) × 2 + 2) = 48
    rng = np.random.default_rng(number)
    level = sum(number >= first for first, _ in LEVELS)  # 1 … 4
    framework = ("keras", "pytorch")[int(rng.integers(2))] if level >= 2 else "keras"
    cell = ("lstm", "lstm", "gru", "rnn")[int(rng.integers(4))] if level >= 3 else "lstm"
    bidirectional = bool(rng.random() < 0.25) and level >= 4
    return RecurrentSpec(
        framework=framework,
        cell=cell,
        features=int(rng.integers(1, 11)),
        units=int(rng.integers(1, 9)),
        timesteps=int(rng.integers(5, 101)),
        bidirectional=bidirectional,
        # Drawn for every question so the stream (and every question) stays the same; only a GRU's record has it.
        reset_after=bool(rng.random() < 0.7) or not option_applies("reset_after", framework, cell),
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


def _name(spec: RecurrentSpec) -> str:
    return convention_of(spec).label


def count_hint(spec: RecurrentSpec) -> str:
    """What to multiply, without the answer."""
    layer = breakdown(spec).layers[0]
    g, x, h = len(layer.gates), spec.features, spec.units
    text = (
        f"A {_name(spec)} has {g} gate{'s' if g > 1 else ''}; each is a dense layer over x + h = {x} + {h} inputs "
        f"with h = {h} outputs and {layer.bias_vectors} bias vector{'s' if layer.bias_vectors != 1 else ''}."
    )
    return text + (" Bidirectional: two such layers." if spec.bidirectional else "")


@dataclass(frozen=True)
class ShapeQuestion:
    """ "What shape is U in PyTorch for x=5, h=3?", answered by the core's tensor."""

    spec: RecurrentSpec
    tensor: Tensor

    @property
    def prompt(self) -> str:
        """The question as asked."""
        letter = TENSOR_LETTER[self.tensor.role]
        x, h = self.spec.features, self.spec.units
        return f"What shape is {letter} ({self.tensor.name}) in {_name(self.spec)} for x = {x}, h = {h}?"

    @property
    def hint(self) -> str:
        """Which axis holds the gates, without the numbers."""
        layer = breakdown(self.spec).layers[0]
        g, columns = len(layer.gates), layer.gates_in_columns
        source = {"input": "x", "recurrent": "h"}.get(self.tensor.role, "")
        if source:
            form = f"({source}, G·h)" if columns else f"(G·h, {source})"
        else:
            form = "(2, G·h): input and recurrent biases as two rows" if len(self.tensor.shape) == 2 else "(G·h,)"
        gates = f"G = {g} gate{'s' if g > 1 else ''}"
        return f"{_name(self.spec)} has {gates}, and its {self.tensor.name} is {form}."


def shape_question(number: int) -> ShapeQuestion:
    """Shape question `number`: one of W, U, b of a small single layer."""
    _check_number(number)
    rng = np.random.default_rng(number + MAX_QUESTION)  # a different stream from the count questions
    framework = ("keras", "pytorch")[int(rng.integers(2))]
    cell = ("lstm", "lstm", "gru", "rnn")[int(rng.integers(4))]
    spec = RecurrentSpec(
        framework=framework,
        cell=cell,
        features=int(rng.integers(1, 11)),
        units=int(rng.integers(1, 9)),
        reset_after=bool(rng.random() < 0.7) or not option_applies("reset_after", framework, cell),
    )
    tensors = breakdown(spec).layers[0].tensors
    return ShapeQuestion(spec, tensors[int(rng.integers(len(tensors)))])


def parse_shape(text: str) -> tuple[int, ...] | None:
    """A shape typed by a learner, "(12, 3)", "12x3" or "12 3"; None when there is no whole number in it."""
    numbers = re.findall(r"\d+", text[:200])  # bounded: a pasted novel is not a shape
    if not numbers or len(numbers) > 4:
        return None
    return tuple(int(n) for n in numbers)


@dataclass(frozen=True)
class GateQuestion:
    """ "Which gate is this block?" on a layer's heatmap, answered by the core's gate order."""

    spec: RecurrentSpec
    layer: LayerCount
    index: int  # the block in the framework's gate order

    @property
    def answer(self) -> str:
        """The gate's name."""
        return self.layer.gates[self.index].kind.name

    @property
    def prompt(self) -> str:
        """The question as asked."""
        where = "column" if self.layer.gates_in_columns else "row"
        return f"The outlined {where} block of this {_name(self.spec)}'s weights belongs to which gate?"

    @property
    def hint(self) -> str:
        """How the framework orders its gates, without naming the block."""
        layer = self.layer
        way = "column blocks, left to right" if layer.gates_in_columns else "row blocks, top to bottom"
        return (
            f"{_name(self.spec)} stores its {len(layer.gates)} gates as {way}, in its own order; "
            f"this is block {self.index + 1} of {len(layer.gates)}."
        )


def gate_question(number: int) -> GateQuestion:
    """Gate-block question `number`: a multi-gate layer and one of its blocks."""
    _check_number(number)
    rng = np.random.default_rng(number + 2 * MAX_QUESTION)
    spec = RecurrentSpec(
        framework=("keras", "pytorch")[int(rng.integers(2))],
        cell=("lstm", "gru")[int(rng.integers(2))],
        features=int(rng.integers(2, 7)),
        units=int(rng.integers(2, 6)),
    )
    layer = breakdown(spec).layers[0]
    return GateQuestion(spec, layer, int(rng.integers(len(layer.gates))))
