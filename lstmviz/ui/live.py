"""The live headline: a Components v2 element that follows the size controls on every animation frame.

The sidebar's size controls stay Streamlit widgets (they keep the URL binding, keyboard access and
the checks of lstmviz.urlvalues). This component draws the total, the substituted formula, the
per-tensor split and the gate bars from `lstmviz.live.headline_data`, and while a size slider is
dragged, moved by held arrow keys, or its exact box typed into, it evaluates the core's polynomials
at the control's current value and redraws before the next paint; the server redraws the charts when
the control is released, as before. It finds the controls by the CSS class Streamlit gives a keyed
widget (`st-key-units`) and reads a slider's range input (watching its `aria-valuetext`): this module is what breaks if
Streamlit changes either.
"""

from __future__ import annotations

from typing import Any, Final

import streamlit as st

from lstmviz.conventions import LAYER_CLASS
from lstmviz.live import headline_data
from lstmviz.report import Report
from lstmviz.spec import convention_of
from lstmviz.style import GATE_COLOURS, GATE_TEXT, INK, MUTED, PART_COLOURS

# Which size variable each sidebar control moves (the keys are the widgets' and the URL's).
CONTROLS: Final = {"features": "x", "units": "h"}

HTML: Final = """<div class="lv-head" role="group" aria-label="Parameter count">
  <div class="lv-total">
    <div data-testid="stMetricLabel" class="lv-label"><p></p></div>
    <div data-testid="stMetricValue" class="lv-value" aria-live="polite"></div>
  </div>
  <div class="lv-text">
    <p><strong>Per layer and direction:</strong> <code class="lv-symbolic"></code></p>
    <p><strong>Here:</strong> <code class="lv-formula"></code></p>
    <p><strong class="lv-where"></strong> <code class="lv-split"></code></p>
    <div class="lv-bars" aria-hidden="true"></div>
    <p class="lv-legend"></p>
    <p class="lv-caption"></p>
  </div>
</div>
<div class="lv-sticky" aria-hidden="true"><span class="lv-sticky-label"></span> <b class="lv-sticky-value"></b></div>"""

CSS: Final = f"""
.lv-head {{ display: flex; gap: 1.5rem; align-items: flex-start; color: {INK}; }}
.lv-total {{ flex: 0 0 25%; }}
.lv-label p {{ font-size: 0.875em; color: {INK}; margin: 0; }}
.lv-value {{ font-size: 2.25em; line-height: 1.2; font-variant-numeric: tabular-nums; }}
.lv-text {{ flex: 1 1 auto; min-width: 0; }}
.lv-text p {{ margin: 0 0 0.25rem 0; }}
.lv-text code {{ font-family: 'Source Code Pro', monospace; font-size: 0.82em; background: #f0f2f6;
  color: {INK}; padding: 0.1em 0.25em; border-radius: 0.25rem; overflow-wrap: anywhere;
  font-variant-numeric: tabular-nums; }}
.lv-caption, .lv-legend {{ font-size: 0.875em; color: {MUTED}; }}
.lv-legend i {{ display: inline-block; width: 0.8em; height: 0.8em; margin: 0 0.25em 0 0.75em;
  vertical-align: -0.05em; border: 1px solid {MUTED}; }}
.lv-bars {{ display: grid; grid-template-columns: max-content 1fr max-content; gap: 2px 0.5rem;
  align-items: center; font-size: 0.85em; margin: 0.35em 0 0 0; max-width: 36em; }}
.lv-bar {{ display: flex; height: 0.8em; }}
.lv-bar span {{ display: block; height: 100%; }}
.lv-bars .lv-n {{ font-variant-numeric: tabular-nums; text-align: right; color: {INK}; }}
.lv-sticky {{ display: none; }}
@media (max-width: 640px) {{
  .lv-head {{ flex-direction: column; gap: 0.5rem; }}
  .lv-total {{ flex: none; }}
  /* On a phone the sidebar covers the page: the total stays on screen in a bar of its own while the
     headline is out of view or the sidebar is open. */
  .lv-sticky.lv-on {{ display: block; position: fixed; left: 0; right: 0; bottom: 0; z-index: 1000100;
    background: #ffffff; color: {INK}; border-top: 2px solid {INK}; padding: 0.4rem 1rem;
    font-size: 1.1rem; font-variant-numeric: tabular-nums; }}
  [data-testid="stSidebarContent"] {{ padding-bottom: 3rem; }}
}}
"""

JS: Final = """
const SLIDER = "input[type='range']";

function evaluate(terms, s) {
  let total = 0;
  for (const [c, a, b, d] of terms) total += c * s.x ** a * s.h ** b * s.p ** d;
  return total;
}

function fill(template, fields, s) {
  return template.replace(/\\{(\\w+)(:,)?\\}/g, (_, name, comma) => {
    const n = evaluate(fields[name], s);
    return comma ? n.toLocaleString("en-US") : String(n);
  });
}

function draw(live) {
  const { data, root, sizes } = live;
  const q = (c) => root.querySelector(c);
  const total = evaluate(data.fields.total, sizes).toLocaleString("en-US");
  q(".lv-value").textContent = total;
  q(".lv-sticky-value").textContent = total;
  q(".lv-formula").textContent = fill(data.formula, data.fields, sizes);
  q(".lv-split").textContent = fill(data.split, data.fields, sizes);
  const parts = data.parts.map((p) => evaluate(data.fields[p.field], sizes));
  const gate = parts.reduce((a, b) => a + b, 0) || 1;
  for (const [k, bar] of root.querySelectorAll(".lv-bar").entries()) {
    bar.querySelectorAll("span").forEach((seg, j) => { seg.style.width = `${(100 * parts[j]) / gate}%`; });
    bar.nextElementSibling.textContent = gate.toLocaleString("en-US");
  }
  live.shown = live.shown + 1;
  window.__lstmvizLive = { total, sizes: { ...sizes }, frames: live.shown };
}

function build(live) {
  const { data, root } = live;
  const q = (c) => root.querySelector(c);
  q(".lv-label p").textContent = data.label;
  q(".lv-legend").replaceChildren(document.createTextNode("Each gate's parameters:"), ...data.parts.flatMap((p) => {
    const swatch = document.createElement("i");
    swatch.style.background = p.colour;
    return [swatch, document.createTextNode(p.name)];
  }));
  q(".lv-sticky-label").textContent = data.label;
  q(".lv-symbolic").textContent = data.symbolic;
  q(".lv-where").textContent = data.where;
  q(".lv-caption").textContent = data.caption;
  const bars = q(".lv-bars");
  bars.replaceChildren();
  for (const g of data.gates) {
    const name = document.createElement("span");
    name.textContent = `${g.symbol} ${g.name}`;
    name.style.color = g.text;
    const bar = document.createElement("div");
    bar.className = "lv-bar";
    bar.style.borderLeft = `4px solid ${g.colour}`;
    for (const p of data.parts) {
      const seg = document.createElement("span");
      seg.style.background = p.colour;
      seg.title = p.name;
      bar.append(seg);
    }
    const n = document.createElement("span");
    n.className = "lv-n";
    bars.append(name, bar, n);
  }
}

// The value a control shows right now: a slider's thumb, or a whole number typed into its exact box.
function readControl(key, max) {
  const thumb = document.querySelector(`.st-key-${key} ${SLIDER}`);
  const typed = document.querySelector(`[class*='st-key-${key}_exact_'] input`);
  if (typed && document.activeElement === typed && /^[0-9]+$/.test(typed.value)) {
    const n = Number(typed.value);
    if (n >= 1 && n <= max) return n;
    return null;
  }
  const n = thumb ? Number(thumb.value) : NaN;
  return Number.isInteger(n) && n >= 1 ? n : null;
}

function follow(live) {
  const next = { ...live.sizes };
  for (const [key, v] of Object.entries(live.data.controls)) {
    const n = readControl(key, live.data.max);
    if (n !== null) next[v] = n;
  }
  // A projection must stay below units: past it the structure changes, and the server decides.
  if (next.p && next.h <= next.p) return;
  if (next.x !== live.sizes.x || next.h !== live.sizes.h) {
    live.sizes = next;
    draw(live);
  }
}

function install(live) {
  // One observer for the page: a slider's range input changes aria-valuetext on every drag step and key repeat;
  // MutationObserver callbacks run before the next paint, so the numbers move in the same frame.
  const observer = new MutationObserver(() => follow(live));
  observer.observe(document.body, { subtree: true, attributes: true, attributeFilter: ["aria-valuetext"] });
  const exact = (e) => e.target.closest && e.target.closest("[class*='_exact']");
  const onInput = (e) => { if (exact(e)) follow(live); };
  document.addEventListener("input", onInput, true);
  const onBlur = (e) => { if (exact(e)) setTimeout(() => follow(live), 0); };
  document.addEventListener("focusout", onBlur, true);
  // The phone's bar: shown while the headline is out of view or the sidebar is open.
  const sticky = live.root.querySelector(".lv-sticky");
  let hidden = false;
  const update = () => {
    const bar = document.querySelector("[data-testid='stSidebar']");
    const open = bar && bar.getAttribute("data-collapsed") === "false";
    sticky.classList.toggle("lv-on", hidden || !!open);
  };
  const seen = new IntersectionObserver((entries) => { hidden = !entries[0].isIntersecting; update(); });
  seen.observe(live.root.querySelector(".lv-value"));
  const sidebar = new MutationObserver(update);
  sidebar.observe(document.body, { subtree: true, attributes: true, attributeFilter: ["data-collapsed"] });
  return () => { observer.disconnect(); seen.disconnect(); sidebar.disconnect();
    document.removeEventListener("input", onInput, true); document.removeEventListener("focusout", onBlur, true); };
}

export default function (component) {
  const { data, parentElement } = component;
  const root = parentElement;
  const live = (root.__lstmvizLive ||= { shown: 0 });
  const fresh = !live.data;
  live.data = data;
  live.root = root;
  live.sizes = { ...data.sizes };
  build(live);
  draw(live);
  if (fresh) live.cleanup = install(live);
  return () => { live.cleanup && live.cleanup(); delete root.__lstmvizLive; };
}
"""

_component = st.components.v2.component("lstmviz_live_headline", html=HTML, css=CSS, js=JS, isolate_styles=False)


def headline_payload(report: Report, max_size: int) -> dict[str, Any]:
    """Everything the component shows, as data: the core's polynomials and templates, labels, colours."""
    spec, first = report.spec, report.layers[0]
    data = headline_data(report)
    data |= {
        "label": f"{convention_of(spec).label}: total parameters",
        "where": "In the tensors:" if len(report.layers) == 1 else f"In {first.title}'s tensors:",
        "caption": (
            f"{'An' if spec.cell == 'lstm' else 'A'} {LAYER_CLASS[('keras', spec.cell)]} layer is "
            f"{len(first.gates)} dense layer{'s' if len(first.gates) > 1 else ''} "
            f"over [x_t, h_t-1] ({', '.join(g.kind.name for g in first.gates)}); "
            "the same tensors are reused at every timestep."
        ),
        "controls": CONTROLS,
        "max": max_size,
        "parts": [
            {"field": field, "name": f"{part} {size}", "colour": PART_COLOURS[part]}
            for field, part, size in (
                ("gate_input", "input weights", "x·h"),
                ("gate_recurrent", "recurrent weights", "h·p" if spec.proj_size else "h·h"),
                ("gate_bias", "biases", {0: "", 1: "h", 2: "2h"}[first.bias_vectors]),
            )
            if field in data["fields"] and data["fields"][field]
        ],
    }
    # New dicts: the core's structure data is cached and shared between sessions.
    data["gates"] = [g | {"colour": GATE_COLOURS[g["symbol"]], "text": GATE_TEXT[g["symbol"]]} for g in data["gates"]]
    return data


def headline(report: Report, max_size: int) -> dict[str, Any]:
    """Mount the live headline for this report; returns the data it was given (tests read the total from it)."""
    data = headline_payload(report, max_size)
    _component(key="live_headline", data=data)
    return data
