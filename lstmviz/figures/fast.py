"""The house Plotly template, and figures built from plain dicts in one step without validation.

Validation costs 10-50 ms per figure, most of a slider change's time; the figures built here are
checked against Plotly's schema in the tests instead (tests/test_figures.py validates each one).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

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
    return {
        "data": {kind: full["data"][kind] for kind in _TRACE_TYPES},
        "layout": {key: full["layout"][key] for key in _LAYOUT_KEYS if key in full["layout"]},
    }


pio.templates[TEMPLATE] = go.layout.Template(_template())  # validated figures name it: template=TEMPLATE


class FrozenFigure(go.Figure):  # type: ignore[misc]  # plotly ships no type hints
    """A figure treated as read-only that makes its plain dict once and hands out that same dict.

    st.plotly_chart calls to_dict() on every rerun, even for a cached figure: a deep copy plus a
    base64 pass over every array (tens of ms for the 1.5 MB max-size heatmap). Callers must not
    change the figure or the dict; the cached builders only pass it to st.plotly_chart.
    """

    def to_dict(self) -> dict[str, Any]:
        """The figure as a dict, built on the first call."""
        frozen: dict[str, Any] | None = self.__dict__.get("_frozen_dict")
        if frozen is None:
            frozen = super().to_dict()
            self.__dict__["_frozen_dict"] = frozen
        return frozen


def fast_figure(data: list[dict[str, Any]], layout: dict[str, Any]) -> FrozenFigure:
    """A read-only figure from trace and layout dicts, with the house template, built without validation."""
    return FrozenFigure(data=data, layout={"template": _template(), **layout}, _validate=False)
