"""Draw a CellGeometry as standalone SVG text: true vectors, crisp on a projector."""

from __future__ import annotations

from html import escape

from lstmviz.figures.cell_geometry import CellGeometry, Edge, Node
from lstmviz.style import DIAGRAM_BACK, DIM, FONT, INK, LINE, PAPER, SCREEN, Theme


def _text(
    x: float,
    y: float,
    text: str,
    size: float,
    weight: str = "normal",
    anchor: str = "middle",
    fit: float = 0,
    kind: str = "major",
) -> str:
    # Squeeze text that would overflow its box (large sizes, projector fonts) to the box width.
    squeeze = ""
    if fit and len(text) * size * 0.52 > fit:
        squeeze = f' textLength="{fit:.1f}" lengthAdjust="spacingAndGlyphs"'
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:.1f}" font-weight="{weight}" '
        f'text-anchor="{anchor}" dominant-baseline="middle" fill="{INK}" class="{kind}"{squeeze}>{escape(text)}</text>'
    )


def _node(node: Node, theme: Theme, selected: str | None = None) -> str:
    size = float(theme.font_size)  # the smallest text: at the diagram's own width, the theme's floor
    if node.kind == "label":
        # Lines step by the font size, so projector-sized notes never overprint each other.
        first = _text(node.x, node.y - 16, node.lines[0], size, "bold", kind="minor")
        return first + "".join(
            _text(node.x, node.y - 16 + size * 1.15 * (k + 1), line, size, kind="minor")
            for k, line in enumerate(node.lines[1:])
        )
    if node.kind == "op":
        # A phone keeps the one-glyph operators (×, +); a word such as tanh cannot fit its circle there.
        symbol = node.lines[0]
        return (
            f'<circle cx="{node.x}" cy="{node.y}" r="{node.w / 2}" fill="{PAPER}" stroke="{LINE}" '
            f'stroke-width="{theme.line_width}"/>'
            + _text(node.x, node.y + 1, symbol, size, "bold", fit=node.w - 4, kind="op" if len(symbol) < 3 else "minor")
        )
    left, top = node.x - node.w / 2, node.y - node.h / 2
    chosen = selected is not None and node.id == f"gate_{selected}"
    dimmed = selected is not None and node.kind == "gate" and not chosen
    # The selected gate: a thick ink frame and a stronger tint; the other gates fade.
    stroke, width = (INK, theme.line_width * 3) if chosen else (node.colour, theme.line_width * 1.5)
    parts = [
        # Only the box fades: its text stays ink, readable at full contrast.
        f'<g id="{node.id}" class="{"selected" if chosen else "gate"}">',
        f'<rect x="{left}" y="{top}" width="{node.w}" height="{node.h}" rx="8" fill="{node.colour}" '
        f'fill-opacity="{0.32 if chosen else 0.16 * (DIM if dimmed else 1)}" stroke="{stroke}" '
        f'stroke-opacity="{DIM if dimmed else 1}" stroke-width="{width}"/>',
    ]
    lines = node.lines
    if node.h / (len(lines) + 1) < size * 1.3 and len(lines) > 2:  # large type: the name and the count only
        lines = (lines[0], lines[-1])
    step = node.h / (len(lines) + 1)
    last = len(lines) - 1
    if node.kind == "gate":  # on a phone the gate is named by its symbol alone: names would collide
        parts.append(_text(node.x, top + step, node.id.removeprefix("gate_"), size, "bold", kind="narrow"))
    for k, line in enumerate(lines):
        small = size * (1 if k else 1.05)
        # The count stays on a phone; the name (gates: replaced by the symbol) and details go.
        kind = "major" if k == last or (k == 0 and node.kind != "gate") else "minor"
        parts.append(
            _text(node.x, top + step * (k + 1), line, small, "bold" if k == 0 else "normal", fit=node.w - 10, kind=kind)
        )
    parts.append("</g>")
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
        svg += _text(x, y, edge.label, theme.font_size, anchor=anchor, kind="minor")
    return svg


# Drawn narrower than 560 CSS pixels (a phone), the diagram drops its wire labels and detail lines
# and keeps gate names and counts at a size that stays readable once the whole canvas is scaled down.
# 31 units: at a phone's 358 of the diagram's 900 units that is 12 px on screen.
NARROW_CSS = (
    "<style>.narrow { display: none; } @media (max-width: 560px) { .minor { display: none; } "
    ".narrow { display: inline; font-size: 32px; } .major, .op { font-size: 31px; font-weight: bold; } "
    ".title { font-size: 32px; } .caption.narrow { font-size: 31px; } }</style>"
)


def cell_svg(geometry: CellGeometry, theme: Theme = SCREEN, selected: str | None = None) -> str:
    """The diagram as an SVG document: explicit width and height (slide tools import it at that size),
    scaling to its container on the page; the `selected` gate's box framed, the others faded."""
    g = geometry
    return "".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {g.width} {g.height + 20}" '
            f'width="{g.width}" height="{g.height + 20}" font-family="{FONT}" role="img" '
            f'aria-label="{escape(g.title)}">',
            NARROW_CSS,
            "<defs><marker id='arrow' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='7' markerHeight='7' "
            f"orient='auto-start-reverse'><path d='M0,0 L10,5 L0,10 z' fill='{LINE}'/></marker></defs>",
            f'<rect width="100%" height="100%" fill="{PAPER}"/>',
            _text(g.width / 2, 22, g.title, theme.title_size, "bold", kind="title"),
            f'<rect x="60" y="45" width="{g.width - 120}" height="{g.height - 105}" rx="18" fill="{DIAGRAM_BACK}" '
            'stroke="#BBBBBB"/>',
            *(_edge(e, theme) for e in g.edges),
            *(_node(n, theme, selected) for n in g.nodes),
            _text(g.width / 2, g.height - 12, g.caption, theme.font_size, fit=g.width - 20, kind="caption minor"),
            # A phone's caption: the count alone ("4 × 12 = 48 parameters"), at the phone's size.
            _text(g.width / 2, g.height - 12, g.caption.split(", ")[0], theme.font_size, kind="caption narrow"),
            "</svg>",
        ]
    )
