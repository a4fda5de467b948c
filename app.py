"""lstmviz: move the sliders and see why a recurrent layer has the parameters it has.

Read top to bottom: widgets → the chosen view (core → figures → layout, in lstmviz/ui/).
"""

from __future__ import annotations

import streamlit as st

from lstmviz.style import PROJECTOR, SCREEN
from lstmviz.ui import controls, explorer, lesson, practice, through_time

st.set_page_config(page_title="lstmviz: LSTM parameter explorer", page_icon="🧮", layout="wide")

# --- widgets -------------------------------------------------------------------------------
spec = controls.sidebar()
presentation = controls.presentation_toggle()
view = controls.view_picker()

# --- the chosen view -----------------------------------------------------------------------
theme = PROJECTOR if presentation else SCREEN
if presentation:
    st.html(controls.PRESENTATION_CSS)
VIEWS = {
    "explorer": explorer.render,
    "through time": through_time.render,
    "lesson": lesson.render,
    "practice": practice.render,
}
VIEWS[view](spec, theme)
