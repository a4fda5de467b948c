"""Run the code lstmviz prints for every zoo golden case in the frameworks themselves (the oracle venv).

Usage: /work/venv-oracle/bin/python tools/check_zoo_snippets.py
Each snippet builds the layer in its framework and asserts lstmviz's count; a failure prints the case.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lstmviz.zoo import ZooOptions, find_zoo, zoo_count  # noqa: E402
from lstmviz.zoo.snippet import zoo_code  # noqa: E402


def main() -> int:
    """Run every snippet; return the number of failures."""
    cases = json.loads((ROOT / "tests" / "data" / "golden_zoo.json").read_text())["cases"]
    failures, seen = 0, set()
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    for case in cases:
        record = find_zoo(case["layer"])
        optioned = set(case["options"]) - {"features", "units", "kernel_size"}
        if record is None or (record.class_path in seen and not optioned):
            continue  # one plain case per class, and every case with an option
        seen.add(record.class_path)
        options = dict(case["options"])
        if "kernel_size" in options:
            options["kernel_size"] = tuple(options["kernel_size"])
        code = zoo_code(zoo_count(record, ZooOptions(**options)))
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
        status = "ok" if done.returncode == 0 else "FAILED"
        failures += done.returncode != 0
        print(f"{status} {case['id']}", flush=True)
        if done.returncode:
            print(done.stderr[-1500:])
    return failures


if __name__ == "__main__":
    sys.exit(min(main(), 1))
