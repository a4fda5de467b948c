"""The explorer's live headline as AppTest sees it: the data the component was given, filled as the page fills it."""

from __future__ import annotations

import json
from typing import Any

from streamlit.testing.v1 import AppTest

from lstmviz.live import fill


def headline(at: AppTest) -> dict[str, Any]:
    """The live headline component's data (the explorer draws exactly one)."""
    (element,) = [el for el in at.get("bidi_component") if "lstmviz_live_headline" in el.proto.component_name]
    return dict(json.loads(element.proto.json))


def shown(at: AppTest, template: str) -> str:
    """A headline text (its template, or "{total:,}") as the page shows it at the component's sizes."""
    data = headline(at)
    sizes = data["sizes"]
    return fill(data[template] if template in data else template, data["fields"], sizes["x"], sizes["h"], sizes["p"])


def total(at: AppTest) -> int:
    """The headline total as the page shows it (the core's polynomial at the shown sizes)."""
    return int(shown(at, "{total}"))
