"""The house Plotly template, and figures built from plain dicts in one step without validation.

Validation costs 10-50 ms per figure, most of a slider change's time; the figures built here are
checked against Plotly's schema in the tests instead (tests/test_figures.py validates each one).
"""

from __future__ import annotations

import base64
from functools import cache
from typing import Any

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from lstmviz.internals import FrozenFigure

TEMPLATE = "lstmviz"
BASE_TEMPLATE = "simple_white"
# Only what 2D bar, heatmap and scatter charts read: simple_white's full template (8.6 KB, polar,
# ternary, 3D, map and 24 trace types) was most of a small chart's JSON and went out on every rerun.
_LAYOUT_KEYS = (
    "autotypenumbers",
    "colorway",
    "font",
    "hovermode",
    "hoverlabel",
    "paper_bgcolor",
    "plot_bgcolor",
    "coloraxis",
    "xaxis",
    "yaxis",
    "shapedefaults",
    "annotationdefaults",
    "title",
)
_TRACE_TYPES = ("bar", "heatmap", "scatter")


@cache
def _template() -> dict[str, Any]:
    # Unvalidated figures keep a template name as a string, which plotly.js cannot resolve: inline it.
    full = pio.templates[BASE_TEMPLATE].to_plotly_json()
    layout = {key: full["layout"][key] for key in _LAYOUT_KEYS if key in full["layout"]}
    for axis in ("xaxis", "yaxis"):
        # Plotly's default, "hide past div", measures every tick label with getBoundingClientRect on
        # every redraw: each call lays out the whole Streamlit page (a third of the explorer's browser
        # time per press). Ticks are spaced to fit (nice_step) and margins leave room, so none overflow.
        layout[axis] = {**layout.get(axis, {}), "ticklabeloverflow": "allow"}
    return {"data": {kind: full["data"][kind] for kind in _TRACE_TYPES}, "layout": layout}


pio.templates[TEMPLATE] = go.layout.Template(_template())  # validated figures name it: template=TEMPLATE


# plotly.js typed arrays ({dtype, bdata, shape}) as Plotly's own to_dict writes them for numpy arrays.
_TYPED = {"int8": "i1", "uint8": "u1", "int16": "i2", "uint16": "u2", "int32": "i4", "uint32": "u4"}
_TYPED |= {"float32": "f4", "float64": "f8"}
_UNTYPED_KEYS = frozenset({"geojson", "layer", "layers", "range"})  # Plotly leaves these as they are


# A figure whose arrays hold up to this many values in all sends them as plain JSON lists. plotly.js
# decodes a typed array into a new array on every Plotly.react, so it takes an unchanged figure for a
# changed one and redraws it all; Streamlit's chart calls Plotly.react twice per new figure, and with
# lists the second call is about a quarter of the first. Above this size the bytes matter more than the second redraw.
LIST_MAX_VALUES = 4_096


def _as_list(value: np.ndarray) -> Any:
    """Numbers as nested lists; floats to 9 significant digits, which give float32 back exactly."""
    if value.dtype.kind != "f":
        return value.tolist()
    shortest = np.char.mod("%.9g", value.astype(np.float64)).astype(np.float64)
    return shortest.tolist()


def _typed_array(value: np.ndarray, as_list: bool) -> Any:
    if value.size == 0 or str(value.dtype) not in _TYPED:
        return value  # serialised as a list, as Plotly does
    if as_list:
        return _as_list(value)
    spec = {
        "dtype": _TYPED[str(value.dtype)],
        "bdata": base64.b64encode(np.ascontiguousarray(value).tobytes()).decode("ascii"),
    }
    if value.ndim > 1:
        spec["shape"] = str(value.shape)[1:-1]
    return spec


def _array_values(value: Any) -> int:
    """How many values the numpy arrays inside a figure's dicts and lists hold."""
    if isinstance(value, np.ndarray):
        return int(value.size)
    if isinstance(value, dict):
        return sum(_array_values(v) for v in value.values())
    if isinstance(value, list | tuple):
        return sum(_array_values(v) for v in value)
    return 0


def _plain(value: Any, as_lists: bool | None = None) -> Any:
    """Figure input dicts as the dict Plotly's to_dict makes (arrays as typed arrays, or as lists in a
    small figure), without its deep copy and its per-array dataframe checks (narwhals): 10-15 ms per
    heatmap on every cache miss."""
    if as_lists is None:
        as_lists = _array_values(value) <= LIST_MAX_VALUES
    if isinstance(value, dict):
        return {
            k: (
                _typed_array(v, as_lists)
                if isinstance(v, np.ndarray) and k not in _UNTYPED_KEYS
                else _plain(v, as_lists)
            )
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_plain(v, as_lists) for v in value]
    return value


def arrow(x: float, y: float, ax: float, ay: float, colour: str, width: float) -> dict[str, Any]:
    """A Plotly annotation drawing an arrow from (ax, ay) to (x, y), both in data coordinates."""
    return {
        "x": x,
        "y": y,
        "ax": ax,
        "ay": ay,
        "xref": "x",
        "yref": "y",
        "axref": "x",
        "ayref": "y",
        "text": "",
        "showarrow": True,
        "arrowhead": 2,
        "arrowwidth": width,
        "arrowcolor": colour,
    }


def frozen_figure(
    data: list[dict[str, Any]], layout: dict[str, Any], frames: list[dict[str, Any]] | None = None
) -> FrozenFigure:
    """A read-only figure from trace, layout (and animation frame) dicts, with the house template, unvalidated."""
    full_layout = {"template": _template(), **layout}
    # The dict st.plotly_chart sends is built here, once: frames must be given now, not set afterwards.
    as_lists = _array_values([data, frames]) <= LIST_MAX_VALUES
    frozen = {"data": _plain(data, as_lists), "layout": _plain(full_layout, as_lists)}
    if frames:
        frozen["frames"] = _plain(frames, as_lists)
    return FrozenFigure(frozen, {"data": data, "layout": full_layout, "frames": frames or None})
