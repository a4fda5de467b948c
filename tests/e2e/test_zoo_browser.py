"""The layer zoo in a real browser: ?layer= links, the sidebar's class picker writing the URL, every view.

Expected counts come from the frameworks' own goldens (tests/data/golden_zoo.json), never typed by hand.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from test_explorer import assert_no_exception, settle

pytestmark = pytest.mark.e2e

TITLE = "[data-testid='stMain'] h1"
GOLDEN = json.loads((Path(__file__).parents[1] / "data" / "golden_zoo.json").read_text())


def golden(layer: str, **options: object) -> int:
    return int(next(c["total_params"] for c in GOLDEN["cases"] if c["layer"] == layer and c["options"] == options))


def test_a_zoo_link_shows_the_frameworks_count(page: Any, explorer: Any) -> None:
    page.goto(f"{explorer.url}/?layer=flax.linen.GRUCell&features=5&units=4")
    page.wait_for_selector(TITLE)
    settle(page)
    expected = golden("flax.linen.GRUCell", features=5, units=4)
    assert page.locator(TITLE).first.inner_text() == f"flax.linen.GRUCell: {expected} parameters"
    assert page.locator("[data-testid='stMain'] table").first.inner_text().count("kernel") == 6
    assert_no_exception(page, explorer)


def test_the_picker_writes_the_class_path_into_the_url(page: Any, explorer: Any) -> None:
    page.goto(f"{explorer.url}/?features=3&units=2")
    page.wait_for_selector(TITLE)
    settle(page)
    page.locator(".st-key-layer [role='combobox']").click()
    # The option list is virtualised (only the first options are in the DOM): type to filter, as a user does.
    page.keyboard.type("CuDNNGRU")
    page.get_by_role("option", name="tf.compat.v1.keras.layers.CuDNNGRU", exact=True).click()
    page.wait_for_function("() => location.search.includes('layer=')")
    settle(page)
    query = parse_qs(urlsplit(page.url).query)
    assert query["layer"] == ["tf.compat.v1.keras.layers.CuDNNGRU"]
    expected = golden("tf.compat.v1.keras.layers.CuDNNGRU", features=3, units=2)
    assert page.locator(TITLE).first.inner_text() == f"tf.compat.v1.keras.layers.CuDNNGRU: {expected} parameters"
    assert_no_exception(page, explorer)


@pytest.mark.parametrize("view", ["through time", "compare", "lesson"])
def test_zoo_views_draw(page: Any, explorer: Any, view: str) -> None:
    page.goto(f"{explorer.url}/?layer=tf.nn.rnn_cell.LSTMCell&use_peepholes=true&num_proj=1&view={view}&step=6")
    page.wait_for_selector(TITLE)
    settle(page)
    assert page.locator(TITLE).first.inner_text().startswith("tf.compat.v1.nn.rnn_cell.LSTMCell: ")
    if view == "through time":
        page.wait_for_selector("[data-testid='stPlotlyChart'] .js-plotly-plot")
    else:  # compare and the lesson's last step: tables of counts
        assert page.locator("[data-testid='stMain'] table").count() >= 1
    assert_no_exception(page, explorer)
