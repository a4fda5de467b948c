// The run-through-time player (lstmviz/ui/player.py fills in the constants above this line).
const NS = "http://www.w3.org/2000/svg";

function el(tag, attrs, text) {
  const e = tag.startsWith("svg:") ? document.createElementNS(NS, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

// The timesteps the strip draws in `slots` cells: the first, the last, and a window around t.
function picks(steps, t, slots) {
  if (steps <= slots) return Array.from({length: steps}, (_, k) => k + 1);
  const inner = slots - 2;
  let start = Math.max(2, Math.min(t - Math.floor(inner / 2), steps - inner));
  const out = [1];
  for (let k = 0; k < inner; k++) out.push(start + k);
  out.push(steps);
  return out;
}

function textWidth(text, font) { return text.length * font * 0.58; }

export default function (component) {
  const { data, setStateValue, parentElement } = component;
  const host = parentElement;
  let s = host.__lv;
  if (s && s.id === data.id) {
    // A rerun: the server's t wins only when it changed there (a link, a new sequence), not our own echo.
    if (data.t0 !== s.t0) { s.t0 = data.t0; if (!s.timer) s.setT(data.t0, false); }
    return () => {};
  }
  if (s) s.stop();
  const root = host.querySelector(".lv") || host.appendChild(el("div", {class: "lv"}));
  root.replaceChildren();
  root.style.setProperty("--lv-font", data.font + "px");
  const steps = data.steps, font = data.font;
  s = host.__lv = { id: data.id, t0: data.t0, t: Math.min(Math.max(1, data.t0), steps), timer: null, speed: 1 };

  // --- controls
  const bar = root.appendChild(el("div", {class: "lv-bar", role: "group", "aria-label": "Play through time"}));
  const back = bar.appendChild(el("button", {type: "button", "aria-label": "Step back", title: "Step back"}, "◀ Step"));
  const play = bar.appendChild(el("button", {type: "button", class: "lv-play"}, "▶ Play"));
  const fwd = bar.appendChild(el("button", {type: "button", "aria-label": "Step forward", title: "Step forward"}, "Step ▶"));
  const speed = bar.appendChild(el("select", {"aria-label": "Speed"}));
  SPEEDS.forEach(v => speed.appendChild(el("option", {value: v}, v + "×")));
  speed.value = "1";
  const now = bar.appendChild(el("span", {class: "lv-now", "aria-live": "polite"}));
  const range = bar.appendChild(el("input", {type: "range", min: 1, max: steps, step: 1, class: "lv-range",
                                              "aria-label": "Timestep t"}));
  if (steps < 2) [back, play, fwd, speed, range].forEach(e => e.disabled = true);

  // --- the unrolled strip, the cell, the live values and the equations
  const strip = root.appendChild(el("div", {class: "lv-strip"}));
  const body = root.appendChild(el("div", {class: "lv-body"}));
  const live = body.appendChild(el("div", {class: "lv-live"}));
  const liveTitle = live.appendChild(el("h4"));
  const scroll = live.appendChild(el("div", {class: "lv-scroll", tabindex: "0"}));
  const hint = live.appendChild(el("div", {class: "lv-hint"}));
  const updates = body.appendChild(el("div", {class: "lv-updates"}));
  updates.appendChild(el("h4", {}, "The updates with these numbers"));
  const eqs = updates.appendChild(el("div"));
  const cell = root.appendChild(el("div", {class: "lv-cell"}));
  const cellTitle = cell.appendChild(el("h4"));
  const figure = cell.appendChild(el("div"));
  figure.innerHTML = data.diagram || "";  // trusted: drawn by lstmviz.figures.cell_svg from numbers
  // The lesson shows the strip alone (data.parts = ["strip"]); the view shows everything.
  const parts = data.parts || ["strip", "live", "cell"];
  body.hidden = !parts.includes("live");
  cell.hidden = !parts.includes("cell");
  const table = scroll.appendChild(el("table"));
  const head = table.appendChild(el("tr"));
  head.appendChild(el("th", {}, ""));
  const shown = data.rows[0].values[0].length;
  for (let j = 0; j < shown; j++) head.appendChild(el("th", {}, "unit " + (j + 1)));
  const cells = data.rows.map(row => {
    const tr = table.appendChild(el("tr", row.key === data.followed ? {class: "lv-followed"} : {}));
    const name = tr.appendChild(el("td", {class: "lv-name"}, row.title));
    name.style.color = row.colour;
    const span = row.bounded ? 1 : Math.max(1e-9, ...row.values.flat().map(Math.abs));
    return Array.from({length: shown}, () => {
      const td = tr.appendChild(el("td"));
      const v = td.appendChild(el("span", {class: "lv-v"}));
      const track = td.appendChild(el("span", {class: "lv-track"}));
      const fill = track.appendChild(el("span", {class: "lv-fill"}));
      fill.style.background = row.fill;
      return {v, fill, row, span};
    });
  });
  hint.textContent = (data.units > shown ? `Units 1–${shown} of ${data.units}; the whole pass below shows all. ` : "")
    + "Bars: σ gates 0…1, tanh values −1…1, c_t against its largest value.";

  function drawStrip(t) {
    const width = Math.max(260, Math.floor(strip.clientWidth || root.clientWidth || 600));
    const cellW = Math.max(font * 4.6, textWidth("t = " + steps, font) + 12);
    const slots = Math.max(3, Math.min(9, steps, Math.floor(width / (cellW * 1.45))));
    const ts = picks(steps, t, slots), pitch = width / ts.length;
    const top = font * 2.6, cellTop = font * 4.4, cellH = font * 2.4, inputY = cellTop + cellH + font * 1.5;
    const svg = el("svg:svg", {width, height: inputY + font * 0.8, role: "img",
                                 "aria-label": "The layer unrolled through time"});
    let label = `W, U, b: ${data.params.toLocaleString("en-US")} parameters, shared by every timestep`;
    if (textWidth(label, font) > width - 16) label = `W, U, b: ${data.params.toLocaleString("en-US")} parameters, shared`;
    const boxW = Math.min(width - 4, textWidth(label, font) + 20);
    svg.appendChild(el("svg:rect", {x: (width - boxW) / 2, y: 2, width: boxW, height: top - 4, rx: 6,
                                     fill: SHARED_FILL, stroke: SHARED}));
    svg.appendChild(el("svg:text", {x: width / 2, y: top / 2 + 1, "font-size": font, "text-anchor": "middle",
                                     "dominant-baseline": "middle", fill: INK}, label));
    ts.forEach((k, n) => {
      const x = pitch * (n + 0.5), current = k === t;
      svg.appendChild(el("svg:line", {x1: width / 2, y1: top - 2, x2: x, y2: cellTop, stroke: SHARED,
                                       "stroke-dasharray": "4 3", "stroke-width": 1.4}));
      const g = svg.appendChild(el("svg:g", {class: "lv-step", "data-t": k, role: "button", tabindex: "-1",
                                              "aria-label": "timestep " + k, style: "cursor: pointer"}));
      g.appendChild(el("svg:rect", {x: x - cellW / 2, y: cellTop, width: cellW, height: cellH, rx: 5,
                                     fill: current ? CURRENT_FILL : "#F4F4F4", stroke: current ? CURRENT : LINE,
                                     "stroke-width": current ? 3 : 1.2, "data-current": current}));
      g.appendChild(el("svg:text", {x, y: cellTop + cellH / 2 + 1, "font-size": font, "text-anchor": "middle",
                                     "dominant-baseline": "middle", fill: INK,
                                     "font-weight": current ? "bold" : "normal"}, "t = " + k));
      g.addEventListener("click", () => { pause(); setT(k, true); });
      svg.appendChild(el("svg:text", {x, y: inputY, "font-size": font, "text-anchor": "middle", fill: INK}, "x_" + k));
      if (n) {
        const x0 = pitch * (n - 0.5) + cellW / 2 + 2, x1 = x - cellW / 2 - 2, y = cellTop + cellH / 2;
        if (x1 > x0 + 4) svg.appendChild(el("svg:line", {x1: x0, y1: y, x2: x1, y2: y, stroke: LINE, "stroke-width": 1.6,
                                                        "marker-end": "url(#lv-arrow)"}));
        if (k - ts[n - 1] > 1) svg.appendChild(el("svg:text", {x: (x0 + x1) / 2, y: y + font * 1.5,
                                   "font-size": font, "text-anchor": "middle", fill: INK}, "…"));
      }
    });
    const defs = svg.insertBefore(el("svg:defs"), svg.firstChild);
    const marker = defs.appendChild(el("svg:marker", {id: "lv-arrow", viewBox: "0 0 10 10", refX: 9, refY: 5,
                                                         markerWidth: 7, markerHeight: 7, orient: "auto"}));
    marker.appendChild(el("svg:path", {d: "M0,0 L10,5 L0,10 z", fill: LINE}));
    strip.replaceChildren(svg);
    strip.dataset.t = t;
  }

  // The whole-pass figure (st.plotly_chart key "through_time"): its step markers follow t.
  function plot() { return document.querySelector(`.st-key-${data.plot || "through_time"} .js-plotly-plot`); }
  function moveMarkers() {
    const gd = plot();
    if (!gd || !gd._fullData || !window.Plotly) return;
    if (!gd.__lvHooked) { gd.__lvHooked = true; gd.on("plotly_afterplot", () => setTimeout(moveMarkers, 0)); }
    const idx = [];
    (gd.data || []).forEach((tr, i) => { if (tr.meta === "step") idx.push(i); });
    if (!idx.length || idx.every(i => gd.data[i].x[0] === s.t)) return;
    window.Plotly.animate(gd, {data: idx.map(() => ({x: [s.t, s.t]})), traces: idx},
      {transition: {duration: 0}, frame: {duration: 0, redraw: false}, mode: "immediate"});
  }

  function show(t) {
    s.t = t;
    now.textContent = `t = ${t} of ${steps}`;
    range.value = t;
    root.dataset.t = t;
    cellTitle.textContent = `The cell at t = ${t}`;
    cell.dataset.t = t;
    liveTitle.textContent = `Values at t = ${t}`;
    live.dataset.t = t;
    cells.forEach(row => row.forEach((c, j) => {
      const v = c.row.values[t - 1][j];
      c.v.textContent = v.toFixed(2).replace("-", "−");
      const share = Math.min(1, Math.abs(v) / c.span);
      if (c.row.low === 0) { c.fill.style.left = "0"; c.fill.style.width = (100 * share) + "%"; }
      else if (v >= 0) { c.fill.style.left = "50%"; c.fill.style.width = (50 * share) + "%"; }
      else { c.fill.style.left = (50 - 50 * share) + "%"; c.fill.style.width = (50 * share) + "%"; }
    }));
    eqs.replaceChildren(...data.equations[t - 1].map(line => el("div", {class: "lv-eq"}, line)));
    drawStrip(t);
    hint.dataset.scrolls = scroll.scrollWidth > scroll.clientWidth + 1;
    moveMarkers();
  }
  let sendTimer = null;
  function send() {
    clearTimeout(sendTimer);
    sendTimer = setTimeout(() => { s.t0 = s.t; setStateValue("t", s.t); }, 250);
  }
  function setT(t, tell) { show(Math.min(Math.max(1, t), steps)); if (tell) send(); }
  function pause() {
    if (!s.timer) return;
    clearInterval(s.timer); s.timer = null; play.textContent = "▶ Play"; root.dataset.playing = "false";
    send();
  }
  function start() {
    if (s.t >= steps) show(1);
    play.textContent = "❚❚ Pause"; root.dataset.playing = "true";
    s.timer = setInterval(() => {
      if (s.t >= steps) { pause(); return; }
      show(s.t + 1);
    }, 1000 / (STEPS_PER_S * s.speed));
  }
  s.setT = setT;
  s.stop = () => { clearInterval(s.timer); s.timer = null; clearInterval(s.watch); clearTimeout(sendTimer); };
  play.addEventListener("click", () => s.timer ? pause() : start());
  back.addEventListener("click", () => { pause(); setT(s.t - 1, true); });
  fwd.addEventListener("click", () => { pause(); setT(s.t + 1, true); });
  range.addEventListener("input", () => { pause(); setT(+range.value, true); });
  speed.addEventListener("change", () => {
    s.speed = +speed.value;
    if (s.timer) { clearInterval(s.timer); s.timer = null; start(); }
  });
  root.dataset.playing = "false";
  show(s.t);
  // Streamlit may redraw the whole-pass figure (a resize, a rerun): keep its markers on t.
  s.watch = setInterval(moveMarkers, 500);
  let width = strip.clientWidth;
  new ResizeObserver(() => { if (strip.clientWidth !== width) { width = strip.clientWidth; drawStrip(s.t); } })
    .observe(strip);
  return () => { s.stop(); host.__lv = undefined; };
}
