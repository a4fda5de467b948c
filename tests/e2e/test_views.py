"""The other views in a real browser: lesson deep links, the quiz, run through time, presentation mode,
no network traffic beyond the app itself, and hostile view parameters.

Expected numbers come from the core (lstmviz.count_params, lstmviz.practice.quiz_question), never typed
by hand. Shared helpers come from test_explorer.py (same directory, on sys.path under pytest's default
import mode).
"""

from __future__ import annotations

import base64
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from test_explorer import (
    HEATMAP_CELLS_JS,
    METRIC,
    PLOTLY,
    SCREENSHOTS,
    assert_no_exception,
    heatmap_cells,
    settle,
    static_table,
    total,
)

import lstmviz
from lstmviz import RecurrentSpec
from lstmviz.practice import quiz_question

pytestmark = pytest.mark.e2e

TITLE = "[data-testid='stMain'] h1"

# Any dataframe as text, column header → cell texts, read from glide-data-grid's accessible table
# inside its canvas; the first grid whose headers include every wanted one.
GRID_JS = """(wanted) => {
    for (const grid of document.querySelectorAll('[data-testid="stDataFrame"] table[role="grid"]')) {
        if (grid.closest('[data-stale="true"]')) continue;
        const headers = Array.from(grid.querySelectorAll('th[role="columnheader"]')).map(th => th.textContent);
        if (!wanted.every(w => headers.includes(w))) continue;
        const rows = Array.from(grid.querySelectorAll('tbody tr'))
            .map(tr => Array.from(tr.querySelectorAll('td')).map(td => td.textContent));
        if (!rows.length) return null;
        return Object.fromEntries(headers.map((h, c) => [h, rows.map(r => r[c])]));
    }
    return null;
}"""

# The SVG images (st.image of an SVG string arrives as a base64 data URL), decoded, current run only.
SVGS_JS = """() => Array.from(document.querySelectorAll('[data-testid="stImage"] img'))
    .filter(img => !img.closest('[data-stale="true"]') && img.src.startsWith('data:image/svg+xml;base64,'))
    .map(img => img.src.slice('data:image/svg+xml;base64,'.length))"""

def open_view(page: Any, explorer: Any, query: str, ready: str = TITLE) -> None:
    """Load a URL, wait for the view's first element, then for the rerun to finish."""
    page.goto(f"{explorer.url}/{query}", wait_until="domcontentloaded")
    page.wait_for_selector(ready)
    settle(page)


def title(page: Any) -> str:
    return str(page.locator(TITLE).first.inner_text())


def grid(page: Any, *headers: str) -> dict[str, list[str]]:
    page.wait_for_function(f"(wanted) => ({GRID_JS})(wanted) !== null", arg=list(headers))
    return dict(page.evaluate(GRID_JS, list(headers)))


def svgs(page: Any) -> list[str]:
    return [base64.b64decode(data).decode() for data in page.evaluate(SVGS_JS)]


def thumb(page: Any, label: str) -> Any:
    """A slider's thumb by its exact label (test_explorer's slider_thumb matches substrings: "Step" is in
    "Timesteps T")."""
    return page.locator(f"[data-testid='stSlider'] input[type='range'][aria-label='{label}']")


def slider_value(page: Any, label: str) -> int:
    return int(thumb(page, label).input_value())


def url_param(page: Any, name: str) -> str | None:
    return page.evaluate("(name) => new URLSearchParams(location.search).get(name)", name)


def toggle(page: Any, label: str) -> Any:
    """A st.toggle's checkbox (Streamlit renders it as an <input type=checkbox> labelled by its text)."""
    return page.locator("[data-testid='stCheckbox']").filter(has_text=label).locator("input")


def screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name))


# --- (a) the lesson, by deep link ----------------------------------------------------------------


def test_lesson_step_4_deep_link_shows_the_heatmap(page: Any, explorer: Any) -> None:
    open_view(page, explorer, "?view=lesson&step=4")
    page.wait_for_function(f"() => ({HEATMAP_CELLS_JS})() > 0")
    settle(page)
    assert title(page).startswith("Step 4. ")
    assert slider_value(page, "Step") == 4
    # The lesson's Keras LSTM for the sidebar's (default) sizes: one heatmap cell per weight.
    assert heatmap_cells(page) == lstmviz.count_params(RecurrentSpec())
    assert page.locator(PLOTLY).first.bounding_box()["width"] > 300
    assert_no_exception(page, explorer)
    screenshot(page, "lesson-step-4.png")


def test_lesson_step_6_compares_frameworks(page: Any, explorer: Any) -> None:
    open_view(page, explorer, "?view=lesson&step=6")
    assert title(page).startswith("Step 6. ")
    table, _ = static_table(page, "layer", "framework", "parameters")  # a plain table, not a canvas grid
    counts = {layer: int(n.replace(",", "")) for layer, n in zip(table["layer"], table["parameters"], strict=True)}
    assert counts["nn.LSTM"] == lstmviz.count_params(RecurrentSpec(framework="pytorch", cell="lstm"))
    assert counts["LSTM"] == lstmviz.count_params(RecurrentSpec(framework="keras", cell="lstm"))
    assert counts["nn.GRU"] == lstmviz.count_params(RecurrentSpec(framework="pytorch", cell="gru"))
    assert_no_exception(page, explorer)
    screenshot(page, "lesson-step-6.png")


# --- (b) the quiz ----------------------------------------------------------------------------------


def test_practice_quiz_marks_right_and_wrong_answers(page: Any, explorer: Any) -> None:
    question = quiz_question(5)
    truth = lstmviz.count_params(question)
    open_view(page, explorer, "?view=practice&question=5")
    prompt = page.locator("[data-testid='stMarkdown']").filter(has_text="How many parameters").first.inner_text()
    assert f"{question.features} input features, {question.units} units" in prompt
    answer = page.get_by_label("Your answer")

    answer.fill(str(truth))
    answer.press("Enter")
    success = page.locator("[data-testid='stAlertContentSuccess']")
    success.wait_for()
    settle(page)
    assert f"= {truth:,}" in success.inner_text()
    assert page.locator("[data-testid='stAlertContentError']").count() == 0

    answer.fill(str(truth + 1))
    answer.press("Enter")
    error = page.locator("[data-testid='stAlertContentError']")
    error.wait_for()
    settle(page)
    assert f"you said {truth + 1:,}" in error.inner_text()
    assert success.count() == 0
    assert_no_exception(page, explorer)
    screenshot(page, "practice-wrong.png")


# --- (c) run through time: tests/e2e/test_player.py ---------------------------------------------


# --- (d) presentation mode ----------------------------------------------------------------------------


def test_presentation_mode_link(page: Any, explorer: Any) -> None:
    open_view(page, explorer, "?presentation=true", ready=METRIC)
    page.wait_for_function(f"() => ({HEATMAP_CELLS_JS})() > 0")
    settle(page)
    assert toggle(page, "Presentation mode").is_checked()
    assert total(page) == 48
    # The projector stylesheet is applied: the headline total is drawn far larger than on screen.
    size = page.locator(METRIC).first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 56, f"presentation mode's total is {size}px"
    # The explorer's tables are static Markdown tables, enlarged by the same stylesheet.
    layers, _ = static_table(page, "layer", "input size", "parameters")
    assert layers["parameters"] == ["48"]
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stMarkdownContainer"] table')]
            .filter(t => !t.closest('[data-stale="true"]')).map(t => parseFloat(getComputedStyle(t).fontSize))"""
    )
    assert len(sizes) == 4 and min(sizes) >= 20, f"presentation mode's tables are {sizes}px"
    assert_no_exception(page, explorer)
    screenshot(page, "presentation.png")


# --- (e) no network traffic beyond the app ---------------------------------------------------------------


VIEW_PAGES = [
    ("", METRIC),
    ("?view=through+time", ".st-key-player .lv-strip svg"),
    ("?view=compare", METRIC),
    ("?view=lesson&step=4", PLOTLY),
    ("?view=lesson&step=6", "[data-testid='stMarkdownContainer'] table"),
    ("?view=practice", PLOTLY),
    ("?presentation=true", METRIC),
]


def test_the_app_fetches_nothing_from_the_network(page: Any, explorer: Any) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("websocket", lambda socket: requested.append(socket.url))
    for query, ready in VIEW_PAGES:
        open_view(page, explorer, query, ready=ready)
    page.wait_for_timeout(500)  # late fetches (fonts, images) after the last paint
    own = urlsplit(explorer.url).port
    assert requested
    foreign = [
        url
        for url in requested
        if not (
            url.startswith(("data:", "blob:"))
            or (urlsplit(url).hostname in ("127.0.0.1", "localhost") and urlsplit(url).port == own)
        )
    ]
    assert foreign == [], f"requests outside the app: {foreign}"
    assert any(urlsplit(url).scheme == "ws" for url in requested), "no websocket seen: was anything recorded?"


# --- (f) hostile view parameters ------------------------------------------------------------------------


def _step_in_range(page: Any) -> None:
    assert re.fullmatch(r"Step [1-6]\. .+", title(page))
    assert 1 <= slider_value(page, "Step") <= 6


def _practice_renders(page: Any) -> None:
    assert title(page) == "Practice"
    page.locator("[data-testid='stMarkdown']").filter(has_text="How many parameters").first.wait_for()


def _timestep_in_range(page: Any) -> None:
    assert title(page) == "Run through time"
    slider = page.get_by_role("slider", name="Timestep t")
    slider.wait_for()
    settle(page)
    assert 1 <= int(slider.input_value()) <= RecurrentSpec().timesteps


def _explorer_renders(page: Any) -> None:
    page.wait_for_selector(METRIC)
    assert total(page) == 48


@pytest.mark.parametrize(
    ("query", "check"),
    [
        ("?view=lesson&step=99", _step_in_range),
        ("?view=practice&question=-1&budget=abc", _practice_renders),
        ("?view=through+time&t=100000", _timestep_in_range),
        ("?view=nonsense", _explorer_renders),
    ],
)
def test_hostile_view_parameters_still_render(page: Any, explorer: Any, query: str, check: Any) -> None:
    open_view(page, explorer, query)
    check(page)
    assert_no_exception(page, explorer)
