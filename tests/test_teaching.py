"""The teaching flow with AppTest: the lesson follows the sidebar, the compare view, practice questions and
the run-through-time view's limits. Expected numbers come from the core (count_params, breakdown, forward)."""

from __future__ import annotations

import base64
import html
import json
import re
from typing import Any
from urllib.parse import parse_qsl

import pytest
from streamlit.testing.v1 import AppTest

import lstmviz
from lstmviz import RecurrentSpec
from lstmviz.equations import brief
from lstmviz.practice import gate_question, quiz_question, shape_question
from lstmviz.style import INK

APP = "../app.py"


def open_app(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query)
    at.run()
    assert not at.exception
    return at


def text(at: AppTest) -> str:
    return "\n".join(str(m.value) for m in at.markdown)


def figures(at: AppTest) -> list[dict[str, Any]]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def metrics(at: AppTest) -> dict[str, int]:
    return {m.label: int(m.value.replace(",", "")) for m in at.metric}


# --- lesson ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "spec"),
    [
        ({"step": "3", "framework": "pytorch", "cell": "gru"}, RecurrentSpec(framework="pytorch", cell="gru")),
        ({"step": "4", "features": "25", "units": "100"}, RecurrentSpec(features=25, units=100)),
        ({"step": "2", "framework": "pytorch"}, RecurrentSpec(framework="pytorch")),
    ],
)
def test_lesson_follows_the_sidebar(query: dict[str, str], spec: RecurrentSpec) -> None:
    at = open_app(view="lesson", **query)
    assert at.title[0].value.startswith(f"Step {query['step']}.")
    assert f"**{lstmviz.count_params(spec):,} parameters**" in text(at)
    assert "the tutorial's example is a Keras LSTM" in text(at)  # says it follows the sidebar


def test_step_3_title_names_the_cell() -> None:
    assert open_app(view="lesson", step="3", cell="gru").title[0].value == "Step 3. Three gates make a GRU"
    assert open_app(view="lesson", step="3", cell="rnn").title[0].value == "Step 3. One gate makes a SimpleRNN"
    assert open_app(view="lesson", step="3").title[0].value == "Step 3. Four gates make an LSTM"


def test_every_step_link_opens_its_step() -> None:
    at = open_app(view="lesson", step="1", framework="pytorch", units="5")
    (nav,) = [h.proto.body for h in at.get("html") if "<nav" in h.proto.body]
    links = [html.unescape(link) for link in re.findall(r'href="(\?[^"]+)"', nav)]
    steps = []
    for link in links:
        query = dict(parse_qsl(link[1:]))
        if query.get("view") != "lesson":
            continue
        assert query["framework"] == "pytorch" and query["units"] == "5"  # the link keeps the sidebar's layer
        target = open_app(**query)
        assert target.title[0].value.startswith(f"Step {query['step']}.")
        assert f"**{lstmviz.count_params(RecurrentSpec(framework='pytorch', units=5)):,} parameters**" in text(target)
        steps.append(int(query["step"]))
    assert steps == [2, 3, 4, 5, 6]  # every other step, in order


def test_next_and_back_buttons() -> None:
    at = open_app(view="lesson")
    assert at.button(key="lesson_back").disabled
    for step in range(2, 7):
        at.button(key="lesson_next").click().run()
        assert at.slider(key="step").value == step and at.title[0].value.startswith(f"Step {step}.")
    assert at.button(key="lesson_next").disabled
    at.button(key="lesson_back").click().run()
    assert at.slider(key="step").value == 5


def test_arrow_and_page_keys_step_the_lesson_but_not_a_focused_slider() -> None:
    def scripts(at: AppTest) -> list[str]:
        return [h.proto.body for h in at.get("html") if "lstmviz-lesson-keys" in h.proto.body]

    for at in (open_app(view="lesson"), open_app(view="lesson", presentation="true")):
        (script,) = scripts(at)
        assert "ArrowRight" in script and "PageDown" in script and ".st-key-lesson_${key} button" in script
        assert '[role="slider"]' in script  # a focused slider keeps its own arrow keys


def test_back_to_the_tutorial_example() -> None:
    at = open_app(view="lesson", step="2", framework="pytorch", cell="gru", units="7", layers="2")
    assert not at.button(key="lesson_tutorial").disabled
    at.button(key="lesson_tutorial").click().run()
    assert f"**{lstmviz.count_params(RecurrentSpec()):,} parameters**" in text(at)
    assert at.radio(key="framework").value == "keras" and at.slider(key="units").value == 2
    assert at.button(key="lesson_tutorial").disabled
    assert at.slider(key="step").value == 2  # still on the same step


@pytest.mark.parametrize("spec", [RecurrentSpec(), RecurrentSpec(framework="pytorch", cell="gru", features=5, units=4)])
def test_step_2_shows_one_gate_and_its_parts(spec: RecurrentSpec) -> None:
    at = open_app(
        view="lesson",
        step="2",
        framework=spec.framework,
        cell=spec.cell,
        features=str(spec.features),
        units=str(spec.units),
    )
    gate = next(g for g in lstmviz.breakdown(spec).layer(0).gates if g.kind.name in ("forget", "update"))
    values = [int(m.value) for m in at.metric]
    assert values == [gate.input_weights, gate.recurrent_weights, gate.biases]
    assert f"= **{gate.params:,}** parameters" in text(at)
    (image,) = at.get("image")
    svg = base64.b64decode(image.proto.imgs[0].url.split(",", 1)[1]).decode()
    faded = len(lstmviz.breakdown(spec).layer(0).gates) - 1
    assert svg.count('stroke-opacity="0.28"') == faded  # every other gate dimmed
    assert f'id="gate_{gate.kind.symbol}" class="selected"' in svg  # and this one framed


def test_step_4_slices_follow_the_framework() -> None:
    at = open_app(view="lesson", step="4", framework="pytorch")
    code = "\n".join(c.value for c in at.code)
    for gate in lstmviz.breakdown(RecurrentSpec(framework="pytorch")).layer(0).gates:
        for part in gate.slices:
            assert f"{part.tensor}[{part.start}:{part.stop}]" in code


# --- compare ---------------------------------------------------------------------------------------


def test_compare_keras_beside_pytorch() -> None:
    at = open_app(view="compare")
    keras, torch = lstmviz.count_params(RecurrentSpec()), lstmviz.count_params(RecurrentSpec(framework="pytorch"))
    assert list(metrics(at).values()) == [keras, torch]
    assert f"{torch - keras:,} more in all" in text(at)
    assert "Gate order: Keras stacks i, f, c, o; PyTorch i, f, g, o" in text(at)
    assert len([f for f in figures(at) if f["data"][0]["type"] == "heatmap"]) == 2


def test_compare_gru_shows_both_reset_after_beside_pytorch() -> None:
    at = open_app(view="compare", cell="gru", features="10", units="8")
    gru = RecurrentSpec(cell="gru", features=10, units=8)
    expected = [
        lstmviz.count_params(gru),
        lstmviz.count_params(RecurrentSpec(cell="gru", features=10, units=8, reset_after=False)),
        lstmviz.count_params(RecurrentSpec(framework="pytorch", cell="gru", features=10, units=8)),
    ]
    assert list(metrics(at).values()) == expected
    assert [label for label in metrics(at)] == [
        "Keras 3 GRU (reset_after=True)",
        "Keras 3 GRU (reset_after=False)",
        "PyTorch nn.GRU",
    ]


def _focus_outlines(figure: dict[str, Any]) -> int:
    return sum(1 for s in figure["layout"].get("shapes", []) if s.get("fillcolor") == "rgba(0,0,0,0)")


def test_compare_links_the_chosen_gate_in_both_heatmaps() -> None:
    at = open_app(view="compare")
    assert all(_focus_outlines(f) == 0 for f in figures(at))
    at.button_group(key="gate").set_value("f").run()  # the explorer's own control, ?gate=f
    keras, torch = figures(at)
    # One outline across all the tensor panels (Keras W, U, b; PyTorch's four tensors), which share the gate axis.
    assert _focus_outlines(keras) == _focus_outlines(torch) == 1
    for figure, stack_ref in ((keras, "yref"), (torch, "xref")):
        (outline,) = [s for s in figure["layout"]["shapes"] if s.get("fillcolor") == "rgba(0,0,0,0)"]
        assert outline[stack_ref] == "paper"  # from the first tensor panel to the last
    assert [c.value for c in at.caption if "forget gate" in c.value] == [
        "Keras 3 LSTM: forget gate f, 12 parameters",
        "PyTorch nn.LSTM: forget gate f, 14 parameters",
    ]


def test_compare_adopts_another_frameworks_gate_symbol_and_keeps_the_sidebars() -> None:
    at = open_app(view="compare", cell="gru", gate="n")  # PyTorch's name for the GRU candidate
    assert at.button_group(key="gate").value == "h"  # Keras's, the sidebar's framework
    at = open_app(view="compare", framework="pytorch", gate="o")
    assert at.button_group(key="gate").value == "o" and at.query_params["gate"] == "o"  # never "output"


@pytest.mark.parametrize(
    ("mode", "specs"),
    [
        ("cells", [RecurrentSpec(cell=c) for c in ("lstm", "gru", "rnn")]),
        ("directions", [RecurrentSpec(layers=2), RecurrentSpec(layers=2, bidirectional=True)]),
    ],
)
def test_compare_cells_and_directions(mode: str, specs: list[RecurrentSpec]) -> None:
    at = open_app(view="compare", compare=mode, layers=str(specs[0].layers))
    assert list(metrics(at).values()) == [lstmviz.count_params(s) for s in specs]
    sentences = [line for line in text(at).splitlines() if line.startswith("- ")]
    assert len(sentences) == (3 if mode == "cells" else 1)


# --- practice ----------------------------------------------------------------------------------------


def test_shape_question_hint_before_answer_and_score() -> None:
    question = shape_question(2)
    at = open_app(view="practice", quiz="shape", question="2")
    assert question.prompt in text(at)
    assert at.button(key="reveal_button").disabled  # the hint comes first
    wrong = tuple(n + 1 for n in question.tensor.shape)
    at.text_input(key="shape_answer").set_value(str(wrong)).run()
    assert at.error and f"Hint: {question.hint}" in [i.value for i in at.info]
    assert not at.button(key="reveal_button").disabled
    at.text_input(key="shape_answer").set_value(str(question.tensor.shape)).run()
    assert at.success[0].value == f"Right: {question.tensor.name} {question.tensor.shape}"
    assert "Score this session: 0 of 1" in text(at)  # the first answer counted, and it was wrong


def test_shape_answers_in_any_notation_and_nonsense() -> None:
    question = shape_question(5)
    at = open_app(view="practice", quiz="shape", question="5")
    at.text_input(key="shape_answer").set_value("no idea").run()
    assert not at.exception and "Write a shape" in at.warning[0].value
    at.text_input(key="shape_answer").set_value(" x ".join(map(str, question.tensor.shape))).run()
    assert at.success and "Score this session: 1 of 1" in text(at)


def test_gate_block_question() -> None:
    question = gate_question(3)
    at = open_app(view="practice", quiz="gate block", question="3")
    (figure,) = [f for f in figures(at) if f["data"][0]["type"] == "heatmap"]
    assert not figure["layout"].get("annotations")  # no gate labels to read the answer from
    assert all(t.get("hoverinfo") == "skip" and not t.get("name") for t in figure["data"])
    outlines = [s["line"]["color"] for s in figure["layout"]["shapes"] if s.get("fillcolor") == "rgba(0,0,0,0)"]
    assert outlines and set(outlines) == {INK}  # not the gate's own colour, which would give the answer away
    assert at.radio(key="gate_answer").options == [g.kind.name for g in question.layer.gates]
    at.radio(key="gate_answer").set_value(question.answer).run()
    assert at.success and "Score this session: 1 of 1" in text(at)


def test_new_question_and_reveal() -> None:
    at = open_app(view="practice", quiz="count", question="7")
    at.button(key="hint_button").click().run()
    at.button(key="reveal_button").click().run()
    truth = lstmviz.build_report(quiz_question(7)).formula.substituted
    assert at.warning[0].value == f"Answer: {truth}"
    assert "Score this session: 0 of 1" in text(at)  # revealed first: counted as missed
    at.button(key="new_question").click().run()
    assert at.number_input(key="question").value == 8
    assert not at.warning and not at.info and at.number_input(key="quiz_answer").value is None


# --- through time ----------------------------------------------------------------------------------


def player(at: Any) -> dict[str, Any]:
    """The run-through-time player's data, as the browser receives it."""
    (element,) = [e for e in at.get("bidi_component") if e.proto.component_name == "lstmviz_player"]
    return dict(json.loads(element.proto.json))


def test_past_the_cap_a_button_moves_to_the_largest_size_that_fits() -> None:
    at = open_app(view="through time", units="500", features="300")
    assert "Play sends every gate" in at.info[0].value  # why the cap exists
    at.button(key="fit_size").click().run()
    assert not at.exception and not at.info
    assert at.slider(key="units").value == 64 and at.slider(key="features").value == 256
    assert player(at)["units"] == 64


def test_one_hot_needs_ten_features_and_offers_them() -> None:
    at = open_app(view="through time", input_kind="one-hot [4, 7, 8, 4]")
    at.radio(key="input_kind").set_value("one-hot [4, 7, 8, 4]").run()
    at.button(key="one_hot_size").click().run()
    assert at.slider(key="features").value == 10 and player(at)["steps"] == 4


def test_live_equations_carry_the_forward_pass_values() -> None:
    from lstmviz.inputs import sine_waves
    from lstmviz.weights import init_weights

    at = open_app(view="through time", t="7")
    spec = RecurrentSpec()
    result = lstmviz.forward(spec, init_weights(spec), sine_waves(1, 40, 3, seed=0))
    forget = result.gates[(0, "forward")]["f"][0, 6]
    data = player(at)
    assert data["t0"] == 7
    assert f"f_t = σ(W_f x_t + U_f h_t−1 + b_f) = {brief(forget)}" in data["equations"][6]


def test_typed_tokens_and_numbers_run_and_bad_ones_say_why() -> None:
    at = open_app(view="through time", features="10", input_kind="your tokens")
    at.text_input(key="typed_your tokens").set_value("1 2 3 9").run()
    assert not at.exception and player(at)["steps"] == 4
    at.text_input(key="typed_your tokens").set_value("1 2 10").run()
    assert at.warning[0].value.startswith("Not run: '10' is not a token id 0 … 9")
    at = open_app(view="through time", input_kind="your numbers")
    at.text_input(key="typed_your numbers").set_value("0.5; 1 2 3; -1").run()
    assert not at.exception and player(at)["steps"] == 3
    at.text_input(key="typed_your numbers").set_value("1, inf").run()
    assert at.warning[0].value.startswith("Not run: 'inf' is not a number")


def test_through_time_axes_are_whole_numbers_and_scales_are_per_kind() -> None:
    at = open_app(view="through time")
    (animated,) = [f for f in figures(at) if any(t.get("meta") == "step" for t in f["data"])]
    layout = animated["layout"]
    x_axes = [v for k, v in layout.items() if re.fullmatch(r"xaxis\d*", k) and v.get("visible", True)]
    assert len(x_axes) == 8  # input, four gates, c_t, h_t, output
    assert all(a["tick0"] == 1 and float(a["dtick"]).is_integer() for a in x_axes)
    bars = {layout[k]["colorbar"]["title"]["text"] for k in layout if k.startswith("coloraxis")}
    assert bars == {"σ gate", "tanh, h_t", "c_t"}
    states = [t for t in animated["data"] if t["type"] == "heatmap"]
    assert len({t["coloraxis"] for t in states}) == 3


def test_single_timestep_has_nothing_to_play() -> None:
    at = open_app(view="through time", timesteps="1")
    assert not at.exception and player(at)["steps"] == 1
