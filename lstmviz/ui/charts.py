"""Toolbar settings shared by every chart: downloads sized for slides."""

from __future__ import annotations

from typing import Any


def chart_config(image_format: str, name: str) -> dict[str, Any]:
    """Plotly toolbar settings: its camera button saves a 16:9 slide-sized PNG or a vector SVG."""
    scale = 2 if image_format == "png" else 1  # 3200 × 1800 pixels for PNG
    return {
        "displaylogo": False,
        "toImageButtonOptions": {
            "format": image_format,
            "filename": name,
            "width": 1600,
            "height": 900,
            "scale": scale,
        },
    }
