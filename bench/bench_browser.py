"""Browser benchmark (not a test): what a user feels, as ratios against a bare Streamlit app in the same run.

Usage: python bench/bench_browser.py [--reps N] [--play-seconds S] [--option FLAG=VALUE ...] [--out PATH]
                                     [--compare DIR]

Starts two servers with tools/app_runner.py as the browser tests do (loopback, free port, stopped by
PID), both with the same flags: bench/bare_app.py (one slider, one metric, one 8×5 Plotly heatmap) and
app.py. One headless Debian Chromium at 1400×900 drives both, alternating bare and app so machine load
hits both alike. Measured, each --reps times (medians and min–max ranges printed):

* press, default / press, max: ArrowRight on the units slider (the bare app's one slider) until every
  chart is redrawn: from the keydown (in the page's clock) to the last paint after the last DOM change,
  once the server has sent script_finished and the page stayed unchanged for QUIET_MS. The max case opens
  ?features=1024&units=1000. Per press also: server CPU (utime + stime from /proc/<pid>/stat, before the
  press to settled; includes Streamlit's post-run gc; counted in 10 ms ticks, so
  its ratio uses the mean over all presses), the renderer's main-thread time (Chrome DevTools
  Performance.getMetrics TaskDuration) and the bytes the server sent over the websocket.
* cold load: a fresh browser context (empty HTTP cache) opens the page; time from navigation start to the
  last paint once it settles, with the JavaScript/CSS bytes fetched.
* Play (app only, ?view=through+time): clicks whatever Play exists (a Streamlit toggle or button named
  Play, or a Plotly animation button) and counts frames for --play-seconds: Plotly animation frames
  (plotly_animatingframe events) when there are any, else server reruns (script_finished messages).
  Reports frames/s between the first and last frame and server CPU per frame.

--compare DIR also starts the app from another checkout (e.g. `git archive <commit> | tar -x -C DIR`,
run with that checkout's own .streamlit/config.toml) and measures it in turn with the others, so a
change is judged before/after in one run on a machine whose load drifts.

Goals (issue 12): press ≤ 2.0× bare at default size and ≤ 4.0× at features 1024 / units 1000; cold load
≤ 1.5× bare; server CPU per press ≤ 3× bare's; Play ≥ 20 frames/s with no server work per frame.
Writes bench/results/bench_browser.json (or --out). Extra server flags, e.g. --option runner.postScriptGC=false,
apply to both servers (the README shows how to compare).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools import app_runner  # noqa: E402

RESULTS = ROOT / "bench" / "results"
VIEWPORT = {"width": 1400, "height": 900}
QUIET_MS = 600  # the page counts as settled after this long without a DOM change
SETTLE_TIMEOUT_S = 60.0
POLL_MS = 25
UNITS_LABEL = "Units h (hidden size)"
BARE_LABEL = "Points"
MAX_QUERY = "?features=1024&units=1000"
PLAY_QUERY = "?view=through+time"
GOALS = {
    "press_default": 2.0,
    "press_max": 4.0,
    "load": 1.3,
    "server_cpu_press": 3.0,
    "play_fps": 20.0,
    "live_ms": 16.0,
    "totals_per_50ms": 1.0,
}

# Installed before any page script: the time of the last DOM change, of the paint after it, and of the
# last keydown, all on the page's clock (performance.now(), zero at navigation start).
INIT_JS = """(() => {
  const s = window.__bench = {change: 0, paint: 0, key: 0, changes: 0, frames: [], hooked: new WeakSet()};
  let pending = false;
  const painted = () => { pending = false; setTimeout(() => { s.paint = performance.now(); }, 0); };
  new MutationObserver(() => {
    s.change = performance.now(); s.changes++;
    if (!pending) { pending = true; requestAnimationFrame(painted); }
    for (const gd of document.querySelectorAll('.js-plotly-plot')) {
      if (gd.on && !s.hooked.has(gd)) {
        s.hooked.add(gd);
        gd.on('plotly_animatingframe', () => s.frames.push(performance.now()));
      }
    }
  }).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  document.addEventListener('keydown', () => { s.key = performance.now(); }, true);
})();"""

STATE_JS = """() => ({change: __bench.change, paint: __bench.paint, key: __bench.key, now: performance.now(),
  frames: __bench.frames.length, charts: document.querySelectorAll('.js-plotly-plot').length,
  running: !!document.querySelector('[data-testid="stStatusWidget"]')
    || !!document.querySelector('[data-stale="true"]'),
  exception: !!document.querySelector('[data-testid="stException"]')})"""


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) one process has used so far, ended threads included (10 ms ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _message_type(payload: bytes | str) -> str:
    """The kind of one Streamlit ForwardMsg (e.g. "delta", "script_finished"), "" if it does not parse."""
    from google.protobuf.message import DecodeError
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    if isinstance(payload, str):
        return ""
    try:
        return str(ForwardMsg.FromString(payload).WhichOneof("type") or "")
    except DecodeError:
        return ""


@dataclass
class Server:
    """One running Streamlit script."""

    name: str
    script: str
    process: Any
    url: str


@dataclass
class Tab:
    """One browser page on one server, with what its websocket has received."""

    server: Server
    context: Any
    page: Any
    cdp: Any
    finished: int = 0  # script_finished messages received
    received_bytes: int = 0
    resource_bytes: int = 0
    errors: list[str] = field(default_factory=list)

    def on_frame(self, payload: bytes | str) -> None:
        self.received_bytes += len(payload)
        if _message_type(payload) == "script_finished":
            self.finished += 1

    def state(self) -> dict[str, Any]:
        return dict(self.page.evaluate(STATE_JS))

    def main_thread_s(self) -> float:
        return self.metrics()["TaskDuration"]

    def metrics(self) -> dict[str, float]:
        """Chrome's cumulative main-thread timings: task, script, layout and style seconds."""
        names = ("TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration")
        metrics = self.cdp.send("Performance.getMetrics")["metrics"]
        return {m["name"]: float(m["value"]) for m in metrics if m["name"] in names}

    def settle(self, finished_at_least: int) -> dict[str, Any]:
        """Wait until the server finished the run and the page has not changed for QUIET_MS."""
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while True:
            self.page.wait_for_timeout(POLL_MS)  # lets Playwright deliver websocket events
            state = self.state()
            quiet = state["now"] - max(state["change"], state["paint"]) >= QUIET_MS
            if self.finished >= finished_at_least and quiet and not state["running"]:
                return state
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.server.name}: no settled page within {SETTLE_TIMEOUT_S:.0f} s ({state})")


def open_tab(browser: Any, server: Server, query: str = "") -> tuple[Tab, dict[str, Any]]:
    """A fresh context on the server's page, settled: the tab and its cold-load measurements."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(SETTLE_TIMEOUT_S * 1000)
    context.add_init_script(INIT_JS)
    page = context.new_page()
    tab = Tab(server, context, page, context.new_cdp_session(page))
    tab.cdp.send("Performance.enable")
    page.on("websocket", lambda socket: socket.on("framereceived", tab.on_frame))
    cpu0 = cpu_seconds(server.process.pid)
    page.goto(server.url + "/" + query, wait_until="commit")
    state = tab.settle(1)
    transfer = page.evaluate(
        "() => performance.getEntriesByType('resource').reduce((n, r) => n + (r.encodedBodySize || 0), 0)"
    )
    return tab, {
        "load_s": state["paint"] / 1000,
        "server_cpu_s": cpu_seconds(server.process.pid) - cpu0,
        "resource_bytes": int(transfer),
        "charts": state["charts"],
        "exception": state["exception"],
    }


def press(tab: Tab, label: str) -> dict[str, Any]:
    """ArrowRight on the slider named `label`; time until every chart is redrawn, and what it cost."""
    thumb = tab.page.locator(f"[data-testid='stSlider'] input[type='range'][aria-label='{label}']")
    thumb.focus()
    tab.page.wait_for_timeout(200)  # focus styling settles before the clock starts
    finished, received = tab.finished, tab.received_bytes
    cpu0, main0 = cpu_seconds(tab.server.process.pid), tab.metrics()
    thumb.press("ArrowRight")
    state = tab.settle(finished + 1)
    main1 = tab.metrics()
    return {
        "redraw_s": (state["paint"] - state["key"]) / 1000,
        "server_cpu_s": cpu_seconds(tab.server.process.pid) - cpu0,
        "main_thread_s": main1["TaskDuration"] - main0["TaskDuration"],
        "script_s": main1["ScriptDuration"] - main0["ScriptDuration"],
        "layout_style_s": main1["LayoutDuration"]
        + main1["RecalcStyleDuration"]
        - main0["LayoutDuration"]
        - main0["RecalcStyleDuration"],
        "ws_bytes": tab.received_bytes - received,
        "charts": state["charts"],
        "exception": state["exception"],
    }


# Live numbers: every pointer move and key press (their event.timeStamp) and every change of the headline
# total (performance.now() in the observer, then the next animation frame), on the page's one clock.
LIVE_JS = """() => {
  const s = window.__live = {events: [], changes: [], thumb: []};
  const range = document.querySelector(".st-key-units input[type='range']");
  new MutationObserver(() => s.thumb.push(performance.now()))
    .observe(range, {attributes: true, attributeFilter: ["aria-valuetext"]});
  const total = document.querySelector("[data-testid='stMetricValue']");
  new MutationObserver(() => {
    const change = {t: performance.now(), text: total.textContent, frame: null};
    s.changes.push(change);
    requestAnimationFrame(() => { change.frame = performance.now(); });
  }).observe(total, {subtree: true, childList: true, characterData: true});
  for (const type of ["pointermove", "keydown"]) {
    document.addEventListener(type, (e) => s.events.push(e.timeStamp), true);
  }
}"""
THUMB = ".st-key-units [data-testid='stSliderThumbValue']"


def live_drag(tab: Tab, moves: int = 40, pixels: float = 4.0) -> dict[str, Any]:
    """Drag the units thumb (mouse held down) and time each move until the headline total changed.

    Latency per move: from the pointermove event to the first change of the total's text after it
    (before the next move), and to the animation frame after that change. Also counts the distinct
    totals shown before the mouse button is released.
    """
    page = tab.page
    page.wait_for_selector("[data-testid='stMetricValue']")
    page.evaluate(LIVE_JS)
    box = page.locator(THUMB).locator("..").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for k in range(1, moves + 1):
        page.mouse.move(x + pixels * k, y)
    page.wait_for_timeout(50)
    live = page.evaluate("() => window.__live")
    page.mouse.up()
    tab.settle(tab.finished + 1)
    events, changes, thumb = live["events"], live["changes"], live["thumb"]
    updated, framed, slider = [], [], []
    for k, start in enumerate(events):
        end = events[k + 1] if k + 1 < len(events) else float("inf")
        after = [c for c in changes if start <= c["t"] < end]
        if after:
            updated.append((after[0]["t"] - start) / 1000)
            if after[0]["frame"] is not None:
                framed.append((after[0]["frame"] - start) / 1000)
            # Of that, Streamlit's own slider: move → its range input shows the new value.
            moved = [t for t in thumb if start <= t <= after[0]["t"]]
            if moved:
                slider.append((moved[0] - start) / 1000)
    span = (changes[-1]["t"] - changes[0]["t"]) / 1000 if len(changes) > 1 else 0.0
    return {
        "moves": len(events),
        "changed_moves": len(updated),
        "text_updated_s": statistics.median(updated) if updated else None,
        "slider_updated_s": statistics.median(slider) if slider else None,
        "frame_after_s": statistics.median(framed) if framed else None,
        "distinct_totals": len({c["text"] for c in changes}),
        "drag_s": span,
    }


PLAY_SELECTORS = (  # whatever Play the through-time view has, first match wins
    ("plotly animation button", ".js-plotly-plot .updatemenu-button:has-text('Play')"),
    ("plotly animation button", ".js-plotly-plot .updatemenu-button:has-text('▶')"),
    ("streamlit toggle", "[data-testid='stCheckbox']:has-text('Play') label"),
    ("streamlit button", "[data-testid='stButton'] button:has-text('Play')"),
)


def play(tab: Tab, seconds: float) -> dict[str, Any]:
    """Start Play, count frames for `seconds` (or until it stops by itself), stop it if it is a toggle."""
    kind, button = "", None
    for name, selector in PLAY_SELECTORS:
        found = tab.page.locator(selector)
        if found.count():
            kind, button = name, found.first
            break
    if button is None:
        return {"kind": "none found", "frames": 0, "fps": 0.0, "server_cpu_per_frame_s": None}
    frames0, finished0 = tab.state()["frames"], tab.finished
    finished_times: list[float] = []
    cpu0 = cpu_seconds(tab.server.process.pid)
    button.click()
    start = time.monotonic()
    last_count, last_change = -1, start
    while time.monotonic() - start < seconds:
        tab.page.wait_for_timeout(POLL_MS)
        if tab.finished != (finished0 + len(finished_times)):
            finished_times.extend([time.monotonic()] * (tab.finished - finished0 - len(finished_times)))
        count = tab.state()["frames"] - frames0 + len(finished_times)
        if count != last_count:
            last_count, last_change = count, time.monotonic()
        elif count > 0 and time.monotonic() - last_change > 2.0:
            break  # it stopped by itself
    cpu = cpu_seconds(tab.server.process.pid) - cpu0
    animation = tab.page.evaluate("() => __bench.frames.slice()")[frames0:]
    if kind == "streamlit toggle":
        button.click()  # stop the server loop
        tab.settle(tab.finished + 1)
    if animation:
        frames, span = len(animation), (animation[-1] - animation[0]) / 1000
        source = "plotly_animatingframe events"
    else:
        frames = len(finished_times) - 1  # the click's own rerun is not a frame
        span = finished_times[-1] - finished_times[0] if len(finished_times) > 2 else 0.0
        source = "server reruns (script_finished)"
    return {
        "kind": kind,
        "source": source,
        "frames": frames,
        "fps": (frames - 1) / span if span > 0 and frames > 1 else 0.0,
        "server_cpu_s": cpu,
        "server_cpu_per_frame_s": cpu / frames if frames > 0 else None,
    }


def summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def describe(values: list[float], scale: float, unit: str) -> str:
    s = summary(values)
    return f"{s['median'] * scale:8.1f} {unit} [{s['min'] * scale:.1f}–{s['max'] * scale:.1f}]"


def capture_floor(logs: Path) -> Path:
    """Run bench/floor_capture.py (AppTest, in a child process): lstmviz's messages for every size pressed."""
    out = logs / "floor.pickle"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "floor_capture.py"), str(out)],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return out


def start_servers(options: tuple[str, ...], logs: Path, compare: Path | None) -> list[Server]:
    """The bare app, lstmviz and the floor page, plus lstmviz from another checkout when comparing versions."""
    servers = []
    os.environ["LSTMVIZ_FLOOR"] = str(capture_floor(logs))  # the floor server inherits it
    wanted = [("bare", "bench/bare_app.py", ROOT), ("app", "app.py", ROOT), ("floor", "bench/floor_app.py", ROOT)]
    if compare is not None:
        wanted.append(("before", "app.py", compare))
    for name, script, cwd in wanted:
        port = app_runner.free_port()
        process = app_runner.start_app(port, logs / f"{name}.log", script, options, cwd)
        servers.append(Server(name, script, process, f"http://127.0.0.1:{port}"))
    return servers


def measure(args: argparse.Namespace) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    options = tuple(f"--{o}" if not o.startswith("--") else o for o in args.option)
    logs = Path(tempfile.mkdtemp(prefix="lstmviz-bench-"))
    servers = start_servers(options, logs, args.compare)
    bare, apps = servers[0], servers[1:]
    runs: dict[str, list[dict[str, Any]]] = {"bare_press": [], "bare_load": [], "play": [], "live": []}
    for app in apps:
        runs |= {f"{app.name}_press_default": [], f"{app.name}_press_max": [], f"{app.name}_load": []}
    try:
        with sync_playwright() as playwright:
            chromium = str(app_runner.CHROMIUM)
            browser = playwright.chromium.launch(executable_path=chromium, args=app_runner.CHROMIUM_ARGS)
            try:
                # Warm every server (imports, caches), then cold loads in turn: bare, app(, before).
                for server in servers:
                    tab, _ = open_tab(browser, server)
                    tab.context.close()
                for _ in range(args.reps):
                    for server in servers:
                        tab, load = open_tab(browser, server)
                        tab.context.close()
                        runs[f"{server.name}_load"].append(load)
                # Presses: the pages open side by side, one warm-up press each, then presses in turn.
                tabs: dict[str, tuple[Tab, str]] = {"bare_press": (open_tab(browser, bare)[0], BARE_LABEL)}
                for app in apps:
                    tabs[f"{app.name}_press_default"] = (open_tab(browser, app)[0], UNITS_LABEL)
                    tabs[f"{app.name}_press_max"] = (open_tab(browser, app, MAX_QUERY)[0], UNITS_LABEL)
                for tab, label in tabs.values():
                    press(tab, label)
                for _ in range(args.reps):
                    for key, (tab, label) in tabs.items():
                        runs[key].append(press(tab, label))
                for tab, _ in tabs.values():
                    tab.context.close()
                # Live numbers: a drag of the units thumb in a fresh lstmviz tab, per rep.
                for _ in range(args.reps):
                    tab, _ = open_tab(browser, apps[0])
                    try:
                        runs["live"].append(live_drag(tab))
                    except Exception as error:  # one failed drag must not lose the rest of the run
                        print(f"live drag failed: {error}", file=sys.stderr)
                    tab.context.close()
                # Play in the through-time view.
                if args.play_seconds > 0:
                    for _ in range(max(1, args.reps // 2)):
                        tab, _ = open_tab(browser, apps[0], PLAY_QUERY)
                        runs["play"].append(play(tab, args.play_seconds))
                        tab.context.close()
            finally:
                browser.close()
    finally:
        for server in servers:
            app_runner.stop_app(server.process)
    errors = [line for s in servers for line in (logs / f"{s.name}.log").read_text().splitlines() if "Error" in line]
    return {"runs": runs, "server_options": list(options), "server_log_errors": errors}


def report(result: dict[str, Any]) -> dict[str, Any]:
    """Print every ratio of the issue with medians and ranges; return the ratios."""
    runs = result["runs"]
    ratios: dict[str, Any] = {}

    def col(key: str, name: str) -> list[float]:
        return [float(r[name]) for r in runs[key]]

    def ratio(name: str, app: list[float], bare: list[float], goal: float) -> None:
        value = statistics.median(app) / statistics.median(bare)
        ratios[name] = {"ratio": value, "goal": goal, "met": value <= goal}
        print(f"  ratio {value:5.2f}×  (goal ≤ {goal:g}×: {'met' if value <= goal else 'MISSED'})")

    print(f"\nbench_browser: {args_line(result)}")
    ratios |= floor_table(runs)
    print("\nkey press → every chart redrawn (ms), median [min–max]")
    bare_redraw = col("bare_press", "redraw_s")
    for key, goal_key, title in (
        ("app_press_default", "press_default", "default size"),
        ("app_press_max", "press_max", "features 1024, units 1000"),
    ):
        print(
            f"  {title}: bare {describe(bare_redraw, 1000, 'ms')}, lstmviz {describe(col(key, 'redraw_s'), 1000, 'ms')}"
        )
        ratio(goal_key, col(key, "redraw_s"), bare_redraw, GOALS[goal_key])
    print("\nserver CPU per press (ms): mean over the presses (10 ms ticks), [min–max] of single presses")
    bare_cpu = col("bare_press", "server_cpu_s")
    for key, title in (("app_press_default", "default size"), ("app_press_max", "features 1024, units 1000")):
        app_cpu = col(key, "server_cpu_s")
        value = statistics.fmean(app_cpu) / statistics.fmean(bare_cpu)
        print(
            f"  {title}: bare {statistics.fmean(bare_cpu) * 1000:6.1f} ms [{min(bare_cpu) * 1000:.0f}–"
            f"{max(bare_cpu) * 1000:.0f}], lstmviz {statistics.fmean(app_cpu) * 1000:6.1f} ms "
            f"[{min(app_cpu) * 1000:.0f}–{max(app_cpu) * 1000:.0f}]"
        )
        if key == "app_press_default":
            goal = GOALS["server_cpu_press"]
            ratios["server_cpu_press"] = {"ratio": value, "goal": goal, "met": value <= goal}
            print(f"  ratio {value:5.2f}×  (goal ≤ {goal:g}×: {'met' if value <= goal else 'MISSED'})")
        else:
            print(f"  ratio {value:5.2f}×")
    print("\nbrowser main-thread time and websocket bytes per press")
    for key in [k for k in runs if k.endswith(("_press", "_press_default", "_press_max"))]:
        print(
            f"  {key:18} main thread {describe(col(key, 'main_thread_s'), 1000, 'ms')} "
            f"(script {statistics.median(col(key, 'script_s')) * 1000:.0f}, layout + style "
            f"{statistics.median(col(key, 'layout_style_s')) * 1000:.0f}), "
            f"received {statistics.median(col(key, 'ws_bytes')) / 1024:9.1f} KiB, charts {runs[key][-1]['charts']}"
        )
    print("\ncold page load until the charts settle (s)")
    print(
        f"  bare {describe(col('bare_load', 'load_s'), 1, 's')}, lstmviz {describe(col('app_load', 'load_s'), 1, 's')}"
    )
    ratio("load", col("app_load", "load_s"), col("bare_load", "load_s"), GOALS["load"])
    print(
        f"  fetched JS/CSS/fonts: bare {statistics.median(col('bare_load', 'resource_bytes')) / 1e6:.2f} MB, "
        f"lstmviz {statistics.median(col('app_load', 'resource_bytes')) / 1e6:.2f} MB; server CPU per load: bare "
        f"{describe(col('bare_load', 'server_cpu_s'), 1000, 'ms')}, "
        f"lstmviz {describe(col('app_load', 'server_cpu_s'), 1000, 'ms')}"
    )
    if "before_load" in runs:
        print(f"\nthe same against the version in {result['compare']} (same run, same bare app), × bare:")
        for what, key, field in (
            ("press, default size", "press_default", "redraw_s"),
            ("press, features 1024, units 1000", "press_max", "redraw_s"),
            ("cold load", "load", "load_s"),
            ("main thread per press, default", "press_default", "main_thread_s"),
        ):
            old, new = (statistics.median(col(f"{v}_{key}", field)) for v in ("before", "app"))
            floor = statistics.median(col(f"bare_{key.split('_')[0]}", field))
            print(f"  {what:34} before {old / floor:5.2f}×  now {new / floor:5.2f}×  (now / before {new / old:.2f})")
        old_cpu, new_cpu = (statistics.fmean(col(f"{v}_press_default", "server_cpu_s")) for v in ("before", "app"))
        print(
            f"  {'server CPU per press, default':34} before {old_cpu * 1000:.1f} ms  now {new_cpu * 1000:.1f} ms "
            f"(each with its own .streamlit/config.toml; bare {statistics.fmean(bare_cpu) * 1000:.1f} ms)"
        )
    print("\nPlay in the through-time view")
    if runs["play"]:
        for run in runs["play"]:
            per_frame = run["server_cpu_per_frame_s"]
            print(
                f"  {run['kind']}, counted from {run.get('source', '-')}: {run['frames']} frames, "
                f"{run['fps']:.1f} frames/s, server CPU per frame "
                f"{'-' if per_frame is None else f'{per_frame * 1000:.1f} ms'}"
            )
        fps = [float(r["fps"]) for r in runs["play"]]
        cpu = [r["server_cpu_per_frame_s"] for r in runs["play"] if r["server_cpu_per_frame_s"] is not None]
        met = statistics.median(fps) >= GOALS["play_fps"]
        ratios["play"] = {
            "fps_median": statistics.median(fps),
            "server_cpu_per_frame_median_s": statistics.median(cpu) if cpu else None,
            "goal_fps": GOALS["play_fps"],
            "met": met,
        }
        print(
            f"  median {statistics.median(fps):.1f} frames/s (goal ≥ {GOALS['play_fps']:g}, no server work: "
            f"{'met' if met else 'MISSED'})"
        )
    if result["server_log_errors"]:
        print("\nSERVER LOG ERRORS:\n  " + "\n  ".join(result["server_log_errors"]))
    return ratios


def floor_table(runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Issue 23's table: bare app, floor page (lstmviz's messages replayed), lstmviz; both ratios; the goal."""

    def median(key: str, name: str) -> float:
        return statistics.median(float(r[name]) for r in runs[key])

    rows = [
        ("key press → last chart redrawn, default size", "press_default", "press", "redraw_s"),
        ("the same at features 1024, units 1000", "press_max", "press", "redraw_s"),
        ("cold load until charts settle", "load", "load", "load_s"),
    ]
    found: dict[str, Any] = {}
    print("\nissue 23: medians (ms), ratios to the bare app and to the floor page (same elements, no work)")
    print(f"  {'measure':46} {'bare':>8} {'floor':>8} {'lstmviz':>8} {'× bare':>7} {'× floor':>8} {'goal':>6}")
    for title, goal_key, bare_key, measured in rows:
        bare, app = median(f"bare_{bare_key}", measured), median(f"app_{goal_key}", measured)
        floor = median(f"floor_{goal_key}", measured) if runs.get(f"floor_{goal_key}") else float("nan")
        goal = GOALS[goal_key]
        found[f"{goal_key}_vs_floor"] = {"ratio": app / floor, "floor_vs_bare": floor / bare}
        print(
            f"  {title:46} {bare * 1000:8.0f} {floor * 1000:8.0f} {app * 1000:8.0f} {app / bare:6.2f}× "
            f"{app / floor:7.2f}× {'≤ ' + format(goal, 'g') + '×':>6}{'' if app / bare <= goal else '  MISSED'}"
        )
    live = [r for r in runs.get("live", []) if r["text_updated_s"] is not None]
    if live:
        updated = statistics.median(r["text_updated_s"] for r in live) * 1000
        framed = statistics.median(r["frame_after_s"] for r in live if r["frame_after_s"] is not None) * 1000
        per_50 = statistics.median(r["distinct_totals"] / (r["drag_s"] / 0.05) for r in live if r["drag_s"] > 0)
        met = updated <= GOALS["live_ms"] and per_50 >= GOALS["totals_per_50ms"]
        slider = statistics.median(r["slider_updated_s"] for r in live if r.get("slider_updated_s") is not None) * 1000
        found["live"] = {
            "text_updated_ms": updated,
            "slider_updated_ms": slider,
            "frame_after_ms": framed,
            "totals_per_50ms": per_50,
            "met": met,
        }
        print(
            f"  {'live numbers during a drag: move → total updated':46} {'—':>8} {'—':>8} {updated:8.1f} "
            f"{'':>7} {'':>8} {'≤ 16 ms':>6}{'' if updated <= GOALS['live_ms'] else '  MISSED'}"
        )
        print(
            f"    of which Streamlit's slider (move → its range input shows the value): {slider:.1f} ms, "
            f"the headline after that: {updated - slider:.1f} ms"
        )
        print(
            f"    next animation frame after the update: {framed:.1f} ms; distinct totals before release: "
            f"{statistics.median(r['distinct_totals'] for r in live):.0f} in "
            f"{statistics.median(r['drag_s'] for r in live) * 1000:.0f} ms ({per_50:.2f} per 50 ms, goal ≥ 1); "
            f"moves that changed the total: {sum(r['changed_moves'] for r in live)}/{sum(r['moves'] for r in live)}"
        )
    return found


def args_line(result: dict[str, Any]) -> str:
    env = result["environment"]
    return (
        f"{env['reps']} reps, server flags {result['server_options'] or 'none'}, {env['cpus']} CPUs, "
        f"load {env['load_average'][0]:.1f}, streamlit {env['streamlit']}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=5, help="repetitions of each measurement (3..20)")
    parser.add_argument("--play-seconds", type=float, default=6.0, help="how long to watch Play (0 skips)")
    parser.add_argument(
        "--option", action="append", default=[], help="streamlit flag for both servers, e.g. runner.postScriptGC=false"
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "bench_browser.json")
    parser.add_argument(
        "--compare",
        type=Path,
        help="another checkout of lstmviz (e.g. `git archive <commit> | tar -x -C DIR`) measured in the same run",
    )
    args = parser.parse_args()
    if not 3 <= args.reps <= 20 or not 0 <= args.play_seconds <= 60:
        parser.error("--reps must be 3..20 and --play-seconds 0..60")
    problem = app_runner.browser_problem()
    if problem:
        print(f"cannot run: {problem}", file=sys.stderr)
        return 2
    import streamlit

    started = time.time()
    if args.compare is not None and not (args.compare / "app.py").is_file():
        parser.error(f"--compare {args.compare}: no app.py there")
    result = measure(args)
    result["compare"] = None if args.compare is None else str(args.compare)
    result["environment"] = {
        "reps": args.reps,
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
        "streamlit": streamlit.__version__,
        "viewport": VIEWPORT,
        "quiet_ms": QUIET_MS,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "seconds": round(time.time() - started, 1),
    }
    result["ratios"] = report(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
