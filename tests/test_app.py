"""The explorer, driven control by control with Streamlit's AppTest."""

from __future__ import annotations

import base64
import itertools
import json
import re
from typing import Any

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import lstmviz
from lstmviz import RecurrentSpec
from lstmviz.style import PART_COLOURS, PROJECTOR
from lstmviz.ui.controls import exact_key
from tests.headline import shown, total

APP = "../app.py"


@pytest.fixture
def app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    return at


def heatmap(at: AppTest) -> dict[str, Any]:
    figures = [json.loads(el.proto.spec) for el in at.get("plotly_chart")]
    (figure,) = [f for f in figures if f["data"] and f["data"][0]["type"] == "heatmap"]
    return figure


def exact_box(at: AppTest, key: str) -> Any:
    """The number box for typing an exact size (keyed by the value it shows)."""
    return at.number_input(key=exact_key(key, int(at.slider(key=key).value)))


def _unbold(cell: str) -> str:
    """A cell's Markdown without the bold that marks a row."""
    bold = re.fullmatch(r"\*\*(.*)\*\*", cell)
    return bold.group(1) if bold else cell


def _plain(cell: str) -> str:
    """A cell's text: bold and Markdown escapes removed."""
    return re.sub(r"\\(.)", r"\1", _unbold(cell))


def _split_tables(body: str) -> list[list[list[str]]]:
    """Every Markdown table in a block as rows of raw cell Markdown (header row first, no rule row)."""
    tables, lines = [], body.splitlines()
    for k, line in enumerate(lines):
        if k + 1 < len(lines) and line.startswith("| ") and set(lines[k + 1].replace(" ", "")) <= set("|:-"):
            split = [
                [c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]]
                for row in itertools.takewhile(lambda r: r.startswith("| "), lines[k:])
            ]
            tables.append(split[:1] + split[2:])
    return tables


def _markdown_tables(body: str) -> list[dict[str, list[Any]]]:
    """Every Markdown table in a block: column → cell values (bold and escapes removed, integers parsed)."""
    tables = []
    for split in _split_tables(body):
        plain = [[_plain(c) for c in row] for row in split]
        tables.append(
            {
                h: [int(v.replace(",", "")) if re.fullmatch(r"-?[\d,]+", v) else v for v in col]
                for h, *col in zip(*plain, strict=True)
            }
        )
    return tables


def table(at: AppTest, column: str) -> Any:
    """The table that has this column: a static Markdown table, or a dataframe (which carry no key in AppTest)."""
    found = [t for m in at.markdown for t in _markdown_tables(str(m.value)) if column in t]
    found += [d.value for d in at.dataframe if column in d.value.columns]
    (frame,) = found
    return frame


def marked_rows(at: AppTest, column: str) -> list[int]:
    """The body rows of the Markdown table with this column that are marked: every cell in bold."""
    (split,) = [t for m in at.markdown for t in _split_tables(str(m.value)) if column in map(_plain, t[0])]
    return [k for k, row in enumerate(split[1:]) if all(c != _unbold(c) for c in row if c)]


def text(at: AppTest) -> str:
    parts = [str(m.value) for m in at.markdown] + [str(c.value) for c in at.code]
    return "\n".join(parts + [el.proto.body for el in at.get("html")])


def open_panel(at: AppTest, panel: str) -> AppTest:
    """Open one of the explorer's optional panels (warm-up, export)."""
    at.segmented_control(key="panel").set_value(panel).run()
    assert not at.exception
    return at


def test_default_is_the_tutorial_example(app: AppTest) -> None:
    assert total(app) == 48
    assert shown(app, "formula") == "4 × ((3 + 2) × 2 + 2) = 48"
    assert shown(app, "split") == "W kernel (3, 8) 24 + U recurrent_kernel (2, 8) 16 + b bias (8,) 8 = 48"
    assert "Total params: 48" in text(app)
    tensors = [t["name"] for t in heatmap(app)["data"] if t["type"] == "heatmap"]
    assert tensors == ["kernel", "recurrent_kernel", "bias"]  # one trace per tensor, its four gate blocks inside
    assert heatmap(app)["data"][-1]["customdata"] == ["i", "f", "c", "o"]  # the clickable gate strip


@pytest.mark.parametrize(
    ("key", "value", "spec"),
    [
        ("features", 10, RecurrentSpec(features=10)),
        ("units", 7, RecurrentSpec(units=7)),
        ("timesteps", 500, RecurrentSpec(timesteps=500)),
        ("layers", 3, RecurrentSpec(layers=3)),
    ],
)
def test_each_slider_reaches_the_core(app: AppTest, key: str, value: int, spec: RecurrentSpec) -> None:
    app.slider(key=key).set_value(value).run()
    assert not app.exception
    assert total(app) == lstmviz.count_params(spec)
    assert shown(app, "formula") == lstmviz.build_report(spec).formula.substituted
    if key != "layers":
        assert exact_box(app, key).value == value


def test_exact_number_box_moves_the_slider(app: AppTest) -> None:
    exact_box(app, "units").set_value(1000).run()
    assert app.slider(key="units").value == 1000
    assert total(app) == lstmviz.count_params(RecurrentSpec(units=1000))


def test_timesteps_change_shapes_and_cost_not_the_count(app: AppTest) -> None:
    before = table(app, "timesteps T")
    app.slider(key="timesteps").set_value(7).run()
    after = table(app, "timesteps T")
    assert total(app) == 48
    assert set(after["parameters"]) == {48}
    assert list(after["timesteps T"]) == [1, 7, 70] and list(before["timesteps T"]) == [1, 40, 400]
    assert list(after["multiply-adds / sequence"]) == [
        lstmviz.cost(RecurrentSpec(timesteps=t)).multiply_adds_per_sequence for t in (1, 7, 70)
    ]


@pytest.mark.parametrize(
    ("changes", "spec"),
    [
        ({"framework": "pytorch"}, RecurrentSpec(framework="pytorch")),
        ({"cell": "gru"}, RecurrentSpec(cell="gru")),
        ({"cell": "rnn"}, RecurrentSpec(cell="rnn")),
        ({"framework": "pytorch", "cell": "gru"}, RecurrentSpec(framework="pytorch", cell="gru")),
    ],
)
def test_framework_and_cell(app: AppTest, changes: dict[str, str], spec: RecurrentSpec) -> None:
    for key, value in changes.items():
        app.radio(key=key).set_value(value).run()
    assert not app.exception
    assert total(app) == lstmviz.count_params(spec)
    strip = heatmap(app)["data"][-1]  # the gate strip names the blocks, in the framework's order
    assert strip["customdata"] == [g.kind.symbol for g in lstmviz.breakdown(spec).layer(0).gates]


def test_reset_after_only_for_keras_gru(app: AppTest) -> None:
    assert not [c for c in app.checkbox if c.key == "reset_after"]
    app.radio(key="cell").set_value("gru").run()
    app.checkbox(key="reset_after").uncheck().run()
    assert total(app) == lstmviz.count_params(RecurrentSpec(cell="gru", reset_after=False))


def test_bidirectional_and_bias(app: AppTest) -> None:
    app.checkbox(key="bidirectional").check().run()
    assert total(app) == lstmviz.count_params(RecurrentSpec(bidirectional=True))
    app.checkbox(key="bias").uncheck().run()
    assert total(app) == lstmviz.count_params(RecurrentSpec(bidirectional=True, bias=False))


def test_return_sequences_changes_the_output_shape_only(app: AppTest) -> None:
    app.checkbox(key="return_sequences").check().run()
    assert total(app) == 48
    assert "(None, 40, 2)" in text(app)


def test_proj_size_for_pytorch_lstm_and_clamped_when_units_shrink(app: AppTest) -> None:
    app.radio(key="framework").set_value("pytorch").run()
    app.slider(key="units").set_value(6).run()
    app.number_input(key="proj_size").set_value(4).run()
    assert total(app) == lstmviz.count_params(RecurrentSpec(framework="pytorch", units=6, proj_size=4))
    app.slider(key="units").set_value(3).run()
    assert not app.exception
    assert app.number_input(key="proj_size").value == 0
    assert total(app) == lstmviz.count_params(RecurrentSpec(framework="pytorch", units=3))


def test_stacked_layers_pick_a_layer_to_draw(app: AppTest) -> None:
    app.slider(key="layers").set_value(2).run()
    app.checkbox(key="bidirectional").check().run()
    choice = app.selectbox(key="view_layer")
    assert choice.options == ["layer 1 forward", "layer 1 backward", "layer 2 forward", "layer 2 backward"]
    choice.set_value("layer 2 backward").run()
    figure = heatmap(app)
    assert "layer 2 backward" in figure["layout"]["title"]["text"]
    rows = table(app, "input size")
    assert list(rows["input size"]) == [3, 3, 4, 4]  # a stacked layer reads directions × h


def test_maximum_sizes_stay_bounded(app: AppTest) -> None:
    app.slider(key="features").set_value(1024).run()
    app.slider(key="units").set_value(1024).run()
    app.slider(key="timesteps").set_value(1000).run()
    assert not app.exception
    assert total(app) == lstmviz.count_params(RecurrentSpec(features=1024, units=1024, timesteps=1000))
    payload = sum(len(el.proto.spec) for el in app.get("plotly_chart"))
    assert payload < 2_000_000, payload
    assert "pooled" in heatmap(app)["layout"]["title"]["text"]


def test_dense_warmup_is_32(app: AppTest) -> None:
    open_panel(app, "Warm-up")
    assert "total **32**" in text(app)
    app.number_input(key="dense_hidden").set_value(4).run()
    assert f"total **{lstmviz.dense_params(3, 4, 2).total}**" in text(app)


def test_closed_panels_send_nothing(app: AppTest) -> None:
    assert not app.get("download_button") and not app.code and not app.latex  # export closed
    assert len(app.get("plotly_chart")) == 2  # gate counts and heatmap: no warm-up chart
    open_panel(app, "Warm-up")
    assert len(app.get("plotly_chart")) == 3 and not app.get("download_button")


def test_svg_download_is_offered(app: AppTest) -> None:
    open_panel(app, "Export")
    buttons = [b for b in app.get("download_button") if b.proto.label == "Download diagram (SVG)"]
    assert len(buttons) == 1
    (image,) = app.get("image")
    svg = base64.b64decode(image.proto.imgs[0].url.split(",", 1)[1]).decode()
    assert svg.startswith("<svg") and "4 × 12 = 48 parameters" in svg


# --- other views ---------------------------------------------------------------------------


def test_every_lesson_step_renders_from_the_core(app: AppTest) -> None:
    app.radio(key="view").set_value("lesson").run()
    for step in range(1, 7):
        app.slider(key="step").set_value(step).run()
        assert not app.exception, step
        assert app.title[0].value.startswith(f"Step {step}.")
    app.slider(key="step").set_value(3).run()
    assert lstmviz.build_report(RecurrentSpec()).formula.substituted in text(app)
    app.slider(key="step").set_value(6).run()
    rows = table(app, "gate order")  # a static table: thousands separators, no canvas grid
    pytorch_lstm = [n for layer, n in zip(rows["layer"], rows["parameters"], strict=True) if layer == "nn.LSTM"]
    assert pytorch_lstm == [lstmviz.count_params(RecurrentSpec(framework="pytorch"))]
    assert not app.dataframe


def test_quiz_checks_the_answer_against_the_core(app: AppTest) -> None:
    from lstmviz.practice import quiz_question

    app.radio(key="view").set_value("practice").run()
    app.number_input(key="question").set_value(5).run()
    truth = lstmviz.count_params(quiz_question(5))
    app.number_input(key="quiz_answer").set_value(truth + 1).run()
    assert app.error and not app.success
    app.number_input(key="quiz_answer").set_value(truth).run()
    assert app.success and app.success[0].value.endswith(f"= {truth:,}")
    app.number_input(key="question").set_value(6).run()
    assert app.number_input(key="quiz_answer").value is None  # a new question starts blank


def test_budget_view_and_an_impossible_budget(app: AppTest) -> None:
    app.radio(key="view").set_value("practice").run()
    assert not app.exception and len(app.get("plotly_chart")) == 1
    rows = table(app, "largest features x")
    assert rows["parameters"] == [
        lstmviz.count_params(RecurrentSpec(features=x, units=h))
        for h, x in zip(rows["units h"], rows["largest features x"], strict=True)
    ]
    assert max(rows["parameters"]) <= 100_000  # the default budget
    app.number_input(key="budget").set_value(10).run()
    assert not app.exception and "Nothing fits" in app.warning[0].value


def test_presentation_mode_uses_projector_sizes(app: AppTest) -> None:
    app.toggle(key="presentation").set_value(True).run()
    assert not app.exception
    assert heatmap(app)["layout"]["height"] == PROJECTOR.figure_height


def test_exports_offer_tables_code_and_slide_sized_charts(app: AppTest) -> None:
    from lstmviz.export import tensor_rows, to_csv
    from lstmviz.snippet import framework_code

    open_panel(app, "Export")
    names = [b.proto.label for b in app.get("download_button")]
    assert {"Tensors as .csv", "Tensors as .md", "Tensors as .tex", "Gates as .csv", "Code as .py"} <= set(names)
    assert framework_code(lstmviz.build_report(RecurrentSpec())).strip() in [c.value.strip() for c in app.code]
    assert to_csv(tensor_rows(lstmviz.build_report(RecurrentSpec())))  # what the button serves
    configs = [json.loads(el.proto.config) for el in app.get("plotly_chart")]
    assert all(c["toImageButtonOptions"]["format"] == "png" for c in configs)
    app.radio(key="image_format").set_value("svg").run()
    configs = [json.loads(el.proto.config) for el in app.get("plotly_chart")]
    assert all(c["toImageButtonOptions"]["format"] == "svg" for c in configs)
    assert all(c["toImageButtonOptions"]["width"] == 1600 for c in configs)


def _player(app: AppTest) -> dict[str, Any]:
    (element,) = [e for e in app.get("bidi_component") if e.proto.component_name == "lstmviz_player"]
    return dict(json.loads(element.proto.json))


def test_run_through_time_shows_the_forward_pass(app: AppTest) -> None:
    from lstmviz.forward import forward
    from lstmviz.inputs import sine_waves
    from lstmviz.weights import init_weights

    app.slider(key="units").set_value(3).run()
    app.radio(key="view").set_value("through time").run()
    assert not app.exception
    spec = RecurrentSpec(units=3)
    expected = forward(spec, init_weights(spec), sine_waves(1, 40, 3, seed=0))
    data = _player(app)
    forget = next(r for r in data["rows"] if r["key"] == "f")
    np.testing.assert_allclose(forget["values"][6], expected.gates[(0, "forward")]["f"][0, 6], atol=5e-4)


def test_run_through_time_explains_its_limits(app: AppTest) -> None:
    app.radio(key="view").set_value("through time").run()
    app.radio(key="input_kind").set_value("one-hot [4, 7, 8, 4]").run()
    assert "at least 9 features" in app.info[0].value
    app.slider(key="features").set_value(10).run()
    assert not app.info and _player(app)["steps"] == 4
    app.slider(key="units").set_value(500).run()
    assert "up to 64 units" in app.info[0].value and not app.exception


def test_play_is_client_side_the_whole_pass_never_depends_on_t(app: AppTest) -> None:
    app.radio(key="view").set_value("through time").run()
    before = [el.proto.spec for el in app.get("plotly_chart")]
    data = _player(app)
    assert data["steps"] == RecurrentSpec().timesteps and len(data["equations"]) == data["steps"]
    # The player's data carries every step: nothing is asked of the server while it plays.
    assert all(len(row["values"]) == data["steps"] for row in data["rows"])
    app.query_params["t"] = "9"
    app.run()
    assert _player(app)["t0"] == 9
    assert [el.proto.spec for el in app.get("plotly_chart")] == before  # no figure rebuilt for a new t


def _array(data: Any) -> np.ndarray:
    """A Plotly array from figure JSON: a plain list or a base64 typed array."""
    if isinstance(data, dict):
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=np.dtype(data["dtype"]))
    return np.asarray(data)


def test_run_through_time_with_a_single_timestep(app: AppTest) -> None:
    app.slider(key="timesteps").set_value(1).run()
    app.radio(key="view").set_value("through time").run()
    assert not app.exception
    assert _player(app)["steps"] == 1  # nothing to step through: the player's buttons are off


def test_an_explorer_rerun_counts_the_stack_once(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    import lstmviz.counting

    original = lstmviz.counting.breakdown
    calls: list[RecurrentSpec] = []

    def counted(spec: RecurrentSpec) -> lstmviz.Breakdown:
        calls.append(spec)
        return original(spec)

    # Every module that holds the function by name, so no caller escapes the count.
    for module in [m for name, m in sys.modules.items() if name.split(".")[0] == "lstmviz"]:
        for attr, value in vars(module).items():
            if value is original:
                monkeypatch.setattr(module, attr, counted)
    app.slider(key="units").set_value(5).run()
    assert not app.exception
    assert calls == [RecurrentSpec(units=5)]
    assert total(app) == lstmviz.count_params(RecurrentSpec(units=5))


# --- the followed gate -----------------------------------------------------------------------


def _svg(at: AppTest) -> str:
    (image,) = at.get("image")
    return base64.b64decode(image.proto.imgs[0].url.split(",", 1)[1]).decode()


def _opened(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    return at


def _expect_followed(at: AppTest, spec: RecurrentSpec, symbol: str) -> None:
    """The gate's formula term and slices are on the page, and its bar, blocks and box stand out."""
    from lstmviz.summary import gate_term

    layer = lstmviz.breakdown(spec).layers[0]
    assert at.get("button_group")[0].value == symbol
    page = text(at)
    assert gate_term(layer, symbol) in page
    assert all(f"`{s}`" in page for s in layer.slice_texts(symbol))
    assert 'class="selected"' in _svg(at) and f'id="gate_{symbol}" class="selected"' in _svg(at)
    figures = [json.loads(el.proto.spec) for el in at.get("plotly_chart")]
    bars = next(f for f in figures if f["data"][0]["type"] == "bar")
    first = bars["data"][0]
    full = PART_COLOURS[first["name"]]
    bright = [sym for sym, c in zip(first["customdata"], first["marker"]["color"], strict=True) if c == full]
    assert bright == [symbol]
    # Every other gate's blocks are veiled; the followed gate's are framed.
    shapes = heatmap(at)["layout"]["shapes"]
    veiled = {s["x0" if layer.gates_in_columns else "y0"] for s in shapes if s.get("fillcolor") == "#FFFFFF"}
    starts = {g.kind.symbol: k * layer.units - 0.5 for k, g in enumerate(layer.gates)}
    assert veiled == {v for sym, v in starts.items() if sym != symbol}


@pytest.mark.parametrize(
    ("query", "spec", "symbol", "term", "block"),
    [
        # The acceptance cases: the forget gate's 12 at 2:4, PyTorch's output gate's 14 at 6:8.
        ({"gate": "f"}, RecurrentSpec(), "f", "= 12", "kernel[:, 2:4]"),
        ({"framework": "pytorch", "gate": "o"}, RecurrentSpec(framework="pytorch"), "o", "= 14", "weight_ih_l0[6:8]"),
        ({"cell": "gru", "gate": "z"}, RecurrentSpec(cell="gru"), "z", "", "kernel[:, 0:2]"),
        (
            {"framework": "pytorch", "cell": "gru", "gate": "n"},
            RecurrentSpec(framework="pytorch", cell="gru"),
            "n",
            "",
            "weight_ih_l0[4:6]",
        ),
    ],
)
def test_gate_in_the_url_is_followed_everywhere(
    query: dict[str, str], spec: RecurrentSpec, symbol: str, term: str, block: str
) -> None:
    at = _opened(query)
    _expect_followed(at, spec, symbol)
    assert term in text(at) and f"`{block}`" in text(at)


def test_gate_picker_follows_a_gate_and_survives_a_framework_switch(app: AppTest) -> None:
    assert app.get("button_group")[0].value is None and "stored as" not in text(app)
    app.get("button_group")[0].set_value("c").run()
    _expect_followed(app, RecurrentSpec(), "c")
    app.radio(key="framework").set_value("pytorch").run()  # Keras's c is PyTorch's g
    assert not app.exception
    _expect_followed(app, RecurrentSpec(framework="pytorch"), "g")
    app.radio(key="cell").set_value("rnn").run()  # a SimpleRNN has no g: nothing followed, no error
    assert not app.exception and app.get("button_group")[0].value is None


@pytest.mark.parametrize("bad", ["q", "", "forget", "f" * 5000, "<b>f</b>"])
def test_unknown_gate_in_the_url_is_ignored(bad: str) -> None:
    at = _opened({"gate": bad})
    assert total(at) == 48 and at.get("button_group")[0].value is None


def test_a_click_on_a_gate_bar_follows_that_gate(monkeypatch: pytest.MonkeyPatch) -> None:
    # The on_select callback gets what Streamlit stores for a click on a bar: the point's customdata is
    # the gate symbol. (tests/e2e clicks real bars in Chromium.)
    from types import SimpleNamespace

    from lstmviz.ui import controls

    state: dict[str, Any] = {"gate": None, "chart": {"selection": {"points": [{"customdata": "o", "x": 6}]}}}
    monkeypatch.setattr(controls, "st", SimpleNamespace(session_state=state))
    controls.pick_gate_from("chart")
    assert state["gate"] == "o"
    controls.pick_gate_from("chart")  # a second click on the followed gate lets it go
    assert state["gate"] is None
    state["chart"] = {"selection": {"points": []}}  # a click beside the bars changes nothing
    state["gate"] = "f"
    controls.pick_gate_from("chart")
    assert state["gate"] == "f"


def test_every_table_groups_thousands() -> None:
    from lstmviz.tables import LAYERS, TENSORS, TIMESTEPS, rows, timestep_rows
    from lstmviz.ui.static_table import markdown_table

    report = lstmviz.build_report(RecurrentSpec(features=1000, units=1000))
    for table in (rows(TENSORS, report.tensors), rows(LAYERS, report.layers), rows(TIMESTEPS, timestep_rows(report))):
        cells = {c.strip() for line in markdown_table(table).splitlines()[2:] for c in line.split("|")}
        big = [v for row in table for v in row.values() if isinstance(v, int) and v >= 1000]
        assert big
        assert all(f"{v:,}" in cells and str(v) not in cells for v in big)


def test_followed_gate_row_is_marked_in_the_gate_table(app: AppTest) -> None:
    assert marked_rows(app, "gate") == []  # no gate followed, no row marked
    app.segmented_control(key="gate").set_value("f").run()
    assert not app.exception
    gates = table(app, "gate")["gate"]
    assert marked_rows(app, "gate") == [k for k, label in enumerate(gates) if label.startswith("f ·")] == [1]
    assert table(app, "gate")["input weights"][1] == 6  # the marked row still reads as numbers


def test_a_marked_row_stays_escaped() -> None:
    from lstmviz.ui.static_table import markdown_table

    rows = [{"name": "x*y_|z", "n": 1234}, {"name": "", "n": 5}]
    assert markdown_table(rows, lambda row: True).splitlines() == [
        "| name | n |",
        "| :--- | ---: |",
        "| **x\\*y\\_\\|z** | **1,234** |",
        "|  | **5** |",  # an empty cell is left empty: "****" would show as text
    ]


def test_cache_keys_see_every_field() -> None:
    import dataclasses

    from lstmviz.ui.cached import CHEAP_KEYS

    # repr is the cache key: a field left out of repr would let two different values share a figure.
    for cls in CHEAP_KEYS:
        assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen, cls  # type: ignore[attr-defined]
        assert all(f.repr for f in dataclasses.fields(cls)), cls
        assert "__repr__" in vars(cls) and vars(cls)["__repr__"].__qualname__.endswith("__repr__"), cls
