"""The sidebar widgets. Every key is also the URL parameter, named like RecurrentSpec's fields."""

from __future__ import annotations

from typing import Any, Final

import streamlit as st

from lstmviz.conventions import CELL_LABEL, FRAMEWORK_LABEL, convention
from lstmviz.counting import Breakdown, LayerCount
from lstmviz.spec import CELLS, FRAMEWORKS, OPTION_DEFAULTS, OPTION_WHERE, RecurrentSpec, option_applies
from lstmviz.ui import url
from lstmviz.urlvalues import Choice, Flag, Whole

DEFAULTS = RecurrentSpec()  # the tutorial example: Keras LSTM, x=3, h=2, T=40
SIZE_MAX = 1024
TIMESTEPS_MAX = 1000
LAYERS_MAX = 8
URL: Final = "query-params"


def _sync(source: str, target: str, shown: int) -> None:
    """Copy the exact number box to its slider, if someone typed a value other than the one it showed."""
    if st.session_state[source] != shown:
        st.session_state[target] = st.session_state[source]


def exact_key(key: str, value: int) -> str:
    """The exact box's key: a new box for each slider value.

    One fixed key raced with fast slider moves (held arrow keys): a rerun request sent before the
    browser had the previous run's box carried the box's older value, which looked like typing and
    moved the slider back. A box keyed by the value it shows, whose change counts only when it
    differs from that value, moves the slider only when someone types into it. (A box whose first
    run was interrupted reports a change on its next run; the value it reports is the one it showed.)
    """
    return f"{key}_exact_{value}"


def _size(label: str, key: str, default: int, high: int, help_text: str) -> int:
    """A slider bound to the URL, with a number box for typing an exact large value."""
    url.clean(key, Whole(1, high))
    value = st.slider(label, 1, high, default, key=key, help=help_text, bind=URL)
    box = exact_key(key, int(value))
    st.number_input(
        f"{label}: exact",
        1,
        high,
        int(value),
        key=box,
        on_change=_sync,
        args=(box, key, int(value)),
        label_visibility="collapsed",
    )
    return int(value)


def sidebar() -> RecurrentSpec:
    """Draw the controls and return the spec they describe (always valid)."""
    with st.sidebar:
        st.header("Layer")
        url.clean("framework", Choice(FRAMEWORKS))
        url.clean("cell", Choice(CELLS))
        framework = st.radio(
            "Framework",
            FRAMEWORKS,
            key="framework",
            horizontal=True,
            bind=URL,
            captions=[FRAMEWORK_LABEL[f] for f in FRAMEWORKS],
        )
        cell = st.radio("Cell", CELLS, key="cell", horizontal=True, bind=URL, captions=[CELL_LABEL[c] for c in CELLS])
        features = _size(
            "Features x (input size)",
            "features",
            DEFAULTS.features,
            SIZE_MAX,
            "Dimensions of each timestep's input vector x_t.",
        )
        units = _size(
            "Units h (hidden size)",
            "units",
            DEFAULTS.units,
            SIZE_MAX,
            "Size of the hidden state h_t (and cell state c_t).",
        )
        timesteps = _size(
            "Timesteps T",
            "timesteps",
            DEFAULTS.timesteps,
            TIMESTEPS_MAX,
            "Sequence length. It changes shapes and cost, never the parameter count.",
        )
        st.header("Stack")
        url.clean("layers", Whole(1, LAYERS_MAX))
        for key in ("bidirectional", "bias"):
            url.clean(key, Flag())
        layers = st.slider("Stacked layers", 1, LAYERS_MAX, 1, key="layers", bind=URL)
        bidirectional = st.checkbox("Bidirectional", False, key="bidirectional", bind=URL)
        bias = st.checkbox("Use bias", True, key="bias", bind=URL)
        extra: dict[str, Any] = {}
        # A canonical URL: an option this layer lacks leaves the URL and the session, so switching
        # framework or cell later starts it from its default instead of a hidden stale value.
        for key in OPTION_DEFAULTS:
            if not option_applies(key, str(framework), str(cell)):
                url.drop(key, OPTION_WHERE[key])
            elif key == "proj_size" and units == 1:
                url.drop(key, "a projection must be smaller than units, and units is 1")
            elif key == "proj_size":
                url.clean(key, Whole(0, units - 1))
            else:
                url.clean(key, Flag())
        record = convention(str(framework), str(cell))
        if record.has_option("reset_after"):
            extra["reset_after"] = st.checkbox(
                record.option_label("reset_after"),
                True,
                key="reset_after",
                bind=URL,
                help=record.option_help.get("reset_after"),
            )
        if option_applies("return_sequences", str(framework), str(cell)):
            extra["return_sequences"] = st.checkbox(
                "return_sequences (last layer)", False, key="return_sequences", bind=URL
            )
        if option_applies("proj_size", str(framework), str(cell)) and units > 1:
            # A projection must be smaller than units; clamp a stale value before the widget exists.
            if st.session_state.get("proj_size", 0) > units - 1:
                st.session_state["proj_size"] = 0
            extra["proj_size"] = int(
                st.number_input(
                    "proj_size (0 = none)",
                    min_value=0,
                    max_value=units - 1,
                    value=0,
                    key="proj_size",
                    bind=URL,
                    help="PyTorch LSTM only: h_t is projected to this size by weight_hr.",
                )
            )
    return RecurrentSpec(
        framework=str(framework),
        cell=str(cell),
        features=features,
        units=units,
        timesteps=timesteps,
        layers=int(layers),
        bidirectional=bool(bidirectional),
        bias=bool(bias),
        **extra,
    )


# Projector styling: larger type and tables, black text, captions hidden (less clutter on a slide),
# formulas kept on one line, and no horizontal scroll inside code blocks (they wrap instead).
PRESENTATION_CSS = """<style>
[data-testid="stMain"] { font-size: 1.3rem; color: #000; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p { font-size: 1.3rem; }
[data-testid="stMain"] [data-testid="stWidgetLabel"] p, [data-testid="stMetricLabel"] p { font-size: 1.2rem; }
[data-testid="stMain"] [data-testid="stImage"] img { max-height: 560px; width: auto !important; margin: 0 auto; }
[data-testid="stMain"] h1 { font-size: 2.4rem; }
[data-testid="stMain"] h2, [data-testid="stMain"] h3 { font-size: 1.9rem; }
[data-testid="stMain"] [data-testid="stMetricValue"],
[data-testid="stMain"] [data-testid="stMetricValue"] [data-testid="stMarkdownContainer"] p {
  font-size: 4.5rem; line-height: 1.1; }
[data-testid="stMain"] [data-testid="stCaptionContainer"] { display: none; }
[data-testid="stMain"] [class*="st-key-keep_caption"] [data-testid="stCaptionContainer"] {
  display: block; font-size: 1.15rem; }
[data-testid="stMain"] p code { font-size: 1.2rem; white-space: nowrap; }
[data-testid="stMain"] pre code, [data-testid="stMain"] pre.lstmviz-summary { font-size: 1.05rem; }
[data-testid="stMain"] [data-testid="stDataFrame"] { font-size: 1.2rem; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"] table { font-size: 1.3rem; }
</style>"""


def layer_picker(count: Breakdown, label: str, key: str) -> LayerCount:
    """Which layer and direction to draw; shown only for a stack of more than one."""
    if len(count.layers) == 1:
        return count.layers[0]
    names = [lc.title for lc in count.layers]
    if st.session_state.get(key) not in names:  # a stale name from another stack
        st.session_state.pop(key, None)
    return count.layers[names.index(st.selectbox(label, names, key=key))]


# --- the followed gate: ?gate=SYMBOL, a click on a gate bar, or the picker -------------------

GATE_KEY: Final = "gate"
# The followed gate outlives the views without a gate control (Streamlit forgets a widget's state, and
# drops its URL key, in a run that does not draw it): a plain session key holds it meanwhile.
FOLLOWED_KEY: Final = "followed_gate"
_DRAWN_KEY: Final = "gate_control_drawn"  # set by gate_picker, cleared at the end of each run
ALL_GATE_SYMBOLS: Final = frozenset({"i", "f", "c", "g", "o", "z", "r", "h", "n"})
# The same gate under the other framework's symbol, so a followed gate survives a framework switch.
_EQUIVALENT = {"c": "g", "g": "c", "h": "n", "n": "h"}


def _gate_for(layer: LayerCount, value: object) -> str | None:
    """`value` as a gate symbol of this layer (translated across frameworks), or None."""
    symbols = [g.symbol for g in layer.gates]
    if value in symbols:
        return str(value)
    other = _EQUIVALENT.get(str(value))
    return other if other in symbols else None


def selected_gate(layer: LayerCount) -> str | None:
    """The gate the page follows, as one of this layer's symbols, or None; reads state, draws nothing.

    Views that highlight a gate (the explorer, a compare view) call this after `gate_picker` ran.
    """
    held = st.session_state.get(GATE_KEY, st.session_state.get(FOLLOWED_KEY, st.query_params.get(GATE_KEY)))
    return _gate_for(layer, held)


def keep_followed_gate() -> None:
    """After a view without the gate control: the followed gate stays in the session and in ?gate=."""
    if st.session_state.pop(_DRAWN_KEY, False):  # this run drew the control, which keeps both
        return
    if FOLLOWED_KEY not in st.session_state:  # a link straight to this view: take its ?gate= if it names a gate
        given = st.query_params.get(GATE_KEY)
        st.session_state[FOLLOWED_KEY] = given if given in ALL_GATE_SYMBOLS else None
    followed = st.session_state[FOLLOWED_KEY]
    if followed is not None:
        url.keep(GATE_KEY, followed)


def pick_gate_from(chart_key: str) -> None:
    """on_select callback of a gate chart: the clicked bar's gate (its customdata) becomes the followed gate."""
    event = st.session_state.get(chart_key)
    points = event["selection"]["points"] if event else []
    clicked = next((p["customdata"] for p in points if isinstance(p.get("customdata"), str)), None)
    if clicked is not None:
        # A second click on the followed gate lets it go.
        st.session_state[GATE_KEY] = None if clicked == st.session_state.get(GATE_KEY) else clicked


def gate_picker(layer: LayerCount) -> str | None:
    """The followed gate's control, bound to the URL as ?gate=SYMBOL (the framework's own symbols)."""
    # Clean the URL and the state before the widget exists: a symbol this cell lacks (?gate=x,
    # or c after a switch to PyTorch) is translated or dropped, never an error.
    symbols = tuple(g.symbol for g in layer.gates)
    if GATE_KEY not in st.session_state and st.session_state.get(FOLLOWED_KEY) is not None:
        # Back from a view without the control: it picks up the gate followed there.
        st.session_state[GATE_KEY] = _gate_for(layer, st.session_state[FOLLOWED_KEY])
    held = st.session_state.get(GATE_KEY)
    if GATE_KEY not in st.session_state:
        # A link: ?gate= must name one of this cell's gates (?gate=x is dropped with a notice); another
        # framework's symbol for the same gate (?gate=g on Keras) is read as this framework's.
        url.alias(GATE_KEY, {other: mine for other, mine in _EQUIVALENT.items() if mine in symbols})
        url.clean(GATE_KEY, Choice(symbols))
    elif held is not None and held not in symbols:
        # A switch of framework or cell: the same gate under its new symbol (c ↔ g), or none.
        st.session_state[GATE_KEY] = _gate_for(layer, held)
    # The buttons show bare symbols: a bound widget writes its shown text into the URL, and the
    # link is ?gate=f, not ?gate=f+·+forget. The label names them.
    names = " · ".join(f"{g.symbol} {g.kind.name}" for g in layer.gates)
    value = st.segmented_control(
        f"Follow one gate ({names}), or click its bar or its block",
        list(symbols),
        key=GATE_KEY,
        bind=URL,
    )
    st.session_state[FOLLOWED_KEY] = value
    st.session_state[_DRAWN_KEY] = True
    return _gate_for(layer, value)


def presentation_toggle() -> bool:
    """The projector switch, kept in the URL so a prepared link opens in presentation mode."""
    with st.sidebar:
        st.header("Show")
        url.clean("presentation", Flag())
        return bool(
            st.toggle(
                "Presentation mode",
                False,
                key="presentation",
                bind=URL,
                help="Large type, high contrast, figures sized for a projector.",
            )
        )


def mode_picker(label: str, modes: tuple[str, ...], key: str, captions: dict[str, str], **options: Any) -> str:
    """A horizontal radio of a view's modes, checked in and kept in the URL by its plain name."""
    url.clean(key, Choice(modes))
    # Captions, not format_func: the URL keeps the plain name.
    chosen = st.radio(
        label, modes, key=key, horizontal=True, bind=URL, captions=[captions[m] for m in modes], **options
    )
    return str(chosen)


def view_picker(views: tuple[str, ...]) -> str:
    """Which page to show, kept in the URL for deep links."""
    url.clean("view", Choice(views))
    return str(st.radio("View", views, key="view", horizontal=True, bind=URL, label_visibility="collapsed"))
