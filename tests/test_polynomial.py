"""The live headline's polynomials against the core's own count, over every framework, cell and option."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

import lstmviz
from lstmviz.counting import count_polynomial, gate_polynomials
from lstmviz.live import fill, headline_data
from lstmviz.polynomial import Poly
from lstmviz.spec import CELLS, FRAMEWORKS, RecurrentSpec
from lstmviz.summary import tensor_sum


def structures() -> list[RecurrentSpec]:
    """Every framework × cell × layers 1..3 × directions × bias × the options that apply."""
    found = []
    for framework, cell, layers, bidirectional, bias in itertools.product(
        FRAMEWORKS, CELLS, (1, 2, 3), (False, True), (False, True)
    ):
        for extra in ({}, {"reset_after": False}, {"proj_size": 1}, {"proj_size": 4}):
            try:
                spec = RecurrentSpec(
                    framework=framework,
                    cell=cell,
                    layers=layers,
                    bidirectional=bidirectional,
                    bias=bias,
                    units=9,
                    **extra,
                )
            except ValueError:
                continue  # an option this layer lacks
            found.append(spec)
    return found


STRUCTURES = structures()
SIZES = [(1, 5), (3, 9), (17, 6), (1024, 1000), (1, 1024), (1000, 1)]


def test_every_structure_is_covered() -> None:
    assert len(STRUCTURES) == 3 * 3 * 3 * 2 * 2 + 2 * 3 * 2 * 2 * 2  # + reset_after=False (Keras, ONNX GRU) + proj
    assert any(s.proj_size for s in STRUCTURES) and any(not s.reset_after for s in STRUCTURES)


@pytest.mark.parametrize("spec", STRUCTURES, ids=repr)
def test_count_polynomial_equals_count_params(spec: RecurrentSpec) -> None:
    poly = count_polynomial(spec)
    for x, h in SIZES:
        if h <= spec.proj_size:
            continue
        sized = replace(spec, features=x, units=h)
        assert poly.at(x, h, spec.proj_size) == lstmviz.count_params(sized)
        for layer in lstmviz.breakdown(sized).layers:
            parts = [p.at(x, h, spec.proj_size) for p in gate_polynomials(sized, layer.layer)]
            assert all(parts == [g.input_weights, g.recurrent_weights, g.biases] for g in layer.gates)


@pytest.mark.parametrize("spec", STRUCTURES, ids=repr)
def test_headline_templates_fill_to_the_pages_texts(spec: RecurrentSpec) -> None:
    data = headline_data(lstmviz.build_report(spec))
    for x, h in SIZES:
        if h <= spec.proj_size:
            continue
        report = lstmviz.build_report(replace(spec, features=x, units=h))
        assert fill(data["formula"], data["fields"], x, h, spec.proj_size) == report.formula.substituted
        assert fill(data["split"], data["fields"], x, h, spec.proj_size) == tensor_sum(report.layers[0])
        assert fill("{total}", data["fields"], x, h, spec.proj_size) == str(lstmviz.count_params(report.spec))


def test_coefficients_of_the_tutorial_example() -> None:
    assert count_polynomial(RecurrentSpec()).coefficients() == {"x·h": 4, "h·h": 4, "h": 4}
    spec = RecurrentSpec(framework="pytorch", units=8, proj_size=3)
    assert count_polynomial(spec).coefficients() == {"x·h": 4, "h·p": 5, "h": 8}


def test_polynomial_arithmetic() -> None:
    x, h = Poly.var("x"), Poly.var("h")
    assert str((x + 1) * (h + 2)) == "2 + 1·h + 2·x + 1·x·h"
    assert x * h + (-1) * x * h == Poly()
    assert Poly.from_json((3 * x * h + 2).as_json()) == 3 * x * h + 2
    with pytest.raises(ValueError, match="no variable"):
        Poly.var("T")
