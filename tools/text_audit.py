"""Chart text audit: every SVG text box of the app's views at three sizes, overlaps and sizes under the floor.

Collects every drawn <text> of the main column's SVGs (Plotly charts, inline diagrams, and the SVG
images st.image shows, laid out at their drawn size) and counts pairs whose boxes overlap and labels
under the floor (12 px, 16 px in presentation mode).

Usage: python -m tools.text_audit [-v]  (starts the app on a free port, stops it afterwards)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.app_runner import CHROMIUM, CHROMIUM_ARGS, free_port, start_app, stop_app

# The view states audited: (name, query). Presentation adds ?presentation=true.
STATES: tuple[tuple[str, str], ...] = (
    ("explorer", "?gate=f"),
    ("through time", "?view=through+time"),
    ("lesson step 2", "?view=lesson&step=2"),
    ("lesson step 4", "?view=lesson&step=4"),
    ("practice", "?view=practice"),
    ("compare", "?view=compare"),
    ("inspect", "?view=inspect&model=keras_sine_lstm.keras"),
)
# (name, viewport, presentation)
SIZES: tuple[tuple[str, tuple[int, int], bool], ...] = (
    ("1400x900", (1400, 900), False),
    ("1280x720 presentation", (1280, 720), True),
    ("390x844", (390, 844), False),
)
FLOOR_PX, PRESENTATION_FLOOR_PX = 12.0, 16.0
OVERLAP_PX = 1.0  # boxes must share more than this in both directions to count as overlapping

SETTLED_JS = """() => !document.querySelector('[data-testid="stStatusWidget"]')
    && !document.querySelector('[data-stale="true"]')
    && document.querySelector('[data-testid="stMain"] h1') !== null"""

# Every drawn text box of the main column's SVGs: {figure, text, size (px on screen), box [x0, y0, x1, y1]}.
# SVG images (st.image) are laid out inline at their drawn size in a hidden holder, measured, removed.
TEXT_BOXES_JS = """async () => {
    const main = document.querySelector('[data-testid="stMain"]');
    const out = [];
    const roots = [main];
    main.querySelectorAll('*').forEach(e => { if (e.shadowRoot) roots.push(e.shadowRoot); });
    const measure = (svg, figure, offset) => {
        svg.querySelectorAll('text').forEach(t => {
            const text = (t.textContent || '').trim();
            if (!text) return;
            const style = getComputedStyle(t);
            if (style.display === 'none' || style.visibility === 'hidden' || +style.opacity === 0) return;
            let hidden = false;
            for (let e = t.parentElement; e && e !== svg.parentElement; e = e.parentElement) {
                const s = getComputedStyle(e);
                if (s.display === 'none' || s.visibility === 'hidden' || +s.opacity === 0) { hidden = true; break; }
            }
            if (hidden) return;
            const r = t.getBoundingClientRect();
            if (r.width < 0.5 || r.height < 0.5) return;
            const m = t.getScreenCTM();
            const scale = m ? Math.hypot(m.a, m.b) : 1;
            out.push({figure, text, size: parseFloat(style.fontSize) * scale,
                      box: [r.left - offset.x, r.top - offset.y, r.right - offset.x, r.bottom - offset.y]});
        });
    };
    let n = 0;
    for (const root of roots) {
        root.querySelectorAll('svg').forEach(svg => {
            if (svg.closest('[data-stale="true"]')) return;
            const plot = svg.closest('.js-plotly-plot');
            // Plotly draws its text into its .main-svg layers; one figure per plot.
            const figure = plot ? 'plotly#' + Array.from(document.querySelectorAll('.js-plotly-plot')).indexOf(plot)
                                : 'svg#' + (n++);
            measure(svg, figure, {x: 0, y: 0});
        });
    }
    const images = Array.from(main.querySelectorAll('img'))
        .filter(img => !img.closest('[data-stale="true"]') && img.src.startsWith('data:image/svg+xml'));
    for (const [k, img] of images.entries()) {
        const r = img.getBoundingClientRect();
        if (r.width < 1) continue;
        const text = img.src.includes(';base64,')
            ? new TextDecoder().decode(Uint8Array.from(atob(img.src.split(';base64,')[1]), c => c.charCodeAt(0)))
                                                  : decodeURIComponent(img.src.split(',').slice(1).join(','));
        const holder = document.createElement('div');
        holder.style.cssText = `position:fixed;left:0;top:0;width:${r.width}px;height:${r.height}px;visibility:visible;`
            + 'pointer-events:none;z-index:-1;opacity:1';
        holder.innerHTML = text;
        const svg = holder.querySelector('svg');
        if (!svg) continue;
        svg.setAttribute('width', r.width); svg.setAttribute('height', r.height);
        document.body.appendChild(holder);
        measure(svg, 'image#' + k, {x: -r.left, y: -r.top});
        holder.remove();
    }
    return out;
}"""


@dataclass(frozen=True)
class TextBox:
    """One drawn label: its figure, text, font size on screen and box in page pixels."""

    figure: str
    text: str
    size: float
    box: tuple[float, float, float, float]


@dataclass(frozen=True)
class Audit:
    """What one view at one size shows: overlapping label pairs and labels under the floor."""

    overlaps: tuple[tuple[TextBox, TextBox], ...]
    small: tuple[TextBox, ...]
    labels: int


def boxes_of(raw: Sequence[dict[str, Any]]) -> list[TextBox]:
    """TextBoxes from TEXT_BOXES_JS's answer."""
    return [TextBox(str(r["figure"]), str(r["text"]), float(r["size"]), tuple(r["box"])) for r in raw]


def overlapping(boxes: Sequence[TextBox], tolerance: float = OVERLAP_PX) -> list[tuple[TextBox, TextBox]]:
    """Pairs of labels whose boxes share more than `tolerance` pixels both across and down."""
    pairs = []
    for k, a in enumerate(boxes):
        for b in boxes[k + 1 :]:
            across = min(a.box[2], b.box[2]) - max(a.box[0], b.box[0])
            down = min(a.box[3], b.box[3]) - max(a.box[1], b.box[1])
            if across > tolerance and down > tolerance:
                pairs.append((a, b))
    return pairs


def audit(raw: Sequence[dict[str, Any]], floor: float) -> Audit:
    """Overlaps and labels under `floor` px among one page's text boxes."""
    boxes = boxes_of(raw)
    small = tuple(b for b in boxes if b.size < floor - 0.05)
    return Audit(tuple(overlapping(boxes)), small, len(boxes))


def page_boxes(page: Any, url: str) -> list[dict[str, Any]]:
    """Load a view, wait for it to settle and its drawing to stop changing, return its text boxes."""
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_function(SETTLED_JS, timeout=90_000)
    boxes: list[dict[str, Any]] = []
    for _ in range(20):  # a cold server draws late: wait until two looks a second apart agree
        page.wait_for_timeout(1000)
        page.wait_for_function(SETTLED_JS, timeout=90_000)
        now = list(page.evaluate(TEXT_BOXES_JS))
        if now and [b["box"] for b in now] == [b["box"] for b in boxes]:
            break
        boxes = now
    return boxes


def state_url(base: str, query: str, presentation: bool) -> str:
    """The URL of one audited state."""
    return f"{base}/{query}{'&presentation=true' if presentation else ''}"


def run(base: str, browser: Any) -> Iterator[tuple[str, str, Audit]]:
    """Audit every state at every size against a running app."""
    for size, (width, height), presentation in SIZES:
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        try:
            for name, query in STATES:
                raw = page_boxes(page, state_url(base, query, presentation))
                yield name, size, audit(raw, PRESENTATION_FLOOR_PX if presentation else FLOOR_PX)
        finally:
            context.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Print each state's overlaps and small labels, and the totals."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="list every overlap and small label")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="lstmviz-audit-")) / "streamlit.log"
    process = start_app(port, log)
    overlaps = small = 0
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for name, size, result in run(f"http://127.0.0.1:{port}", browser):
                overlaps += len(result.overlaps)
                small += len(result.small)
                print(f"{size:24} {name:14} labels {result.labels:4}  overlaps {len(result.overlaps):3}  "
                      f"small {len(result.small):3}", flush=True)
                if args.verbose:
                    for a, b in result.overlaps:
                        print(f"    overlap {a.figure}: {a.text[:40]!r} / {b.figure}: {b.text[:40]!r}")
                    for box in result.small:
                        print(f"    small {box.size:.1f}px {box.figure}: {box.text[:50]!r}")
            browser.close()
    finally:
        stop_app(process)
    print(f"total: {overlaps} overlapping pairs, {small} labels under the floor")
    return 0


if __name__ == "__main__":
    sys.exit(main())
