"""Browser tests: one Streamlit server and one headless Chromium for the whole session.

They skip when Debian's chromium or Playwright is missing, except under CI (env CI set), where a
missing browser fails: CI must run them. Playwright's own browser downloads are never used.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tools.app_runner import CHROMIUM, CHROMIUM_ARGS, browser_problem, free_port, in_ci, start_app, stop_app

VIEWPORT = {"width": 1500, "height": 3000}  # Streamlit scrolls inside its main block: a tall page shows it all


def require_browser() -> None:
    """Skip on a laptop without the browser; fail under CI, which must run these tests."""
    problem = browser_problem()
    if problem is None:
        return
    if in_ci():
        pytest.fail(f"CI is set but the browser tests cannot run: {problem}", pytrace=False)
    pytest.skip(f"browser tests need Chromium and Playwright: {problem}")


@dataclass(frozen=True)
class Explorer:
    """The running app and the browser that drives it."""

    url: str
    browser: Any  # playwright.sync_api.Browser
    log: Path

    def server_log(self) -> str:
        return self.log.read_text(errors="replace")


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
        stop_app(process)


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
