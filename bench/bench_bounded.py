"""Issue 20's concurrency measurement (not a test): the explorer's press latency while four sessions upload
the worst files, against its idle latency in the same run, and the server's peak memory.

Usage: python bench/bench_bounded.py [--presses N] [--rounds N]

Starts app.py on a free loopback port (tools/app_runner.py), opens five browser contexts in one headless
Chromium. Idle: the fifth session presses ArrowRight on "Units h" --presses times; a latency is the key
press until the headline total shows the core's count for the new units. Loaded: the four other sessions
upload tests/e2e/test_bounded_browser.worst_files (a 19.4M-parameter gzip HDF5, 62 MB of empty ONNX
dims, 59 MB of zip extra fields, 500 LSTMs) at once, and the fifth presses again while they are read.
Rounds alternate idle and loaded (fresh uploads each round). Prints medians and the loaded/idle ratio,
the server's peak RSS (VmHWM) and the worker children's peak RSS, and writes bench/results/bounded.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "e2e")]

import lstmviz  # noqa: E402
from tools.app_runner import CHROMIUM, CHROMIUM_ARGS, free_port, start_app, stop_app  # noqa: E402

METRIC = "[data-testid='stMetricValue']"
UPLOAD = "[data-testid='stFileUploaderDropzoneInput']"
ERROR = "[data-testid='stAlertContentError']"


def press_latencies(page: object, presses: int, units: int) -> tuple[list[float], int]:
    """Seconds from each key press until the total shows the core's count for units + 1."""
    from test_explorer import press_right

    out = []
    for _ in range(presses):
        units += 1
        expected = lstmviz.count_params(lstmviz.RecurrentSpec(units=units))
        start = time.perf_counter()
        press_right(page, "Units h")
        page.wait_for_function(  # type: ignore[attr-defined]
            f"() => document.querySelector(\"{METRIC}\")?.innerText.replace(/,/g, '') === '{expected}'",
            polling=10,
        )
        out.append(time.perf_counter() - start)
        time.sleep(0.3)  # a person's pace, and the rerun's tail settles
    return out, units


def peak_rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def main() -> None:
    """Measure and print; write bench/results/bounded.json."""
    from playwright.sync_api import sync_playwright
    from test_bounded_browser import worst_files
    from test_explorer import open_app

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="lstmviz-bench-bounded-"))
    files = worst_files(tmp)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = start_app(port, tmp / "streamlit.log")
    idle: list[float] = []
    loaded: list[float] = []
    outcomes: list[str] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)

            class Server:
                pass

            server = Server()
            server.url = url  # type: ignore[attr-defined]
            fifth = browser.new_context(viewport={"width": 1400, "height": 2000}).new_page()
            fifth.set_default_timeout(120_000)
            open_app(fifth, server)
            units = lstmviz.RecurrentSpec().units
            press_latencies(fifth, 2, units)  # warm-up: the first presses build caches
            units += 2
            for _ in range(args.rounds):
                times, units = press_latencies(fifth, args.presses, units)
                idle += times
                contexts = [browser.new_context(viewport={"width": 1400, "height": 2000}) for _ in files]
                pages = [context.new_page() for context in contexts]
                for page in pages:
                    page.set_default_timeout(120_000)
                    page.goto(f"{url}/?view=inspect", wait_until="domcontentloaded")
                    page.wait_for_selector("text=Inspect your own model")
                for page, (path, _) in zip(pages, files, strict=True):
                    page.set_input_files(UPLOAD, str(path))
                times, units = press_latencies(fifth, args.presses, units)
                loaded += times
                for page, (path, expected) in zip(pages, files, strict=True):
                    page.wait_for_function(
                        "(want) => [...document.querySelectorAll('[data-testid=stMetricValue],"
                        " [data-testid=stAlertContentError]')].some(e => e.innerText.includes(want))",
                        arg=expected,
                    )
                    outcomes.append(f"{path.name}: {expected}")
                for context in contexts:
                    context.close()
            browser.close()
        server_peak = peak_rss(process.pid)
    finally:
        stop_app(process)
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # includes the server and Chromium
    result = {
        "presses_per_phase": args.presses,
        "rounds": args.rounds,
        "idle_median_s": statistics.median(idle),
        "loaded_median_s": statistics.median(loaded),
        "loaded_p95_s": sorted(loaded)[int(0.95 * (len(loaded) - 1))],
        "ratio_median": statistics.median(loaded) / statistics.median(idle),
        "server_peak_rss_bytes": server_peak,
        "largest_child_peak_rss_bytes": children,
        "outcomes": sorted(set(outcomes)),
    }
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bounded.json").write_text(json.dumps(result, indent=2))
    print(
        f"press latency: idle median {result['idle_median_s'] * 1000:.0f} ms, during 4 worst uploads "
        f"median {result['loaded_median_s'] * 1000:.0f} ms (p95 {result['loaded_p95_s'] * 1000:.0f} ms), "
        f"ratio {result['ratio_median']:.2f}; server peak RSS {server_peak / 1e6:.0f} MB"
    )


if __name__ == "__main__":
    main()
