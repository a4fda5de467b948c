"""Draw a CellGeometry as standalone SVG text: true vectors, crisp on a projector."""

from __future__ import annotations

from html import escape

from lstmviz.figures.cell_geometry import CellGeometry, Edge, Node
from lstmviz.style import FONT, INK, LINE, PAPER, SCREEN, Theme

FADED = 0.28  # opacity of the gates not in focus


def _text(
    x: float, y: float, text: str, size: float, weight: str = "normal", anchor: str = "middle", fit: float = 0
) -> str:
    # Squeeze text that would overflow its box (large sizes, projector fonts) to the box width.
    squeeze = ""
    if fit and len(text) * size * 0.52 > fit:
        squeeze = f' textLength="{fit:.1f}" lengthAdjust="spacingAndGlyphs"'
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:.1f}" font-weight="{weight}" '
        f'text-anchor="{anchor}" dominant-baseline="middle" fill="{INK}"{squeeze}>{escape(text)}</text>'
    )


def _node(node: Node, theme: Theme) -> str:
    size = theme.font_size * 0.95
    if node.kind == "label":
        first = _text(node.x, node.y - 16, node.lines[0], size, "bold")
        return first + "".join(
            _text(node.x, node.y + 2 + 16 * k, line, size * 0.8) for k, line in enumerate(node.lines[1:])
        )
    if node.kind == "op":
        return (
            f'<circle cx="{node.x}" cy="{node.y}" r="{node.w / 2}" fill="{PAPER}" stroke="{LINE}" '
            f'stroke-width="{theme.line_width}"/>'
            + _text(node.x, node.y + 1, node.lines[0], size * (0.9 if len(node.lines[0]) < 3 else 0.62), "bold")
        )
    left, top = node.x - node.w / 2, node.y - node.h / 2
    parts = [
        f'<rect x="{left}" y="{top}" width="{node.w}" height="{node.h}" rx="8" fill="{node.colour}" '
        f'fill-opacity="0.16" stroke="{node.colour}" stroke-width="{theme.line_width * 1.5}"/>'
    ]
    step = node.h / (len(node.lines) + 1)
    for k, line in enumerate(node.lines):
        small = size * (0.8 if k else 0.95)
        parts.append(_text(node.x, top + step * (k + 1), line, small, "bold" if k == 0 else "normal", fit=node.w - 10))
    return "".join(parts)


def _edge(edge: Edge, theme: Theme) -> str:
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in edge.points)
    svg = (
        f'<polyline points="{points}" fill="none" stroke="{LINE}" stroke-width="{theme.line_width}" '
        'marker-end="url(#arrow)"/>'
    )
    if edge.label:
        # Label beside the first segment, where wires are least crowded.
        (x0, y0), (x1, y1) = edge.points[0], edge.points[1]
        vertical = abs(x1 - x0) < abs(y1 - y0)
        x, y = (x0 + 6, (y0 + y1) / 2) if vertical else ((x0 + x1) / 2, y0 - 10)
        anchor = "start" if vertical else "middle"
        if edge.label_at:
            (x, y), anchor = edge.label_at, "start"
        svg += _text(x, y, edge.label, theme.font_size * 0.72, anchor=anchor)
    return svg


def _dimmed(node: Node, theme: Theme, focus: str | None) -> str:
    """A node, faded when another gate is in focus (the lesson's one-gate step)."""
    svg = _node(node, theme)
    if focus is None or node.kind != "gate" or node.id == focus:
        return svg
    return f'<g opacity="{FADED}">{svg}</g>'


def cell_svg(geometry: CellGeometry, theme: Theme = SCREEN, focus: str | None = None) -> str:
    """The diagram as an SVG document that scales to its container's width; `focus` (a node id) dims the other gates."""
    g = geometry
    return "".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {g.width} {g.height + 20}" '
            f'width="100%" font-family="{FONT}" role="img" aria-label="{escape(g.title)}">',
            "<defs><marker id='arrow' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='7' markerHeight='7' "
            f"orient='auto-start-reverse'><path d='M0,0 L10,5 L0,10 z' fill='{LINE}'/></marker></defs>",
            f'<rect width="100%" height="100%" fill="{PAPER}"/>',
            _text(g.width / 2, 22, g.title, theme.title_size, "bold"),
            f'<rect x="60" y="45" width="{g.width - 120}" height="{g.height - 105}" rx="18" fill="#F4F4F4" '
            'stroke="#BBBBBB"/>',
            *(_edge(e, theme) for e in g.edges),
            *(_dimmed(n, theme, focus) for n in g.nodes),
            _text(g.width / 2, g.height - 12, g.caption, theme.font_size),
            "</svg>",
        ]
    )
