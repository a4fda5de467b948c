"""The inspect view's Convert panel in a real browser: a refusal, one layer converted, the download read back.

Expected weights come from lstmviz.modelfiles.convert on the same file read by lstmviz.modelfiles; the downloaded
file is read back with the same readers (the oracle tests load such files in Keras and PyTorch).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_explorer import assert_no_exception, settle
from test_views import GRID_JS

from lstmviz.modelfiles import read_model
from lstmviz.modelfiles.convert import convert

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "lstmviz" / "examples" / "keras_gru_both.h5"
TWO_MODULES = ROOT / "tests" / "data" / "models" / "torch_gru_rnn.safetensors"
CONVERT = "[data-testid='stMain'] h3:has-text('Convert')"


def _open_inspect(page: Any, explorer: Any, query: str = "") -> None:
    page.goto(f"{explorer.url}/?view=inspect{query}", wait_until="domcontentloaded")
    page.wait_for_selector("[data-testid='stMain'] h1:has-text('Inspect your own model')")
    settle(page)


def _pick(page: Any, label: str, option: str) -> None:
    # A rerun that lands while the list is open closes it again: open it until the option shows.
    box = page.locator("[data-testid='stSelectbox']").filter(has_text=label)
    choice = page.get_by_role("option", name=option, exact=True)
    for _ in range(5):
        settle(page)
        box.click()
        try:
            choice.wait_for(timeout=5_000)
            break
        except Exception:  # noqa: BLE001 - Playwright's TimeoutError; try opening the list again
            page.keyboard.press("Escape")
    choice.click()
    settle(page)


def _convert(page: Any) -> None:
    """Press the panel's button: it converts on request, never on load."""
    assert not page.locator("[data-testid='stMain'] >> text=max |Δ|").count()
    page.get_by_role("button", name=re.compile(r"^Convert to .* and prove it$")).click()


def _download(page: Any, tmp_path: Path, name: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("button", name=f"Download {name}").click()
    path = tmp_path / name
    info.value.save_as(path)
    return path.read_bytes()


def test_convert_panel_on_the_gru_example(page: Any, explorer: Any, tmp_path: Path) -> None:
    _open_inspect(page, explorer, f"&model={EXAMPLE.name}")
    page.wait_for_selector(CONVERT)
    settle(page)
    _convert(page)
    page.get_by_text("Not converted: gru_1: a Keras GRU with reset_after=False").wait_for()

    _pick(page, "Layer to convert", "gru")
    _convert(page)
    page.get_by_text("gru: max |Δ| = ").wait_for()
    settle(page)
    # The table's grid draws after the rerun settles: wait for its rows.
    page.wait_for_function(f"() => ({GRID_JS})(['gate', 'moved']) !== null")
    moves = page.evaluate(GRID_JS, ["gate", "moved"])
    assert moves["gate"] == ["update (z)", "reset (r)", "candidate (h)"] and moves["moved"] == ["yes", "yes", "no"]

    data = _download(page, tmp_path, "keras_gru_both.safetensors")
    (source,) = [layer for layer in read_model(EXAMPLE.read_bytes(), EXAMPLE.name).layers if layer.name == "gru"]
    (written,) = read_model(data, "keras_gru_both.safetensors").layers
    assert written.name == "gru" and written.spec.framework == "pytorch"
    for key, value in convert(source.spec, source.weights, "pytorch").target_weights.items():
        np.testing.assert_array_equal(written.weights[key], value)
    assert_no_exception(page, explorer)


def test_convert_panel_on_an_uploaded_state_dict(page: Any, explorer: Any, tmp_path: Path) -> None:
    _open_inspect(page, explorer)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(TWO_MODULES))
    page.wait_for_selector(CONVERT)
    settle(page)
    _pick(page, "Layer to convert", "rnn")
    _convert(page)
    page.get_by_text("rnn: max |Δ| = ").wait_for()
    settle(page)
    assert "PyTorch → Keras 3" in page.locator("[data-testid='stMain']").inner_text()
    data = _download(page, tmp_path, "torch_gru_rnn.keras")
    written = read_model(data, "torch_gru_rnn.keras")
    assert written.format == "keras" and {layer.spec.cell for layer in written.layers} == {"rnn"}
    assert_no_exception(page, explorer)
