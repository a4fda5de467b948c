"""The one input of lstmviz: a frozen, validated description of a recurrent stack."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, NoReturn, TypeVar

from lstmviz.conventions import FRAMEWORK_RECORDS, RECORDS, Convention, convention

FRAMEWORKS = tuple(FRAMEWORK_RECORDS)
CELLS = tuple(dict.fromkeys(record.cell for record in RECORDS))

# Bounds keep every derived number exact and every figure bounded; they are far above
# what the explorer's sliders offer and what any real recurrent layer uses.
MAX_SIZE = 65_536
MAX_TIMESTEPS = 1_000_000
MAX_LAYERS = 16

T = TypeVar("T")

# Options that only some layers have, with their defaults. Elsewhere they must stay at the
# default: a value the framework would ignore is refused, so every output echoes what was counted.
OPTION_DEFAULTS: dict[str, object] = {"reset_after": True, "return_sequences": False, "proj_size": 0}


class SpecTypeError(TypeError, ValueError):
    """A value of the wrong type: a TypeError, and a ValueError so `except ValueError` still catches it."""


def option_applies(name: str, framework: str, cell: str) -> bool:
    """Whether an optional field (reset_after, return_sequences, proj_size) exists for this framework and cell."""
    if name not in OPTION_DEFAULTS:
        raise ValueError(f"no optional field {name!r}; the options are {', '.join(OPTION_DEFAULTS)}")
    return convention(framework, cell).has_option(name)


def count_options(spec: RecurrentSpec) -> tuple[str, ...]:
    """The options that change the layer's count, as its framework names them: ("reset_after=False",)."""
    record = convention_of(spec)
    return tuple(f"{record.option_name(n)}={getattr(spec, n)}" for n in COUNTED_OPTIONS if record.has_option(n))


# Options that change the count (return_sequences changes only the output; proj_size is a size).
COUNTED_OPTIONS = ("reset_after",)


def convention_of(spec: RecurrentSpec) -> Convention:
    """The record of the spec's framework and layer class."""
    return convention(spec.framework, spec.cell)


def require_spec(value: object, name: str = "spec") -> RecurrentSpec:
    """`value` if it is a RecurrentSpec, else a TypeError naming the argument."""
    return require_instance(value, RecurrentSpec, name, "a RecurrentSpec")


def require_instance(value: object, kind: type[T], name: str, what: str) -> T:
    """`value` if it is a `kind`, else a TypeError naming the argument and what it must be."""
    if not isinstance(value, kind):
        _wrong_type(name, what, value)
    return value


def _wrong_type(name: str, expected: str, value: object) -> NoReturn:
    raise SpecTypeError(f"{name} must be {expected}, got {type(value).__name__} {_short(value)}")


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass(frozen=True)
class RecurrentSpec:
    """A recurrent stack as a framework builds it; invalid values raise ValueError."""

    framework: str = "keras"
    cell: str = "lstm"
    features: int = 3
    units: int = 2
    timesteps: int = 40
    layers: int = 1
    bidirectional: bool = False
    bias: bool = True
    reset_after: bool = True  # Keras GRU reset_after / ONNX GRU linear_before_reset; PyTorch's GRU always does
    proj_size: int = 0  # PyTorch LSTM only; 0 = no projection
    return_sequences: bool = False  # Keras only; PyTorch always returns the full sequence

    def __post_init__(self) -> None:
        _choice("framework", self.framework, FRAMEWORKS)
        _choice("cell", self.cell, CELLS)
        _integer("features", self.features, 1, MAX_SIZE)
        _integer("units", self.units, 1, MAX_SIZE)
        _integer("timesteps", self.timesteps, 1, MAX_TIMESTEPS)
        _integer("layers", self.layers, 1, MAX_LAYERS)
        for name in ("bidirectional", "bias", "reset_after", "return_sequences"):
            if not isinstance(getattr(self, name), bool):
                _wrong_type(name, "true or false", getattr(self, name))
        _integer("proj_size", self.proj_size, 0, MAX_SIZE)
        for name, default in OPTION_DEFAULTS.items():
            value = getattr(self, name)
            if value != default and not option_applies(name, self.framework, self.cell):
                raise ValueError(
                    f"{name}={value} does not apply to {self.framework} {self.cell}: {OPTION_WHERE[name]}; "
                    f"leave it at {default}"
                )
        if self.proj_size >= self.units and self.proj_size:
            raise ValueError(f"proj_size must be smaller than units ({self.units}), got {self.proj_size}")

    @property
    def directions(self) -> int:
        """2 for a bidirectional stack, else 1."""
        return 2 if self.bidirectional else 1

    @property
    def hidden_out(self) -> int:
        """Size of h_t as the next layer sees it: proj_size when projecting, else units."""
        return self.proj_size or self.units

    @property
    def uses_reset_after(self) -> bool:
        """Whether the GRU applies its reset gate after the recurrent matmul (two biases)."""
        return bool(convention(self.framework, self.cell).behaviour("reset_after", self.reset_after))

    def as_dict(self) -> dict[str, Any]:
        """The fields as a plain dict, named like the CLI flags and URL parameters."""
        return asdict(self)

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        """Names of all fields, in declaration order."""
        return tuple(f.name for f in fields(cls))


# Where each option exists, in words (errors and the page's notices quote it).
OPTION_WHERE = {
    "reset_after": "only a Keras or ONNX GRU has it (PyTorch's GRU always resets after)",
    "return_sequences": "only Keras layers have it (PyTorch and ONNX always return the whole sequence)",
    "proj_size": "only a PyTorch LSTM has it",
}


def _choice(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if not isinstance(value, str):
        _wrong_type(name, f"one of {', '.join(allowed)}", value)
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")


def _integer(name: str, value: object, low: int, high: int) -> None:
    # bool is an int subclass; True as a layer size is a bug, not a 1.
    if isinstance(value, bool) or not isinstance(value, int):
        _wrong_type(name, "a whole number", value)
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")
