"""Start and stop the app for browser tests and benches, and the one rule for "running under CI".

Used by tests/e2e/conftest.py, bench/load_check.py and every oracle skip in tests/.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SERVER_START_S = 60.0
SERVER_STOP_S = 10.0


def in_ci() -> bool:
    """Whether CI is set (and not to an explicit false): then oracle and browser tests must run, not skip."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def browser_problem() -> str | None:
    """Why the browser cannot run here, or None."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"no executable Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as error:
        return f"Playwright for Python is not installed ({error})"
    return None


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def healthy(url: str) -> bool:
    """Whether the Streamlit server at `url` answers its health check."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return bool(response.read().strip() == b"ok")
    except OSError:
        return False


def stop_app(process: subprocess.Popen[bytes]) -> None:
    """Stop a server started by start_app, by its own handle: terminate, then kill."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=SERVER_STOP_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=SERVER_STOP_S)


def start_app(
    port: int, log: Path, script: str = "app.py", options: tuple[str, ...] = (), cwd: Path = ROOT
) -> subprocess.Popen[bytes]:
    """Start a script (default the app) on 127.0.0.1:port, logging to `log`; RuntimeError if not healthy in time.

    `options` are extra `streamlit run` flags for benchmarks, e.g. "--runner.postScriptGC=false"; `cwd`
    another checkout of the app (a benchmark comparing versions), whose .streamlit/config.toml applies.
    """
    command = [sys.executable, "-m", "streamlit", "run", script, "--server.address", "127.0.0.1"]
    command += ["--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    command += ["--server.fileWatcherType", "none", *options]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, cwd=cwd, stdout=sink, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + SERVER_START_S
    while not healthy(f"http://127.0.0.1:{port}"):
        if process.poll() is not None or time.monotonic() > deadline:
            stop_app(process)
            raise RuntimeError(
                f"streamlit did not become healthy within {SERVER_START_S:.0f} s "
                f"(exit code {process.poll()}):\n{log.read_text(errors='replace')[-4000:]}"
            )
        time.sleep(0.25)
    return process
