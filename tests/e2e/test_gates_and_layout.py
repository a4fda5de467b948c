"""The followed gate and the page's fit, in a real browser: ?gate= links, clicks on bars, and no
clipped table or code block at 1400 × 900 and on a 1280 × 720 projector.

Expected terms and slices come from the core (lstmviz.summary.gate_term, LayerCount.slice_texts).
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

import lstmviz
from lstmviz import RecurrentSpec
from lstmviz.summary import gate_term
from lstmviz.tables import gate_parts
from tests.e2e.test_explorer import METRIC, STATIC_TABLE_JS, assert_no_exception, open_app, settle, static_table, total

pytestmark = pytest.mark.e2e

# Every code block and grid in the main column that is wider than its own box, every static table
# wider than its column, and any of them running past the window's right edge: each would hide
# numbers behind a horizontal scroll or under the next column.
CLIPPED_JS = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const boxes = main.querySelectorAll(
        '[data-testid="stCode"] pre, pre.lstmviz-summary, [data-testid="stDataFrame"] .dvn-scroller, '
        + '[data-testid="stMarkdownContainer"] table');
    const wide = e => e.tagName === 'TABLE'
        ? e.getBoundingClientRect().width > e.closest('[data-testid="stMarkdownContainer"]').clientWidth + 1
        : e.scrollWidth > e.clientWidth + 1;
    return [...boxes].filter(e => !e.closest('[data-stale="true"]'))
        .filter(e => wide(e) || e.getBoundingClientRect().right > window.innerWidth + 1)
        .map(e => `${e.tagName} ${e.getAttribute('data-testid') || ''} ${e.scrollWidth} > ${e.clientWidth}: `
            + e.textContent.slice(0, 60));
}"""
# Heights of every chart and image in the main column, to check each fits one screen.
FIGURE_HEIGHTS_JS = """() => [...document.querySelectorAll(
        '[data-testid="stMain"] .stPlotlyChart, [data-testid="stMain"] [data-testid="stImage"] img')]
    .filter(e => !e.closest('[data-stale="true"]') && !e.closest('details:not([open])'))
    .map(e => e.getBoundingClientRect().height)"""
SIDEBAR_WIDTH_JS = """() => {
    const bar = document.querySelector('[data-testid="stSidebar"]');
    return bar ? bar.getBoundingClientRect().width : 0;
}"""


def main_text(page: Any) -> str:
    return str(page.locator("[data-testid='stMain']").inner_text())


def expect_followed(page: Any, spec: RecurrentSpec, symbol: str) -> None:
    """The gate's formula term and its slices are on the page, its diagram box is the framed one and its
    row of the gate table the marked one."""
    layer = lstmviz.breakdown(spec).layers[0]
    term = gate_term(layer, symbol)
    page.wait_for_function("t => document.body.innerText.includes(t)", arg=term)
    text = main_text(page)
    assert all(s in text for s in layer.slice_texts(symbol)), text
    src = page.locator("[data-testid='stImage'] img").first.get_attribute("src")
    svg = base64.b64decode(src.split(",", 1)[1]).decode()
    assert f'id="gate_{symbol}" class="selected"' in svg
    assert parse_qs(urlparse(page.url).query).get("gate") == [symbol]
    parts = gate_parts((layer,))
    rows = [k for k, part in enumerate(parts) if part.symbol == symbol]
    page.wait_for_function(
        f"(rows) => JSON.stringify(({STATIC_TABLE_JS})(['gate', 'running total'])?.marked) === rows",
        arg=json.dumps(rows),
    )
    columns, marked = static_table(page, "gate", "running total")
    assert [columns["gate"][k] for k in marked] == [parts[k].label for k in rows]


@pytest.mark.parametrize(
    ("query", "spec", "symbol", "seen"),
    [
        # The acceptance cases: the forget gate's 12 at 2:4; PyTorch's output gate's 14 at 6:8.
        ("?gate=f", RecurrentSpec(), "f", ("= 12", "kernel[:, 2:4]", "bias[2:4]")),
        ("?framework=pytorch&gate=o", RecurrentSpec(framework="pytorch"), "o", ("= 14", "weight_ih_l0[6:8]")),
        ("?cell=gru&gate=r", RecurrentSpec(cell="gru"), "r", ("bias[:, 2:4]",)),
        ("?framework=pytorch&cell=gru&gate=n", RecurrentSpec(framework="pytorch", cell="gru"), "n", ("[4:6]",)),
    ],
)
def test_gate_link_shows_its_term_and_slices(
    page: Any, explorer: Any, query: str, spec: RecurrentSpec, symbol: str, seen: tuple[str, ...]
) -> None:
    open_app(page, explorer, query)
    assert total(page) == lstmviz.count_params(spec)
    expect_followed(page, spec, symbol)
    assert all(s in main_text(page) for s in seen)
    assert_no_exception(page, explorer)


def _bar_centre(page: Any, trace_name: str, point: int) -> dict[str, float]:
    """Page coordinates of one bar of the named trace, from Plotly's own axes."""
    return dict(
        page.evaluate(
            """([name, point]) => {
                for (const plot of document.querySelectorAll('.js-plotly-plot')) {
                    if (plot.closest('[data-stale="true"]')) continue;
                    const k = (plot._fullData || []).findIndex(t => t.name === name);
                    if (k < 0) continue;
                    const bars = plot.querySelectorAll('.barlayer .trace')[
                        [...plot._fullData].filter(t => t.type === 'bar').findIndex(t => t.name === name)];
                    const box = bars.querySelectorAll('.point')[point].getBoundingClientRect();
                    return {x: box.left + box.width / 2, y: box.top + box.height / 2};
                }
                return null;
            }""",
            [trace_name, point],
        )
    )


def test_a_click_on_a_bar_then_on_a_heatmap_gate_follows_that_gate(page: Any, explorer: Any) -> None:
    open_app(page, explorer)
    assert "gate" not in parse_qs(urlparse(page.url).query)
    where = _bar_centre(page, "input weights", 3)  # the output gate's bar in the gate chart
    page.mouse.move(where["x"], where["y"])
    page.mouse.click(where["x"], where["y"])
    expect_followed(page, RecurrentSpec(), "o")
    settle(page)
    where = _bar_centre(page, "gates", 1)  # the forget gate's block in the heatmap's gate strip
    page.mouse.move(where["x"], where["y"])
    page.mouse.click(where["x"], where["y"])
    expect_followed(page, RecurrentSpec(), "f")
    assert_no_exception(page, explorer)


@pytest.mark.parametrize(
    ("size", "query", "sidebar_open"),
    [({"width": 1280, "height": 720}, "?presentation=true", False), ({"width": 1400, "height": 900}, "", True)],
    ids=["projector-1280x720", "screen-1400x900"],
)
@pytest.mark.parametrize("framework", ["keras", "pytorch"])
def test_nothing_is_clipped_and_the_total_is_in_the_first_screen(
    explorer: Any, size: dict[str, int], query: str, sidebar_open: bool, framework: str
) -> None:
    context = explorer.browser.new_context(viewport=size)
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        joiner = "&" if query else "?"
        page.goto(f"{explorer.url}/{query}{joiner}framework={framework}&gate=f&layers=2", wait_until="domcontentloaded")
        page.wait_for_selector(METRIC)
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 2")
        settle(page)
        assert (page.evaluate(SIDEBAR_WIDTH_JS) > 100) == sidebar_open
        metric = page.locator(METRIC).first.bounding_box()
        assert metric["y"] + metric["height"] <= size["height"]  # the total without scrolling
        assert page.evaluate(CLIPPED_JS) == []
        heights = page.evaluate(FIGURE_HEIGHTS_JS)
        assert heights and max(heights) <= size["height"] - 40, heights  # each figure fits one screen
        assert_no_exception(page, explorer)
    finally:
        context.close()
