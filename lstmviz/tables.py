"""Every table lstmviz shows, declared once as columns (label, JSON key, value).

The page's dataframes, the CSV/Markdown/LaTeX exports, the gate-count figure and `count --json`
all read these rows, so every format lists the same parts and they add up to the same total.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

from lstmviz.counting import LayerCount, Tensor, TensorSlice
from lstmviz.report import Report
from lstmviz.shapes import output_shapes
from lstmviz.spec import option_applies

T = TypeVar("T")
Row = dict[str, Any]


@dataclass(frozen=True)
class Column(Generic[T]):
    """One column: its heading on the page and in exports (None: JSON only), its JSON key (None: not in JSON)."""

    label: str | None
    key: str | None
    value: Callable[[T], Any]


def rows(columns: Sequence[Column[T]], items: Iterable[T]) -> list[Row]:
    """The items as rows keyed by column label: page dataframes and exports."""
    return [{c.label: c.value(item) for c in columns if c.label is not None} for item in items]


def json_rows(columns: Sequence[Column[T]], items: Iterable[T]) -> list[Row]:
    """The items as rows keyed by JSON key: `count --json`."""
    return [{c.key: c.value(item) for c in columns if c.key is not None} for item in items]


# --- tensors -----------------------------------------------------------------------------

TENSORS: tuple[Column[Tensor], ...] = (
    Column("tensor", "name", lambda t: t.name),
    Column("layer", "layer", lambda t: t.layer),
    Column("direction", "direction", lambda t: t.direction),
    Column("shape", None, lambda t: str(t.shape)),
    Column(None, "shape", lambda t: list(t.shape)),
    Column("parameters", "params", lambda t: t.params),
)

# --- layers ------------------------------------------------------------------------------

LAYERS: tuple[Column[LayerCount], ...] = (
    Column("layer", "layer", lambda lc: lc.layer),
    Column("direction", "direction", lambda lc: lc.direction),
    Column("input size", "input_size", lambda lc: lc.input_size),
    Column("parameters", "params", lambda lc: lc.params),
)

# --- gates (and the projection, a part of its own) ----------------------------------------


@dataclass(frozen=True)
class GatePart:
    """One gate's dense layer, or a PyTorch projection, of one layer and direction."""

    layer: int
    direction: str
    name: str
    symbol: str
    activation: str
    input_weights: int
    recurrent_weights: int
    biases: int
    projection_weights: int
    running_total: int  # this part plus every part listed before it
    slices: tuple[TensorSlice, ...]

    @property
    def params(self) -> int:
        """Parameters of this part."""
        return self.input_weights + self.recurrent_weights + self.biases + self.projection_weights

    @property
    def label(self) -> str:
        """How the part is named in tables and bars: `i · input`, `projection W_hr`."""
        return f"{self.name} {self.symbol}" if self.name == "projection" else f"{self.symbol} · {self.name}"


def gate_parts(layers: Iterable[LayerCount]) -> tuple[GatePart, ...]:
    """Every gate and projection of the layers, in order; their params add up to the layers' total."""
    parts: list[GatePart] = []
    running = 0
    for lc in layers:
        for g in lc.gates:
            running += g.params
            parts.append(
                GatePart(
                    lc.layer,
                    lc.direction,
                    g.kind.name,
                    g.kind.symbol,
                    g.kind.activation,
                    g.input_weights,
                    g.recurrent_weights,
                    g.biases,
                    0,
                    running,
                    g.slices,
                )
            )
        if lc.projection:
            running += lc.projection
            parts.append(
                GatePart(lc.layer, lc.direction, "projection", "W_hr", "none", 0, 0, 0, lc.projection, running, ())
            )
    return tuple(parts)


GATE_PARTS = ("input weights", "recurrent weights", "biases", "projection weights")

GATES: tuple[Column[GatePart], ...] = (
    Column("layer", "layer", lambda p: p.layer),
    Column("direction", "direction", lambda p: p.direction),
    Column("gate", None, lambda p: p.label),
    Column(None, "name", lambda p: p.name),
    Column(None, "symbol", lambda p: p.symbol),
    Column("activation", "activation", lambda p: p.activation),
    Column("input weights", "input_weights", lambda p: p.input_weights),
    Column("recurrent weights", "recurrent_weights", lambda p: p.recurrent_weights),
    Column("biases", "biases", lambda p: p.biases),
    Column("projection weights", "projection_weights", lambda p: p.projection_weights),
    Column("parameters", "params", lambda p: p.params),
    Column("running total", None, lambda p: p.running_total),
    Column(
        None,
        "slices",
        lambda p: [{"tensor": s.tensor, "axis": s.axis, "start": s.start, "stop": s.stop} for s in p.slices],
    ),
)

# One layer's gates on the page: the layer picker above already says which layer and direction.
LAYER_GATES = tuple(c for c in GATES if c.label not in ("layer", "direction"))

# --- timesteps: what grows with T while the count does not ---------------------------------


@dataclass(frozen=True)
class TimestepRow:
    """The stack at another sequence length: same parameters, other shapes and cost."""

    timesteps: int
    params: int
    output: tuple[int | None, ...]
    sequence_output: tuple[int | None, ...]
    multiply_adds: int
    activation_bytes: int


def timestep_rows(report: Report) -> tuple[TimestepRow, ...]:
    """The report at T = 1, its own T and 10 T; the count is the report's, since T never changes it."""
    spec = report.spec
    found = []
    for t in sorted({1, spec.timesteps, 10 * spec.timesteps}):
        run = replace(report.cost, timesteps=t)
        # The first output is the layer's output in every framework (Keras output, PyTorch output, ONNX Y);
        # only Keras has the switch, PyTorch and ONNX always return every step.
        output = output_shapes(replace(spec, timesteps=t)).shapes[0][1]
        every_step = option_applies("return_sequences", spec.framework, spec.cell)
        sequence = output_shapes(replace(spec, timesteps=t, return_sequences=every_step)).shapes[0][1]
        found.append(
            TimestepRow(
                t,
                report.total,
                tuple(output),
                tuple(sequence),
                run.multiply_adds_per_sequence,
                run.activation_bytes_float32,
            )
        )
    return tuple(found)


def _shape(shape: tuple[int | None, ...]) -> str:
    # The batch dimension is None everywhere, as Keras prints it.
    return str(shape)


TIMESTEPS: tuple[Column[TimestepRow], ...] = (
    Column("timesteps T", "timesteps", lambda r: r.timesteps),
    Column("parameters", "params", lambda r: r.params),
    Column("output shape", "output_shape", lambda r: _shape(r.output)),
    Column("per-timestep outputs", "sequence_output_shape", lambda r: _shape(r.sequence_output)),
    Column("multiply-adds / sequence", "multiply_adds_per_sequence", lambda r: r.multiply_adds),
    Column("training activations (float32)", None, lambda r: f"{r.activation_bytes / 1024:,.1f} KiB"),
    Column(None, "activation_bytes_float32", lambda r: r.activation_bytes),
)

# --- a model file: its layers, and the trained gates of one recurrent layer (inspect view) --

ModelRow = tuple[str, str, int, str]  # name, kind, parameters, check against the formula

MODEL_LAYERS: tuple[Column[ModelRow], ...] = (
    Column("layer", "name", lambda r: r[0]),
    Column("kind", "kind", lambda r: r[1]),
    Column("parameters", "params", lambda r: r[2]),
    Column("lstmviz formula", "check", lambda r: r[3]),
)


def _stat(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


GATE_STATS: tuple[Column[Any], ...] = (  # rows are lstmviz.modelfiles.inspection.GateStats
    Column("layer", "layer", lambda s: s.layer),
    Column("direction", "direction", lambda s: s.direction),
    Column("gate", "gate", lambda s: f"{s.symbol} ({s.name})"),
    Column("‖W‖ input", "input_norm", lambda s: _stat(s.input_norm)),
    Column("‖U‖ recurrent", "recurrent_norm", lambda s: _stat(s.recurrent_norm)),
    Column("mean W", "input_mean", lambda s: _stat(s.input_mean)),
    Column("mean U", "recurrent_mean", lambda s: _stat(s.recurrent_mean)),
    Column("mean bias", "bias_mean", lambda s: _stat(s.bias_mean)),
)
