"""One followed gate across every view, in a real browser: ?gate= keeps the framework's own symbol
through explorer → compare → lesson → through time → practice → inspect → explorer, and the views that
show a gate show that one.
"""

from __future__ import annotations

from typing import Any

import pytest
from test_explorer import assert_no_exception, settle

pytestmark = pytest.mark.e2e

NAMES = {"o": "output", "c": "cell candidate"}  # the gates the tour follows, as the lesson names them
VIEWS = ("compare", "lesson", "through time", "practice", "inspect", "explorer")


def gate_in_url(page: Any) -> str | None:
    return page.evaluate("() => new URLSearchParams(location.search).get('gate')")


def go_to(page: Any, view: str) -> None:
    """Pick a view with the page's own view control, as a reader would."""
    page.locator("[data-testid='stMain'] [role='radiogroup']").first.get_by_text(view, exact=True).click()
    page.wait_for_function(
        "(v) => new URLSearchParams(location.search).get('view') === v || (v === 'explorer'"
        " && !new URLSearchParams(location.search).has('view'))",
        arg=view,
        timeout=30_000,
    )
    settle(page)


@pytest.mark.parametrize(("framework", "symbol"), [("pytorch", "o"), ("keras", "c")])
def test_the_followed_gate_survives_a_tour_of_every_view(
    page: Any, explorer: Any, framework: str, symbol: str
) -> None:
    page.goto(f"{explorer.url}/?framework={framework}&gate={symbol}", wait_until="domcontentloaded")
    page.wait_for_selector("[data-testid='stMetricValue']")
    settle(page)
    assert gate_in_url(page) == symbol
    for view in VIEWS:
        go_to(page, view)
        page.wait_for_timeout(500)  # a rerun that rewrote the URL would have done so by now
        settle(page)
        assert gate_in_url(page) == symbol, f"after {view}: ?gate={gate_in_url(page)}"
        if view == "compare":  # the explorer's own control, pressed on the same symbol
            pressed = page.locator(".st-key-gate button[aria-checked='true']")
            assert pressed.inner_text().strip() == symbol
        if view == "lesson":  # the lesson's one-gate step follows it
            page.goto(page.url.replace("step=1", "step=2") + ("" if "step=" in page.url else "&step=2"))
            page.wait_for_selector("[data-testid='stMain'] h1")
            settle(page)
            assert gate_in_url(page) == symbol
            text = page.locator("[data-testid='stMain']").inner_text()
            assert f"Focus on the {NAMES[symbol]} gate {symbol}" in text
    pressed = page.locator(".st-key-gate button[aria-checked='true']")
    assert pressed.inner_text().strip() == symbol  # back in the explorer, still followed
    assert_no_exception(page, explorer)
