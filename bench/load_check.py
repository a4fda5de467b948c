"""Load check (not a test): 20 concurrent browser sessions against one app server.

Usage: python bench/load_check.py [--sessions N] [--presses N] [--timeout S] [--option FLAG=VALUE ...]

Starts app.py on a free loopback port with tools/app_runner.py (as the browser tests do: a subprocess, polled on
/_stcore/health, stopped by its own PID), launches one headless Debian Chromium and opens one browser
context per session, each on a different URL: explorer sessions over many framework / cell / size
combinations, plus lesson (step 3) and run-through-time sessions. All sessions are driven at once
(asyncio).

1. Isolation: every session must show its own total, the core's count for its spec
   (lstmviz.count_params), not a neighbour's.
2. Latency: in every session at once, press ArrowRight on the "Units h" slider --presses times; a
   latency is keypress → the session's total showing the core's count for units + 1 (polled every
   POLL_MS in the page). Between presses a session waits for its rerun to finish.
3. After the presses every session must still show its own total, and its URL its own units.

Where a session reads its total: explorer, the headline metric; lesson step 3, the substituted formula
(a Keras LSTM of the sidebar's sizes); run through time, the unrolled strip's "W, U, b: N parameters"
(single-layer specs, where the layer's count is the total).

Failures (must be 0): a session that shows a wrong total, an exception box (stException), a wrong
URL, a request leaving the app (every request a page makes is recorded; only the app's own host and
port, data: and blob: are allowed) or that times out; and every traceback in the server log. A health
thread polls /_stcore/health every second throughout: the server is healthy if every check answered
"ok" within HEALTH_TIMEOUT_S and it still answers at the end. The same thread samples the server's
resident memory (VmRSS) and its peak (VmHWM), to compare server flags such as
--option runner.postScriptGC=false. Reports p50 / p95 / max latency, load
times, failures, health and CPU use per phase, prints a summary and writes
bench/results/load_check.json (gitignored). Exit status 0 only with no failures and a healthy server.
Bounded: one overall timeout, a fixed number of interactions, 60 s per action, loopback only (the
server binds 127.0.0.1); it stops the server (by its PID) and the browser itself.

The numbers are as measured on this machine: the server, Chromium's 20 renderers and this script share
its CPUs (os.cpu_count() is recorded in the results).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import os
import platform
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import lstmviz  # noqa: E402
from lstmviz import RecurrentSpec  # noqa: E402
from tools import app_runner  # noqa: E402

RESULTS = ROOT / "bench" / "results"
VIEWPORT = {"width": 1280, "height": 1000}
UNITS_LABEL = "Units h (hidden size)"
POLL_MS = 20
LOAD_TIMEOUT_S = 120.0
UPDATE_TIMEOUT_S = 60.0
DEFAULT_TIMEOUT_S = 300.0
MAX_PRESSES = 10
HEALTH_TIMEOUT_S = 5.0  # a health check slower than this counts as a failure


# --- the sessions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One session: a view and the layer the sidebar describes (as URL parameters)."""

    name: str
    view: str  # explorer | lesson | through time
    spec: RecurrentSpec
    fields: tuple[str, ...]  # the spec fields put in the URL

    def query(self) -> str:
        params: dict[str, str] = {}
        if self.view != "explorer":
            params["view"] = self.view
        if self.view == "lesson":
            params["step"] = "3"
        for name in self.fields:
            value = getattr(self.spec, name)
            params[name] = str(value).lower() if isinstance(value, bool) else str(value)
        return "?" + urlencode(params) if params else ""

    def expected(self, units: int) -> int:
        """The total this session must show with the units slider at `units`, from the core."""
        if self.view == "lesson":  # the lesson is a Keras LSTM of the sidebar's sizes
            return lstmviz.count_params(RecurrentSpec(features=self.spec.features, units=units))
        return lstmviz.count_params(replace(self.spec, units=units))


def _case(name: str, view: str = "explorer", **fields: Any) -> Case:
    return Case(name, view, RecurrentSpec(**fields), tuple(fields))


CASES = (
    _case("keras-lstm-seed"),
    _case("pytorch-lstm", framework="pytorch", cell="lstm", features=3, units=2),
    _case("keras-gru", framework="keras", cell="gru", features=5, units=4),
    _case("pytorch-gru", framework="pytorch", cell="gru", features=5, units=4),
    _case("keras-rnn", framework="keras", cell="rnn", features=7, units=6),
    _case("pytorch-rnn", framework="pytorch", cell="rnn", features=7, units=6),
    _case("keras-lstm-2-layers", framework="keras", cell="lstm", features=10, units=8, layers=2),
    _case("pytorch-lstm-bidir", framework="pytorch", cell="lstm", features=10, units=8, bidirectional=True),
    _case("keras-gru-v1", framework="keras", cell="gru", features=4, units=9, reset_after=False),
    _case("pytorch-gru-3-layers", framework="pytorch", cell="gru", features=16, units=12, layers=3),
    _case("keras-lstm-bidir-big", framework="keras", cell="lstm", features=32, units=16, bidirectional=True),
    _case("pytorch-rnn-no-bias", framework="pytorch", cell="rnn", features=2, units=20, bias=False),
    _case("keras-rnn-stack", framework="keras", cell="rnn", features=12, units=3, layers=2, bidirectional=True),
    _case("pytorch-lstm-proj", framework="pytorch", cell="lstm", features=6, units=10, proj_size=4),
    _case("lesson-4x3", "lesson", features=4, units=3),
    _case("lesson-9x5", "lesson", features=9, units=5),
    _case("lesson-2x11", "lesson", features=2, units=11),
    _case("time-keras-lstm", "through time", framework="keras", cell="lstm", features=3, units=3),
    _case("time-keras-gru", "through time", framework="keras", cell="gru", features=5, units=2),
    _case("time-pytorch-rnn", "through time", framework="pytorch", cell="rnn", features=4, units=6),
)

# The session's displayed total (an integer) or null, read from the current run's elements only.
PROBE_JS = """(view) => {
    const live = (el) => !el.closest('[data-stale="true"]');
    const number = (text) => Number(text.replace(/,/g, ''));
    if (view === 'explorer') {
        const metric = Array.from(document.querySelectorAll('[data-testid="stMetricValue"]')).find(live);
        return metric && /^[\\d,]+$/.test(metric.innerText.trim()) ? number(metric.innerText.trim()) : null;
    }
    if (view === 'lesson') {
        const codes = Array.from(document.querySelectorAll('[data-testid="stMarkdown"] code')).filter(live);
        for (const code of codes.reverse()) {
            const m = code.innerText.match(/=\\s*([\\d,]+)\\s*$/);
            if (m) return number(m[1]);
        }
        return null;
    }
    for (const img of document.querySelectorAll('[data-testid="stImage"] img')) {
        const prefix = 'data:image/svg+xml;base64,';
        if (!live(img) || !img.src.startsWith(prefix)) continue;
        const m = atob(img.src.slice(prefix.length)).match(/W, U, b: ([\\d,]+) parameters, shared/);
        if (m) return number(m[1]);
    }
    return null;
}"""

SETTLED_JS = """() => !document.querySelector('[data-testid="stStatusWidget"]')
    && !document.querySelector('[data-stale="true"]')"""


@dataclass
class SessionResult:
    name: str
    url: str
    expected_initial: int
    seen_initial: int | None = None
    load_s: float | None = None
    expected_final: int | None = None
    seen_final: int | None = None
    latencies_s: list[float] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    requests: int = 0
    errors: list[str] = field(default_factory=list)


# --- the server --------------------------------------------------------------------------------


def memory_mb(pid: int) -> dict[str, float]:
    """A process's resident memory now (VmRSS) and at its peak (VmHWM), in MB; empty if it is gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    fields = dict(line.split(":", 1) for line in lines if ":" in line)
    return {k: int(fields[k].split()[0]) / 1024 for k in ("VmRSS", "VmHWM") if k in fields}


def health(url: str, timeout_s: float) -> tuple[bool, float, str]:
    """One /_stcore/health request: answered "ok" in time?, seconds taken, and what went wrong."""
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=timeout_s) as response:
            body = response.read().strip()
        ok, problem = body == b"ok", "" if body == b"ok" else f"answered {body[:40]!r}"
    except OSError as error:
        ok, problem = False, f"{type(error).__name__}: {error}"
    return ok, time.perf_counter() - start, problem


class HealthMonitor(threading.Thread):
    """Polls /_stcore/health every second until stopped: each check's time, and the failures."""

    def __init__(self, url: str, pid: int) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.pid = pid
        self.rss_mb: list[float] = []  # the server's resident memory, once a second
        self.peak_mb = 0.0
        self.times_s: list[float] = []
        self.problems: list[str] = []
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            ok, seconds, problem = health(self.url, HEALTH_TIMEOUT_S)
            self.times_s.append(seconds)
            if not ok:
                self.problems.append(f"after {seconds:.1f} s: {problem}")
            memory = memory_mb(self.pid)
            if memory:
                self.rss_mb.append(memory["VmRSS"])
                self.peak_mb = max(self.peak_mb, memory.get("VmHWM", 0.0))
            self._stop_event.wait(1.0)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=HEALTH_TIMEOUT_S + 2)


def cpu_seconds(pid: int | None = None) -> float | None:
    """CPU seconds used so far by one process (user + system), or by the whole machine (busy time)."""
    try:
        tick = os.sysconf("SC_CLK_TCK")
        if pid is None:
            fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
            busy = sum(int(x) for x in fields) - int(fields[3]) - int(fields[4])  # minus idle and iowait
            return busy / tick
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    except (OSError, ValueError, IndexError):
        return None


# --- one session -------------------------------------------------------------------------------


def _own(url: str, app_port: int) -> bool:
    if url.startswith(("data:", "blob:")):
        return True
    parts = urlsplit(url)
    return parts.hostname in ("127.0.0.1", "localhost") and parts.port == app_port


async def _settle(page: Any, timeout_s: float) -> None:
    await page.wait_for_function(SETTLED_JS, polling=POLL_MS, timeout=timeout_s * 1000)


async def _shows(page: Any, view: str, value: int, timeout_s: float) -> None:
    await page.wait_for_function(
        f"(arg) => ({PROBE_JS})(arg.view) === arg.value",
        arg={"view": view, "value": value},
        polling=POLL_MS,
        timeout=timeout_s * 1000,
    )


async def _probe(page: Any, view: str) -> int | None:
    value = await page.evaluate(PROBE_JS, view)
    return None if value is None else int(value)


class Session:
    def __init__(self, case: Case, browser: Any, base: str, port: int) -> None:
        self.case = case
        self.browser = browser
        self.port = port
        self.url = f"{base}/{case.query()}"
        self.result = SessionResult(case.name, self.url, case.expected(case.spec.units))
        self.context: Any = None
        self.page: Any = None

    def _record(self, url: str) -> None:
        self.result.requests += 1
        if not _own(url, self.port):
            self.result.foreign_requests.append(url)

    async def _check_exceptions(self, when: str) -> None:
        """A red exception box in the page is a failure (the server log has its traceback)."""
        boxes = self.page.locator("[data-testid='stException']")
        if await boxes.count():
            text = (await boxes.first.inner_text()).strip().splitlines()
            self.result.errors.append(f"{when}: exception shown in the page: {text[0] if text else '?'}")

    async def load(self) -> None:
        """Open the URL and wait for the session's own total."""
        try:
            self.context = await self.browser.new_context(viewport=VIEWPORT)
            # 20 renderers on a few CPUs: an action (focus, press) can wait long; bounded all the same.
            self.context.set_default_timeout(UPDATE_TIMEOUT_S * 1000)
            self.page = await self.context.new_page()
            self.page.on("request", lambda request: self._record(request.url))
            self.page.on("websocket", lambda socket: self._record(socket.url))
            start = time.perf_counter()
            await self.page.goto(self.url, wait_until="domcontentloaded", timeout=LOAD_TIMEOUT_S * 1000)
            await self.page.wait_for_function(
                f"(view) => ({PROBE_JS})(view) !== null",
                arg=self.case.view,
                polling=POLL_MS,
                timeout=LOAD_TIMEOUT_S * 1000,
            )
            await _settle(self.page, LOAD_TIMEOUT_S)
            self.result.load_s = time.perf_counter() - start
            self.result.seen_initial = await _probe(self.page, self.case.view)
            if self.result.seen_initial != self.result.expected_initial:
                self.result.errors.append(
                    f"initial total {self.result.seen_initial} != core's {self.result.expected_initial}"
                )
            await self._check_exceptions("load")
        except Exception as error:  # any failure is a reported failure, not a crash
            self.result.errors.append(f"load: {type(error).__name__}: {str(error).splitlines()[0]}")

    async def press_units(self, presses: int) -> None:
        """ArrowRight on the units slider `presses` times, timing each update."""
        if self.page is None or self.result.seen_initial != self.result.expected_initial:
            return
        units = self.case.spec.units
        try:
            thumb = self.page.locator(f"[data-testid='stSlider'] input[type='range'][aria-label='{UNITS_LABEL}']")
            for _ in range(presses):
                units += 1
                expected = self.case.expected(units)
                await thumb.focus()
                start = time.perf_counter()
                await thumb.press("ArrowRight")
                await _shows(self.page, self.case.view, expected, UPDATE_TIMEOUT_S)
                self.result.latencies_s.append(time.perf_counter() - start)
                await _settle(self.page, UPDATE_TIMEOUT_S)
            self.result.expected_final = self.case.expected(units)
            self.result.seen_final = await _probe(self.page, self.case.view)
            if self.result.seen_final != self.result.expected_final:
                self.result.errors.append(
                    f"final total {self.result.seen_final} != core's {self.result.expected_final}"
                )
            in_url = await self.page.evaluate("() => new URLSearchParams(location.search).get('units')")
            if in_url != str(units):
                self.result.errors.append(f"URL units={in_url}, expected {units}")
            await self._check_exceptions("after the presses")
        except Exception as error:
            self.result.errors.append(
                f"press {units - self.case.spec.units}: {type(error).__name__}: {str(error).splitlines()[0]}"
            )

    async def close(self) -> None:
        if self.context is not None:
            try:
                await self.context.close()
            except Exception:  # the browser may already be gone
                pass


# --- the run -----------------------------------------------------------------------------------


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def log_errors(log: str) -> list[str]:
    """The exception line of every traceback in the server log (Rich-formatted, colours removed)."""
    lines = ANSI.sub("", log).splitlines()
    errors = []
    for k, line in enumerate(lines):
        if re.match(r"^[A-Za-z_][\w.]*(Error|Exception|Interrupt|Exit)\b:?", line):
            following = lines[k + 1].strip() if k + 1 < len(lines) and not lines[k + 1].startswith(" ") else ""
            errors.append(f"{line.strip()} {following}".strip())
    return errors


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


class Clock:
    """Wall time and CPU time (whole machine, server process) at named moments; phases between them."""

    def __init__(self) -> None:
        self.server_pid: int | None = None  # before the server starts, it has used no CPU
        self.marks: list[tuple[str, float, float | None, float | None]] = []
        self.mark("start")

    def mark(self, label: str) -> None:
        server = 0.0 if self.server_pid is None else cpu_seconds(self.server_pid)
        self.marks.append((label, time.perf_counter(), cpu_seconds(), server))

    def phases(self) -> dict[str, dict[str, float | None]]:
        cpus = os.cpu_count() or 1
        out: dict[str, dict[str, float | None]] = {}
        for (_, wall0, machine0, server0), (label, wall1, machine1, server1) in itertools.pairwise(self.marks):
            wall = wall1 - wall0
            machine = None if machine0 is None or machine1 is None else machine1 - machine0
            server = None if server0 is None or server1 is None else server1 - server0
            out[label] = {
                "wall_s": round(wall, 2),
                "machine_busy_pct": None if machine is None else round(100 * machine / (cpus * wall), 1),
                "server_cpu_s": None if server is None else round(server, 2),
                "server_pct_of_busy": None if not machine or server is None else round(100 * server / machine, 1),
            }
        return out


async def drive(
    sessions: list[Session], cases: tuple[Case, ...], presses: int, base: str, port: int, clock: Clock
) -> None:
    """Load every session at once, then press in every session at once; `sessions` survives a timeout."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(app_runner.CHROMIUM), args=app_runner.CHROMIUM_ARGS
        )
        sessions.extend(Session(case, browser, base, port) for case in cases)
        try:
            clock.mark("browser")
            await asyncio.gather(*(s.load() for s in sessions))
            clock.mark("load")
            await asyncio.gather(*(s.press_units(presses) for s in sessions))
            clock.mark("presses")
        finally:
            await asyncio.gather(*(s.close() for s in sessions))
            await browser.close()


def ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=len(CASES), help=f"1..{len(CASES)} (default all)")
    parser.add_argument("--presses", type=int, default=3, help=f"units ArrowRight presses per session, ≤ {MAX_PRESSES}")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="overall timeout in seconds")
    parser.add_argument("--out", type=Path, default=RESULTS / "load_check.json", help="results file")
    parser.add_argument(
        "--option", action="append", default=[], help="extra streamlit flag, e.g. runner.postScriptGC=false"
    )
    args = parser.parse_args()
    if not 1 <= args.sessions <= len(CASES) or not 1 <= args.presses <= MAX_PRESSES or not 0 < args.timeout <= 900:
        parser.error("out of range: sessions 1..20, presses 1..10, timeout 0..900 s")
    problem = app_runner.browser_problem()
    if problem:
        print(f"cannot run: {problem}", file=sys.stderr)
        return 2

    cases = CASES[: args.sessions]
    port = app_runner.free_port()
    base = f"http://127.0.0.1:{port}"
    log = Path(tempfile.mkdtemp(prefix="lstmviz-load-")) / "streamlit.log"
    clock = Clock()
    options = tuple(o if o.startswith("--") else f"--{o}" for o in args.option)
    process = app_runner.start_app(port, log, "app.py", options)
    clock.server_pid = process.pid
    clock.mark("server_start")
    monitor = HealthMonitor(base, process.pid)
    monitor.start()
    sessions: list[Session] = []
    run_errors: list[str] = []
    try:
        asyncio.run(asyncio.wait_for(drive(sessions, cases, args.presses, base, port, clock), args.timeout))
    except (TimeoutError, asyncio.TimeoutError):
        run_errors.append(f"overall timeout of {args.timeout:.0f} s reached")
    except Exception as error:
        run_errors.append(f"{type(error).__name__}: {error}")
    finally:
        monitor.stop()
        alive = process.poll() is None
        healthy_at_end = alive and health(base, HEALTH_TIMEOUT_S)[0]
        memory_at_end = memory_mb(process.pid)
        clock.mark("close")
        app_runner.stop_app(process)
    total_s = time.perf_counter() - clock.marks[0][1]

    server_log = log.read_text(errors="replace")
    results = [s.result for s in sessions]
    latencies = [x for r in results for x in r.latencies_s]
    loads = [r.load_s for r in results if r.load_s is not None]
    failed = [r for r in results if r.errors or r.foreign_requests]
    server_errors = log_errors(server_log)  # each traceback is a failure too
    short = [r for r in results if not r.errors and len(r.latencies_s) < args.presses]  # cut off by a timeout
    failures = len(failed) + len(short) + len(run_errors) + (len(cases) - len(results)) + len(server_errors)
    traceback = "Traceback" in server_log
    healthy = not monitor.problems and healthy_at_end
    expected_latencies = len(cases) * args.presses

    summary = {
        "sessions": len(cases),
        "presses_per_session": args.presses,
        "latencies": len(latencies),
        "latencies_expected": expected_latencies,
        "latency_ms": {
            "p50": ms(percentile(latencies, 50)),
            "p95": ms(percentile(latencies, 95)),
            "max": ms(max(latencies, default=None)),
            "mean": ms(statistics.fmean(latencies) if latencies else None),
        },
        "load_ms": {"p50": ms(percentile(loads, 50)), "max": ms(max(loads, default=None))},
        "failures": failures,
        "failed_sessions": [r.name for r in failed + short],
        "run_errors": run_errors,
        "server": {
            "healthy": healthy,
            "health_checks": len(monitor.times_s),
            "health_failures": monitor.problems,
            "health_timeout_s": HEALTH_TIMEOUT_S,
            "health_ms": {
                "p50": ms(percentile(monitor.times_s, 50)),
                "p95": ms(percentile(monitor.times_s, 95)),
                "max": ms(max(monitor.times_s, default=None)),
            },
            "alive_at_end": alive,
            "options": list(options),
            "rss_mb": {
                "max_sampled": round(max(monitor.rss_mb, default=0.0), 1),
                "peak_vmhwm": round(max(monitor.peak_mb, memory_at_end.get("VmHWM", 0.0)), 1),
                "at_end": round(memory_at_end.get("VmRSS", 0.0), 1),
            },
            "healthy_at_end": healthy_at_end,
            "traceback_in_log": traceback,
            "errors_in_log": server_errors,
        },
        "phases": clock.phases(),
        "total_s": round(total_s, 2),
    }
    environment = {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "chromium": str(app_runner.CHROMIUM),
        "poll_ms": POLL_MS,
        "viewport": VIEWPORT,
        "note": "server, Chromium and this script share the CPUs: numbers as measured",
    }
    rows = []
    for r in results:
        row = asdict(r)
        row["load_ms"] = ms(row.pop("load_s"))
        row["latencies_ms"] = [ms(x) for x in row.pop("latencies_s")]
        rows.append(row)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"summary": summary, "environment": environment, "sessions": rows}, indent=2) + "\n")
    report(summary, results)
    print(f"wrote {args.out}")
    return 0 if failures == 0 and healthy else 1


def report(summary: dict[str, Any], results: list[SessionResult]) -> None:
    print(f"{'session':24} {'url':68} {'total':>9} {'load ms':>8}  latencies ms")
    for r in results:
        shown = "?" if r.seen_initial is None else f"{r.seen_initial:,}"
        load_ms = "-" if r.load_s is None else f"{r.load_s * 1000:.0f}"
        lat = ", ".join(f"{x * 1000:.0f}" for x in r.latencies_s)
        path = r.url.split("/", 3)[-1]
        print(f"{r.name:24} {path[:68]:68} {shown:>9} {load_ms:>8}  {lat}")
        for error in r.errors:
            print(f"    FAILED: {error}")
        for url in r.foreign_requests[:3]:
            print(f"    FOREIGN REQUEST: {url}")
    for error in summary["run_errors"]:
        print(f"RUN ERROR: {error}")
    lat, load, server = summary["latency_ms"], summary["load_ms"], summary["server"]
    print(
        f"\n{summary['sessions']} sessions × {summary['presses_per_session']} presses: "
        f"{summary['latencies']}/{summary['latencies_expected']} latencies (keypress → new total shown): "
        f"p50 {lat['p50']} ms, p95 {lat['p95']} ms, max {lat['max']} ms, mean {lat['mean']} ms"
    )
    print(f"load (goto → own total shown, all sessions at once): p50 {load['p50']} ms, max {load['max']} ms")
    print(
        f"failures: {summary['failures']}; server healthy: {server['healthy']} "
        f"({server['health_checks']} health checks, {len(server['health_failures'])} failed; "
        f"health answer p50 {server['health_ms']['p50']} ms, max {server['health_ms']['max']} ms; "
        f"alive at end {server['alive_at_end']}, traceback in log {server['traceback_in_log']})"
    )
    rss = server["rss_mb"]
    print(
        f"server memory (flags {server['options'] or 'none'}): peak {rss['peak_vmhwm']} MB, "
        f"largest sample {rss['max_sampled']} MB, at the end {rss['at_end']} MB"
    )
    for problem in server["health_failures"]:
        print(f"    HEALTH: {problem}")
    for error in server["errors_in_log"]:
        print(f"    SERVER LOG: {error}")
    print(f"phases ({os.cpu_count()} CPUs shared by the server, Chromium and this script):")
    for name, phase in summary["phases"].items():
        print(
            f"    {name:13} {phase['wall_s']:7.2f} s  machine busy {phase['machine_busy_pct']}%  "
            f"server CPU {phase['server_cpu_s']} s ({phase['server_pct_of_busy']}% of the busy time)"
        )


if __name__ == "__main__":
    sys.exit(main())
