"""The one input of lstmviz: a frozen, validated description of a recurrent stack."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

FRAMEWORKS = ("keras", "pytorch", "onnx")
CELLS = ("lstm", "gru", "rnn")

# Bounds keep every derived number exact and every figure bounded; they are far above
# what the explorer's sliders offer and what any real recurrent layer uses.
MAX_SIZE = 65_536
MAX_TIMESTEPS = 1_000_000
MAX_LAYERS = 16


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
                raise ValueError(f"{name} must be true or false, got {getattr(self, name)!r}")
        _integer("proj_size", self.proj_size, 0, MAX_SIZE)
        if self.proj_size and not (self.framework == "pytorch" and self.cell == "lstm"):
            raise ValueError(
                f"proj_size={self.proj_size} is only available for a PyTorch LSTM, not a {self.framework} {self.cell}"
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
        return self.cell == "gru" and (self.framework == "pytorch" or self.reset_after)

    def as_dict(self) -> dict[str, Any]:
        """The fields as a plain dict, named like the CLI flags and URL parameters."""
        return asdict(self)

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        """Names of all fields, in declaration order."""
        return tuple(f.name for f in fields(cls))


def _choice(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")


def _integer(name: str, value: object, low: int, high: int) -> None:
    # bool is an int subclass; True as a layer size is a bug, not a 1.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")
