"""The live headline in a real browser: the numbers follow the units slider on every frame of a drag,
held arrow keys and typing, before release, and every number shown is the core's own.

Each animation frame (requestAnimationFrame) records the thumb's value and the headline's texts; the
test then checks every recorded frame against lstmviz (count_params, the report's formula and tensor
split) at that frame's size.
"""

from __future__ import annotations

from typing import Any

import pytest

import lstmviz
from lstmviz import RecurrentSpec
from lstmviz.summary import tensor_sum
from tests.e2e.test_explorer import METRIC, open_app, settle, total

pytestmark = pytest.mark.e2e
MOVES = 60  # pointer moves in a drag

# Runs in the page: on every animation frame, what the units slider holds and what the headline shows.
SAMPLER_JS = """() => {
    const frames = window.__frames = [];
    const text = (s) => document.querySelector(s)?.textContent ?? null;
    const tick = () => {
        frames.push({t: performance.now(),
                     units: Number(document.querySelector(".st-key-units input[type='range']").value),
                     typed: document.querySelector("[class*='st-key-units_exact_'] input").value,
                     total: text("[data-testid='stMetricValue']"), formula: text(".lv-formula"),
                     split: text(".lv-split")});
        if (!window.__stop) requestAnimationFrame(tick);
    };
    window.__stop = false;
    requestAnimationFrame(tick);
}"""


def start_sampling(page: Any) -> None:
    page.evaluate(SAMPLER_JS)


def stop_sampling(page: Any) -> list[dict[str, Any]]:
    return list(page.evaluate("() => { window.__stop = true; return window.__frames; }"))


def check_frames(frames: list[dict[str, Any]], units_of: Any, base: RecurrentSpec) -> set[str]:
    """Every frame's texts are the core's at that frame's size; returns the distinct totals."""
    for frame in frames:
        spec = RecurrentSpec(**{**base.as_dict(), "units": units_of(frame)})
        report = lstmviz.build_report(spec)
        assert frame["total"] == f"{lstmviz.count_params(spec):,}", frame
        assert frame["formula"] == report.formula.substituted, frame
        assert frame["split"] == tensor_sum(report.layers[0]), frame
    return {f["total"] for f in frames}


def drag_thumb(page: Any, pixels: int, steps: int, pause_ms: int) -> None:
    """Press on the units thumb and move it right in steps, without letting go."""
    thumb = page.locator(".st-key-units [data-testid='stSliderThumbValue']").locator("..").bounding_box()
    x, y = thumb["x"] + thumb["width"] / 2, thumb["y"] + thumb["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for k in range(1, steps + 1):
        page.mouse.move(x + pixels * k / steps, y)
        if pause_ms:
            page.wait_for_timeout(pause_ms)


@pytest.mark.parametrize(
    "spec",
    [RecurrentSpec(), RecurrentSpec(framework="pytorch", cell="gru", layers=2, bidirectional=True, features=40)],
    ids=["keras-lstm", "pytorch-gru-2-bi"],
)
def test_a_drag_shows_the_cores_count_on_every_frame_before_release(
    page: Any, explorer: Any, spec: RecurrentSpec
) -> None:
    query = (
        ""
        if spec == RecurrentSpec()
        else (
            f"?framework={spec.framework}&cell={spec.cell}&layers={spec.layers}&bidirectional=true&features={spec.features}"
        )
    )
    open_app(page, explorer, query)
    start_sampling(page)
    drag_thumb(page, pixels=160, steps=MOVES, pause_ms=0)
    frames = stop_sampling(page)
    page.mouse.up()
    # The drag: from the first frame whose thumb moved to the last frame before the release.
    moved = [k for k, f in enumerate(frames) if f["units"] != frames[0]["units"]]
    during = frames[moved[0] - 1 :]
    seconds = (during[-1]["t"] - during[0]["t"]) / 1000
    totals = check_frames(during, lambda f: f["units"], spec)
    # Every thumb value the drag passed through was shown, and at least one new total per 50 ms of drag
    # (or per move, when a loaded machine delivers fewer than 20 moves a second).
    values = {f["units"] for f in during}
    print(f"drag: {len(totals)} distinct totals, {len(values)} thumb values, {seconds * 1000:.0f} ms")
    assert len(totals) == len(values)
    assert len(totals) >= min(seconds / 0.05, MOVES), f"{len(totals)} distinct totals in {seconds:.2f} s"
    settle(page)
    final = int(page.evaluate("() => document.querySelector(\".st-key-units input[type='range']\").value"))
    assert total(page) == lstmviz.count_params(RecurrentSpec(**{**spec.as_dict(), "units": final}))


def test_held_arrow_keys_and_typing_update_the_total_before_release(page: Any, explorer: Any) -> None:
    open_app(page, explorer)
    thumb = page.locator(".st-key-units input[type='range']")
    thumb.focus()
    start_sampling(page)
    for _ in range(12):  # a held key: repeated keydowns, one keyup at the end
        page.keyboard.down("ArrowRight")
        page.wait_for_timeout(30)
    frames = stop_sampling(page)
    page.keyboard.up("ArrowRight")
    totals = check_frames(frames, lambda f: f["units"], RecurrentSpec())
    assert len(totals) >= 6, totals
    # Once the reruns have caught up, the slider stays where the keys left it (a race once moved it back).
    held = int(thumb.input_value())
    page.wait_for_timeout(1500)
    settle(page)
    assert int(thumb.input_value()) == held
    assert total(page) == lstmviz.count_params(RecurrentSpec(units=held))
    # Typing an exact value: the total follows each keystroke, before Enter.
    box = page.locator("[class*='st-key-units_exact_'] input")
    box.click()
    box.fill("")
    start_sampling(page)
    box.press_sequentially("300", delay=60)
    page.wait_for_timeout(100)
    frames = stop_sampling(page)
    typed = [f for f in frames if f["typed"]]
    check_frames(typed, lambda f: int(f["typed"]), RecurrentSpec())
    assert typed[-1]["total"] == f"{lstmviz.count_params(RecurrentSpec(units=300)):,}"
    box.press("Enter")
    settle(page)
    page.wait_for_function(
        f"() => document.querySelector(\"{METRIC}\").innerText === '{lstmviz.count_params(RecurrentSpec(units=300)):,}'"
    )


def test_on_a_phone_the_total_stays_on_screen_while_the_sidebar_moves_a_size(explorer: Any) -> None:
    # The phone layout is chosen by width (Chromium's mobile emulation leaves the slider deaf to keys).
    context = explorer.browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        open_app(page, explorer)
        bar = page.locator(".lv-sticky")
        assert not bar.is_visible()  # the headline itself is on screen
        page.locator("[data-testid='stExpandSidebarButton']").click()
        page.wait_for_function("() => document.querySelector('[data-testid=stSidebar]').dataset.collapsed === 'false'")
        thumb = page.locator(".st-key-units input[type='range']")
        thumb.focus()
        for _ in range(5):
            page.keyboard.press("ArrowRight")
        units = int(thumb.input_value())
        assert units > RecurrentSpec().units
        expected = f"{lstmviz.count_params(RecurrentSpec(units=units)):,}"
        box = bar.bounding_box()
        assert bar.is_visible() and box is not None and box["y"] + box["height"] <= 844
        page.wait_for_function(
            "(want) => document.querySelector('.lv-sticky-value').innerText === want", arg=expected, timeout=2000
        )
    finally:
        context.close()
