"""The live headline's data: every number it shows as a polynomial in the sizes, plus the texts to fill.

While a size slider moves, the browser evaluates these polynomials at the thumb's value and fills the
templates; it never counts. The total and the gates come from `count_polynomial` / `gate_polynomials`;
tensor shapes are read off the core's own tensors at neighbouring sizes (each dimension is linear in x
and h) and checked at a further point, so no shape rule is written a second time.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Any

from lstmviz.counting import LayerCount, first_layer, gate_polynomials
from lstmviz.polynomial import Poly
from lstmviz.report import Report
from lstmviz.spec import RecurrentSpec
from lstmviz.summary import formula_template, symbolic_formula, tensor_sum_template

# Sizes the dimension fit reads the core at: far from 1 so no term vanishes, above any projection.
_PROBE_X, _PROBE_H = 5, 7


def _first_layer(spec: RecurrentSpec, features: int, units: int) -> LayerCount:
    return first_layer(replace(spec, features=features, units=units))


def tensor_dimensions(spec: RecurrentSpec) -> list[tuple[Poly, ...]]:
    """Each tensor's dimensions in the first layer as polynomials a·x + b·h + c, read off the core."""
    x0, h0 = _PROBE_X, spec.proj_size + _PROBE_H
    base, more_x, more_h = (_first_layer(spec, x, h) for x, h in ((x0, h0), (x0 + 1, h0), (x0, h0 + 1)))
    x, h = Poly.var("x"), Poly.var("h")
    dims = [
        tuple(
            a * x + b * h + (d - a * x0 - b * h0)
            for d, dx, dh in zip(t.shape, tx.shape, th.shape, strict=True)
            for a, b in [(dx - d, dh - d)]
        )
        for t, tx, th in zip(base.tensors, more_x.tensors, more_h.tensors, strict=True)
    ]
    check = _first_layer(spec, x0 + 3, h0 + 5)  # a dimension that is not linear in x and h fails here
    for t, polys in zip(check.tensors, dims, strict=True):
        fitted = tuple(p.at(x0 + 3, h0 + 5, spec.proj_size) for p in polys)
        if fitted != t.shape:
            raise ArithmeticError(f"{t.name}: shape {t.shape} is not linear in the sizes (fit gave {fitted})")
    return dims


def _product(polys: tuple[Poly, ...]) -> Poly:
    result = Poly.const(1)
    for p in polys:
        result = result * p
    return result


def headline_data(report: Report) -> dict[str, Any]:
    """JSON for the live headline: sizes, polynomials by field name, the templates and the gate bars."""
    spec = report.spec
    # Everything but the sizes depends on the structure only: computed once per structure.
    structure = replace(spec, features=1, units=spec.proj_size + 1, timesteps=1)
    return {"sizes": {"x": spec.features, "h": spec.units, "p": spec.proj_size}, **_structure_data(structure)}


@lru_cache(maxsize=64)
def _structure_data(structure: RecurrentSpec) -> dict[str, Any]:
    layer = first_layer(structure)
    formula, fields = formula_template(structure)
    dims = tensor_dimensions(structure)
    shapes = [tuple(f"{{t{k}d{j}}}" for j in range(len(d))) for k, d in enumerate(dims)]
    for k, d in enumerate(dims):
        fields |= {f"t{k}d{j}": p for j, p in enumerate(d)} | {f"t{k}": _product(d)}
    fields["layer"] = sum((_product(d) for d in dims), Poly())
    gate_parts = ("input", "recurrent", "bias")
    for name, poly in zip(gate_parts, gate_polynomials(structure, 0), strict=True):
        fields[f"gate_{name}"] = poly
    if structure.proj_size:
        fields["projection"] = Poly.var("p") * Poly.var("h")
    return {
        "fields": {name: poly.as_json() for name, poly in fields.items()},
        "formula": formula,
        "split": tensor_sum_template(layer, shapes),
        "gates": [{"symbol": g.symbol, "name": g.kind.name} for g in layer.gates],
        "symbolic": symbolic_formula(structure),
    }


def fill(template: str, fields: dict[str, Any], x: int, h: int, p: int) -> str:
    """A template filled as the browser fills it: {name} plain, {name:,} with thousands commas."""
    return template.format(**{name: Poly.from_json(terms).at(x, h, p) for name, terms in fields.items()})
