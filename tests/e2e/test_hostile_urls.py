"""Hostile links in a real browser: no exception box, one notice per bad value, a canonical URL.

A representative subset of tests/test_hostile_inputs.py's corpus (which covers every key in AppTest), and
the stale-option case: ?units=8&proj_size=3 on Keras, then clicking PyTorch, shows 416.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

import lstmviz
from lstmviz import RecurrentSpec

pytestmark = pytest.mark.e2e

METRIC = "[data-testid='stMetricValue']"
NINES = "9" * 400


def settle(page: Any) -> None:
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"]')
            && !document.querySelector('[data-stale="true"]')"""
    )


def load(page: Any, explorer: Any, query: str, ready: str) -> None:
    page.goto(f"{explorer.url}/?{query}", wait_until="domcontentloaded")
    page.wait_for_selector(ready)
    settle(page)


def notices(page: Any) -> str:
    return "\n".join(page.locator("[data-testid='stAlert']").all_inner_texts())


def url_params(page: Any) -> dict[str, list[str]]:
    # page.url follows navigations only; Streamlit rewrites the URL with history.pushState.
    return parse_qs(str(page.evaluate("location.search")).lstrip("?"), keep_blank_values=True)


def assert_no_exception(page: Any, explorer: Any) -> None:
    assert page.locator("[data-testid='stException']").count() == 0
    assert "Traceback" not in page.locator("body").inner_text()
    assert "Traceback" not in explorer.server_log()


CASES = [
    # (query, what must be drawn, the URL left behind, keys named in notices)
    ("view=practice&budget=inf", "text=How many parameters does a", {"view": ["practice"]}, ["budget"]),
    ("view=practice&question=1e400", "text=How many parameters does a", {"view": ["practice"]}, ["question"]),
    ("framework=pytorch&units=8&proj_size=inf", METRIC, {"framework": ["pytorch"], "units": ["8"]}, ["proj_size"]),
    (f"features=Infinity&units=-inf&timesteps={NINES}", METRIC, {"timesteps": ["1000"]}, ["features", "units"]),
    ("units=1.5&features=1_000&timesteps=%EF%BC%91%EF%BC%92", METRIC, {}, ["units", "features", "timesteps"]),
    ("view=lesson&step=%3Cscript%3Ealert(1)%3C/script%3E", "text=Step 1.", {"view": ["lesson"]}, ["step"]),
    (f"cell={'x' * 100_000}&bias=maybe", METRIC, {}, ["cell", "bias"]),
    ("units=3&units=inf&utm_source=mail", METRIC, {"utm_source": ["mail"]}, ["units"]),
    ("view=through+time&t=inf", "text=Run through time", {"view": ["through time"]}, ["t"]),
]


@pytest.mark.parametrize(("query", "ready", "canonical", "named"), CASES, ids=[c[0][:40] for c in CASES])
def test_hostile_links_show_a_notice_not_an_exception(
    page: Any, explorer: Any, query: str, ready: str, canonical: dict[str, list[str]], named: list[str]
) -> None:
    load(page, explorer, query, ready)
    assert_no_exception(page, explorer)
    said = notices(page)
    for key in named:
        assert f"{key}=" in said, (key, said)
    # Quoted as text, never run: no script element carries the link's code.
    assert not page.evaluate("[...document.scripts].some(s => s.textContent.includes('alert(1)'))")
    page.wait_for_function("(want) => location.search === want", arg=_search(canonical))
    assert url_params(page) == canonical


def _search(params: dict[str, list[str]]) -> str:
    from urllib.parse import urlencode

    text = urlencode(params, doseq=True)
    return f"?{text}" if text else ""


def test_a_stale_projection_never_comes_back(page: Any, explorer: Any) -> None:
    """Issue 11: ?units=8&proj_size=3 on Keras, then clicking PyTorch, shows 416 (not 280)."""
    load(page, explorer, "units=8&proj_size=3", METRIC)
    assert "ignored proj_size=3" in notices(page)
    # The framework radio's own option (the layer-class picker's label also says "PyTorch").
    page.locator("[data-testid='stSidebar'] label").filter(has_text=re.compile(r"^\s*pytorch\s*$", re.I)).first.click()
    expected = lstmviz.count_params(RecurrentSpec(framework="pytorch", units=8))
    assert expected == 416
    page.wait_for_function(
        "(want) => document.querySelector(\"[data-testid='stMetricValue']\")?.innerText === want", arg=str(expected)
    )
    settle(page)
    assert url_params(page) == {"framework": ["pytorch"], "units": ["8"]}
    assert_no_exception(page, explorer)


@pytest.fixture(scope="module")
def crashing(explorer: Any) -> Iterator[str]:
    """A second server, under the project's config.toml, running a page that always raises."""
    from tools.app_runner import free_port, start_app, stop_app

    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="lstmviz-crash-")) / "streamlit.log"
    process = start_app(port, log, script="tests/e2e/crash_app.py")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_app(process)


def test_visitors_never_see_a_traceback(page: Any, crashing: str) -> None:
    """client.showErrorDetails = "none": one generic line, no type, message, path or traceback."""
    page.goto(crashing, wait_until="domcontentloaded")
    box = page.locator("[data-testid='stException']")
    box.wait_for()
    shown = page.locator("body").inner_text()
    for secret in ("Traceback", "RuntimeError", "/srv/secret/path", "crash_app.py", 'File "'):
        assert secret not in shown
    message, *buttons = box.inner_text().strip().splitlines()
    assert "error message is redacted" in message  # Streamlit's generic line
    assert set(buttons) <= {"Copy", "Ask Google", "Ask ChatGPT"}  # they copy or search that line only
