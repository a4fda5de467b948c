"""The Convert panel (lstmviz/ui/convert_panel.py), driven with Streamlit's AppTest on real files."""

from __future__ import annotations

import json
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from lstmviz.modelfiles import read_model

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "tests" / "data" / "models"
EXAMPLES = ROOT / "lstmviz" / "examples"

# The panel as the inspect view calls it, on a file given by path.
SCRIPT = """
import sys
from pathlib import Path
sys.path.insert(0, {root!r})
from lstmviz.modelfiles import read_model
from lstmviz.style import SCREEN
from lstmviz.ui import convert_panel

path = Path({path!r})
convert_panel.render(read_model(path.read_bytes(), path.name), SCREEN, path.name, str(path))
"""


def _panel(path: Path) -> AppTest:
    at = AppTest.from_string(SCRIPT.format(root=str(ROOT), path=str(path)), default_timeout=60).run()
    assert not at.exception
    # Nothing is converted on load: the panel waits for its button.
    assert not at.success and not at.get("download_button") and not at.warning
    at.button(key="convert_go").click().run()
    assert not at.exception
    return at


def _plain(markdown: str) -> str:
    """Shown text with the panel's Markdown escapes (lstmviz.ui.text) removed."""
    return re.sub(r"\\(.)", r"\1", markdown)


def _gru_file(tmp_path: Path) -> Path:
    # A real .keras file (the writer is checked against Keras in test_convert.py) with a bidirectional GRU.
    from lstmviz.modelfiles.keras_writer import keras_file
    from lstmviz.spec import RecurrentSpec
    from lstmviz.weights import init_weights

    spec = RecurrentSpec(framework="keras", cell="gru", features=3, units=4, bidirectional=True, return_sequences=True)
    path = tmp_path / "my_gru.keras"
    path.write_bytes(keras_file(spec, init_weights(spec, seed=2)))
    return path


def _figure(at: AppTest, index: int) -> dict[str, object]:
    return dict(json.loads(at.get("plotly_chart")[index].proto.spec))


def test_panel_offers_the_file_and_its_proof(tmp_path: Path) -> None:
    at = _panel(_gru_file(tmp_path))
    assert "Keras 3 → PyTorch" in " ".join(m.value for m in at.markdown)
    (proof,) = at.success
    assert proof.value.startswith("bidirectional: max |Δ| = ") and proof.value.endswith("over 2×40×8 outputs ✓")
    downloads = at.get("download_button")
    assert len(downloads) == 1 and "my_gru.safetensors" in _plain(downloads[0].proto.label)
    assert "load_state_dict(part, strict=True)" in at.code[0].value


def test_panel_shows_the_gru_swap(tmp_path: Path) -> None:
    at = _panel(_gru_file(tmp_path))
    rows = at.dataframe[0].value
    assert list(rows["gate"]) == ["update (z)", "reset (r)", "candidate (h)"]
    assert list(rows["moved"]) == ["yes", "yes", "no"]
    assert rows["PyTorch"][0] == "weight_ih[4:8, :] (z)"
    before, after = _figure(at, 0), _figure(at, 1)
    assert "Keras 3 GRU" in json.dumps(before["layout"]) and "PyTorch nn.GRU" in json.dumps(after["layout"])
    # Gate labels in each layout's own order: Keras z r h, PyTorch r z n.
    order = [_gate_order(before), _gate_order(after)]
    assert order == [["z", "r", "h"], ["r", "z", "n"]]
    picker = at.selectbox(key="convert_direction")
    picker.select(next(o for o in picker.options if "backward" in o)).run()
    assert not at.exception and len(at.get("plotly_chart")) == 2


def _gate_order(figure: dict[str, object]) -> list[str]:
    # The heatmap's gate strip: one clickable bar per gate block, in the layout's own order.
    strip = [t for t in figure["data"] if t.get("name") == "gates"]  # type: ignore[attr-defined,union-attr]
    if strip:
        return list(strip[0]["customdata"])
    names = [str(a["text"]) for a in figure["layout"]["annotations"]]  # type: ignore[index]
    symbols = [n.split("</b>")[0].split("<b>")[-1] for n in names if "<b>" in n]
    return list(dict.fromkeys(s for s in symbols if s in "zrhn"))


def test_panel_shows_a_refusal_in_one_line() -> None:
    at = _panel(EXAMPLES / "torch_encoder_proj.safetensors")
    (warning,) = at.warning
    assert _plain(warning.value).startswith("Not converted: encoder.rnn: a PyTorch LSTM with proj_size=3")
    assert not at.get("download_button")


def test_panel_picks_one_module_for_keras() -> None:
    path = MODELS / "torch_gru_rnn.safetensors"
    at = _panel(path)
    names = [layer.name for layer in read_model(path.read_bytes(), path.name).layers]
    assert at.selectbox(key="convert_module").options == names
    at.selectbox(key="convert_module").select("rnn").run()
    at.button(key="convert_go").click().run()
    assert at.success[0].value.startswith("rnn: max |Δ| = ")
    assert "torch_gru_rnn.keras" in _plain(at.get("download_button")[0].proto.label)


def test_panel_converts_one_layer_of_a_partly_refused_file() -> None:
    # keras_gru_both.h5 holds GRUs with reset_after True (convertible) and False (refused).
    at = _panel(EXAMPLES / "keras_gru_both.h5")
    assert "reset_after=False" in _plain(at.warning[0].value)
    at.selectbox(key="convert_module").select("gru").run()
    at.button(key="convert_go").click().run()
    assert not at.warning and at.success[0].value.startswith("gru: max |Δ| = ")
    assert list(at.dataframe[0].value["moved"]) == ["yes", "yes", "no"]
