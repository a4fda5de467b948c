"""Chart text in a real browser: in every audited view state (tools/text_audit.py) at 1400 × 900, a
1280 × 720 projector and a 390 × 844 phone, no two labels of any SVG (Plotly charts, the player's
strip and cell diagram, the diagram images) overlap, and none is under 12 px (16 px in presentation).
"""

from __future__ import annotations

from typing import Any

import pytest
from test_explorer import assert_no_exception

from tools.text_audit import (
    FLOOR_PX,
    PRESENTATION_FLOOR_PX,
    SIZES,
    STATES,
    TextBox,
    audit,
    boxes_of,
    overlapping,
    page_boxes,
    state_url,
)

pytestmark = pytest.mark.e2e


def test_the_audit_finds_overlaps_and_small_text() -> None:
    """The measure itself can fail: two crossing boxes overlap, touching ones do not; 11 px is small."""
    raw = [
        {"figure": "a", "text": "one", "size": 13.0, "box": [0, 0, 40, 14]},
        {"figure": "a", "text": "two", "size": 11.0, "box": [30, 5, 70, 19]},
        {"figure": "a", "text": "three", "size": 13.0, "box": [70, 5, 110, 19]},
    ]
    boxes = boxes_of(raw)
    assert [(a.text, b.text) for a, b in overlapping(boxes)] == [("one", "two")]
    result = audit(raw, FLOOR_PX)
    assert [b.text for b in result.small] == ["two"] and result.labels == 3
    assert isinstance(boxes[0], TextBox)


@pytest.mark.parametrize(("size", "viewport", "presentation"), SIZES, ids=[s[0] for s in SIZES])
def test_no_chart_label_overlaps_another_or_falls_under_the_floor(
    explorer: Any, size: str, viewport: tuple[int, int], presentation: bool
) -> None:
    context = explorer.browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    context.set_default_timeout(90_000)
    page = context.new_page()
    floor = PRESENTATION_FLOOR_PX if presentation else FLOOR_PX
    problems: list[str] = []
    try:
        for name, query in STATES:
            result = audit(page_boxes(page, state_url(explorer.url, query, presentation)), floor)
            assert result.labels > 0, f"{name}: no chart text found (did the view draw?)"
            problems += [f"{name}: {a.figure} {a.text!r} overlaps {b.text!r}" for a, b in result.overlaps]
            problems += [f"{name}: {b.figure} {b.text!r} is {b.size:.1f} px < {floor:g}" for b in result.small]
            assert_no_exception(page, explorer)
    finally:
        context.close()
    assert problems == []
