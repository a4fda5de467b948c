"""The floor for the browser benchmark: lstmviz's own messages for a size, replayed with no work at all.

bench_browser.py starts this with LSTMVIZ_FLOOR=<pickle from bench/floor_capture.py>. Each run reads the
sizes the page asks for (the units slider's value as the browser sent it, else the URL), and sends the
delta messages app.py sent at those sizes, unchanged: the same sidebar, elements and figure JSON, in the
same order. What it costs the browser to draw them is the floor no change on the server side can beat.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.scriptrunner_utils.script_run_context import enqueue_message, get_script_run_ctx

st.set_page_config(page_title="lstmviz floor", layout="wide")


@st.cache_resource
def captured() -> dict[tuple[int, int], list[ForwardMsg]]:
    """The capture, parsed once per server."""
    data: dict[tuple[int, int], dict[str, Any]] = pickle.loads(Path(os.environ["LSTMVIZ_FLOOR"]).read_bytes())
    return {size: [ForwardMsg.FromString(b) for b in run["deltas"]] for size, run in data.items()}


def slider_ids(messages: list[ForwardMsg]) -> dict[str, str]:
    """Widget id of each size slider, by its label."""
    found = {}
    for m in messages:
        element = m.delta.new_element
        if element.WhichOneof("type") == "slider":
            found[element.slider.label] = element.slider.id
    return found


def asked(label: str, ids: dict[str, str], default: int) -> int:
    """The slider's value as the browser sent it with this rerun, else the URL's, else the default."""
    ctx = get_script_run_ctx()
    states = ctx.session_state._state._new_widget_state.states if ctx else {}
    state = states.get(ids.get(label, ""))
    value = getattr(state, "value", None)
    if value is not None and value.WhichOneof("value") == "double_array_value":
        return int(value.double_array_value.data[0])
    key = {"Features x (input size)": "features", "Units h (hidden size)": "units"}[label]
    return int(st.query_params.get(key, default))


runs = captured()
ids = slider_ids(runs[(3, 2)])
size = (asked("Features x (input size)", ids, 3), asked("Units h (hidden size)", ids, 2))
if size not in runs:
    st.error(f"no capture for features, units = {size}")
else:
    for message in runs[size]:
        copy = ForwardMsg()
        copy.CopyFrom(message)
        enqueue_message(copy)
