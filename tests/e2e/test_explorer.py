"""The explorer in a real browser: first paint, keyboard-driven sliders, shared links, hostile URLs.

Expected counts come from the core (lstmviz.count_params), never typed by hand, except the seed's 48.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import lstmviz
from lstmviz import RecurrentSpec

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(__file__).parent / "screenshots"
METRIC = "[data-testid='stMetricValue']"
PLOTLY = "[data-testid='stPlotlyChart'] .js-plotly-plot"
PAGE_LOAD_S = 30.0

# Heatmap cells: sum over the heatmap traces of rows × columns of the z Plotly actually drew. A changed
# figure is a new element: during a rerun the old chart stays (data-stale="true") beside the new one.
HEATMAP_CELLS_JS = """() => {
    let cells = 0, traces = 0;
    for (const plot of document.querySelectorAll('.js-plotly-plot')) {
        if (plot.closest('[data-stale="true"]')) continue;
        for (const trace of plot._fullData || []) {
            if (trace.type !== 'heatmap' || !trace.z) continue;
            traces += 1;
            for (const row of trace.z) cells += row.length;
        }
    }
    return traces ? cells : -1;
}"""


def open_app(page: Any, explorer: Any, query: str = "") -> None:
    """Load the app and wait until the headline total and the heatmap are drawn."""
    page.goto(f"{explorer.url}/{query}", wait_until="domcontentloaded")
    page.wait_for_selector(METRIC)
    page.wait_for_function(f"() => ({HEATMAP_CELLS_JS})() > 0")
    settle(page)


def settle(page: Any) -> None:
    """Wait for a rerun to finish: no 'running' status widget and no stale element left."""
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"]')
            && !document.querySelector('[data-stale="true"]')"""
    )


def total(page: Any) -> int:
    text = page.locator(METRIC).first.inner_text()
    assert re.fullmatch(r"\d{1,3}(,\d{3})*", text), f"headline total {text!r} is not a comma-grouped integer"
    return int(text.replace(",", ""))


def heatmap_cells(page: Any) -> int:
    return int(page.evaluate(HEATMAP_CELLS_JS))


def slider_thumb(page: Any, label: str) -> Any:
    # ARIA role, not the attribute: Streamlit's thumb is an <input type="range"> (implicit role slider).
    return page.locator("[data-testid='stSlider']").filter(has_text=label).get_by_role("slider")


def press_right(page: Any, label: str) -> None:
    thumb = slider_thumb(page, label)
    thumb.focus()
    thumb.press("ArrowRight")


# A static table (Markdown, drawn as an HTML table) as text: the first of the current run whose headers
# include every wanted one (stale ones from the previous run skipped), column header → cell texts, and
# the indices of its marked rows (every non-empty cell bold, Markdown's **…**: the followed gate's row).
STATIC_TABLE_JS = """(wanted) => {
    for (const table of document.querySelectorAll('[data-testid="stMarkdownContainer"] table')) {
        if (table.closest('[data-stale="true"]')) continue;
        const headers = Array.from(table.querySelectorAll('thead th')).map(th => th.textContent.trim());
        if (!wanted.every(w => headers.includes(w))) continue;
        const rows = Array.from(table.querySelectorAll('tbody tr')).map(tr => Array.from(tr.querySelectorAll('td')));
        if (!rows.length) return null;
        const text = e => e.textContent.trim();
        const bold = td => !text(td) || Array.from(td.querySelectorAll('strong')).map(text).join('') === text(td);
        return {
            columns: Object.fromEntries(headers.map((h, c) => [h, rows.map(r => r[c].textContent.trim())])),
            marked: rows.flatMap((r, k) => (r.every(bold) ? [k] : [])),
        };
    }
    return null;
}"""


def static_table(page: Any, *headers: str) -> tuple[dict[str, list[str]], list[int]]:
    """The static table with these headers: column header → cell texts, and its marked rows' indices."""
    page.wait_for_function(f"(wanted) => ({STATIC_TABLE_JS})(wanted) !== null", arg=list(headers))
    found = page.evaluate(STATIC_TABLE_JS, list(headers))
    return dict(found["columns"]), list(found["marked"])


def timesteps_table(page: Any) -> dict[str, list[str]]:
    """The 'timesteps T' table, column header → cell texts."""
    return static_table(page, "timesteps T")[0]


def assert_no_exception(page: Any, explorer: Any) -> None:
    assert page.locator("[data-testid='stException']").count() == 0
    body = page.locator("body").inner_text()
    assert "Traceback" not in body
    assert "Traceback" not in explorer.server_log()


# --- the gate: skip on a laptop, fail under CI ---------------------------------------------


def test_missing_browser_fails_under_ci(harness: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(harness, "browser_problem", lambda: "no chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        harness.require_browser()


def test_missing_browser_skips_outside_ci(harness: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(harness, "browser_problem", lambda: "no chromium")
    for unset in ("", "0", "false"):
        monkeypatch.setenv("CI", unset)
        with pytest.raises(pytest.skip.Exception):
            harness.require_browser()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        harness.require_browser()


# --- (a) first paint -------------------------------------------------------------------------


def test_default_page_is_the_tutorial_example(page: Any, explorer: Any) -> None:
    open_app(page, explorer)
    assert total(page) == 48
    image = page.locator("[data-testid='stImage'] img").first
    assert image.get_attribute("src").startswith("data:image/svg+xml")
    assert image.bounding_box()["width"] > 300
    assert page.locator(PLOTLY).count() >= 1
    assert heatmap_cells(page) == 48  # unpooled: one cell per weight
    assert_no_exception(page, explorer)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "default.png"))


# --- (b) a slider, driven by the keyboard ------------------------------------------------------


def test_units_slider_updates_total_heatmap_and_url(page: Any, explorer: Any) -> None:
    open_app(page, explorer)
    before_cells = heatmap_cells(page)
    press_right(page, "Units h (hidden size)")
    expected = lstmviz.count_params(RecurrentSpec(units=3))
    page.wait_for_function(f"() => document.querySelector(\"{METRIC}\").innerText === '{expected:,}'")
    # One layer, unpooled: the heatmap has one cell per weight.
    page.wait_for_function(f"() => ({HEATMAP_CELLS_JS})() === {expected}")
    settle(page)
    assert total(page) == expected
    assert heatmap_cells(page) == expected != before_cells
    page.wait_for_function("() => new URLSearchParams(location.search).get('units') === '3'")
    assert "units=3" in page.url
    assert_no_exception(page, explorer)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "units-3.png"))


# --- (c) a shared link ---------------------------------------------------------------------------


def test_shared_link_reopens_the_view(page: Any, explorer: Any) -> None:
    open_app(page, explorer, "?framework=pytorch&cell=gru&units=8&features=5&layers=2&bidirectional=true")
    spec = RecurrentSpec(framework="pytorch", cell="gru", units=8, features=5, layers=2, bidirectional=True)
    assert total(page) == lstmviz.count_params(spec)
    label = page.locator("[data-testid='stMetricLabel']").first.inner_text()
    assert "PyTorch" in label and "GRU" in label
    assert_no_exception(page, explorer)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "shared-pytorch-gru.png"))


# --- (d) hostile query values ---------------------------------------------------------------------


DEFAULT = RecurrentSpec()
PYTORCH = RecurrentSpec(framework="pytorch")


@pytest.mark.parametrize(
    ("query", "acceptable"),
    [
        # A bound value the widget cannot take is dropped (default) or clamped into range: either is fine.
        ("?units=-5", [DEFAULT, RecurrentSpec(units=1)]),
        ("?features=abc", [DEFAULT]),
        ("?units=99999999999", [DEFAULT, RecurrentSpec(units=1024)]),
        ("?timesteps=1e400", [DEFAULT, RecurrentSpec(timesteps=1000)]),
        ("?framework=jax", [DEFAULT]),
        ("?proj_size=5000&framework=pytorch", [PYTORCH, RecurrentSpec(framework="pytorch", proj_size=1)]),
    ],
)
def test_hostile_query_values_still_render(
    page: Any, explorer: Any, query: str, acceptable: list[RecurrentSpec]
) -> None:
    start = time.monotonic()
    open_app(page, explorer, query)
    elapsed = time.monotonic() - start
    assert elapsed < PAGE_LOAD_S, f"{query} took {elapsed:.1f} s"
    assert total(page) in {lstmviz.count_params(spec) for spec in acceptable}
    assert_no_exception(page, explorer)


# --- (e) timesteps ----------------------------------------------------------------------------------


def test_timesteps_change_the_output_shape_not_the_total(page: Any, explorer: Any) -> None:
    # With Keras' default return_sequences=False the output is (None, h) whatever T is: ask for sequences.
    open_app(page, explorer, "?return_sequences=true")
    before = timesteps_table(page)
    assert before["timesteps T"] == ["1", "40", "400"]
    assert before["output shape"][1] == "(None, 40, 2)"
    press_right(page, "Timesteps T")
    page.wait_for_function(f"() => ({STATIC_TABLE_JS})(['timesteps T'])?.columns['timesteps T'][1] === '41'")
    settle(page)
    after = timesteps_table(page)
    assert total(page) == 48
    assert after["timesteps T"] == ["1", "41", "410"]
    assert after["output shape"][1:] == ["(None, 41, 2)", "(None, 410, 2)"]
    assert after["output shape"] != before["output shape"]
    assert set(after["parameters"]) == {"48"}
    assert "timesteps=41" in page.url


# --- (f) the diagram download ------------------------------------------------------------------------


def test_svg_download_button_exists(page: Any, explorer: Any) -> None:
    open_app(page, explorer)
    assert page.locator("[data-testid='stDownloadButton']").count() == 0  # the export panel is closed
    page.locator("[data-testid='stButtonGroup'] button").filter(has_text="Export").click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('panel') === 'Export'")
    button = page.locator("[data-testid='stDownloadButton'] button").filter(has_text="Download diagram (SVG)")
    button.wait_for(state="visible")
    assert button.count() == 1
    assert button.is_enabled()
