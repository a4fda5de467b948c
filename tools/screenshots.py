"""Screenshots for docs/: every view at 1400 × 900, on a 1280 × 720 projector and a 390 × 844 phone,
plus the explorer's sections.

Usage: python -m tools.screenshots  (starts the app on a free port, stops it afterwards)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from tools.app_runner import CHROMIUM, CHROMIUM_ARGS, ROOT, free_port, start_app, stop_app

DOCS = ROOT / "docs"
SETTLED_JS = """() => document.querySelector('[data-testid="stMain"] h1') !== null
    && !document.querySelector('[data-testid="stStatusWidget"]')
    && !document.querySelector('[data-stale="true"]')"""
# Every view, first screen, at each size: docs/view-<name>-<size>.png
VIEW_QUERIES = (
    ("explorer", "?gate=f"),
    ("through-time", "?view=through+time&t=12"),
    ("lesson-step-1", "?view=lesson&step=1"),
    ("lesson-step-2", "?view=lesson&step=2"),
    ("lesson-step-4", "?view=lesson&step=4"),
    ("lesson-step-5", "?view=lesson&step=5"),
    ("practice", "?view=practice"),
    ("compare", "?view=compare&gate=f"),
    ("inspect", "?view=inspect&model=keras_sine_lstm.keras"),
)
SIZES = (
    ("1400x900", (1400, 900), ""),
    ("presentation-1280x720", (1280, 720), "&presentation=true"),
    ("phone-390x844", (390, 844), ""),
)
# (file, viewport, query, the heading to scroll to or None for the top)
SHOTS = (
    ("screenshot.png", (1400, 900), "?gate=f", None),
    ("explorer-gates-1400x900.png", (1400, 900), "?gate=f", "Gate dense layers"),
    ("presentation-1280x720.png", (1280, 720), "?presentation=true&gate=f", None),
    ("presentation-cell-1280x720.png", (1280, 720), "?presentation=true&gate=f", "The cell"),
    ("presentation-heatmap-1280x720.png", (1280, 720), "?presentation=true&framework=pytorch&gate=o", "W, U and b"),
    ("presentation-heatmap-keras-1280x720.png", (1280, 720), "?presentation=true&gate=f", "W, U and b"),
    ("presentation-gates-1280x720.png", (1280, 720), "?presentation=true&cell=gru&gate=r", "Gate dense layers"),
    ("phone-390x844.png", (390, 844), "?gate=f", None),
    ("phone-cell-390x844.png", (390, 844), "?gate=f", "The cell"),
) + tuple(
    (f"view-{name}-{size}.png", viewport, query + extra, None)
    for name, query in VIEW_QUERIES
    for size, viewport, extra in SIZES
)


def shoot(page: Any, url: str, heading: str | None, path: Path) -> None:
    """Load a URL, wait for the page to settle, scroll to `heading` if given, save the shot."""
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_function(SETTLED_JS, timeout=90_000)
    page.wait_for_timeout(2500)  # Plotly's last relayout, the player's first draw
    page.wait_for_function(SETTLED_JS, timeout=90_000)
    if heading:
        page.get_by_role("heading", name=heading).first.evaluate("e => e.scrollIntoView()")
        page.wait_for_timeout(800)
    page.screenshot(path=str(path))


def main() -> int:
    """Take every shot in SHOTS into docs/."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="lstmviz-shots-")) / "streamlit.log"
    process = start_app(port, log)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for name, (width, height), query, heading in SHOTS:
                for attempt in (1, 2):  # a loaded machine can miss a wait once: the second try waits anew
                    page = browser.new_page(viewport={"width": width, "height": height})
                    try:
                        shoot(page, f"http://127.0.0.1:{port}/{query}", heading, DOCS / name)
                        print(DOCS / name, flush=True)
                        break
                    except PlaywrightError as error:
                        if attempt == 2:
                            raise
                        print(f"retrying {name}: {str(error).splitlines()[0]}", flush=True)
                    finally:
                        page.close()
            browser.close()
    finally:
        stop_app(process)
    return 0


if __name__ == "__main__":
    sys.exit(main())
