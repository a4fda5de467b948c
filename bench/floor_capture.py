"""Capture what lstmviz sends for each size the browser benchmark visits, for bench/floor_app.py to replay.

Usage: python bench/floor_capture.py OUT.pickle

Runs app.py under AppTest (in this process, never in a server's) at ?features=F&units=U for every size
in SIZES and keeps, per size, every delta message the run produced (sidebar and main, in order).
Written once per benchmark run.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The sizes bench_browser.py presses through: ArrowRight on units from the default and from the max case.
SIZES = [(3, u) for u in range(2, 16)] + [(1024, u) for u in range(1000, 1014)]


def capture(features: int, units: int) -> dict[str, Any]:
    """One run's delta messages (serialized), at these sizes."""
    from streamlit.testing.v1 import AppTest, local_script_runner

    seen: list[Any] = []
    original = local_script_runner.parse_tree_from_messages  # type: ignore[attr-defined]

    def keep(messages: list[Any]) -> Any:
        seen[:] = list(messages)
        return original(messages)

    local_script_runner.parse_tree_from_messages = keep  # type: ignore[attr-defined]
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.query_params.update({"features": str(features), "units": str(units)})
        at.run()
        if at.exception:
            raise RuntimeError(f"features={features} units={units}: {at.exception[0].message}")
        deltas = [m.SerializeToString() for m in seen if m.WhichOneof("type") == "delta"]
        # Media files would be URLs into AppTest's own storage; lstmviz sends its diagram inline (a data URL).
        if any(b"/mock/media/" in d for d in deltas):
            raise RuntimeError("this run refers to media files, which a replay cannot serve")
        return {"deltas": deltas}
    finally:
        local_script_runner.parse_tree_from_messages = original  # type: ignore[attr-defined]


def main() -> int:
    out = Path(sys.argv[1])
    sys.path.insert(0, str(ROOT))
    import os

    os.chdir(ROOT)
    captured = {size: capture(*size) for size in SIZES}
    out.write_bytes(pickle.dumps(captured))
    print(f"captured {len(captured)} sizes into {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
