"""Figure builders, tested on their data and geometry, not on pixels."""

from __future__ import annotations

import base64
import json
import xml.etree.ElementTree as ET
from dataclasses import replace

import numpy as np
import pytest

import lstmviz
from lstmviz import RecurrentSpec
from lstmviz.figures.cell_geometry import HEIGHT, WIDTH, cell_geometry
from lstmviz.figures.cell_svg import cell_svg
from lstmviz.figures.counts import dense_network_figure, gate_counts_figure
from lstmviz.figures.frozen import LIST_MAX_VALUES
from lstmviz.figures.heatmap import MAX_COLS, MAX_ROWS, heatmap_data, pool_mean, weight_heatmap
from lstmviz.tables import GATE_PARTS
from lstmviz.weights import init_layer, init_weights

TUTORIAL = RecurrentSpec()
CASES = [
    TUTORIAL,
    RecurrentSpec(framework="pytorch"),
    RecurrentSpec(cell="gru"),
    RecurrentSpec(cell="gru", reset_after=False),
    RecurrentSpec(framework="pytorch", cell="gru", features=5, units=4),
    RecurrentSpec(cell="rnn", features=4, units=3),
    RecurrentSpec(framework="pytorch", cell="rnn", bias=False),
    RecurrentSpec(framework="pytorch", features=5, units=6, proj_size=3, layers=2, bidirectional=True),
    RecurrentSpec(features=7, units=5, layers=3, bidirectional=True, bias=False),
]


def _layer_weights(spec: RecurrentSpec, index: int = 0, direction: str = "forward") -> tuple:
    layer = lstmviz.breakdown(spec).layer(index, direction)
    values = init_layer(layer, seed=0)
    return layer, {t.key: values[t.name] for t in layer.tensors}


# --- initial weights --------------------------------------------------------------------


@pytest.mark.parametrize("spec", CASES, ids=str)
def test_initial_weights_have_every_tensor_with_its_shape(spec: RecurrentSpec) -> None:
    weights = init_weights(spec, seed=1)
    assert [(k, v.shape) for k, v in weights.items()] == [(t.key, t.shape) for t in lstmviz.weight_tensors(spec)]
    assert all(v.dtype == np.float32 for v in weights.values())
    assert sum(v.size for v in weights.values()) == lstmviz.count_params(spec)


def test_initial_weights_are_seeded() -> None:
    a, b, c = (init_weights(TUTORIAL, seed=s) for s in (0, 0, 1))
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["lstm/lstm_cell/kernel"], c["lstm/lstm_cell/kernel"])


def test_keras_initialisers_follow_keras() -> None:
    spec = RecurrentSpec(features=64, units=32)
    w = init_weights(spec)
    kernel, recurrent, bias = (w[f"lstm/lstm_cell/{n}"] for n in ("kernel", "recurrent_kernel", "bias"))
    limit = np.sqrt(6 / (64 + 4 * 32))  # glorot_uniform over (fan_in, fan_out) = (x, 4h)
    assert np.abs(kernel).max() <= limit
    assert np.var(kernel) == pytest.approx(limit**2 / 3, rel=0.1)
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(32), atol=1e-5)  # orthogonal rows
    expected_bias = np.zeros(128, dtype=np.float32)
    expected_bias[32:64] = 1.0  # unit_forget_bias on the f block
    np.testing.assert_array_equal(bias, expected_bias)


def test_pytorch_initialiser_is_uniform_in_one_over_sqrt_h() -> None:
    spec = RecurrentSpec(framework="pytorch", features=64, units=25, proj_size=5)
    for value in init_weights(spec).values():
        assert np.abs(value).max() <= 1 / 5
    assert np.abs(init_weights(spec)["weight_ih_l0"]).max() > 0.19  # fills the range


# --- heatmap ----------------------------------------------------------------------------


def test_pool_mean_matches_a_direct_mean_with_ragged_edges() -> None:
    m = np.random.default_rng(0).standard_normal((10, 7))
    pooled, rows, cols = pool_mean(m, 3, 2)
    assert pooled.shape == (4, 4) and list(rows) == [0, 3, 6, 9] and list(cols) == [0, 2, 4, 6]
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            assert pooled[i, j] == pytest.approx(m[r : r + 3, c : c + 2].mean(), abs=1e-6)


@pytest.mark.parametrize("spec", CASES, ids=str)
def test_heatmap_blocks_are_the_gate_slices_of_each_tensor(spec: RecurrentSpec) -> None:
    layer, weights = _layer_weights(spec)
    data = heatmap_data(layer, weights)
    assert not data.pooled
    by_name = {t.name: t for t in layer.tensors}
    gate_tensors = [t for t in layer.tensors if t.role != "projection"]
    assert len(data.blocks) == len(gate_tensors) * len(layer.gates)
    for block in data.blocks:
        gate = layer.gates[block.gate_index]
        (sl,) = [s for s in gate.slices if s.tensor == block.tensor.name]
        full = weights[by_name[sl.tensor].key]
        expected = np.take(full, range(sl.start, sl.stop), axis=sl.axis)
        expected = expected.reshape(block.values.shape)
        np.testing.assert_array_equal(block.values, expected)


def test_heatmap_gate_labels_follow_each_frameworks_order() -> None:
    expected = {
        TUTORIAL: ["i", "f", "c", "o"],
        RecurrentSpec(framework="pytorch"): ["i", "f", "g", "o"],
        RecurrentSpec(cell="gru"): ["z", "r", "h"],
        RecurrentSpec(framework="pytorch", cell="gru"): ["r", "z", "n"],
    }
    for spec, symbols in expected.items():
        layer, weights = _layer_weights(spec)
        fig = weight_heatmap(heatmap_data(layer, weights))
        (strip,) = [t for t in fig.data if t.name == "gates"]
        assert list(strip.customdata) == symbols  # what a click on the strip selects
        assert [label[3 : label.index("</b>")] for label in strip.text] == symbols


def test_heatmap_hover_names_source_gate_and_unit() -> None:
    spec = replace(TUTORIAL, units=4)
    layer, weights = _layer_weights(spec)
    fig = weight_heatmap(heatmap_data(layer, weights))
    kernel = next(t for t in fig.data if t.name == "kernel")  # one trace per tensor, its gate blocks side by side
    assert "W[%{y}, %{x}]: input feature %{y}<br>%{customdata}" in kernel.hovertemplate
    assert list(kernel.x) == list(range(16))
    np.testing.assert_array_equal(kernel.z, weights[layer.tensors[0].key])
    # W[2, 5] is in the forget block W[:, 4:8], its unit 1.
    assert kernel.customdata[2][5] == "→ forget gate (f), unit 1"
    assert kernel.customdata[0][3] == "→ input gate (i), unit 3"


def test_heatmap_hover_labels_stop_at_their_cell_cap() -> None:
    from lstmviz.figures.heatmap import HOVER_LABEL_CELLS

    layer, weights = _layer_weights(RecurrentSpec(features=64, units=64))
    data = heatmap_data(layer, weights)
    assert sum(b.values.size for b in data.blocks) > HOVER_LABEL_CELLS and not data.pooled
    big = weight_heatmap(data)
    # Past the cap: one trace per gate block, whose hover names its gate, and each cell's unit index.
    traces = [t for t in big.data if t.type == "heatmap"]
    assert len(traces) == len(data.blocks)
    forget_kernel = traces[1]
    assert "input feature %{y}<br>→ forget gate (f), unit %{customdata}" in forget_kernel.hovertemplate
    assert list(forget_kernel.x) == list(range(64, 128)) and forget_kernel.customdata[0].tolist() == list(range(64))
    assert len(big.to_json()) < 300_000  # 16,640 float32 weights and int16 units, typed; no label text
    pooled = weight_heatmap(heatmap_data(*_layer_weights(RecurrentSpec(features=1024, units=1000))))
    assert all("→ " in t.hovertemplate and t.customdata is None for t in pooled.data if t.type == "heatmap")


def test_pytorch_heatmap_puts_gates_on_rows() -> None:
    spec = RecurrentSpec(framework="pytorch", units=3)
    layer, weights = _layer_weights(spec)
    fig = weight_heatmap(heatmap_data(layer, weights))
    ih = next(t for t in fig.data if t.name == "weight_ih_l0")
    assert list(ih.y) == list(range(12)) and list(ih.x) == [0, 1, 2]
    np.testing.assert_array_equal(ih.z, weights["weight_ih_l0"])
    assert ih.customdata[7][0] == "→ cell candidate gate (g), unit 1"  # rows 6:9 are the g block
    assert (ih.xaxis, ih.yaxis) == ("x", "y")  # the gate axis (rows) is shared by every tensor


@pytest.mark.parametrize("framework", ["keras", "pytorch"])
def test_heatmap_at_maximum_size_is_pooled_and_bounded(framework: str) -> None:
    spec = RecurrentSpec(framework=framework, features=1024, units=1024)
    layer, weights = _layer_weights(spec)
    data = heatmap_data(layer, weights)
    assert data.pooled
    keras = framework == "keras"
    gate_cells = sum(b.values.shape[1 if keras else 0] for b in data.blocks if b.tensor.role == "input")
    assert gate_cells <= (MAX_COLS if keras else MAX_ROWS) + len(layer.gates)
    block = next(b for b in data.blocks if b.tensor.role == "input" and b.gate_index == 1)
    full = weights[block.tensor.key]
    r, c = int(block.rows[1]), int(block.cols[1])
    rf, cf = data.row_factor, data.col_factor
    assert block.values[1, 1] == pytest.approx(full[r : r + rf, c : c + cf].mean(), abs=1e-6)
    fig = weight_heatmap(data)
    size = len(fig.to_json())
    assert size < 2_000_000, size
    assert "pooled" in fig.layout.title.text


# --- cell diagram -----------------------------------------------------------------------


@pytest.mark.parametrize("spec", CASES, ids=str)
def test_cell_geometry_labels_come_from_the_count(spec: RecurrentSpec) -> None:
    layer = lstmviz.breakdown(spec).layer(0)
    geometry = cell_geometry(layer, spec.timesteps)
    gates = [n for n in geometry.nodes if n.kind == "gate"]
    assert sorted(n.id for n in gates) == sorted(f"gate_{g.kind.symbol}" for g in layer.gates)
    for gate in layer.gates:
        node = geometry.node(f"gate_{gate.kind.symbol}")
        assert node.lines[-1] == f"= {gate.params:,}"
        assert f"({layer.input_size:,} + {layer.hidden_out:,}) → {layer.units:,}" in node.lines[1]
    assert f"= {layer.params:,} parameters" in geometry.caption
    assert any(n.kind == "proj" for n in geometry.nodes) == bool(spec.proj_size)
    for n in geometry.nodes:
        assert 0 <= n.x - n.w / 2 and n.x + n.w / 2 <= WIDTH and 0 <= n.y - n.h / 2 <= HEIGHT
    for e in geometry.edges:
        assert all(0 <= x <= WIDTH and 0 <= y <= HEIGHT for x, y in e.points)


def test_gate_boxes_do_not_overlap() -> None:
    for spec in CASES:
        geometry = cell_geometry(lstmviz.breakdown(spec).layer(0), spec.timesteps)
        boxes = [n for n in geometry.nodes if n.kind in ("gate", "proj")]
        for a in boxes:
            for b in boxes:
                if a is not b:
                    apart_x = abs(a.x - b.x) >= (a.w + b.w) / 2
                    apart_y = abs(a.y - b.y) >= (a.h + b.h) / 2
                    assert apart_x or apart_y, (spec, a.id, b.id)


def test_tutorial_cell_svg_is_valid_and_labelled() -> None:
    svg = cell_svg(cell_geometry(lstmviz.breakdown(TUTORIAL).layer(0), TUTORIAL.timesteps))
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "f · forget" in texts and "c · cell candidate" in texts
    assert "4 × 12 = 48 parameters, the same at every one of the 40 timesteps" in texts
    assert "x_t (3)" in texts and "h_t-1 (2)" in texts and "c_t-1 (2)" in texts


# --- counts -------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", CASES, ids=str)
def test_gate_count_bars_add_up_to_the_layer(spec: RecurrentSpec) -> None:
    layer = lstmviz.breakdown(spec).layer(0)
    fig = gate_counts_figure(layer)
    parts = list(GATE_PARTS if layer.projection else GATE_PARTS[:3])
    real = [t for t in fig.data if t.showlegend is False]
    swatches = [t for t in fig.data if t.showlegend is not False]
    assert [t.name for t in real] == [t.name for t in swatches] == parts  # one undimmed legend swatch per part
    bars = sum(sum(t.x) for t in real)
    assert bars == layer.params
    by_part = {t.name: list(t.x) for t in real}
    assert by_part["input weights"][: len(layer.gates)] == [g.input_weights for g in layer.gates]
    if layer.projection:  # W_hr is its own part, not a recurrent weight
        assert by_part["projection weights"][-1] == layer.projection
        assert by_part["recurrent weights"][-1] == 0


def test_dense_warmup_figure_matches_the_tutorial_example() -> None:
    fig = dense_network_figure(lstmviz.dense_params(3, 5, 2))
    texts = [a.text for a in fig.layout.annotations]
    assert texts == ["3×5 + 5 = 20", "5×2 + 2 = 12"]
    assert fig.layout.title.text.endswith("= 32")
    lines = fig.data[0]
    assert sum(1 for v in lines.x if v is None) == 3 * 5 + 5 * 2  # one segment per connection
    assert json.loads(fig.to_json())  # serialisable


@pytest.mark.parametrize("spec", CASES, ids=str)
def test_cell_chart_draws_the_same_geometry(spec: RecurrentSpec) -> None:
    from lstmviz.figures.cell_plotly import cell_figure

    geometry = cell_geometry(lstmviz.breakdown(spec).layer(0), spec.timesteps)
    fig = cell_figure(geometry)
    boxes = [s for s in fig.layout.shapes if s.type == "rect"][1:]  # the first is the cell body
    assert len(boxes) == sum(1 for n in geometry.nodes if n.kind in ("gate", "proj"))
    assert sum(1 for s in fig.layout.shapes if s.type == "circle") == sum(1 for n in geometry.nodes if n.kind == "op")
    arrows = [a for a in fig.layout.annotations if a.showarrow]
    assert len(arrows) == len(geometry.edges)
    texts = " ".join(a.text for a in fig.layout.annotations)
    assert geometry.caption in texts and all(f"= {g.params:,}" in texts for g in lstmviz.breakdown(spec).layer(0).gates)


# --- run through time -------------------------------------------------------------------


def _pass_rows() -> tuple[list, list[tuple[str, ...]]]:  # type: ignore[type-arg]
    from lstmviz.equations import cell_equations, live_equations
    from lstmviz.figures.through_time import rows_for
    from lstmviz.inputs import sine_waves
    from lstmviz.weights import init_weights

    spec = RecurrentSpec(timesteps=6)
    result = lstmviz.forward(spec, init_weights(spec), sine_waves(1, 6, 3, seed=0))
    series = {s: a[0] for s, a in result.gates[(0, "forward")].items()}
    series |= {"cell state": result.c_t[(0, "forward")][0], "hidden state": result.h_t[(0, "forward")][0]}
    layer = lstmviz.breakdown(spec).layer(0)
    activations = {g.kind.symbol: g.kind.activation for g in layer.gates}
    titles = {k: k for k in series}
    rows = rows_for(sine_waves(1, 6, 3, seed=0)[0], series, activations, titles, result.outputs[0], one_hot=False)
    equations = cell_equations(layer)
    return rows, [live_equations(equations, series, i) for i in range(6)]


def test_through_time_figure_rows_scales_and_step_markers() -> None:
    from lstmviz.figures.through_time import through_time_figure

    rows, _ = _pass_rows()
    fig = through_time_figure(rows)
    heatmaps = [t for t in fig.data if t.type == "heatmap"]
    assert [t.coloraxis for t in heatmaps] == [
        "coloraxis",
        "coloraxis",
        "coloraxis2",
        "coloraxis",
        "coloraxis3",
        "coloraxis2",
    ]
    np.testing.assert_array_equal(heatmaps[0].z, rows[1].values.T)  # units down, time across
    assert list(heatmaps[0].x) == [1, 2, 3, 4, 5, 6]
    # One marker per row, found by the player by its meta; the figure never depends on t (no frames).
    markers = [t for t in fig.data if t.meta == "step"]
    assert len(markers) == len(rows) and all(t.line.dash == "dash" for t in markers)
    assert not fig.frames and not fig.layout.updatemenus and not fig.layout.sliders


def test_playback_holds_every_series_and_the_equations_at_each_step() -> None:
    from lstmviz.equations import brief
    from lstmviz.inputs import sine_waves
    from lstmviz.playback import playback, player_data
    from lstmviz.weights import init_weights

    spec = RecurrentSpec(timesteps=6)
    result = lstmviz.forward(spec, init_weights(spec), sine_waves(1, 6, 3, seed=0))
    play = playback(result, lstmviz.breakdown(spec).layer(0))
    assert [s.key for s in play.series] == ["i", "f", "c", "o", "cell state", "hidden state"]
    forget = result.gates[(0, "forward")]["f"][0]
    np.testing.assert_array_equal(play.values()["f"], forget)
    assert play.equations[2][1] == f"f_t = σ(W_f x_t + U_f h_t−1 + b_f) = {brief(forget[2])}"
    data = player_data(play, {}, {}, units=1)
    assert data["steps"] == 6 and data["units"] == 2
    assert data["rows"][1]["values"][2] == [round(float(forget[2, 0]), 3)]


def test_cell_notes_add_live_values_to_named_nodes() -> None:
    layer = lstmviz.breakdown(TUTORIAL).layer(0)
    geometry = cell_geometry(layer, TUTORIAL.timesteps, {"gate_f": "at t=3: [0.10, 0.20]", "h_t": "mean 0.05"})
    assert geometry.node("gate_f").lines[-1] == "at t=3: [0.10, 0.20]"
    assert geometry.node("h_t").lines == ("h_t (2)", "mean 0.05")
    assert "mean 0.05" in cell_svg(geometry)


# --- figures built without validation must still be valid Plotly -------------------------


@pytest.mark.parametrize("spec", [*CASES, RecurrentSpec(features=1024, units=1024)], ids=str)
def test_unvalidated_figures_pass_plotly_validation(spec: RecurrentSpec) -> None:
    import plotly.graph_objects as go

    layer, weights = _layer_weights(spec)
    from lstmviz.figures.focus import focus_gate, gate_targets, quiz_heatmap

    heatmap = weight_heatmap(heatmap_data(layer, weights))
    focused = (focus_gate(heatmap, layer, 0), gate_targets(heatmap, layer), quiz_heatmap(heatmap, layer, 0))
    for fig in (heatmap, gate_counts_figure(layer), *focused):
        checked = go.Figure(fig.to_dict())  # raises ValueError on any invalid property
        assert checked.to_plotly_json()["data"]
        # What st.plotly_chart sends: the template inlined as a dict (plotly.js cannot resolve a name).
        template = fig.to_dict()["layout"]["template"]
        assert isinstance(template, dict) and template["layout"]["xaxis"]["ticklabeloverflow"] == "allow"
    # plotly.js cannot resolve Python's reversed scale names: the heatmap sends the colours.
    scale = weight_heatmap(heatmap_data(layer, weights)).to_plotly_json()["layout"]["coloraxis"]["colorscale"]
    assert scale[0][1] == "rgb(5,48,97)" and scale[-1][1] == "rgb(103,0,31)"  # blue low, red high


def test_through_time_figures_pass_plotly_validation() -> None:
    import plotly.graph_objects as go

    from lstmviz.figures.through_time import through_time_figure
    from lstmviz.style import PROJECTOR, SCREEN

    rows, _ = _pass_rows()
    for theme in (SCREEN, PROJECTOR):  # the projector's sizes once put a domain at -1e-16
        checked = go.Figure(through_time_figure(rows, theme).to_dict())  # raises ValueError on an invalid property
        assert checked.to_plotly_json()["data"]


def test_fast_orthogonal_path_equals_the_qr_definition() -> None:
    from lstmviz.weights import _orthonormal_columns

    a = np.random.default_rng(3).standard_normal((256, 64)).astype(np.float32)
    q, r = np.linalg.qr(a)
    np.testing.assert_allclose(_orthonormal_columns(a), q * np.sign(np.diag(r)), atol=1e-6)
    square = a[:64]
    q, r = np.linalg.qr(square)
    np.testing.assert_allclose(_orthonormal_columns(square), q * np.sign(np.diag(r)), atol=1e-6)


# --- the followed gate, borders, ticks ------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "symbol"),
    [(TUTORIAL, "f"), (RecurrentSpec(framework="pytorch"), "o"), (RecurrentSpec(cell="gru"), "r")],
    ids=str,
)
def test_selected_gate_stands_out_in_every_figure(spec: RecurrentSpec, symbol: str) -> None:
    from lstmviz.style import DIM, PAPER, PART_COLOURS, blend

    layer, weights = _layer_weights(spec)
    fig = weight_heatmap(heatmap_data(layer, weights), selected=symbol)
    assert [t.name for t in fig.data if t.type == "heatmap"] == [t.name for t in layer.tensors]
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    veils = [s for s in rects if s.fillcolor == PAPER]
    (outline,) = [s for s in rects if s.fillcolor != PAPER]  # one frame across every tensor panel
    k = [g.symbol for g in layer.gates].index(symbol)
    gate_axis, stack_axis = ("x", "y") if layer.gates_in_columns else ("y", "x")
    start = lambda shape: getattr(shape, f"{gate_axis}0")  # noqa: E731
    assert start(outline) == k * layer.units - 0.5 and outline.line.width > 0
    # Every other gate is veiled in white, which looks like drawing it at opacity DIM.
    assert sorted(start(v) for v in veils) == [j * layer.units - 0.5 for j in range(len(layer.gates)) if j != k]
    assert all(v.opacity == pytest.approx(1 - DIM) for v in veils)
    assert all(getattr(s, f"{stack_axis}ref") == "paper" for s in rects)
    bars = gate_counts_figure(layer, selected=symbol)
    for trace in [t for t in bars.data if t.showlegend is False]:
        assert list(trace.customdata) == [g.symbol for g in layer.gates]
        full = PART_COLOURS[trace.name]
        assert [c == full for c in trace.marker.color] == [g.symbol == symbol for g in layer.gates]
        assert all(
            c == blend(full, DIM) for c, g in zip(trace.marker.color, layer.gates, strict=True) if g.symbol != symbol
        )
    svg = cell_svg(cell_geometry(layer, spec.timesteps), selected=symbol)
    chosen = ET.fromstring(svg).find(".//{http://www.w3.org/2000/svg}g[@class='selected']")
    assert chosen is not None and chosen.get("id") == f"gate_{symbol}"


def test_gate_borders_are_opaque_white_under_black() -> None:
    # The template's shape default is 30% opacity: borders set their own, and a white line under a
    # black one shows on dark and on light cells alike.
    layer, weights = _layer_weights(TUTORIAL)
    fig = weight_heatmap(heatmap_data(layer, weights))
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert lines and all(s.opacity == 1 for s in lines)
    colours = [s.line.color for s in lines]
    assert colours.count("#FFFFFF") == colours.count("#222222") == len(lines) // 2
    assert all(a.line.width > b.line.width for a, b in zip(lines[::2], lines[1::2], strict=True))


@pytest.mark.parametrize("framework", ["keras", "pytorch"])
def test_pooled_biases_average_as_many_values_as_the_weights(framework: str) -> None:
    layer, weights = _layer_weights(RecurrentSpec(framework=framework, features=1024, units=1024))
    data = heatmap_data(layer, weights)
    per_cell = data.row_factor * data.col_factor
    keras = framework == "keras"
    bias = next(b for b in data.blocks if b.tensor.role == "bias" and b.gate_index == 1)
    starts = bias.cols if keras else bias.rows
    assert int(starts[1] - starts[0]) == per_cell  # one bias cell = per_cell consecutive biases
    full = weights[bias.tensor.key].reshape(-1)
    first = int(starts[0])
    assert float(bias.values.reshape(-1)[0]) == pytest.approx(full[first : first + per_cell].mean(), abs=1e-6)


@pytest.mark.parametrize("length", [1, 2, 8, 40, 1000, 1024, 3000, 4096])
@pytest.mark.parametrize("room", [60.0, 150.0, 900.0])
def test_tick_steps_leave_room_for_every_label(length: int, room: float) -> None:
    from lstmviz.figures.heatmap import nice_step

    label = 40.0
    step = nice_step(length, room, label)
    assert str(step).strip("0") in ("1", "2", "5")
    assert (length / step) * label <= room or step == 1 or length / step <= 1


def test_cell_svg_has_a_size_for_slide_tools_and_a_phone_layout() -> None:
    svg = cell_svg(cell_geometry(lstmviz.breakdown(TUTORIAL).layer(0), TUTORIAL.timesteps))
    root = ET.fromstring(svg)
    assert (root.get("width"), root.get("height")) == (str(WIDTH), str(HEIGHT + 20))
    assert "@media (max-width:" in svg  # narrow: details hidden, symbols and counts enlarged


def test_gru_reset_product_has_both_inputs() -> None:
    for spec in (RecurrentSpec(cell="gru"), RecurrentSpec(framework="pytorch", cell="gru")):
        geometry = cell_geometry(lstmviz.breakdown(spec).layer(0), spec.timesteps)
        node = geometry.node("reset_mul")
        ends = [
            e
            for e in geometry.edges
            if abs(e.points[-1][0] - node.x) <= node.w and abs(e.points[-1][1] - node.y) <= node.h
        ]
        assert len(ends) == 2  # r, and h_t-1 from the state line


def test_concatenation_reads_in_the_formulas_order() -> None:
    geometry = cell_geometry(lstmviz.breakdown(TUTORIAL).layer(0), TUTORIAL.timesteps)
    assert any("(3 + 2 = 5)" in e.label for e in geometry.edges)  # (x + h), as in 4 × ((3 + 2) × 2 + 2)


def test_dense_warmup_has_no_stray_legend_entry() -> None:
    fig = dense_network_figure(lstmviz.dense_params(3, 5, 2))
    assert fig.data[0].showlegend is False  # the wires: no "trace 0"


# --- contrast: every explicit text colour in every chart against what is under it ----------


def _rgb(colour: str) -> str:
    """A Plotly colour string as #RRGGBB (hex or rgb())."""
    if colour.startswith("#"):
        return colour.upper()
    values = [int(float(v)) for v in colour[colour.index("(") + 1 : colour.index(")")].split(",")[:3]]
    return "#" + "".join(f"{v:02X}" for v in values)


def _text_colours(node: object, path: str = "") -> list[tuple[str, object]]:
    """Every (path, colour) under a font-like key of the figure JSON (fonts of hover labels excepted)."""
    found: list[tuple[str, object]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}"
            if key.endswith("font") and isinstance(value, dict) and "color" in value and "hoverlabel" not in path:
                found.append((here, value["color"]))
            found += _text_colours(value, here)
    elif isinstance(node, list):
        for k, item in enumerate(node):
            found += _text_colours(item, f"{path}[{k}]")
    return found


def _chart_contrasts(fig: object) -> list[tuple[str, float]]:
    """The contrast of each explicit text colour with its background: the bar it sits in, or the paper."""
    from lstmviz.style import PAPER, blend, contrast

    data = fig.to_plotly_json()  # type: ignore[attr-defined]
    found = []
    for where, colour in _text_colours({"layout": {k: v for k, v in data["layout"].items() if k != "template"}}):
        for c in colour if isinstance(colour, list) else [colour]:
            found.append((where, contrast(_rgb(c), PAPER)))
    for k, trace in enumerate(data["data"]):
        for where, colour in _text_colours(trace, f"data[{k}]"):
            colours = colour if isinstance(colour, list) else [colour] * len(trace.get("text") or [0])
            inside = trace.get("type") == "bar" and trace.get("textposition") == "inside" and "textfont" in where
            marker = trace.get("marker", {})
            fills = marker.get("color", PAPER)
            opacity = marker.get("opacity", 1)
            for i, c in enumerate(colours):
                fill = fills[i] if isinstance(fills, list) else fills
                alpha = opacity[i] if isinstance(opacity, list) else opacity
                under = blend(_rgb(fill), alpha) if inside else PAPER
                found.append((f"{where}[{i}]", contrast(_rgb(c), under)))
    return found


def _all_charts() -> list[tuple[str, object]]:
    from lstmviz.figures.cell_plotly import cell_figure

    charts: list[tuple[str, object]] = []
    onnx = [RecurrentSpec(framework="onnx"), RecurrentSpec(framework="onnx", cell="gru", bidirectional=True)]
    for spec in [*CASES, *onnx, RecurrentSpec(features=1024, units=1024)]:
        layer, weights = _layer_weights(spec)
        for symbol in (None, layer.gates[-1].symbol):
            charts.append((f"{spec} heatmap {symbol}", weight_heatmap(heatmap_data(layer, weights), selected=symbol)))
            charts.append((f"{spec} bars {symbol}", gate_counts_figure(layer, selected=symbol)))
        charts.append((f"{spec} cell chart", cell_figure(cell_geometry(layer, spec.timesteps))))
    charts.append(("dense warm-up", dense_network_figure(lstmviz.dense_params(3, 5, 2))))
    return charts


def test_every_text_colour_in_every_chart_has_contrast() -> None:
    from lstmviz.style import PROJECTOR

    low = []
    for name, fig in _all_charts():
        checked = _chart_contrasts(fig)
        assert checked, name  # a chart with no explicit text colour checks nothing
        low += [(name, where, round(ratio, 2)) for where, ratio in checked if ratio < 4.5]
    layer, weights = _layer_weights(TUTORIAL)
    for name, fig in [("projector bars", gate_counts_figure(layer, PROJECTOR, "f"))]:
        low += [(name, where, round(ratio, 2)) for where, ratio in _chart_contrasts(fig) if ratio < 4.5]
    assert low == []


def test_every_text_in_the_cell_diagram_has_contrast() -> None:
    from lstmviz.style import DIAGRAM_BACK, PAPER, blend, contrast, gate_colour

    for spec in CASES:
        layer = lstmviz.breakdown(spec).layer(0)
        svg = cell_svg(cell_geometry(layer, spec.timesteps), selected=layer.gates[0].symbol)
        fills = {t.get("fill") for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")}
        # Text sits on white, the diagram's grey, or a gate box tinted at most 32% over that grey.
        backs = [PAPER, DIAGRAM_BACK] + [blend(gate_colour(g.symbol), 0.32, DIAGRAM_BACK) for g in layer.gates]
        assert fills and all(contrast(f, b) >= 4.5 for f in fills for b in backs), spec


def test_gate_text_colours_keep_contrast_and_swatches_keep_their_hue() -> None:
    from lstmviz.style import DIAGRAM_BACK, GATE_COLOURS, GATE_TEXT, PAPER, contrast

    assert set(GATE_TEXT) == set(GATE_COLOURS)
    for symbol, colour in GATE_TEXT.items():
        assert contrast(colour, PAPER) >= 4.5 and contrast(colour, DIAGRAM_BACK) >= 4.5, symbol
    # The measurements of the old label colours: orange 2.25:1, sky blue 2.31:1 on white.
    assert round(contrast(GATE_COLOURS["f"], PAPER), 2) == 2.25
    assert round(contrast(GATE_COLOURS["z"], PAPER), 2) == 2.31


def test_blocked_orthogonal_path_is_orthonormal_and_equals_qr() -> None:
    from lstmviz.weights import _INVERSE_BLOCK, _lower_inverse, _orthonormal_columns

    # Wide enough that the blocked triangular inverse splits (twice) instead of calling np.linalg.inv.
    wide = 2 * _INVERSE_BLOCK + 37
    a = np.random.default_rng(5).standard_normal((3 * wide, wide)).astype(np.float32)
    q = _orthonormal_columns(a)
    np.testing.assert_allclose(q.T @ q, np.eye(wide), atol=2e-5)
    q_ref, r = np.linalg.qr(a.astype(np.float64))
    np.testing.assert_allclose(q, q_ref * np.sign(np.diag(r)), atol=2e-5)  # the same Q: the same (Haar) law
    lower = np.linalg.cholesky(a.T.astype(np.float64) @ a)
    np.testing.assert_allclose(_lower_inverse(lower) @ lower, np.eye(wide), atol=1e-9)


def _decoded(value: object) -> object:
    """Typed arrays back to lists, for comparing dicts that differ only in how arrays are encoded."""
    if isinstance(value, dict):
        if set(value) >= {"dtype", "bdata"}:
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
            shape = tuple(int(n) for n in str(value.get("shape", len(array))).split(",") if n.strip())
            return array.reshape(shape).tolist()
        return {k: _decoded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_decoded(v) for v in value]
    if isinstance(value, np.ndarray):
        return _decoded(value.tolist())
    if isinstance(value, float):
        return float(np.float32(value))  # small float arrays go as 9-digit decimals: the same float32
    return value


@pytest.mark.parametrize("spec", [TUTORIAL, RecurrentSpec(framework="pytorch", features=300, units=70)])
def test_prebuilt_figure_dict_is_plotlys_own(spec: RecurrentSpec) -> None:
    from plotly.basedatatypes import BaseFigure

    layer, weights = _layer_weights(spec)
    for fig in (weight_heatmap(heatmap_data(layer, weights)), gate_counts_figure(layer)):
        prebuilt = fig.to_dict()
        assert prebuilt is fig.to_dict()  # built once, handed out again on every rerun
        assert _decoded(prebuilt) == _decoded(BaseFigure.to_dict(fig))  # what Plotly itself would send
    sent = json.dumps(weight_heatmap(heatmap_data(layer, weights)).to_dict())
    # Small arrays as lists (plotly.js redraws an unchanged typed array as if it were new), large ones typed.
    assert ("bdata" in sent) == (sum(w.size for w in weights.values()) > LIST_MAX_VALUES)


def test_small_float_arrays_go_as_lists_that_give_float32_back_exactly() -> None:
    import plotly.io

    from lstmviz.figures.frozen import _plain

    values = np.random.default_rng(3).standard_normal((LIST_MAX_VALUES // 8, 8)).astype(np.float32) * 1e-3
    sent = _plain({"z": values})
    assert isinstance(sent["z"], list)
    np.testing.assert_array_equal(np.array(json.loads(json.dumps(sent["z"])), dtype=np.float32), values)
    assert max(len(repr(v)) for row in sent["z"] for v in row) <= 16  # 9 significant digits, not 17
    # The choice is per figure: one value more in all and every array goes typed.
    both = _plain({"z": values, "x": np.arange(1, dtype=np.int32)})
    assert isinstance(both["z"], dict) and isinstance(both["x"], dict)
    # A real file's weights may hold NaN or inf: still valid JSON, as Plotly writes it (null).
    odd = _plain({"z": np.array([[np.nan, np.inf, -1.5]], dtype=np.float32)})
    assert json.loads(plotly.io.to_json(odd, validate=False))["z"] == [[None, None, -1.5]]


@pytest.mark.parametrize(("framework", "units"), [("keras", 1000), ("keras", 1001), ("pytorch", 1001), ("keras", 7)])
def test_every_heatmap_trace_is_evenly_spaced(framework: str, units: int) -> None:
    # Plotly draws a heatmap trace one pixel per cell (then scales it) only when its cells are evenly
    # spaced; otherwise it fills every cell as a rectangle, several times slower at the pooled sizes.
    layer, weights = _layer_weights(RecurrentSpec(framework=framework, features=1024, units=units))
    fig = weight_heatmap(heatmap_data(layer, weights))
    traces = [t for t in fig.data if t.type == "heatmap"]
    for trace in traces:
        for coords in (trace.x, trace.y):
            assert len(set(np.diff(np.asarray(coords)).tolist())) <= 1, trace.name
    # Whatever is split, every tensor is drawn whole: its cells add up to the pooled blocks'.
    assert sum(np.asarray(t.z).size for t in traces) == sum(b.values.size for b in heatmap_data(layer, weights).blocks)


def test_quiz_heatmap_names_no_gate_anywhere() -> None:
    from lstmviz.figures.focus import quiz_heatmap

    for spec in (TUTORIAL, RecurrentSpec(framework="pytorch")):
        layer, weights = _layer_weights(spec)
        quiz = quiz_heatmap(weight_heatmap(heatmap_data(layer, weights)), layer, 1)
        sent = json.dumps(quiz.to_dict())
        for gate in layer.gates:
            assert gate.kind.name not in sent, gate.kind.name  # no "forget", "output", ... in text or hover
        (strip,) = [t for t in quiz.data if t.type == "bar"]
        assert strip.text is None and strip.hovertext is None and strip.customdata is None
        assert strip.marker.color == "#FFFFFF"  # not the gate's own colour


def test_shared_figures_are_safe_to_read_from_many_threads() -> None:
    import copy
    import pickle
    import sys
    from concurrent.futures import ThreadPoolExecutor

    from lstmviz.figures.focus import focus_gate, gate_targets

    layer, weights = _layer_weights(TUTORIAL)
    data = heatmap_data(layer, weights)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, so a half-built figure would show
    try:
        for _ in range(10):
            shared = weight_heatmap(data)  # as st.cache_resource hands one figure to every session
            with ThreadPoolExecutor(4) as pool:
                copies = list(
                    pool.map(lambda k, fig=shared: gate_targets(focus_gate(fig, layer, k % 4), layer), range(16))
                )
            assert all(len(c.data) == len(shared.data) + 1 for c in copies)
    finally:
        sys.setswitchinterval(interval)
    # Copies and pickles are ordinary figures of the same dict.
    for twin in (copy.deepcopy(shared), pickle.loads(pickle.dumps(shared))):
        assert _decoded(twin.to_dict()["data"]) == _decoded(shared.to_dict()["data"])
