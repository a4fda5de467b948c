"""The inspect view in a real browser: upload a real model file and a hostile one through the page.

Expected totals come from tests/data/models/expected.json (written from Keras/PyTorch by
tools/make_model_fixtures.py); the hostile file comes from tools/make_hostile_files.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_explorer import METRIC, assert_no_exception, settle

from tools.make_hostile_files import pickle_payload, zip_traversal

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = json.loads((ROOT / "tests" / "data" / "models" / "expected.json").read_text())["files"]
UPLOAD = "[data-testid='stFileUploaderDropzoneInput']"
SUCCESS = "[data-testid='stAlertContentSuccess']"
ERROR = "[data-testid='stAlertContentError']"


def _open(page: Any, explorer: Any, query: str) -> None:
    page.goto(f"{explorer.url}/?view=inspect{query}", wait_until="domcontentloaded")
    page.wait_for_selector("text=Inspect your own model")
    settle(page)


def test_upload_a_real_model_file(page: Any, explorer: Any) -> None:
    key = "tests/data/models/keras_rnn_nobias.weights.h5"
    _open(page, explorer, "")
    page.set_input_files(UPLOAD, str(ROOT / key))
    page.wait_for_selector(SUCCESS)
    settle(page)
    assert page.locator(METRIC).first.inner_text() == f"{EXPECTED[key]['total_params']:,}"
    first = EXPECTED[key]["recurrent_layers"][0]
    assert f"= {first['params']:,} ✓" in page.locator(SUCCESS).first.inner_text()
    # The real-weight heatmap and the run through time.
    page.wait_for_function("() => document.querySelectorAll('[data-testid=\"stPlotlyChart\"]').length == 2")
    assert_no_exception(page, explorer)


def test_upload_hostile_files_is_refused_and_the_page_keeps_working(page: Any, explorer: Any, tmp_path: Path) -> None:
    marker = tmp_path / "pickle-was-executed"
    _open(page, explorer, "")
    traversal = tmp_path / "traversal.keras"
    traversal.write_bytes(zip_traversal())
    page.set_input_files(UPLOAD, str(traversal))
    page.wait_for_selector(ERROR)
    assert "unsafe path" in page.locator(ERROR).first.inner_text()
    pickled = tmp_path / "model.pt"
    pickled.write_bytes(pickle_payload(marker))
    page.set_input_files(UPLOAD, str(pickled))
    page.wait_for_selector(f"{ERROR} >> text=pickle")
    assert not marker.exists()
    assert_no_exception(page, explorer)
    page.get_by_text("keras_sine_lstm.keras").click()  # the page still works: an example opens
    page.wait_for_selector(SUCCESS)
    assert (
        page.locator(METRIC).first.inner_text()
        == f"{EXPECTED['lstmviz/examples/keras_sine_lstm.keras']['total_params']:,}"
    )


def test_example_deep_link(page: Any, explorer: Any) -> None:
    _open(page, explorer, "&model=torch_encoder_proj.safetensors")
    page.wait_for_selector(SUCCESS)
    expected = EXPECTED["lstmviz/examples/torch_encoder_proj.safetensors"]
    assert page.locator(METRIC).first.inner_text() == f"{expected['total_params']:,}"
    assert_no_exception(page, explorer)


REAL = ROOT / "tests" / "data" / "real_layouts"
REAL_EXPECTED = json.loads((ROOT / "tests" / "data" / "real_layouts.json").read_text())


def test_upload_real_layouts_torch_checkpoint_and_unread_layers(page: Any, explorer: Any) -> None:
    """A torch.save checkpoint is read as data; a ConvLSTM2D is named in a note; activations are used."""
    _open(page, explorer, "")
    page.set_input_files(UPLOAD, str(REAL / "torch_checkpoint.pth"))
    page.wait_for_selector(SUCCESS)
    settle(page)
    assert page.locator(METRIC).first.inner_text() == f"{REAL_EXPECTED['torch_checkpoint.pth']['total_params']:,}"
    page.wait_for_selector("text=not counted as parameters")
    page.set_input_files(UPLOAD, str(REAL / "tfkeras_convlstm.h5"))
    page.wait_for_selector("text=conv_lstm2d: a ConvLSTM2D")
    settle(page)
    assert page.locator(METRIC).first.inner_text() == f"{REAL_EXPECTED['tfkeras_convlstm.h5']['total_params']:,}"
    page.set_input_files(UPLOAD, str(REAL / "keras2_lstm.h5"))
    page.wait_for_selector("text=the through-time run below uses it")
    assert_no_exception(page, explorer)
