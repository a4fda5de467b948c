"""The run-through-time player: one t for the strip, the cell, the live values, the equations and the
whole-pass figure, moved in the browser (Play, Pause, step back and forward, speed) with no server work
per frame. Built on Streamlit's Components v2; the server hears t only when the player stops.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

from lstmviz.style import FONT, INK, LINE, MUTED, PAPER, SELECTED_FILL

CURRENT, CURRENT_FILL = "#D55E00", "#FBE3D6"  # the current strip cell: vermillion edge, light fill
SHARED, SHARED_FILL = "#9A6700", "#FFF3D6"  # the shared W, U, b box and its feeds (4.5:1 on white)
SPEEDS = (0.5, 1.0, 2.0, 4.0)
STEPS_PER_S = 4.0  # at 1×: a 40-step pass takes 10 s, slow enough to read

CSS = f"""
.lv [hidden] {{ display: none !important; }}
.lv {{ font-family: {FONT}; color: {INK}; font-size: var(--lv-font); line-height: 1.35; }}
.lv-bar {{ display: flex; flex-wrap: wrap; gap: 0.4em; align-items: center; margin-bottom: 0.5em; }}
.lv-bar button, .lv-bar select {{ font: inherit; color: {INK}; background: #F0F2F6; border: 1px solid #B0B3BA;
  border-radius: 0.4em; padding: 0.2em 0.6em; min-height: 2.2em; cursor: pointer; }}
.lv-bar button:focus-visible, .lv-bar select:focus-visible, .lv-range:focus-visible {{ outline: 3px solid {CURRENT}; }}
.lv-bar .lv-play {{ min-width: 5.6em; font-weight: bold; }}
.lv-range {{ flex: 1 1 10em; min-width: 8em; accent-color: {CURRENT}; }}
.lv-now {{ font-weight: bold; min-width: 6.5em; }}
.lv-strip svg {{ display: block; }}
.lv-body {{ display: flex; flex-wrap: wrap; gap: 0.5em 2em; }}
.lv-live {{ flex: 0 1 auto; min-width: 0; max-width: 100%; }}
.lv-updates {{ flex: 1 1 22em; min-width: 0; }}
.lv-cell svg {{ width: 100%; height: auto; max-width: 900px; display: block; }}
.lv h4 {{ margin: 0.4em 0 0.2em; font-size: 1.05em; }}
.lv-scroll {{ overflow-x: auto; }}
.lv-hint {{ color: {MUTED}; font-size: 0.9em; }}
.lv table {{ border-collapse: collapse; }}
.lv td, .lv th {{ padding: 0.15em 0.45em; text-align: right; border-bottom: 1px solid #E3E4E8; white-space: nowrap; }}
.lv th {{ font-weight: normal; color: {MUTED}; }}
.lv td.lv-name {{ text-align: left; font-weight: bold; white-space: normal; min-width: 6em; }}
.lv .lv-v {{ display: block; }}
.lv .lv-track {{ display: block; height: 0.35em; background: #EEEEEE; position: relative; min-width: 3em; }}
.lv .lv-fill {{ position: absolute; top: 0; bottom: 0; }}
.lv tr.lv-followed {{ background: {SELECTED_FILL}; outline: 2px solid {INK}; }}
.lv-eq {{ margin: 0.2em 0; font-family: 'Source Code Pro', monospace; font-size: 0.92em;
  overflow-wrap: anywhere; }}
"""

# The constants the script reads, then the script itself (kept as a .js file for a JavaScript editor).
_CONSTANTS = {
    "CURRENT": CURRENT,
    "CURRENT_FILL": CURRENT_FILL,
    "SHARED": SHARED,
    "SHARED_FILL": SHARED_FILL,
    "INK": INK,
    "LINE": LINE,
    "PAPER": PAPER,
    "SPEEDS": SPEEDS,
    "STEPS_PER_S": STEPS_PER_S,
}
JS = "".join(f"const {name} = {json.dumps(value)};\n" for name, value in _CONSTANTS.items()) + (
    Path(__file__).with_name("player.js").read_text(encoding="utf-8")
)

_PLAYER = st.components.v2.component("lstmviz_player", html='<div class="lv"></div>', css=CSS, js=JS)


def player(data: dict[str, Any], t: int, font_px: float, on_stop: Callable[[], None], key: str = "player") -> None:
    """Mount the player on `data` (lstmviz.playback.player_data plus params and the diagram) at step t.

    The server hears t only when the player stops (Pause, a step, a click): `on_stop` runs then, with
    st.session_state["player"]["t"] set, and never while it plays."""
    ident = hashlib.sha1(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]
    _PLAYER(
        key=key,
        data={**data, "id": ident, "t0": t, "font": font_px},
        default={"t": t},
        on_t_change=on_stop,
    )
