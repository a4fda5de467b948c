"""The guided lesson: the tutorial's argument step by step for the sidebar's layer, each step a deep link."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import replace
from html import escape
from typing import Any
from urllib.parse import urlencode

import streamlit as st

import lstmviz
from lstmviz.conventions import CELL_LABEL, FRAMEWORK_LABEL, LAYER_CLASS, TENSOR_LETTER
from lstmviz.counting import GateCount, LayerCount, TensorSlice
from lstmviz.equations import block_name, fused_terms, gate_terms
from lstmviz.figures.cell_geometry import cell_geometry
from lstmviz.figures.cell_svg import cell_svg
from lstmviz.figures.through_time import state_colour
from lstmviz.inputs import SINE, lecture_input
from lstmviz.playback import playback, player_data
from lstmviz.report import Report, build_report
from lstmviz.spec import RecurrentSpec, convention_of, option_applies
from lstmviz.style import STATE_COLOURS, Theme, gate_colour
from lstmviz.ui import cached, controls, static_table, url, zoo
from lstmviz.ui.charts import chart_config
from lstmviz.ui.controls import DEFAULTS, URL
from lstmviz.ui.player import player
from lstmviz.urlvalues import Whole

# Where a step draws its figure: in place on a screen; on a projector right under the navigation, so
# the figure is on the first 1280 × 720 slide and the text follows it. One per session's thread.
_FIGURE_AREA: ContextVar[Any] = ContextVar("lesson_figure_area", default=None)


def figure_area() -> Any:
    """The container a step's figure goes into (a projector's slot under the navigation, else in place)."""
    area = _FIGURE_AREA.get()
    return area if area is not None else st.container()


# The gate step 2 singles out: the tutorial's forget gate, the GRU's update gate, the RNN's only one.
FOCUS_GATE = {"lstm": "forget", "gru": "update", "rnn": "hidden"}
NUMBER_WORDS = {1: "One", 3: "Three", 4: "Four"}


def layer_name(spec: RecurrentSpec) -> str:
    """The layer as its framework names it: Keras 3 LSTM, PyTorch nn.GRU."""
    return convention_of(spec).label


def focus_gate(layer: LayerCount) -> GateCount:
    """The gate the one-gate step explains: the followed gate (?gate=), else the tutorial's."""
    default = next(g.kind.symbol for g in layer.gates if g.kind.name == FOCUS_GATE[layer.cell])
    followed = controls.selected_gate(layer) or default
    return next(g for g in layer.gates if g.kind.symbol == followed)


def index_text(part: TensorSlice, ndim: int) -> str:
    """The slice as Python indexing: W[:, 2:4] for a column block, W[2:4] for a row block."""
    del ndim  # the axis alone decides: every axis before it is taken whole
    return "[" + ":, " * part.axis + f"{part.start}:{part.stop}]"


def dense_warm_up(lesson: Report, theme: Theme) -> None:
    """Step 1: a dense layer has one weight per connection and one bias per output."""
    dense = lstmviz.dense_params(3, 5, 2)
    st.markdown(
        "A dense layer has one weight per connection and one bias per output neuron. The tutorial's "
        f"{dense.inputs} → {dense.hidden} → {dense.outputs} network: "
        f"({dense.inputs}×{dense.hidden} + {dense.hidden}×{dense.outputs}) + ({dense.hidden} + {dense.outputs}) "
        f"= {dense.hidden_params} + {dense.output_params} = **{dense.total}**. Keep (inputs + outputs) × hidden + "
        "biases in mind: every gate below is such a dense layer."
    )
    figure_area().plotly_chart(
        cached.dense_network(dense, theme), key="lesson_dense", config=chart_config("png", "lstmviz-lesson-dense"),
        theme=None,
    )


def one_gate(lesson: Report, theme: Theme) -> None:
    """Step 2: one gate is a dense layer over [h_t-1, x_t]: x·h input weights, h·h recurrent weights, h biases."""
    layer = lesson.layers[0]
    gate = focus_gate(layer)
    x, h, h_out, s = layer.input_size, layer.units, layer.hidden_out, gate.kind.symbol
    bias = {0: "", 1: f" + {h}", 2: f" + 2 × {h}"}[layer.bias_vectors]
    st.markdown(
        f"Focus on the **{gate.kind.name} gate {s}**:\n"
        f"- there are hidden state values ({h_out} h_t-1) and input values ({x} x_t);\n"
        f"- in total {h_out} + {x} = {h_out + x} numbers go into one dense layer;\n"
        f"- its output has {h} values, the size of the hidden state;\n"
        f"- so, as a dense layer: (h_t-1 + x_t) × h + {'2 × h' if layer.bias_vectors == 2 else 'h'} = "
        f"({h_out} + {x}) × {h}{bias} = **{gate.params:,}** parameters."
    )
    st.markdown(f"As an equation, with the shape of every term under it ({FRAMEWORK_LABEL[layer.framework]}'s layout):")
    static_table.equation_table([(t.text, t.shape) for t in gate_terms(layer, s)])
    cols = st.columns(3)
    letters = {"input": f"W_{s}", "recurrent": f"U_{s}", "bias": f"b_{s}"}
    parts = (
        ("input", f"x·h = {x} × {h}", gate.input_weights, "input weights"),
        ("recurrent", f"h·h = {h_out} × {h}", gate.recurrent_weights, "recurrent weights"),
        ("bias", f"{layer.bias_vectors} × h" if layer.bias_vectors == 2 else "h", gate.biases, "biases"),
    )
    tensors = {t.name: t for t in layer.tensors}
    for col, (role, rule, value, what) in zip(cols, parts, strict=True):
        where = [
            f"{sl.tensor}{index_text(sl, len(tensors[sl.tensor].shape))}"
            for sl in gate.slices
            if tensors[sl.tensor].role == role
        ]
        with col:
            st.metric(f"{letters[role]}: {what}, {rule}", f"{value:,}")
            st.caption("in " + (" and ".join(where) if where else "no tensor (bias off)"))
    figure_area().image(
        cell_svg(cell_geometry(layer, lesson.spec.timesteps), theme, selected=s),
        width="stretch",
        caption=f"The {gate.kind.name} gate in focus; the other gates are the same kind of dense layer.",
    )


def all_gates(lesson: Report, theme: Theme) -> None:
    """Step 3: G such dense layers make the cell."""
    f, layer = lesson.formula, lesson.layers[0]
    names = ", ".join(g.kind.name for g in layer.gates)
    many = len(layer.gates) > 1
    st.markdown(
        f"The {names} gate{'s are' if many else ' is'} {len(layer.gates)} dense layer{'s' if many else ''} "
        f"of the same shape: `{f.symbolic}` = `{f.substituted}`."
    )
    if lesson.spec.layers > 1 or lesson.spec.bidirectional:
        st.caption("The formula adds every layer and direction of the stack; the bars show the first.")
    figure_area().plotly_chart(
        cached.gate_counts(layer, theme),
        key="lesson_gates",
        config=chart_config("png", "lstmviz-lesson-gates"),
        theme=None,
    )


def fused_tensors(lesson: Report, theme: Theme) -> None:
    """Step 4: the framework fuses the gates into W, U and b, one block per gate."""
    layer, h = lesson.layers[0], lesson.spec.units
    g = len(layer.gates)
    shapes = ", ".join(f"{TENSOR_LETTER[t.role]} = {t.name} {t.shape}" for t in layer.tensors)
    order = ", ".join(x.kind.symbol for x in layer.gates)
    blocks = "column" if layer.gates_in_columns else "row"
    how = f"as {blocks} blocks: each gate owns {h} {blocks}s, in the order {order}"
    st.markdown(
        f"{FRAMEWORK_LABEL[layer.framework]} fuses the {g} gate{'s' if g > 1 else ''} into one product: "
        f"z_t holds every gate's {h:,} values, {g} × {h:,} = {g * h:,}, before each gate's activation."
    )
    static_table.equation_table([(t.text, t.shape) for t in fused_terms(layer)])
    st.markdown(f"{shapes}. Why {g}h = {g * h:,}? The gates sit side by side {how}:")
    tensors = {t.name: t for t in layer.tensors}
    st.code(
        "\n".join(
            f"{block_name(tensors[s.tensor], gate.kind.symbol)} = "
            f"{s.tensor}{index_text(s, len(tensors[s.tensor].shape))}   # {gate.kind.name}"
            for gate in layer.gates
            for s in gate.slices
        ),
        language="python",
    )
    figure_area().plotly_chart(
        cached.heatmap_figure(layer, 0, theme),
        key="lesson_heatmap",
        config=chart_config("png", "lstmviz-lesson-heatmap"),
        theme=None,
    )


def timesteps(lesson: Report, theme: Theme) -> None:
    """Step 5: the same weights at every timestep; only outputs and compute grow with T."""
    layer = lesson.layers[0]
    st.markdown(
        f"Unrolled through time, the layer is the same cell at every step: one W, U and b "
        f"(**{layer.params:,} parameters**) feed each of the {lesson.spec.timesteps:,} steps, and only h_t "
        f"{'and c_t ' if layer.convention.has_cell_state else ''}carry from one step to the next. "
        "Press Play: the numbers change, the weights do not."
    )
    with figure_area():
        lesson_player(lesson, layer, theme)
    st.markdown(
        "So the count never depends on T. What does grow with T is the output (with return_sequences) and the compute:"
    )
    sequences = replace(
        lesson.spec, return_sequences=option_applies("return_sequences", lesson.spec.framework, lesson.spec.cell)
    )
    static_table.static_table(
        [
            {
                "timesteps": t,
                "parameters": lesson.total,  # the same report: timesteps never change the count
                "sequence output shape": str(
                    tuple(lstmviz.output_shapes(replace(sequences, timesteps=t)).as_dict()["output"])
                ),
                "multiply-adds": replace(lesson.cost, timesteps=t).multiply_adds_per_sequence,
            }
            for t in (1, 10, 100, 1000)
        ]
    )


def lesson_player(lesson: Report, layer: LayerCount, theme: Theme) -> None:
    """The unrolled strip and its player on a short sine input (at most 12 steps: a lesson, not a run)."""
    run = replace(lesson.spec, timesteps=min(lesson.spec.timesteps, 12))
    if run.units > 64 or run.features > 256:
        st.caption("(The player runs up to 64 units and 256 features; the count above holds at any size.)")
        return
    inputs = lecture_input(SINE, run.timesteps, run.features)[0]
    play = playback(cached.forward_on(run, inputs.tobytes()), layer)
    colours = {s.key: state_colour(s.key) for s in play.series}
    fills = {s.key: STATE_COLOURS.get(s.key, gate_colour(s.key)) for s in play.series}
    data = player_data(play, colours, fills) | {"params": layer.params, "parts": ["strip"]}
    player(data, 1, theme.font_size, on_stop=lambda: None, key="lesson_player")


def frameworks(lesson: Report, theme: Theme) -> None:
    """Step 6: PyTorch's two biases, GRU's three gates, and each framework's gate order."""
    x, h = lesson.spec.features, lesson.spec.units
    rows = []
    for framework, cell, extra in (
        ("keras", "lstm", {}),
        ("keras", "gru", {"reset_after": True}),
        ("keras", "gru", {"reset_after": False}),
        ("keras", "rnn", {}),
        ("pytorch", "lstm", {}),
        ("pytorch", "gru", {}),
        ("pytorch", "rnn", {}),
    ):
        other = build_report(RecurrentSpec(framework=framework, cell=cell, features=x, units=h, **extra))
        rows.append(
            {
                "layer": LAYER_CLASS[(framework, cell)] + (f" reset_after={extra['reset_after']}" if extra else ""),
                "framework": framework,
                "parameters": other.total,
                "formula": other.formula.substituted,
                "gate order": ", ".join(g.kind.symbol for g in other.layers[0].gates),
            }
        )
    st.markdown(
        f"For x = {x} and h = {h}: PyTorch keeps two bias vectors per gate (b_ih and b_hh), so its LSTM has 4h "
        "more parameters than Keras'. A GRU has three gates; Keras' default reset_after=True also keeps two "
        "biases. Gate orders differ, which matters when you slice the fused tensors. "
        f"[Compare them side by side]({step_link({'view': 'compare'})})."
    )
    static_table.static_table(rows)
    st.markdown(
        "**Other conventions.** Other frameworks count the same layers differently (pick one under Layer class):"
    )
    zoo.other_conventions(x, units=h)
    st.markdown("**Now count some yourself:** the practice questions start from this very layer and grow harder.")
    st.button(
        "Practice: count it yourself →", key="lesson_practice", on_click=_open, args=("practice",), type="primary"
    )


def _cell_title(count: int, cell: str) -> str:
    return f"{NUMBER_WORDS.get(count, str(count))} gate{'s' if count > 1 else ''} make{'' if count > 1 else 's'} " + (
        f"a{'n' if cell == 'lstm' else ''} {CELL_LABEL[cell].split(' / ')[0]}"
    )


# step n in the URL (?step=n) → title (from the layer) and drawer
STEPS: tuple[tuple[Callable[[LayerCount], str], Callable[[Report, Theme], None]], ...] = (
    (lambda layer: "A dense layer, to warm up", dense_warm_up),
    (lambda layer: "One gate is one dense layer", one_gate),
    (lambda layer: _cell_title(len(layer.gates), layer.cell), all_gates),
    (lambda layer: "W, U and b hold the gates side by side", fused_tensors),
    (lambda layer: "Why timesteps don't matter", timesteps),
    (lambda layer: "How PyTorch and GRU differ", frameworks),
)

# The widgets that make up the tutorial example, and its values (DEFAULTS is RecurrentSpec()).
TUTORIAL = {
    "framework": DEFAULTS.framework,
    "cell": DEFAULTS.cell,
    "features": DEFAULTS.features,
    "features_exact": DEFAULTS.features,
    "units": DEFAULTS.units,
    "units_exact": DEFAULTS.units,
    "timesteps": DEFAULTS.timesteps,
    "timesteps_exact": DEFAULTS.timesteps,
    "layers": DEFAULTS.layers,
    "bidirectional": DEFAULTS.bidirectional,
    "bias": DEFAULTS.bias,
    "reset_after": DEFAULTS.reset_after,
    "return_sequences": DEFAULTS.return_sequences,
    "proj_size": DEFAULTS.proj_size,
}

# Arrow keys and PageUp/PageDown (what presentation clickers send) press Back/Next: the listener acts
# while its marker is on the page, and never while the reader types.
ARROW_KEYS_JS = """<span id="lstmviz-lesson-keys"></span><script>
if (!window.lstmvizLessonKeys) {
  window.lstmvizLessonKeys = true;
  document.addEventListener("keydown", (event) => {
    if (!document.getElementById("lstmviz-lesson-keys")) return;
    const origin = event.composedPath()[0];  // inside a component's shadow root too
    const typing = origin.closest && origin.closest('input, textarea, select, [contenteditable], [role="slider"]');
    if (typing || event.altKey || event.ctrlKey || event.metaKey) return;
    const key = {ArrowRight: "next", PageDown: "next", ArrowLeft: "back", PageUp: "back"}[event.key];
    const button = key && document.querySelector(`.st-key-lesson_${key} button`);
    if (button && !button.disabled) { event.preventDefault(); button.click(); }
  });
}
</script>"""


# On a phone the first screen is the step, not its navigation: Back, the slider and Next on one row, no
# step list (Back/Next and the slider reach every step), no disabled "back to the tutorial" button.
PHONE_CSS = """<style>
@media (max-width: 640px) {
  .lstmviz-steps { display: none; }
  [data-testid="stHorizontalBlock"]:has(.st-key-lesson_back) { flex-wrap: nowrap; gap: 0.5rem; }
  [data-testid="stHorizontalBlock"]:has(.st-key-lesson_back) > [data-testid="stColumn"] {
    min-width: 0 !important; width: auto !important; flex: 1 1 0 !important; }
  [data-testid="stHorizontalBlock"]:has(.st-key-lesson_back) > [data-testid="stColumn"]:nth-child(2) {
    flex: 2 1 0 !important; }
  [data-testid="stColumn"]:has(.st-key-lesson_tutorial button:disabled) { display: none; }
}
</style>"""


def step_link(changes: dict[str, str | int]) -> str:
    """A relative link to this page with the current URL's parameters and `changes`."""
    params = {k: str(v) for k, v in st.query_params.to_dict().items()}
    return "?" + urlencode({**params, **changes})


def _move(by: int) -> None:
    st.session_state["step"] = min(len(STEPS), max(1, int(st.session_state.get("step", 1)) + by))


def _open(view: str) -> None:
    st.session_state["view"] = view


def _back_to_tutorial() -> None:
    st.session_state.update(TUTORIAL)


def navigation() -> int:
    """Back, the step slider (in the URL) and Next; arrow keys and PageUp/PageDown too. Returns the step."""
    back, middle, forward = st.columns([1, 4, 1], vertical_alignment="center")
    with middle:
        step = int(st.slider("Step", 1, len(STEPS), 1, key="step", bind=URL, label_visibility="collapsed"))
    back.button("← Back", key="lesson_back", on_click=_move, args=(-1,), disabled=step == 1, width="stretch")
    forward.button("Next →", key="lesson_next", on_click=_move, args=(1,), disabled=step == len(STEPS), width="stretch")
    st.html(ARROW_KEYS_JS, unsafe_allow_javascript=True)
    st.html(PHONE_CSS)
    return step


def contents(layer: LayerCount, step: int) -> None:
    """Every step as a real link that opens in this tab and keeps the sidebar's layer."""
    links = []
    for n, (title, _) in enumerate(STEPS, start=1):
        name = f"{n}. {escape(title(layer))}"
        href = escape(step_link({"view": "lesson", "step": n}))
        links.append(f"<b>{name}</b>" if n == step else f'<a href="{href}" target="_self">{name}</a>')
    st.html(f'<nav class="lstmviz-steps" aria-label="Lesson steps">{" · ".join(links)}</nav>')


def render(report: Report, theme: Theme) -> None:
    """Draw one step of the lesson for the sidebar's layer (the tutorial example by default)."""
    spec = report.spec
    url.clean("step", Whole(1, len(STEPS)))
    heading = st.container()  # the title goes above the navigation, which decides the step
    step = navigation()
    title, draw = STEPS[step - 1]
    heading.title(f"Step {step}. {title(report.layers[0])}")
    presentation = bool(st.session_state.get("presentation"))
    _FIGURE_AREA.set(st.container() if presentation else None)
    if not presentation:  # a projector has Back/Next, the keys and the slider: the list would push the figure down
        contents(report.layers[0], step)
    tutorial = spec == replace(DEFAULTS, timesteps=spec.timesteps)
    head, reset = st.columns([3, 1], vertical_alignment="center")
    head.markdown(
        f"**{layer_name(spec)}** · x = {spec.features:,} features · h = {spec.units:,} units"
        + (f" · {spec.layers} layers" if spec.layers > 1 else "")
        + (" · bidirectional" if spec.bidirectional else "")
        + f" · **{report.total:,} parameters**"
        + (
            ""
            if tutorial
            else "  \nThe lesson follows the sidebar; the tutorial's example is a Keras LSTM, x = 3, h = 2."
        )
    )
    reset.button(
        "Back to the tutorial example",
        key="lesson_tutorial",
        on_click=_back_to_tutorial,
        disabled=tutorial,
        help="Keras LSTM, 3 features, 2 units, 40 timesteps: the tutorial's own layer.",
        width="stretch",
    )
    draw(report, theme)
