"""Benchmark (not a test): lstmviz's count vs building the real layer to count it.

Usage: python bench/bench_count.py [--repeat N]

For each spec, times lstmviz.count_params and lstmviz.breakdown against building the Keras 3
model (torch backend) and calling model.count_params(), and against constructing the PyTorch
module and summing numel. Prints medians per call and ratios (framework time / lstmviz time), and
writes the numbers to bench/results/ (gitignored).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import timeit
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ["KERAS_BACKEND"] = "torch"  # before keras is imported

import keras  # noqa: E402
import torch  # noqa: E402

import lstmviz  # noqa: E402
from lstmviz.spec import RecurrentSpec  # noqa: E402
from tools.make_golden import build_keras, build_torch  # noqa: E402

RESULTS = ROOT / "bench" / "results"

SPECS: tuple[tuple[str, RecurrentSpec], ...] = (
    ("seed x=3 h=2 T=40", RecurrentSpec(cell="lstm", features=3, units=2, timesteps=40)),
    (
        "x=h=256 2 layers bidirectional",
        RecurrentSpec(cell="lstm", features=256, units=256, timesteps=40, layers=2, bidirectional=True),
    ),
    ("x=h=1024", RecurrentSpec(cell="lstm", features=1024, units=1024, timesteps=40)),
)


def keras_count(spec: RecurrentSpec) -> int:
    """Build the Keras Sequential model of the spec (as the golden file does) and ask it for its count."""
    keras.backend.clear_session()
    return int(build_keras(spec, keras, explicit_names=False).count_params())


def torch_count(spec: RecurrentSpec) -> int:
    """Construct the PyTorch module of the spec (as the golden file does) and sum its parameters' numel."""
    return int(sum(p.numel() for p in build_torch(spec, torch).parameters()))


def median_seconds(func: Callable[[], object], repeat: int, min_time: float) -> tuple[float, int]:
    """Median seconds per call over `repeat` rounds, each looping enough calls to last ≥ min_time."""
    timer = timeit.Timer(func)
    number = 1
    while True:
        if timer.timeit(number) >= min_time:
            break
        number *= 2
    rounds = timer.repeat(repeat=repeat, number=number)
    return statistics.median(r / number for r in rounds), number


def _fmt(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def run(repeat: int, min_time: float) -> dict[str, Any]:
    rows = []
    for label, spec in SPECS:
        keras_spec, torch_spec = spec, replace(spec, framework="pytorch")
        # Same answer before timing: the benchmark compares equal work.
        assert lstmviz.count_params(keras_spec) == keras_count(keras_spec), label
        assert lstmviz.count_params(torch_spec) == torch_count(torch_spec), label
        times = {
            "lstmviz_count_keras": median_seconds(partial(lstmviz.count_params, keras_spec), repeat, min_time),
            "lstmviz_breakdown_keras": median_seconds(partial(lstmviz.breakdown, keras_spec), repeat, min_time),
            "lstmviz_count_pytorch": median_seconds(partial(lstmviz.count_params, torch_spec), repeat, min_time),
            "keras_build_count": median_seconds(partial(keras_count, keras_spec), repeat, min_time),
            "torch_build_count": median_seconds(partial(torch_count, torch_spec), repeat, min_time),
        }
        medians = {k: v[0] for k, v in times.items()}
        rows.append(
            {
                "label": label,
                "spec": spec.as_dict(),
                "params": {"keras": lstmviz.count_params(keras_spec), "pytorch": lstmviz.count_params(torch_spec)},
                "median_seconds": medians,
                "loops_per_round": {k: v[1] for k, v in times.items()},
                "ratios": {
                    "keras / lstmviz count": medians["keras_build_count"] / medians["lstmviz_count_keras"],
                    "keras / lstmviz breakdown": medians["keras_build_count"] / medians["lstmviz_breakdown_keras"],
                    "torch / lstmviz count": medians["torch_build_count"] / medians["lstmviz_count_pytorch"],
                },
            }
        )
    return {
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "repeat": repeat,
        "min_time_per_round": min_time,
        "versions": {
            "python": platform.python_version(),
            "keras": keras.__version__,
            "keras_backend": keras.backend.backend(),
            "torch": torch.__version__,
            "torch_threads": torch.get_num_threads(),
        },
        "machine": platform.platform(),
        "rows": rows,
    }


def table(result: dict[str, Any]) -> str:
    head = (
        f"{'spec':32} {'lstmviz count':>13} {'breakdown':>10} {'keras build':>12} {'torch build':>12}"
        f" {'keras/count':>12} {'keras/bkdn':>11} {'torch/count':>12}"
    )
    lines = [head, "-" * len(head)]
    for row in result["rows"]:
        m, r = row["median_seconds"], row["ratios"]
        lines.append(
            f"{row['label']:32} {_fmt(m['lstmviz_count_keras']):>13} {_fmt(m['lstmviz_breakdown_keras']):>10}"
            f" {_fmt(m['keras_build_count']):>12} {_fmt(m['torch_build_count']):>12}"
            f" {r['keras / lstmviz count']:>11,.0f}x {r['keras / lstmviz breakdown']:>10,.0f}x"
            f" {r['torch / lstmviz count']:>11,.0f}x"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timing rounds per measurement (median reported)")
    parser.add_argument("--min-time", type=float, default=0.2, help="seconds each round lasts at least")
    parser.add_argument("--out", type=Path, default=RESULTS / "bench_count.json")
    args = parser.parse_args(argv)
    result = run(args.repeat, args.min_time)
    print(table(result))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nmedian per call over {args.repeat} rounds; wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
