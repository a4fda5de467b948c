"""Where everything in the cell diagram goes: boxes, operations and wires, with their labels.

Pure geometry on a fixed 900 × 540 canvas; `cell_svg` draws it. Every number in a label comes
from the count, so the diagram is always the configuration on screen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from lstmviz.conventions import ACTIVATION_SYMBOL
from lstmviz.counting import GateCount, LayerCount
from lstmviz.style import MUTED, gate_colour

WIDTH, HEIGHT = 900, 540
STATE_Y = 90  # the cell state (LSTM) or hidden state (GRU) runs along the top
GATE_Y = 320  # centre row of the gate boxes
BAR_Y = 430  # [h_{t-1}, x_t] runs along the bottom
GATE_W, GATE_H = 150, 96


@dataclass(frozen=True)
class Node:
    """A box (gate, projection), a circle (pointwise op) or a text label (input, output)."""

    id: str
    kind: str  # "gate", "op", "label", "proj"
    x: float  # centre
    y: float
    w: float
    h: float
    lines: tuple[str, ...]
    colour: str = MUTED


@dataclass(frozen=True)
class Edge:
    """A wire through its points, with an optional label near its middle."""

    points: tuple[tuple[float, float], ...]
    label: str = ""
    label_at: tuple[float, float] | None = None  # default: beside the first segment


@dataclass(frozen=True)
class CellGeometry:
    """The whole diagram: a title, a caption, nodes and wires."""

    width: int
    height: int
    title: str
    caption: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]

    def node(self, node_id: str) -> Node:
        """The node with this id."""
        return next(n for n in self.nodes if n.id == node_id)


def _gate_node(gate: GateCount, layer: LayerCount, x: float) -> Node:
    kind = gate.kind
    act = ACTIVATION_SYMBOL[kind.activation]
    weights = gate.input_weights + gate.recurrent_weights
    bias = f" + {gate.biases:,} b" if gate.biases else ""
    size = f"({layer.input_size:,} + {layer.hidden_out:,}) → {layer.units:,}"
    return Node(
        f"gate_{kind.symbol}",
        "gate",
        x,
        GATE_Y,
        GATE_W,
        GATE_H,
        (f"{kind.symbol} · {kind.name}", f"{act} dense {size}", f"{weights:,} w{bias}", f"= {gate.params:,}"),
        gate_colour(kind.symbol),
    )


def _op(node_id: str, x: float, y: float, symbol: str) -> Node:
    return Node(node_id, "op", x, y, 36, 36, (symbol,))


def _label(node_id: str, x: float, y: float, text: str) -> Node:
    return Node(node_id, "label", x, y, 0, 0, (text,))


def _wire(*points: tuple[float, float], label: str = "", label_at: tuple[float, float] | None = None) -> Edge:
    return Edge(tuple(points), label, label_at)


def _feeds(xs: list[float]) -> list[Edge]:
    """Each gate reads the whole [h_{t-1}, x_t] bar."""
    return [_wire((x, BAR_Y), (x, GATE_Y + GATE_H / 2)) for x in xs]


def cell_geometry(layer: LayerCount, timesteps: int, notes: Mapping[str, str] | None = None) -> CellGeometry:
    """Lay out the cell of one layer and direction; `notes` adds a line to nodes by id (live values)."""
    x, h_out = layer.input_size, layer.hidden_out
    gates = {g.kind.symbol: g for g in layer.gates}
    nodes: list[Node] = [
        _label("h_prev", 40, BAR_Y, f"h_t-1 ({h_out:,})"),
        _label("x_t", 170, HEIGHT - 28, f"x_t ({x:,})"),
    ]
    edges: list[Edge] = [
        _wire(
            (70, BAR_Y),
            (760, BAR_Y),
            label=f"[x_t, h_t-1]  ({x:,} + {h_out:,} = {x + h_out:,})",
            label_at=(190, BAR_Y + 22),  # under the bar, where no gate feed crosses it
        ),
        _wire((170, HEIGHT - 45), (170, BAR_Y)),
    ]
    symbols = [g.kind.symbol for g in layer.gates]
    _CELLS[layer.cell](layer, gates, symbols, nodes, edges)
    gate_count = len(layer.gates)
    title = f"{layer.convention.label} cell · {layer.title}"
    per_gate = layer.gates[0].params
    caption = f"{gate_count} × {per_gate:,}" if gate_count > 1 else f"{per_gate:,}"
    if layer.projection:
        caption += f" + {layer.projection:,} projection"
    caption += f" = {layer.params:,} parameters, the same at every one of the {timesteps:,} timesteps"
    if notes:
        nodes = [replace(n, lines=(*n.lines, notes[n.id])) if n.id in notes else n for n in nodes]
    return CellGeometry(WIDTH, HEIGHT, title, caption, tuple(nodes), tuple(edges))


def _lstm(
    layer: LayerCount,
    gates: dict[str, GateCount],
    symbols: list[str],
    nodes: list[Node],
    edges: list[Edge],
) -> None:
    h, h_out = layer.units, layer.hidden_out
    # In the update rule's order (i, f, o, c), whatever the tensor order: ONNX stores i, o, f, c.
    i, f, o, c = (symbols[k] for k in layer.convention.compute_order)
    xs = {f: 140, i: 310, c: 480, o: 650}
    mid = (xs[i] + xs[c]) / 2  # where i and the candidate meet
    nodes += [_gate_node(gates[s], layer, xs[s]) for s in (i, f, c, o)]
    nodes += [
        _label("c_prev", 40, STATE_Y, f"c_t-1 ({h:,})"),
        _label("c_t", 860, STATE_Y + 40, f"c_t ({h:,})"),  # below its arrow, clear of the head
        _op("forget_mul", xs[f], STATE_Y, "×"),
        _op("add", mid, STATE_Y, "+"),
        _op("input_mul", mid, 200, "×"),
        _op("tanh_c", 790, 160, "tanh"),
        _op("output_mul", 790, 240, "×"),
    ]
    top = GATE_Y - GATE_H / 2
    edges += _feeds(list(xs.values()))
    edges += [
        _wire((80, STATE_Y), (xs[f] - 18, STATE_Y)),
        _wire((xs[f] + 18, STATE_Y), (mid - 18, STATE_Y)),
        _wire((mid + 18, STATE_Y), (830, STATE_Y)),
        _wire((xs[f], top), (xs[f], STATE_Y + 18), label=f"{f} ({h:,})"),
        _wire((xs[i], top), (xs[i], 200), (mid - 18, 200), label=f"{i} ({h:,})"),
        _wire((xs[c], top), (xs[c], 200), (mid + 18, 200), label=f"{c} ({h:,})"),
        _wire((mid, 182), (mid, STATE_Y + 18)),
        _wire((790, STATE_Y), (790, 142)),
        _wire((790, 178), (790, 222)),
        _wire((xs[o], top), (xs[o], 240), (772, 240), label=f"{o} ({h:,})"),
    ]
    out_x = 790
    if layer.projection:
        nodes.append(
            Node("proj", "proj", 790, 330, 96, 60, ("projection W_hr", f"{h:,} → {h_out:,}", f"= {layer.projection:,}"))
        )
        edges.append(_wire((790, 258), (790, 302)))
        out_y = 358
        edges.append(_wire((out_x, out_y), (out_x, 390), (880, 390)))
        nodes.append(_label("h_t", 860, 418, f"h_t ({h_out:,})"))
    else:
        edges.append(_wire((808, 240), (860, 240)))
        nodes.append(_label("h_t", 860, 282, f"h_t ({h_out:,})"))


def _rnn(
    layer: LayerCount,
    gates: dict[str, GateCount],
    symbols: list[str],
    nodes: list[Node],
    edges: list[Edge],
) -> None:
    h = layer.units
    nodes.append(_gate_node(layer.gates[0], layer, 450))
    edges += _feeds([450])
    edges.append(_wire((450, GATE_Y - GATE_H / 2), (450, STATE_Y + 60), (860, STATE_Y + 60), label=f"h ({h:,})"))
    nodes.append(_label("h_t", 860, STATE_Y + 30, f"h_t ({h:,})"))


def _gru(
    layer: LayerCount,
    gates: dict[str, GateCount],
    symbols: list[str],
    nodes: list[Node],
    edges: list[Edge],
) -> None:
    h = layer.units
    # Keras orders z, r, h; PyTorch r, z, n. The picture is the same: r feeds the candidate.
    z, r, cand = ("z", "r", symbols[2])
    xs = {r: 150, z: 390, cand: 630}
    nodes += [_gate_node(gates[s], layer, xs[s]) for s in symbols]
    after = layer.reset_after
    bias = " + b" if layer.bias_vectors else ""
    reset_text = f"r ⊙ (h_t-1 U{bias})" if after else "(r ⊙ h_t-1) U"
    nodes += [
        _label("h_prev_top", 40, STATE_Y, f"h_t-1 ({h:,})"),
        _label("h_t", 860, STATE_Y + 40, f"h_t ({h:,})"),
        _op("keep_mul", xs[z], STATE_Y, "×"),
        _op("add", 720, STATE_Y, "+"),
        _op("one_minus", 510, 200, "1−"),
        _op("new_mul", 720, 200, "×"),
        _op("reset_mul", 270, 230, "×"),
    ]
    top = GATE_Y - GATE_H / 2
    edges += _feeds(list(xs.values()))
    edges += [
        _wire((80, STATE_Y), (xs[z] - 18, STATE_Y)),
        _wire((xs[z] + 18, STATE_Y), (702, STATE_Y)),
        _wire((738, STATE_Y), (830, STATE_Y)),
        _wire((xs[z], top), (xs[z], STATE_Y + 18), label=f"z ({h:,})"),
        _wire((xs[z], 200), (492, 200)),
        _wire((528, 200), (702, 200)),
        _wire((xs[cand], top), (xs[cand], 230), (720, 230), (720, 218), label=f"{cand} ({h:,})"),
        _wire((720, 182), (720, STATE_Y + 18)),
        _wire((xs[r], top), (xs[r], 230), (252, 230), label=f"r ({h:,})"),
        # The reset product's other input: h_t-1 (times U, reset after or before), from the state line.
        _wire((270, STATE_Y), (270, 212)),
        # Around the update gate's box, not across it.
        _wire(
            (288, 230),
            (540, 230),
            (540, GATE_Y - 20),
            (xs[cand] - GATE_W / 2, GATE_Y - 20),
            label=reset_text,
            label_at=(96, 160),  # left of the h_t-1 branch at x=270, above the r wire
        ),
    ]


# The drawing of each update rule, by the record's cell.
_CELLS = {"lstm": _lstm, "gru": _gru, "rnn": _rnn}
