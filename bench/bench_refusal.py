"""Benchmark (not a test): how fast init_weights refuses a stack over its budget.

Usage: python bench/bench_refusal.py [--repeat N]

The refusal is decided from the count, so it should cost about one count_params of the same spec
(the reference, timed in the same process), whatever the stack's size: 65536 × 65536 × 16 layers,
bidirectional (1.6 trillion parameters) is refused as fast as 4096 × 4096 (134 million). Also
times init_weights of the largest single layer the explorer draws (12.6 million parameters,
within the budget) to show what the budget bounds. Prints medians and ratios and writes them to
bench/results/ (gitignored).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import lstmviz  # noqa: E402
from lstmviz.spec import RecurrentSpec  # noqa: E402
from lstmviz.weights import init_layer, init_weights  # noqa: E402

RESULTS = ROOT / "bench" / "results"
OVER_BUDGET = (
    ("65536² × 16 layers, bidirectional", RecurrentSpec(features=65_536, units=65_536, layers=16, bidirectional=True)),
    ("4096²", RecurrentSpec(features=4096, units=4096)),
)
# The explorer's largest layer: stacked input 2 × 1024 into 1024 units.
EXPLORER_MAX = RecurrentSpec(features=1024, units=1024, layers=8, bidirectional=True)


def median_s(call: Callable[[], object], repeat: int) -> float:
    """Median wall time of `call` over `repeat` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def refuse(spec: RecurrentSpec) -> None:
    try:
        init_weights(spec)
    except ValueError:
        return
    raise AssertionError(f"{spec} was not refused")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args(argv)
    results = []
    for name, spec in OVER_BUDGET:
        reference = median_s(partial(lstmviz.count_params, spec), args.repeat)
        refusal = median_s(partial(refuse, spec), args.repeat)
        results.append({"spec": name, "count_s": reference, "refusal_s": refusal, "ratio": refusal / reference})
        print(f"{name}: refused in {refusal * 1e3:.2f} ms = {refusal / reference:.2f} × count_params")
    layer = lstmviz.breakdown(EXPLORER_MAX).layer(1)
    drawn = median_s(lambda: init_layer(layer), max(3, args.repeat // 10))
    reference = median_s(lambda: lstmviz.count_params(EXPLORER_MAX), args.repeat)
    ratio = drawn / reference
    print(f"explorer's largest layer ({layer.params:,} parameters): drawn in {drawn:.2f} s = {ratio:,.0f} × count")
    results.append({"spec": "explorer's largest layer", "init_layer_s": drawn, "ratio": drawn / reference})
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "refusal.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
