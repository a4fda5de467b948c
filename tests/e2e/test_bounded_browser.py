"""Four sessions upload the worst files of issue 20 at once while a fifth uses the explorer, in real browsers.

The server's peak resident memory (VmHWM of its process) must stay under 1.5 GB, every upload must
get its one-line outcome, and the fifth session's totals must follow its presses. The fifth's
latency against its idle latency is measured, not asserted, by bench/bench_bounded.py.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_explorer import METRIC, open_app, press_right, settle, total

import lstmviz
from tools.app_runner import free_port, start_app, stop_app
from tools.make_bounded_files import h5_gzip_float64, h5_many_lstms, onnx_empty_dims, zip_big_extras

pytestmark = pytest.mark.e2e

UPLOAD = "[data-testid='stFileUploaderDropzoneInput']"
ERROR = "[data-testid='stAlertContentError']"
PEAK_RSS_LIMIT = 1_500_000_000


def worst_files(where: Path) -> list[tuple[Path, str]]:
    """The heaviest uploads of the corpus at (nearly) the audit's sizes, each with what the page must show."""
    x, h = 3849, 1000
    files = [
        ("gzip_float64.weights.h5", h5_gzip_float64(x, h), f"{4 * h * (x + h + 1):,}"),  # read: 19.4 M parameters
        ("empty_dims.onnx", onnx_empty_dims(31_000_000), "protobuf fields"),  # 62 MB of empty dims
        ("big_extras.keras", zip_big_extras(300), "extra field"),  # 59 MB of extra fields
        ("many_lstms.weights.h5", h5_many_lstms(), f"{500 * 48:,}"),  # read: 500 layers
    ]
    out = []
    for name, data, expected in files:
        path = where / name
        path.write_bytes(data)
        out.append((path, expected))
    return out


def peak_rss(pid: int) -> int:
    """A process's peak resident memory in bytes (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


@pytest.fixture(scope="module")
def own_server() -> Iterator[tuple[str, int]]:
    """A server of its own, so its peak memory is this test's alone."""
    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="lstmviz-bounded-")) / "streamlit.log"
    process = start_app(port, log)
    try:
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        stop_app(process)


class _Server:
    """What open_app needs of the explorer fixture: the URL."""

    def __init__(self, url: str) -> None:
        self.url = url


def explorer_presses(page: Any, presses: int, units: int) -> int:
    """Press ArrowRight on Units h `presses` times; each time the total must become the core's count."""
    for _ in range(presses):
        press_right(page, "Units h")
        units += 1
        expected = lstmviz.count_params(lstmviz.RecurrentSpec(units=units))
        page.wait_for_function(
            f"() => document.querySelector(\"{METRIC}\")?.innerText.replace(/,/g, '') === '{expected}'"
        )
    return units


def test_four_worst_uploads_and_an_explorer_at_once(
    explorer: Any, own_server: tuple[str, int], tmp_path: Path
) -> None:
    url, pid = own_server
    server = _Server(url)
    uploads = worst_files(tmp_path)
    contexts = [explorer.browser.new_context(viewport={"width": 1400, "height": 2000}) for _ in range(5)]
    try:
        pages = [context.new_page() for context in contexts]
        for page in pages:
            page.set_default_timeout(120_000)
        for page in pages[:4]:
            page.goto(f"{url}/?view=inspect", wait_until="domcontentloaded")
            page.wait_for_selector("text=Inspect your own model")
            settle(page)
        fifth = pages[4]
        open_app(fifth, server)
        units = lstmviz.RecurrentSpec().units
        # All four uploads start before the fifth session presses anything.
        for page, (path, _) in zip(pages[:4], uploads, strict=True):
            page.set_input_files(UPLOAD, str(path))
        total_units = explorer_presses(fifth, 5, units)
        assert total(fifth) == lstmviz.count_params(lstmviz.RecurrentSpec(units=total_units))
        for page, (path, expected) in zip(pages[:4], uploads, strict=True):
            if expected[0].isdigit():
                page.wait_for_function(
                    f"() => [...document.querySelectorAll(\"{METRIC}\")].some(m => m.innerText === '{expected}')"
                )
            else:
                page.wait_for_selector(f"{ERROR} >> text={expected}")
                assert page.locator(ERROR).first.inner_text().count("\n") == 0, path.name
            assert not page.locator("[data-testid='stException']").count(), path.name
        peak = peak_rss(pid)
        print(f"server peak RSS {peak / 1e6:.0f} MB")
        assert peak < PEAK_RSS_LIMIT, f"server peak RSS {peak:,} bytes"
    finally:
        for context in contexts:
            context.close()


def test_an_upload_survives_view_changes(page: Any, explorer: Any, tmp_path: Path) -> None:
    path = tmp_path / "many_lstms.weights.h5"
    path.write_bytes(h5_many_lstms(20))
    page.goto(f"{explorer.url}/?view=inspect", wait_until="domcontentloaded")
    page.wait_for_selector("text=Inspect your own model")
    page.set_input_files(UPLOAD, str(path))
    page.wait_for_function(f"() => document.querySelector(\"{METRIC}\")?.innerText === '{20 * 48:,}'")
    settle(page)
    page.get_by_text("explorer", exact=True).first.click()
    page.wait_for_selector("text=How many parameters does this layer have")
    settle(page)
    page.get_by_text("inspect", exact=True).first.click()
    page.wait_for_selector("text=Still open from earlier in this session")
    page.wait_for_function(f"() => document.querySelector(\"{METRIC}\")?.innerText === '{20 * 48:,}'")


def test_a_link_over_streamlits_parameter_limit_gets_a_notice(page: Any, explorer: Any) -> None:
    notice = "[data-lstmviz-query-limit]"
    query = "&".join(f"k{i}=1" for i in range(1000)) + "&units=1000"  # 1,001 fields: all dropped
    page.goto(f"{explorer.url}/?{query}", wait_until="domcontentloaded")
    page.wait_for_selector(f"{notice}:not([hidden])")
    assert "1,001 parameters, more than Streamlit reads (1,000)" in page.locator(notice).inner_text()
    assert total(page) == lstmviz.count_params(lstmviz.RecurrentSpec())  # the defaults, as the notice says
    page.goto(f"{explorer.url}/?units=8", wait_until="domcontentloaded")
    page.wait_for_function(
        f"() => document.querySelector(\"{METRIC}\")?.innerText === "
        f"'{lstmviz.count_params(lstmviz.RecurrentSpec(units=8))}'"
    )
    assert page.locator(f"{notice}:not([hidden])").count() == 0
