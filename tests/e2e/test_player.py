"""The run-through-time player in a real browser: one t for the strip, the cell, the live values, the
equations, the slider and the whole-pass figure; Play runs without the server; steps reach the URL.

Expected values come from the core (lstmviz.forward on the same input), never typed by hand. No timing
asserts: waits are generous and every check reads one consistent snapshot of the page.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from test_explorer import assert_no_exception, settle

from lstmviz import RecurrentSpec
from lstmviz.forward import forward
from lstmviz.inputs import sine_waves
from lstmviz.weights import init_weights

pytestmark = pytest.mark.e2e

# Everything that shows t, read at one instant: the player's slider and label, the strip's current
# cell, the cell diagram's heading, the live table's heading, and the whole-pass figure's markers.
SNAPSHOT_JS = """() => {
    const host = [...document.querySelectorAll('.st-key-player *')].find(e => e.shadowRoot);
    const root = host && host.shadowRoot.querySelector('.lv');
    if (!root || !root.dataset.t) return null;
    const current = root.querySelector('.lv-strip rect[data-current="true"]');
    const plot = document.querySelector('.st-key-through_time .js-plotly-plot');
    const markers = plot && plot._fullData
        ? plot._fullData.filter(t => t.meta === 'step').map(t => t.x[0]) : [];
    return {
        root: +root.dataset.t,
        slider: +root.querySelector('input[type=range]').value,
        strip: current ? +current.parentElement.dataset.t : null,
        cell: +root.querySelector('.lv-cell').dataset.t,
        live: +root.querySelector('.lv-live').dataset.t,
        markers: [...new Set(markers)],
        playing: root.dataset.playing === 'true',
        firstValue: root.querySelector('.lv-live td:not(.lv-name) .lv-v').textContent,
        equation: root.querySelector('.lv-eq').textContent,
        svgs: root.querySelectorAll('.lv-cell svg').length,
    };
}"""


def snapshot(page: Any) -> dict[str, Any]:
    return dict(page.evaluate(SNAPSHOT_JS))


def open_player(page: Any, explorer: Any, query: str) -> None:
    page.goto(f"{explorer.url}/?view=through+time{query}", wait_until="domcontentloaded")
    ready = f"() => {{ const s = ({SNAPSHOT_JS})(); return s && s.markers.length > 0; }}"
    page.wait_for_function(ready, timeout=60_000)
    settle(page)


def in_step(shot: dict[str, Any], t: int) -> bool:
    parts = (shot["root"], shot["slider"], shot["strip"], shot["cell"], shot["live"])
    return all(part == t for part in parts) and shot["markers"] == [t]


def test_a_link_opens_the_player_at_its_step_with_the_core_values(page: Any, explorer: Any) -> None:
    open_player(page, explorer, "&t=7")
    page.wait_for_function(f"() => ({SNAPSHOT_JS})().markers[0] === 7")
    shot = snapshot(page)
    assert in_step(shot, 7), shot
    assert shot["svgs"] == 1
    spec = RecurrentSpec()
    expected = forward(spec, init_weights(spec, seed=0), sine_waves(1, spec.timesteps, spec.features, seed=0))
    value = float(expected.gates[(0, "forward")]["i"][0, 6, 0])
    assert shot["firstValue"] == f"{value:.2f}".replace("-", "−")
    assert shot["equation"].startswith("i_t = σ(")
    assert_no_exception(page, explorer)


def test_play_keeps_strip_diagram_slider_and_figure_on_one_t_without_the_server(page: Any, explorer: Any) -> None:
    received: list[int] = []
    open_player(page, explorer, "&t=30")
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: received.append(len(payload))))
    page.get_by_role("combobox", name="Speed").select_option("4")
    page.get_by_role("button", name="▶ Play").click()
    seen = set()
    for _ in range(40):  # snapshots while it plays: every one agrees with itself
        shot = snapshot(page)
        if not shot["playing"]:
            break
        # The markers move right after the other parts, in the same tick; allow the frame in between.
        assert shot["root"] == shot["slider"] == shot["strip"] == shot["cell"] == shot["live"], shot
        seen.add(shot["root"])
        page.wait_for_timeout(60)
    page.wait_for_function(f"() => !({SNAPSHOT_JS})().playing", timeout=60_000)
    steps = RecurrentSpec().timesteps
    page.wait_for_function(f"() => ({SNAPSHOT_JS})().markers[0] === {steps}")
    assert in_step(snapshot(page), steps)  # one pass, then it stops at the last step
    assert len(seen) >= 2, seen
    assert not received  # the server sent nothing while it played
    page.wait_for_function(f"() => new URLSearchParams(location.search).get('t') === '{steps}'", timeout=30_000)
    assert_no_exception(page, explorer)


def test_step_buttons_the_slider_and_a_strip_click_move_every_part_and_the_url(page: Any, explorer: Any) -> None:
    open_player(page, explorer, "&t=3")
    page.get_by_role("button", name="Step forward").click()
    page.get_by_role("button", name="Step forward").click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('t') === '5'", timeout=30_000)
    page.wait_for_function(f"() => ({SNAPSHOT_JS})().markers[0] === 5")
    assert in_step(snapshot(page), 5)
    page.get_by_role("button", name="Step back").click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('t') === '4'", timeout=30_000)
    settle(page)
    slider = page.get_by_role("slider", name="Timestep t")
    slider.focus()
    slider.press("End")
    steps = RecurrentSpec().timesteps
    page.wait_for_function(f"() => new URLSearchParams(location.search).get('t') === '{steps}'", timeout=30_000)
    page.wait_for_function(f"() => ({SNAPSHOT_JS})().markers[0] === {steps}")
    assert in_step(snapshot(page), steps)
    page.locator(".lv-strip [data-t='1']").click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('t') === '1'", timeout=30_000)
    page.wait_for_function(f"() => ({SNAPSHOT_JS})().markers[0] === 1")
    assert in_step(snapshot(page), 1)
    assert_no_exception(page, explorer)


def test_your_own_tokens_run_and_bad_ones_get_one_line(page: Any, explorer: Any) -> None:
    open_player(page, explorer, "&features=10&input_kind=your+tokens")
    box = page.get_by_label("Your sequence", exact=False)
    box.fill("1 2 3")
    box.press("Enter")
    page.wait_for_function("""() => { const host = [...document.querySelectorAll('.st-key-player *')]
        .find(e => e.shadowRoot); return host && host.shadowRoot.querySelector('.lv-now').textContent
        .endsWith('of 3'); }""", timeout=30_000)
    box.fill("1 2 99")
    box.press("Enter")
    page.get_by_text("Not run: '99' is not a token id 0 … 9").wait_for()
    assert_no_exception(page, explorer)


def test_values_shown_agree_with_numpy(page: Any, explorer: Any) -> None:
    """The table's first hidden-state value at t = 40 is the core's, to two decimals."""
    open_player(page, explorer, "&t=40")
    text = page.evaluate(
        """() => { const host = [...document.querySelectorAll('.st-key-player *')].find(e => e.shadowRoot);
            const rows = [...host.shadowRoot.querySelectorAll('.lv-live tr')];
            const h = rows.find(r => r.textContent.startsWith('hidden state'));
            return h.querySelector('td:not(.lv-name) .lv-v').textContent; }"""
    )
    spec = RecurrentSpec()
    expected = forward(spec, init_weights(spec, seed=0), sine_waves(1, spec.timesteps, spec.features, seed=0))
    assert text == f"{float(np.asarray(expected.h_t[(0, 'forward')])[0, 39, 0]):.2f}".replace("-", "−")
