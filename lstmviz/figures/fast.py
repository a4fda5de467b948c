"""Build a Plotly figure from plain dicts in one step, skipping per-property validation.

Validation costs 10-50 ms per figure, most of a slider change's time; the figures built here are
checked against Plotly's schema in the tests instead (tests/test_figures.py validates each one).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

TEMPLATE = "simple_white"


@cache
def _template() -> dict[str, Any]:
    # Unvalidated figures keep a template name as a string, which plotly.js cannot resolve.
    return dict(pio.templates[TEMPLATE].to_plotly_json())


def fast_figure(data: list[dict[str, Any]], layout: dict[str, Any]) -> go.Figure:
    """A figure from trace and layout dicts, with the house template, built without validation."""
    return go.Figure(data=data, layout={"template": _template(), **layout}, _validate=False)
