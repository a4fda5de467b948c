"""One computed result per spec: the count tree, formula, output shapes and cost, built once.

Every view, figure, export, the summary, the snippet and the CLI read this result (or one of its
layers) instead of recounting from the spec.
"""

from __future__ import annotations

from dataclasses import dataclass

from lstmviz.counting import Breakdown, LayerCount, Tensor, breakdown
from lstmviz.shapes import Cost, OutputShapes, cost, output_shapes
from lstmviz.spec import RecurrentSpec
from lstmviz.summary import Formula, formula


@dataclass(frozen=True)
class Report:
    """Everything lstmviz computes for one spec; timesteps change only `outputs` and `cost`."""

    spec: RecurrentSpec
    count: Breakdown
    formula: Formula
    outputs: OutputShapes
    cost: Cost

    @property
    def total(self) -> int:
        """Total learnable parameters."""
        return self.count.total

    @property
    def layers(self) -> tuple[LayerCount, ...]:
        """Every layer and direction, in framework order."""
        return self.count.layers

    @property
    def tensors(self) -> tuple[Tensor, ...]:
        """Every tensor, in framework order."""
        return self.count.tensors


def build_report(spec: RecurrentSpec) -> Report:
    """Count the stack once and derive everything shown about it."""
    count = breakdown(spec)
    return Report(spec, count, formula(count), output_shapes(spec), cost(spec))
