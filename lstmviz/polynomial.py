"""Counts as polynomials in the sizes, so a browser can evaluate them while a slider moves.

A term is a whole coefficient times x^a · h^b · p^c (features x, units h, projection p). The
explorer's live headline receives these terms and only evaluates them; nothing is recounted there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

VARIABLES = ("x", "h", "p")  # features, units, proj_size
Monomial = tuple[int, int, int]  # exponents of x, h, p


@dataclass(frozen=True)
class Poly:
    """A polynomial with whole coefficients in x, h and p; terms sorted, no zero coefficients."""

    terms: tuple[tuple[Monomial, int], ...] = ()

    @staticmethod
    def var(name: str) -> Poly:
        """The polynomial of one variable: x, h or p."""
        exponents = tuple(int(v == name) for v in VARIABLES)
        if name not in VARIABLES:
            raise ValueError(f"no variable {name!r}; the variables are {', '.join(VARIABLES)}")
        return Poly((((exponents[0], exponents[1], exponents[2]), 1),))

    @staticmethod
    def const(value: int) -> Poly:
        """A constant polynomial."""
        return Poly((((0, 0, 0), value),)) if value else Poly()

    @staticmethod
    def _of(pairs: Mapping[Monomial, int]) -> Poly:
        return Poly(tuple(sorted((m, c) for m, c in pairs.items() if c)))

    def __add__(self, other: PolyLike) -> Poly:
        other = _lift(other)
        total = dict(self.terms)
        for monomial, coef in other.terms:
            total[monomial] = total.get(monomial, 0) + coef
        return Poly._of(total)

    __radd__ = __add__

    def __mul__(self, other: PolyLike) -> Poly:
        other = _lift(other)
        product: dict[Monomial, int] = {}
        for a, ca in self.terms:
            for b, cb in other.terms:
                m = (a[0] + b[0], a[1] + b[1], a[2] + b[2])
                product[m] = product.get(m, 0) + ca * cb
        return Poly._of(product)

    __rmul__ = __mul__

    def at(self, x: int, h: int, p: int = 0) -> int:
        """The polynomial's value at these sizes."""
        return sum(c * x ** m[0] * h ** m[1] * p ** m[2] for m, c in self.terms)

    def coefficients(self) -> dict[str, int]:
        """Coefficients by monomial name: {"x·h": 8, "h·h": 8, "h": 8} (a constant is named "1")."""
        return {_name(m): c for m, c in self.terms}

    def as_json(self) -> list[list[int]]:
        """Terms as [coefficient, a, b, c] for coefficient · x^a · h^b · p^c, for the browser."""
        return [[c, *m] for m, c in self.terms]

    @staticmethod
    def from_json(terms: list[list[int]]) -> Poly:
        """The inverse of `as_json`."""
        return Poly._of({(a, b, c): coef for coef, a, b, c in terms})

    def __str__(self) -> str:
        return " + ".join(f"{c}·{_name(m)}" if m != (0, 0, 0) else str(c) for m, c in self.terms) or "0"


PolyLike = Poly | int


def _lift(value: PolyLike) -> Poly:
    return value if isinstance(value, Poly) else Poly.const(value)


def _name(m: Monomial) -> str:
    parts = [v for v, e in zip(VARIABLES, m, strict=True) for _ in range(e)]
    return "·".join(parts) or "1"
