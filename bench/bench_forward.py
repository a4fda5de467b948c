"""Benchmark lstmviz.forward against torch.nn.LSTM on CPU (a script, not a test).

Usage: python bench/bench_forward.py [--repeats 15] [--timesteps 200] [--size 256]
                                     [--threads N] [--openblas-coretype NAME] [--out PATH]

Both run the same float32 LSTM (x = h = 256, T = 200) on the same weights and inputs, at
batch 1 and 32, side by side in one process. torch runs under no_grad with as many threads
as NumPy's BLAS uses (torch.set_num_threads), so neither side gets more cores. forward() is
timed whole: weight checks, the input projection, the loop and the recorded gate trace.

Timing: each side runs in blocks of back-to-back calls, after one untimed call, and the
blocks alternate (ours, torch, ours, ...) so drift in the machine's load hits both. Calls
are not interleaved one by one: OpenBLAS and torch's OpenMP threads spin for a while after
a call and steal the other side's cores; nor paused: on this VM an idle pause made torch's
woken threads stall up to 100 ms. Reported: medians of all timed calls (the headline ratio)
and minimums (less sensitive to other load).

NumPy's bundled OpenBLAS picks its kernels from the CPU or from $OPENBLAS_CORETYPE (one dev
sandbox sets Haswell: AVX2 only) while torch's oneDNN uses AVX-512 where the CPU has it. The
kernel in use is printed and recorded; --openblas-coretype (e.g. SkylakeX) sets
OPENBLAS_CORETYPE and re-runs the script. --threads N sets OPENBLAS_NUM_THREADS likewise.
Targets: within 1.5x of PyTorch at batch 32, 5x at batch 1.
Results go to bench/results/bench_forward.json.
"""

from __future__ import annotations

import argparse
import ctypes
import glob
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
ROUNDS = 3  # alternating blocks per side


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


def openblas_core() -> str:
    """The kernel family NumPy's bundled OpenBLAS chose (best effort), e.g. Haswell or SkylakeX."""
    libs = glob.glob(str(Path(np.__file__).parent.parent / "numpy.libs" / "*openblas*"))
    for path in libs:
        lib = ctypes.CDLL(path)
        for name in ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename", "openblas_get_corename"):
            if hasattr(lib, name):
                fn = getattr(lib, name)
                fn.restype = ctypes.c_char_p
                return str(fn().decode())
    return "unknown"


def time_block(fn: Callable[[], object], calls: int) -> list[float]:
    """Seconds of each of `calls` back-to-back calls, after one untimed call to wake the threads."""
    fn()
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def _blocks(repeats: int) -> list[int]:
    """Split `repeats` timed calls into ROUNDS blocks."""
    return [len(part) for part in np.array_split(np.arange(repeats), ROUNDS) if len(part)]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print a table and write the JSON results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--timesteps", type=int, default=200)
    parser.add_argument("--size", type=int, default=256, help="input size x and units h")
    parser.add_argument("--openblas-coretype", help="set OPENBLAS_CORETYPE (e.g. SkylakeX) and re-run")
    parser.add_argument("--threads", type=int, help="set OPENBLAS_NUM_THREADS and re-run (torch follows)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    wanted = {"OPENBLAS_CORETYPE": args.openblas_coretype, "OPENBLAS_NUM_THREADS": args.threads and str(args.threads)}
    wanted = {k: v for k, v in wanted.items() if v and os.environ.get(k) != v}
    if wanted:
        # OpenBLAS reads these when NumPy loads it, so only a fresh process can apply them.
        os.environ.update(wanted)
        os.execv(sys.executable, [sys.executable, __file__, *(sys.argv[1:] if argv is None else argv)])

    import torch

    threads, source = numpy_threads()
    torch.set_num_threads(threads)
    core = openblas_core()
    n_size, t_len = args.size, args.timesteps
    spec = RecurrentSpec(framework="pytorch", cell="lstm", features=n_size, units=n_size, timesteps=t_len)
    weights = init_weights(spec, seed=0)
    module = torch.nn.LSTM(n_size, n_size, batch_first=True)
    with torch.no_grad():
        for name, param in module.named_parameters():
            param.copy_(torch.from_numpy(weights[name]))

    print(f"LSTM x = h = {n_size}, T = {t_len}, float32, {args.repeats} repeats")
    print(f"threads: {threads} for both (numpy: {source}); OpenBLAS kernels: {core}; torch {torch.__version__}")
    header = ("batch", "lstmviz ms", "torch ms", "ratio", "min ms", "min ratio", "target")
    print("  ".join(f"{h:>{w}}" for h, w in zip(header, (5, 10, 9, 6, 13, 9, 6), strict=True)))
    rows: list[dict[str, Any]] = []
    for batch in BATCHES:
        x = random_inputs(batch, t_len, n_size, seed=batch)
        x_torch = torch.from_numpy(x)

        def run_ours(x: np.ndarray = x) -> object:
            return forward(spec, weights, x)

        def run_torch(x_torch: torch.Tensor = x_torch) -> object:
            with torch.no_grad():
                return module(x_torch)

        with torch.no_grad():
            gap = float(np.abs(forward(spec, weights, x).outputs - module(x_torch)[0].numpy()).max())
        for _ in range(2):  # warm-up: thread pools, allocator, oneDNN primitives
            run_ours(), run_torch()
        ours, theirs = [], []
        for calls in _blocks(args.repeats):
            ours += time_block(run_ours, calls)
            theirs += time_block(run_torch, calls)
        med_ours, med_torch = 1e3 * statistics.median(ours), 1e3 * statistics.median(theirs)
        min_ours, min_torch = 1e3 * min(ours), 1e3 * min(theirs)
        ratio, min_ratio = med_ours / med_torch, min_ours / min_torch
        print(
            f"{batch:>5}  {med_ours:>10.2f}  {med_torch:>9.2f}  {ratio:>5.2f}x  {min_ours:>6.2f}/{min_torch:<6.2f}"
            f"  {min_ratio:>8.2f}x  {TARGETS[batch]:>5.1f}x"
        )
        rows.append(
            {
                "batch": batch,
                "lstmviz_median_ms": round(med_ours, 3),
                "torch_median_ms": round(med_torch, 3),
                "ratio": round(ratio, 3),
                "lstmviz_min_ms": round(min_ours, 3),
                "torch_min_ms": round(min_torch, 3),
                "ratio_of_minimums": round(min_ratio, 3),
                "target_ratio": TARGETS[batch],
                "max_abs_difference": gap,
            }
        )

    result = {
        "benchmark": "lstmviz.forward vs torch.nn.LSTM (CPU, no_grad)",
        "timesteps": t_len,
        "input_size": n_size,
        "units": n_size,
        "dtype": "float32",
        "repeats": args.repeats,
        "threads": threads,
        "numpy_threads_source": source,
        "openblas_core": core,
        "openblas_coretype_env": os.environ.get("OPENBLAS_CORETYPE"),
        "versions": {"numpy": np.__version__, "torch": torch.__version__, "python": platform.python_version()},
        "machine": platform.machine(),
        "load_average_1min": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
