"""The teaching flow in a real browser: lesson links and keys, the compare view, practice questions, and the
through-time view's size cap and one-step height (the player itself: test_player.py).

Expected numbers come from the core (count_params, the practice question generators), never typed by hand.
"""

from __future__ import annotations

from typing import Any

import pytest
from test_explorer import METRIC, assert_no_exception, settle
from test_views import (
    TITLE,
    open_view,
    screenshot,
    title,
    url_param,
)

import lstmviz
from lstmviz import RecurrentSpec
from lstmviz.practice import gate_question, shape_question

pytestmark = pytest.mark.e2e


def body(page: Any) -> str:
    return str(page.locator("[data-testid='stMain']").inner_text())


def metric_values(page: Any) -> list[int]:
    return [int(t.replace(",", "")) for t in page.locator(METRIC).all_inner_texts()]


def wait_url(page: Any, name: str, value: str) -> None:
    page.wait_for_function(
        "([name, value]) => new URLSearchParams(location.search).get(name) === value", arg=[name, value]
    )


# --- lesson ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "spec"),
    [
        ("?view=lesson&step=3&framework=pytorch&cell=gru", RecurrentSpec(framework="pytorch", cell="gru")),
        ("?view=lesson&step=4&features=25&units=100", RecurrentSpec(features=25, units=100)),
    ],
)
def test_lesson_deep_links_follow_the_sidebar(page: Any, explorer: Any, query: str, spec: RecurrentSpec) -> None:
    open_view(page, explorer, query)
    assert f"{lstmviz.count_params(spec):,} parameters" in body(page)
    assert_no_exception(page, explorer)


def test_every_step_link_opens_its_step_in_this_tab(page: Any, explorer: Any) -> None:
    open_view(page, explorer, "?view=lesson&step=1&framework=pytorch&cell=gru")
    count = lstmviz.count_params(RecurrentSpec(framework="pytorch", cell="gru"))
    for step in range(2, 7):
        link = page.locator("nav.lstmviz-steps a").filter(has_text=f"{step}. ")
        link.click()
        page.wait_for_function(
            "(step) => document.querySelector('[data-testid=\"stMain\"] h1')?.textContent.startsWith(`Step ${step}.`)",
            arg=step,
        )
        settle(page)
        assert url_param(page, "step") == str(step) and url_param(page, "framework") == "pytorch"
        assert len(page.context.pages) == 1  # same tab
        assert f"{count:,} parameters" in body(page)
    assert_no_exception(page, explorer)


def test_next_back_and_arrow_keys_in_presentation_mode(page: Any, explorer: Any) -> None:
    open_view(page, explorer, "?view=lesson&step=2")
    page.get_by_role("button", name="Next →").click()
    wait_url(page, "step", "3")
    page.get_by_role("button", name="← Back").click()
    wait_url(page, "step", "2")
    open_view(page, explorer, "?view=lesson&step=2&presentation=true")
    # The keys press the Back/Next buttons: wait for the listener's script and for the buttons it clicks
    # (the page can settle with the title drawn before them).
    page.wait_for_function(
        "() => window.lstmvizLessonKeys === true && !!document.querySelector('.st-key-lesson_next button')"
    )
    page.locator(TITLE).click()  # focus the page, not a widget
    page.keyboard.press("ArrowRight")
    wait_url(page, "step", "3")
    settle(page)
    assert title(page).startswith("Step 3.")
    page.locator(".st-key-lesson_back button").wait_for()
    page.keyboard.press("ArrowLeft")
    wait_url(page, "step", "2")
    settle(page)
    screenshot(page, "lesson-presentation-step-2.png")
    assert_no_exception(page, explorer)


@pytest.mark.parametrize("query", ["&presentation=true", ""], ids=["presentation", "screen"])
def test_page_down_and_page_up_step_the_lesson(page: Any, explorer: Any, query: str) -> None:
    """What a presentation clicker sends: PageDown is Next, PageUp is Back."""
    open_view(page, explorer, f"?view=lesson&step=1{query}")
    page.wait_for_function(
        "() => window.lstmvizLessonKeys === true && !!document.querySelector('.st-key-lesson_next button')"
    )
    page.locator(TITLE).click()  # focus the page, not a widget
    page.keyboard.press("PageDown")
    wait_url(page, "step", "2")
    settle(page)
    assert title(page).startswith("Step 2.")
    page.locator(".st-key-lesson_back button").wait_for()
    page.keyboard.press("PageDown")
    wait_url(page, "step", "3")
    settle(page)
    page.locator(".st-key-lesson_back button").wait_for()
    page.keyboard.press("PageUp")
    wait_url(page, "step", "2")
    assert_no_exception(page, explorer)


def test_back_to_the_tutorial_example(page: Any, explorer: Any) -> None:
    open_view(page, explorer, "?view=lesson&step=3&framework=pytorch&units=9")
    page.get_by_role("button", name="Back to the tutorial example").click()
    page.wait_for_function("() => !new URLSearchParams(location.search).has('units')")
    settle(page)
    assert f"{lstmviz.count_params(RecurrentSpec()):,} parameters" in body(page)
    assert url_param(page, "framework") is None and url_param(page, "step") == "3"


# --- compare ---------------------------------------------------------------------------------------------


def test_compare_keras_beside_pytorch(page: Any, explorer: Any) -> None:
    open_view(page, explorer, "?view=compare", ready=METRIC)
    assert metric_values(page) == [
        lstmviz.count_params(RecurrentSpec()),
        lstmviz.count_params(RecurrentSpec(framework="pytorch")),
    ]
    assert "Gate order" in body(page) and "bias_ih_l0" in body(page)
    screenshot(page, "compare.png")
    assert_no_exception(page, explorer)


def test_compare_gru_reset_after_both_ways(page: Any, explorer: Any) -> None:
    open_view(page, explorer, "?view=compare&cell=gru&features=10&units=8", ready=METRIC)
    # The three columns draw one after another: wait for all three totals, not just the first.
    page.wait_for_function("(sel) => document.querySelectorAll(sel).length >= 3", arg=METRIC)
    sizes = {"cell": "gru", "features": 10, "units": 8}
    assert metric_values(page) == [
        lstmviz.count_params(RecurrentSpec(**sizes, reset_after=True)),  # type: ignore[arg-type]
        lstmviz.count_params(RecurrentSpec(**sizes, reset_after=False)),  # type: ignore[arg-type]
        lstmviz.count_params(RecurrentSpec(framework="pytorch", **sizes)),  # type: ignore[arg-type]
    ]


# Pixel position of gate target `index` (a ring at the centre of a gate's W block) in a compare heatmap.
TARGET_JS = """([chart, index]) => {
    const plot = document.querySelector(`.st-key-${chart} .js-plotly-plot`);
    const targets = plot.data[plot.data.length - 1], area = plot.querySelector('.nsewdrag').getBoundingClientRect();
    return [area.left + plot._fullLayout.xaxis.l2p(targets.x[index]),
            area.top + plot._fullLayout.yaxis.l2p(targets.y[index])];
}"""

OUTLINES_JS = """(chart) => {
    const plot = document.querySelector(`.st-key-${chart} .js-plotly-plot`);
    if (!plot || plot.closest('[data-stale="true"]')) return -1;
    return (plot._fullLayout.shapes || []).filter(s => s.fillcolor === 'rgba(0,0,0,0)').length;
}"""


def test_click_a_gate_in_one_heatmap_focuses_it_in_both(page: Any, explorer: Any) -> None:
    open_view(page, explorer, "?view=compare", ready=".st-key-compare_heatmap_1 .js-plotly-plot")
    settle(page)
    assert page.evaluate(OUTLINES_JS, "compare_heatmap_0") == 0
    x, y = page.evaluate(TARGET_JS, ["compare_heatmap_1", 1])  # PyTorch's block 1: the forget gate
    page.mouse.click(x, y)
    wait_url(page, "gate", "f")  # the sidebar framework's own symbol, as the explorer writes it
    # One frame across all of a heatmap's tensor panels (they share the gate axis), in both heatmaps.
    page.wait_for_function(f"() => ({OUTLINES_JS})('compare_heatmap_0') === 1")
    settle(page)
    assert page.evaluate(OUTLINES_JS, "compare_heatmap_1") == 1
    screenshot(page, "compare-forget.png")
    assert_no_exception(page, explorer)


# --- practice --------------------------------------------------------------------------------------------


def test_shape_question_hint_then_right_answer(page: Any, explorer: Any) -> None:
    question = shape_question(4)
    open_view(page, explorer, "?view=practice&quiz=shape&question=4")
    assert question.prompt in body(page)
    answer = page.get_by_label("Your answer")
    answer.fill("(1, 1)")
    answer.press("Enter")
    page.locator("[data-testid='stAlertContentInfo']").filter(has_text="Hint:").wait_for()
    settle(page)
    assert question.hint in body(page)
    answer.fill(str(question.tensor.shape))
    answer.press("Enter")
    page.locator("[data-testid='stAlertContentSuccess']").wait_for()
    settle(page)
    assert "Score this session: 0 of 1" in body(page)
    screenshot(page, "practice-shape.png")
    page.get_by_role("button", name="New question").click()
    wait_url(page, "question", "5")
    settle(page)
    assert shape_question(5).prompt in body(page)
    assert_no_exception(page, explorer)


def test_gate_block_question(page: Any, explorer: Any) -> None:
    question = gate_question(6)
    open_view(page, explorer, "?view=practice&quiz=gate+block&question=6", ready=".st-key-quiz_heatmap .js-plotly-plot")
    page.locator(".st-key-gate_answer label").filter(has_text=question.answer).first.click()
    page.locator("[data-testid='stAlertContentSuccess']").wait_for()
    settle(page)
    assert "Score this session: 1 of 1" in body(page)
    screenshot(page, "practice-gate-block.png")
    assert_no_exception(page, explorer)


# --- through time ----------------------------------------------------------------------------------------


def test_one_timestep_has_nothing_to_play_and_draws_at_a_normal_height(page: Any, explorer: Any) -> None:
    heights = {}
    for steps in (1, 40):
        open_view(page, explorer, f"?view=through+time&timesteps={steps}", ready=".st-key-player .lv-strip svg")
        settle(page)
        heights[steps] = page.locator(".st-key-player .lv-strip svg").bounding_box()["height"]
    assert heights[1] == heights[40] and heights[1] < 400, heights
    assert page.get_by_role("button", name="Step forward").is_enabled()
    open_view(page, explorer, "?view=through+time&timesteps=1", ready=".st-key-player .lv-strip svg")
    assert page.get_by_role("button", name="Step forward").is_disabled()
    screenshot(page, "through-time-one-step.png")


def test_past_the_cap_a_button_moves_to_the_largest_size_that_fits(page: Any, explorer: Any) -> None:
    open_view(page, explorer, "?view=through+time&units=500", ready=".st-key-fit_size button")
    assert "Play sends every gate" in body(page)
    page.get_by_role("button", name="Use the largest size that fits").click()
    wait_url(page, "units", "64")
    page.wait_for_selector(".st-key-through_time .js-plotly-plot")
    settle(page)
    assert_no_exception(page, explorer)
