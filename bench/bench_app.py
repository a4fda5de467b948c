"""Benchmark (not a test): server-side rerun time of the explorer for one slider change.

Usage: python bench/bench_app.py [--reps N] [--warmup N] [--no-sections] [--profile]

Drives app.py with streamlit.testing.v1.AppTest: for each case it sets the starting widgets, runs
once, reruns --warmup times, then reruns --reps times, each time moving one slider to a value not
seen before (so the cached heatmap misses whenever the weights change, as when a user drags).
Per rerun it records

* rerun: wall time of AppTest.run() (script plus AppTest's own overhead),
* script: wall time of the script exec alone (Streamlit's exec_func_with_error_handling),
* figure bytes: the sum of proto.spec lengths of the plotly_chart elements (the Plotly JSON sent).

The same is measured for bench/bare_app.py (one slider, one small Plotly chart) in the same run, as
the floor: ratio = app median / bare median. With --sections (default) each app case is rerun again
with the view's top-level calls wrapped in timers, to say where the script time goes; --profile
adds a cProfile listing per case. Prints tables and writes bench/results/bench_app.json (gitignored).

Targets: at default sizes ≤ 2× the bare app; at maximum sizes (features = units =
1024, timesteps = 1000) ≤ 2 MB of figure data and ≤ 150 ms of script time per rerun.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import plotly  # noqa: E402
import streamlit as st  # noqa: E402
import streamlit.runtime.scriptrunner.script_runner as script_runner  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

import lstmviz  # noqa: E402

APP = ROOT / "app.py"
BARE = ROOT / "bench" / "bare_app.py"
RESULTS = ROOT / "bench" / "results"
TIMEOUT_S = 300

DEFAULT_RATIO_TARGET = 2.0
MAX_BYTES_TARGET = 2_000_000
MAX_SCRIPT_TARGET_S = 0.150

MAX_SIZES = {"features": 1024, "units": 1024, "timesteps": 1000}


@dataclass(frozen=True)
class Case:
    """A starting state and the slider that moves, with the values it moves through."""

    name: str
    script: Path
    start: dict[str, Any]  # widget key → value, set before the first run
    slider: str
    first: int  # values first, first + step, ... (never repeated within a case)
    step: int
    maximum: bool = False  # the maximum-size targets apply

    def values(self, count: int) -> Iterator[int]:
        return (self.first + k * self.step for k in range(count))


CASES = (
    Case("bare app: slider", BARE, {}, "points", 41, 1),
    Case("default Keras LSTM: timesteps", APP, {}, "timesteps", 41, 1),
    Case("default Keras LSTM: units", APP, {}, "units", 3, 1),
    Case("max Keras LSTM: timesteps", APP, MAX_SIZES, "timesteps", 999, -1, maximum=True),
    Case("max Keras LSTM: units", APP, MAX_SIZES, "units", 1023, -1, maximum=True),
    Case("max PyTorch LSTM: timesteps", APP, {"framework": "pytorch", **MAX_SIZES}, "timesteps", 999, -1, True),
    Case("max PyTorch LSTM: units", APP, {"framework": "pytorch", **MAX_SIZES}, "units", 1023, -1, maximum=True),
)


# --- timing the script exec inside AppTest's script thread ---------------------------------


@dataclass
class ScriptClock:
    """Wraps Streamlit's script exec: times it, and optionally profiles it in the script thread."""

    times: list[float] = field(default_factory=list)
    profiler: cProfile.Profile | None = None

    def install(self) -> None:
        # Not in the module's declared exports, but it is the one call that runs the script.
        original = script_runner.exec_func_with_error_handling  # type: ignore[attr-defined]

        def timed(func: Callable[[], Any], ctx: Any) -> Any:
            if self.profiler is not None:
                self.profiler.enable()
            start = time.perf_counter()
            try:
                return original(func, ctx)
            finally:
                self.times.append(time.perf_counter() - start)
                if self.profiler is not None:
                    self.profiler.disable()

        script_runner.exec_func_with_error_handling = timed  # type: ignore[attr-defined]


CLOCK = ScriptClock()


# --- sections: the view's top-level calls, wrapped in timers -------------------------------


@dataclass
class Sections:
    """Time spent in each wrapped call, outermost wrapped call only (no double counting)."""

    totals: dict[str, float] = field(default_factory=dict)
    depth: int = 0
    undo: list[tuple[Any, str, Any]] = field(default_factory=list)

    def wrap(self, owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name, None)
        if original is None or not callable(original):
            return

        def timed(*args: Any, **kwargs: Any) -> Any:
            self.depth += 1
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.depth -= 1
                if self.depth == 0:
                    self.totals[label] = self.totals.get(label, 0.0) + time.perf_counter() - start

        setattr(owner, name, timed)
        self.undo.append((owner, name, original))

    def install(self) -> None:
        from lstmviz.ui import cached, controls, explorer

        for name in ("sidebar", "presentation_toggle", "view_picker"):
            self.wrap(controls, name, f"controls.{name}")
        self.wrap(cached, "heatmap_figure", "cached.heatmap_figure (st.cache_resource)")
        for name, value in list(vars(explorer).items()):
            if callable(value) and getattr(value, "__module__", "").startswith("lstmviz.") and name != "render":
                if not isinstance(value, type):
                    self.wrap(explorer, name, f"explorer: {name}")
        for name in lstmviz.__all__:
            if callable(getattr(lstmviz, name)) and not isinstance(getattr(lstmviz, name), type):
                self.wrap(lstmviz, name, f"lstmviz.{name}")
        for name in (
            "plotly_chart",
            "dataframe",
            "image",
            "download_button",
            "code",
            "latex",
            "markdown",
            "metric",
            "caption",
            "title",
            "subheader",
            "radio",
            "selectbox",
            "number_input",
            "expander",
            "columns",
            "html",
        ):
            self.wrap(st, name, f"st.{name}")

    def uninstall(self) -> None:
        for owner, name, original in reversed(self.undo):
            setattr(owner, name, original)
        self.undo.clear()


# --- running a case ---------------------------------------------------------------------------


def figure_bytes(at: AppTest) -> dict[str, int]:
    """Plotly JSON per chart, named by the chart's first trace type (and its key when it has one)."""
    sizes: dict[str, int] = {}
    for index, element in enumerate(at.get("plotly_chart")):
        spec = element.proto.spec
        kind = "?"
        try:
            data = json.loads(spec).get("data") or [{}]
            kind = str(data[0].get("type", "?"))
        except ValueError:
            pass
        sizes[f"{index}:{kind}"] = len(spec)
    return sizes


def start(case: Case) -> AppTest:
    at = AppTest.from_file(str(case.script), default_timeout=TIMEOUT_S).run()
    for key, value in case.start.items():
        widget = at.radio(key=key) if isinstance(value, str) else at.slider(key=key)
        widget.set_value(value)
    at.run()
    if at.exception:
        raise RuntimeError(f"{case.name}: the app raised {at.exception[0].message}")
    return at


def rerun(at: AppTest, case: Case, value: int) -> tuple[float, float, dict[str, int]]:
    at.slider(key=case.slider).set_value(value)
    CLOCK.times.clear()
    begin = time.perf_counter()
    at.run()
    wall = time.perf_counter() - begin
    if at.exception:
        raise RuntimeError(f"{case.name} at {case.slider}={value}: {at.exception[0].message}")
    return wall, sum(CLOCK.times), figure_bytes(at)


def measure(case: Case, warmup: int, reps: int, offset: int = 0) -> dict[str, Any]:
    """Median rerun and script times after warm-up; values start `offset` steps into the case's range."""
    at = start(case)
    values = list(case.values(offset + warmup + reps))[offset:]
    for value in values[:warmup]:
        rerun(at, case, value)
    walls, scripts, sizes = [], [], []
    for value in values[warmup:]:
        wall, script, figures = rerun(at, case, value)
        walls.append(wall)
        scripts.append(script)
        sizes.append(figures)
    totals = [sum(s.values()) for s in sizes]
    return {
        "case": case.name,
        "slider": case.slider,
        "values": values[warmup:],
        "rerun_s": walls,
        "script_s": scripts,
        "rerun_median_s": statistics.median(walls),
        "script_median_s": statistics.median(scripts),
        "figure_bytes": totals,
        "figure_bytes_max": max(totals),
        "figure_bytes_per_chart": sizes[-1],
    }


def sections(case: Case, warmup: int, reps: int) -> dict[str, float]:
    """Median-free but simple: mean seconds per rerun in each top-level call, instrumented reruns."""
    timers = Sections()
    at = start(case)
    values = list(case.values(2 * (warmup + reps)))[warmup + reps :]  # fresh values: cache misses stay misses
    for value in values[:warmup]:
        rerun(at, case, value)
    timers.install()
    try:
        scripts = []
        for value in values[warmup:]:
            scripts.append(rerun(at, case, value)[1])
    finally:
        timers.uninstall()
    per_rerun = {label: seconds / reps for label, seconds in timers.totals.items()}
    per_rerun["(whole script)"] = sum(scripts) / reps
    return dict(sorted(per_rerun.items(), key=lambda item: -item[1]))


def profile(case: Case, warmup: int, reps: int, lines: int = 25) -> str:
    at = start(case)
    values = list(case.values(3 * (warmup + reps)))[2 * (warmup + reps) :]
    for value in values[:warmup]:
        rerun(at, case, value)
    CLOCK.profiler = cProfile.Profile()
    try:
        for value in values[warmup:]:
            rerun(at, case, value)
    finally:
        profiler, CLOCK.profiler = CLOCK.profiler, None
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(lines)
    return out.getvalue()


# --- report -------------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=7, help="measured reruns per case (median)")
    parser.add_argument("--warmup", type=int, default=2, help="reruns before measuring")
    parser.add_argument("--no-sections", action="store_true", help="skip the per-call breakdown")
    parser.add_argument("--profile", action="store_true", help="add a cProfile listing per app case")
    args = parser.parse_args()

    CLOCK.install()
    started = time.time()
    rows = [measure(case, args.warmup, args.reps) for case in CASES]
    # The bare app again at the end: the floor must not drift while the app cases run (shared machines).
    rows.append({**measure(CASES[0], args.warmup, args.reps, offset=100), "case": "bare app: slider (again)"})
    bare = [r for r in rows if r["case"].startswith("bare app")]
    bare_rerun = statistics.median([t for r in bare for t in r["rerun_s"]])
    bare_script = statistics.median([t for r in bare for t in r["script_s"]])

    print(
        f"\nAppTest reruns after one slider change: median of {args.reps} after {args.warmup} warm-up "
        f"(streamlit {st.__version__}, plotly {plotly.__version__}, {os.cpu_count()} CPUs, "
        f"load {os.getloadavg()[0]:.1f})\n"
    )
    header = f"{'case':34} {'rerun ms':>9} {'script ms':>9} {'× bare':>7} {'figure JSON':>12}  target"
    print(header)
    print("-" * len(header))
    for row in rows:
        row["ratio_rerun"] = row["rerun_median_s"] / bare_rerun
        row["ratio_script"] = row["script_median_s"] / bare_script
        case = next((c for c in CASES if c.name == row["case"]), CASES[0])
        verdicts = []
        if case.script == APP and not case.maximum:
            ok = row["ratio_rerun"] <= DEFAULT_RATIO_TARGET
            verdicts.append(f"≤{DEFAULT_RATIO_TARGET:g}× bare: {'ok' if ok else 'MISSED'}")
            row["target_ratio_ok"] = ok
        if case.maximum:
            ok_bytes = row["figure_bytes_max"] <= MAX_BYTES_TARGET
            ok_time = row["script_median_s"] <= MAX_SCRIPT_TARGET_S
            verdicts.append(f"≤2 MB: {'ok' if ok_bytes else 'MISSED'}, ≤150 ms: {'ok' if ok_time else 'MISSED'}")
            row["target_bytes_ok"], row["target_script_ok"] = ok_bytes, ok_time
        print(
            f"{row['case']:34} {ms(row['rerun_median_s'])} {ms(row['script_median_s'])} "
            f"{row['ratio_rerun']:6.1f}× {row['figure_bytes_max']:>12,}  {'; '.join(verdicts)}"
        )
    print(f"\nbare floor: rerun {ms(bare_rerun).strip()} ms, script {ms(bare_script).strip()} ms")
    print("× bare = app rerun median / bare rerun median (AppTest overhead included in both)")

    breakdown: dict[str, dict[str, float]] = {}
    if not args.no_sections:
        for case in CASES[1:]:
            breakdown[case.name] = sections(case, args.warmup, args.reps)
            print(f"\nWhere the script time goes, {case.name} (ms per rerun, outermost wrapped call):")
            for label, seconds in breakdown[case.name].items():
                if seconds >= 0.0005:
                    print(f"  {ms(seconds)}  {label}")

    profiles: dict[str, str] = {}
    if args.profile:
        for case in CASES[1:]:
            profiles[case.name] = profile(case, args.warmup, args.reps)
            print(f"\ncProfile, {case.name} ({args.reps} reruns, cumulative):")
            print(profiles[case.name])

    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "bench_app.json"
    out.write_text(
        json.dumps(
            {
                "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
                "seconds": round(time.time() - started, 1),
                "python": platform.python_version(),
                "platform": platform.platform(),
                "cpus": os.cpu_count(),
                "load_average": os.getloadavg(),
                "streamlit": st.__version__,
                "plotly": plotly.__version__,
                "reps": args.reps,
                "warmup": args.warmup,
                "targets": {
                    "default_ratio_max": DEFAULT_RATIO_TARGET,
                    "max_figure_bytes": MAX_BYTES_TARGET,
                    "max_script_s": MAX_SCRIPT_TARGET_S,
                },
                "cases": [asdict(c) | {"script": str(c.script.relative_to(ROOT))} for c in CASES],
                "bare_rerun_median_s": bare_rerun,
                "bare_script_median_s": bare_script,
                "results": rows,
                "sections_s_per_rerun": breakdown,
                "profiles": profiles,
            },
            indent=2,
        )
    )
    print(f"\nwrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
