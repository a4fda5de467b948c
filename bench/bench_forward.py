"""Benchmark lstmviz.forward against torch.nn.LSTM on CPU (a script, not a test).

Usage: python bench/bench_forward.py [--repeats 9] [--timesteps 200] [--size 256] [--out PATH]

Both run the same float32 LSTM (x = h = 256, T = 200) on the same weights and inputs, at
batch 1 and 32, side by side in one process. torch runs under no_grad with as many threads
as NumPy's BLAS uses, so neither side gets more cores. Each timing is the median of several
repeats, the two sides interleaved so drift hits both; the ratio of the minimums is printed too, as it is less
sensitive to other load. forward() is timed whole: weight checks,
the input projection, the loop and the recorded gate trace. Targets: within 1.5x of PyTorch
at batch 32, 5x at batch 1. Results go to bench/results/bench_forward.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from lstmviz.forward import forward  # noqa: E402
from lstmviz.inputs import random_inputs  # noqa: E402
from lstmviz.spec import RecurrentSpec  # noqa: E402
from lstmviz.weights import init_weights  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "bench_forward.json"
BATCHES = (1, 32)
TARGETS = {1: 5.0, 32: 1.5}


def numpy_threads() -> tuple[int, str]:
    """Threads NumPy's BLAS uses, and how we know."""
    try:
        from threadpoolctl import threadpool_info

        blas = [p for p in threadpool_info() if p.get("user_api") == "blas"]
        if blas:
            return int(blas[0]["num_threads"]), f"threadpoolctl ({blas[0].get('internal_api')})"
    except ImportError:
        pass
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        if os.environ.get(var, "").isdigit():
            return int(os.environ[var]), f"${var}"
    # OpenBLAS and MKL default to one thread per usable core.
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cores, "usable cores (BLAS default; threadpoolctl not installed)"


def timings(fn: Callable[[], object], repeats: int) -> list[float]:
    """Wall-clock seconds of each call."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print a table and write the JSON results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--timesteps", type=int, default=200)
    parser.add_argument("--size", type=int, default=256, help="input size x and units h")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    import torch

    threads, source = numpy_threads()
    torch.set_num_threads(threads)
    n_size, t_len = args.size, args.timesteps
    spec = RecurrentSpec(framework="pytorch", cell="lstm", features=n_size, units=n_size, timesteps=t_len)
    weights = init_weights(spec, seed=0)
    module = torch.nn.LSTM(n_size, n_size, batch_first=True)
    with torch.no_grad():
        for name, param in module.named_parameters():
            param.copy_(torch.from_numpy(weights[name]))

    print(f"LSTM x = h = {n_size}, T = {t_len}, float32; threads: {threads} for both (numpy: {source})")
    print(f"{'batch':>5}  {'lstmviz ms':>11}  {'torch ms':>9}  {'ratio':>6}  {'min ratio':>10}  {'target':>6}")
    rows: list[dict[str, Any]] = []
    for batch in BATCHES:
        x = random_inputs(batch, t_len, n_size, seed=batch)
        x_torch = torch.from_numpy(x)

        def run_ours(x: np.ndarray = x) -> object:
            return forward(spec, weights, x)

        def run_torch(x_torch: torch.Tensor = x_torch) -> object:
            with torch.no_grad():
                return module(x_torch)

        gap = float(np.abs(forward(spec, weights, x).outputs - module(x_torch)[0].detach().numpy()).max())
        ours: list[float] = []
        theirs: list[float] = []
        timings(run_ours, 2)  # warm-up: BLAS thread pools, allocator, oneDNN primitives
        timings(run_torch, 2)
        for _ in range(args.repeats):  # interleaved, so drift hits both sides alike
            ours += timings(run_ours, 1)
            theirs += timings(run_torch, 1)
        ms_ours, ms_torch = 1e3 * statistics.median(ours), 1e3 * statistics.median(theirs)
        ratio = ms_ours / ms_torch
        best = min(ours) / min(theirs)  # less sensitive to other load on the machine
        print(f"{batch:>5}  {ms_ours:>11.2f}  {ms_torch:>9.2f}  {ratio:>5.2f}x  {best:>9.2f}x  {TARGETS[batch]:>5.1f}x")
        rows.append(
            {
                "batch": batch,
                "lstmviz_ms": round(ms_ours, 3),
                "torch_ms": round(ms_torch, 3),
                "ratio": round(ratio, 3),
                "ratio_of_minimums": round(best, 3),
                "lstmviz_min_ms": round(1e3 * min(ours), 3),
                "torch_min_ms": round(1e3 * min(theirs), 3),
                "target_ratio": TARGETS[batch],
                "max_abs_difference": gap,
                "repeats": args.repeats,
            }
        )

    result = {
        "benchmark": "lstmviz.forward vs torch.nn.LSTM (CPU, no_grad)",
        "timesteps": t_len,
        "input_size": n_size,
        "units": n_size,
        "dtype": "float32",
        "threads": threads,
        "numpy_threads_source": source,
        "versions": {"numpy": np.__version__, "torch": torch.__version__, "python": platform.python_version()},
        "machine": platform.machine(),
        "load_average_1min": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "processor": platform.processor(),
        "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
