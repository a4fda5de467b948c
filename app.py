"""lstmviz: move the sliders and see why a recurrent layer has the parameters it has.

Read top to bottom: widgets → one report per spec (the only count) → the chosen view draws it.
"""

from __future__ import annotations

import streamlit as st

import lstmviz.internals  # noqa: F401  # first: it imports pandas before any session's thread (see there)
from lstmviz.report import build_report
from lstmviz.style import PROJECTOR, SCREEN
from lstmviz.ui import compare, controls, explorer, inspect_model, lesson, practice, through_time, url, zoo
from lstmviz.ui.static_table import TABLE_CSS

st.set_page_config(page_title="lstmviz: LSTM parameter explorer", page_icon="🧮", layout="wide")
url.dropped_query_notice()  # a link over Streamlit's 1,000-parameter limit reaches the page empty

VIEWS = {  # name in the URL (?view=...) → the function that draws it
    "explorer": explorer.render,
    "through time": through_time.render,
    "lesson": lesson.render,
    "practice": practice.render,
    "compare": compare.render,
    "inspect": inspect_model.render,
}

# --- widgets -------------------------------------------------------------------------------
zoo_class = zoo.layer_picker()  # a class beyond the radios' Keras 3 / PyTorch / ONNX ones, or None
spec = controls.sidebar()
zoo_layer = zoo.zoo_options(zoo_class, spec) if zoo_class else None
presentation = controls.presentation_toggle()
view = controls.view_picker(tuple(VIEWS))

# --- one computed report, then the chosen view ---------------------------------------------
report = build_report(spec)
theme = PROJECTOR if presentation else SCREEN
st.html(TABLE_CSS)  # wide tables scroll inside their block, with edge shadows that say so
if presentation:
    # A slide has no room for the sidebar: start it collapsed (its arrow still opens it).
    st.set_page_config(initial_sidebar_state="collapsed")
    st.html(controls.PRESENTATION_CSS)
if zoo_layer is not None:
    zoo.render(zoo_layer, view, theme)
else:
    VIEWS[view](report, theme)
controls.keep_followed_gate()  # views without the gate control keep the followed gate
