"""Browser tests: one Streamlit server and one headless Chromium for the whole session.

They skip when Debian's chromium or Playwright is missing, except under CI (env CI set), where a
missing browser fails: CI must run them. Playwright's own browser downloads are never used.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
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
VIEWPORT = {"width": 1500, "height": 3000}  # Streamlit scrolls inside its main block: a tall page shows it all
SERVER_START_S = 60.0
SERVER_STOP_S = 10.0


def in_ci() -> bool:
    """Whether CI is set (and not to an explicit false), as the oracle tests decide it."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def browser_problem() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"no executable Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as error:
        return f"Playwright for Python is not installed ({error})"
    return None


def require_browser() -> None:
    """Skip on a laptop without the browser; fail under CI, which must run these tests."""
    problem = browser_problem()
    if problem is None:
        return
    if in_ci():
        pytest.fail(f"CI is set but the browser tests cannot run: {problem}", pytrace=False)
    pytest.skip(f"browser tests need Chromium and Playwright: {problem}")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return bool(response.read().strip() == b"ok")
    except OSError:
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server this session started, by its own handle: terminate, then kill."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=SERVER_STOP_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=SERVER_STOP_S)


@dataclass(frozen=True)
class Explorer:
    """The running app and the browser that drives it."""

    url: str
    browser: Any  # playwright.sync_api.Browser
    log: Path

    def server_log(self) -> str:
        return self.log.read_text(errors="replace")


def start_app(port: int, log: Path, script: str = "app.py", options: tuple[str, ...] = ()) -> subprocess.Popen[bytes]:
    """Start a script (default the app) on 127.0.0.1:port, logging to `log`; RuntimeError if not healthy in time.

    `options` are extra `streamlit run` flags (e.g. "--runner.postScriptGC", "false") for benchmarks.
    """
    command = [sys.executable, "-m", "streamlit", "run", script, "--server.address", "127.0.0.1"]
    command += ["--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    command += ["--server.fileWatcherType", "none", *options]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + SERVER_START_S
    while not _healthy(f"http://127.0.0.1:{port}"):
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process)
            raise RuntimeError(
                f"streamlit did not become healthy within {SERVER_START_S:.0f} s "
                f"(exit code {process.poll()}):\n{log.read_text(errors='replace')[-4000:]}"
            )
        time.sleep(0.25)
    return process


@pytest.fixture(scope="session")
def explorer() -> Iterator[Explorer]:
    require_browser()
    from playwright.sync_api import sync_playwright

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = Path(tempfile.mkdtemp(prefix="lstmviz-e2e-")) / "streamlit.log"
    try:
        process = start_app(port, log)
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                yield Explorer(url, browser, log)
            finally:
                browser.close()
    finally:
        _stop(process)


@pytest.fixture
def harness() -> ModuleType:
    """This module, so tests can exercise the skip/fail gate without importing a conftest by name."""
    return sys.modules[__name__]


@pytest.fixture
def page(explorer: Explorer) -> Iterator[Any]:
    """A fresh browser context per test, so no test sees another's session or URL."""
    context = explorer.browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(30_000)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()
