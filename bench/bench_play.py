"""Play in the run-through-time view: frames per second in the browser and server CPU per open tab.

Usage: python bench/bench_play.py [--tabs N] [--timesteps T]

Starts app.py with tools/app_runner.py, opens N headless Chromium tabs on the run-through-time view, sets
the player to its fastest speed and presses Play in every tab at once. Each tab records every step the
player shows (its data-t) until the pass ends. Reports each tab's steps per second, as a ratio of the
requested rate (STEPS_PER_S × the speed), and the server's CPU time (utime + stime of its PID, /proc) per
tab, while playing and while idle with the same tabs open for the same time.
Writes bench/results/bench_play.json (gitignored).
The browser, the server and this script share the machine's CPUs (os.cpu_count() is recorded).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lstmviz.ui.player import SPEEDS, STEPS_PER_S  # noqa: E402
from tools.app_runner import CHROMIUM, CHROMIUM_ARGS, free_port, start_app, stop_app  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "bench_play.json"
CHART = ".st-key-through_time .js-plotly-plot"
FRAME_MS = 1000 / (STEPS_PER_S * max(SPEEDS))
# Every step the player shows, and when it stops (the player's root is in its shadow root).
LISTEN_JS = """() => { const host = [...document.querySelectorAll('.st-key-player *')].find(e => e.shadowRoot);
    const root = host.shadowRoot.querySelector('.lv');
    window.frameTimes = []; window.stopped = false;
    new MutationObserver(() => {
        if (root.dataset.playing === 'false' && window.frameTimes.length) window.stopped = true;
        else window.frameTimes.push(performance.now());
    }).observe(root, {attributes: true, attributeFilter: ['data-t', 'data-playing']}); }"""


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    """Run the measurement, print a summary and write the JSON results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tabs", type=int, default=3)
    parser.add_argument("--timesteps", type=int, default=200)
    args = parser.parse_args()
    if not 1 <= args.tabs <= 20 or not 2 <= args.timesteps <= 200:
        parser.error("--tabs must be 1..20 and --timesteps 2..200")
    from playwright.sync_api import sync_playwright

    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="lstmviz-play-")) / "streamlit.log"
    server = start_app(port, log)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            pages = []
            for _ in range(args.tabs):
                page = browser.new_context(viewport={"width": 1400, "height": 2400}).new_page()
                page.goto(f"http://127.0.0.1:{port}/?view=through+time&timesteps={args.timesteps}")
                page.wait_for_selector(CHART, timeout=60_000)
                page.wait_for_timeout(1500)  # the first rerun settles
                page.get_by_role("combobox", name="Speed").select_option(f"{max(SPEEDS):g}")
                page.get_by_role("slider", name="Timestep t").fill("1")
                page.wait_for_timeout(1500)  # the step reaches the server and its rerun settles
                page.evaluate(LISTEN_JS)
                pages.append(page)
            idle_start, idle_cpu = time.monotonic(), cpu_seconds(server.pid)
            pages[0].wait_for_timeout(args.timesteps * FRAME_MS)
            idle = (cpu_seconds(server.pid) - idle_cpu, time.monotonic() - idle_start)
            start, cpu = time.monotonic(), cpu_seconds(server.pid)
            for page in pages:
                page.get_by_role("button", name="▶ Play").click()
            for page in pages:
                page.wait_for_function("() => window.stopped === true", timeout=120_000)
            playing = (cpu_seconds(server.pid) - cpu, time.monotonic() - start)
            tabs: list[dict[str, Any]] = []
            for page in pages:
                times = page.evaluate("() => window.frameTimes")
                span = (times[-1] - times[0]) / 1000
                tabs.append({"frames": len(times), "seconds": span, "fps": (len(times) - 1) / span})
            browser.close()
    finally:
        stop_app(server)
    target = 1000 / FRAME_MS
    fps = [t["fps"] for t in tabs]
    result = {
        "cpus": os.cpu_count(),
        "tabs": args.tabs,
        "timesteps": args.timesteps,
        "frame_ms": FRAME_MS,
        "requested_fps": target,
        "fps_per_tab": fps,
        "fps_median": statistics.median(fps),
        "fps_ratio_to_requested": statistics.median(fps) / target,
        "server_cpu_share_per_tab_playing": playing[0] / playing[1] / args.tabs,
        "server_cpu_share_per_tab_idle": idle[0] / idle[1] / args.tabs,
        "server_cpu_seconds_playing": playing[0],
        "play_wall_seconds": playing[1],
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))
    print(
        f"{args.tabs} tabs, T={args.timesteps}: {statistics.median(fps):.1f} frames/s median "
        f"({min(fps):.1f}..{max(fps):.1f}; {result['fps_ratio_to_requested']:.2f} of the requested {target:.0f}); "
        f"server CPU per tab {100 * result['server_cpu_share_per_tab_playing']:.2f}% of a core while playing, "
        f"{100 * result['server_cpu_share_per_tab_idle']:.2f}% idle"
    )


if __name__ == "__main__":
    main()
