"""The hostile-input corpus: URL values in AppTest, CLI flags and pipes, API arguments.

Every case must end in a clear message or a clean refusal: any exception element, traceback or
unexpected exception type fails the test. The browser subset is tests/e2e/test_hostile_urls.py;
hostile model files are tests/test_hostile.py's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import lstmviz
from lstmviz import RecurrentSpec
from lstmviz.cli import EXIT_CLOSED_PIPE, main
from lstmviz.inputs import lecture_input, one_hot_sequence, random_inputs, sine_waves
from lstmviz.practice import MAX_QUESTION, budget_frontier, max_features, quiz_question
from lstmviz.snippet import framework_code
from lstmviz.ui.controls import LAYERS_MAX, SIZE_MAX, TIMESTEPS_MAX
from lstmviz.ui.explorer import EXPORT, WARM_UP
from lstmviz.ui.lesson import STEPS
from lstmviz.ui.practice import MAX_BUDGET
from lstmviz.ui.zoo import KERNEL_MAX, PROJ_MAX
from lstmviz.urlvalues import Choice, Flag, Whole, parse_whole, read
from lstmviz.weights import MAX_WEIGHT_VALUES, init_layer, init_weights
from tests.headline import total

APP = "../app.py"
ROOT = Path(__file__).resolve().parents[1]

# --- the URL corpus ------------------------------------------------------------------------

NINES = "9" * 400
HOSTILE_VALUES: dict[str, str | list[str]] = {
    "inf": "inf",
    "-inf": "-inf",
    "1e400": "1e400",
    "-1e400": "-1e400",
    "Infinity": "Infinity",
    "nan": "nan",
    "400 nines": NINES,
    "huge": "99999999999",
    "decimal": "1.5",
    "decimal zero": "3.0",
    "exponent": "1e3",
    "underscores": "1_000",
    "full-width digits": "１２",
    "Arabic-Indic digits": "١٢",
    "negative": "-5",
    "zero": "0",
    "empty": "",
    "spaces": " 3 ",
    "html": "<script>alert(1)</script>",
    "markdown link": "[x](javascript:alert(1))",
    "directive": ":red[boom] $x^2$",
    "100 kB digits": "9" * 100_000,
    "100 kB text": "x" * 100_000,
    "repeated, bad last": ["3", "inf"],
    "repeated, bad first": ["inf", "3"],
}

# Every key the app binds to the URL, and the context (other keys, valid) in which the page reads it.
SIDEBAR = ("features", "units", "timesteps", "layers", "bidirectional", "bias", "presentation", "framework", "cell")
CONTEXTS: dict[str, tuple[dict[str, str], tuple[str, ...]]] = {
    "explorer, keras gru": ({"framework": "keras", "cell": "gru"}, (*SIDEBAR[:7], "reset_after", "return_sequences")),
    "explorer, pytorch lstm": ({"framework": "pytorch", "cell": "lstm", "units": "8"}, (*SIDEBAR[:2], "proj_size")),
    "explorer, choices": ({}, ("framework", "cell", "view", "panel", "gate", "layer")),
    "zoo, tf1 lstm": ({"layer": "tf.compat.v1.nn.rnn_cell.LSTMCell"}, ("use_peepholes", "num_proj", "units")),
    "zoo, keras convlstm": ({"layer": "keras.layers.ConvLSTM2D"}, ("kernel_size", "bias", "view")),
    "zoo, flax mgu": ({"layer": "flax.linen.MGUCell"}, ("reset_gate",)),
    "lesson": ({"view": "lesson"}, ("step",)),
    "practice": ({"view": "practice"}, ("question", "budget", "quiz")),
    "compare": ({"view": "compare"}, ("compare", "gate")),
    "through time": ({"view": "through time"}, ("t", "input_kind")),
    "inspect": ({"view": "inspect"}, ("model",)),
}
BOUND_KEYS = {key for _, keys in CONTEXTS.values() for key in keys}
# Read from the URL by the page itself rather than by a bound widget: the through-time player
# holds t in the browser and writes ?t= when it stops; the page checks it before use.
URL_ONLY_KEYS = {"t"}


def run_app(params: dict[str, str | list[str]]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def notices(at: AppTest) -> str:
    return "\n".join(str(w.value) for w in at.warning).replace("\\", "")


def assert_clean(at: AppTest) -> None:
    """No exception element and no traceback text anywhere on the page."""
    assert not at.exception, [e.value for e in at.exception]
    texts = [str(el.value) for kind in ("markdown", "warning", "error", "info", "code") for el in at.get(kind)]
    assert not any("Traceback" in t for t in texts)


@pytest.mark.parametrize("context", CONTEXTS)
@pytest.mark.parametrize("name", HOSTILE_VALUES)
def test_hostile_url_values_never_raise(context: str, name: str) -> None:
    fixed, keys = CONTEXTS[context]
    value = HOSTILE_VALUES[name]
    values = value if isinstance(value, list) else [value]
    hostile = [k for k in keys if k not in fixed]
    if len(values[-1]) > 10_000:
        # Streamlit ignores a whole query string over 512 kB (tested below); four 100 kB values get through.
        hostile = hostile[:4]
    at = run_app({**{k: value for k in hostile}, **fixed})
    assert_clean(at)
    said = notices(at)
    for key in hostile:
        kept = at.query_params.get(key)  # what the page left in the URL: nothing, or a valid value
        if kept is not None:
            assert read(key, [kept], _rule(key, at)).notice is None, (key, kept)
        expected = read(key, values, _rule(key, at)).notice
        if expected is not None:  # every value the page could not take as it is gets its notice
            assert expected in said, (key, expected, said)


def _rule(key: str, at: AppTest) -> Whole | Choice | Flag:
    """The rule the page applies to `key`, from the same constants (choices from the drawn widget)."""
    wholes = {
        "features": Whole(1, SIZE_MAX),
        "units": Whole(1, SIZE_MAX),
        "timesteps": Whole(1, TIMESTEPS_MAX),
        "layers": Whole(1, LAYERS_MAX),
        "proj_size": Whole(0, 7),
        "step": Whole(1, len(STEPS)),
        "question": Whole(1, MAX_QUESTION),
        "budget": Whole(1, MAX_BUDGET),
        "t": Whole(1, 40),
        "kernel_size": Whole(1, KERNEL_MAX),
        "num_proj": Whole(0, PROJ_MAX),
    }
    if key in wholes:
        return wholes[key]
    if key == "gate" and at.get("button_group") and any(b.key == "gate" for b in at.button_group):
        # The explorer's gate picker: the tutorial example's gate symbols.
        return Choice(tuple(at.button_group(key="gate").options))
    if key == "layer":
        return Choice(tuple(at.selectbox(key="layer").options))
    if key in ("framework", "cell", "view", "model", "quiz", "compare", "gate", "input_kind"):
        return Choice(tuple(at.radio(key=key).options))
    if key == "panel":
        return Choice((WARM_UP, EXPORT))
    return Flag()


def test_the_corpus_covers_every_bound_key() -> None:
    """Every widget the app binds to the URL, in every view, is in CONTEXTS."""
    bound: set[str] = set()
    for fixed, _ in CONTEXTS.values():
        at = run_app(dict(fixed))
        kinds = ("slider", "number_input", "radio", "checkbox", "toggle", "selectbox", "text_input", "button_group")
        for kind in kinds:
            bound |= {w.proto.query_param_key for w in at.get(kind) if getattr(w.proto, "query_param_key", "")}
    assert bound == BOUND_KEYS - URL_ONLY_KEYS


@pytest.mark.parametrize(
    ("key", "fixed", "maximum"),
    [
        ("features", {}, SIZE_MAX),
        ("units", {}, SIZE_MAX),
        ("timesteps", {}, TIMESTEPS_MAX),
        ("layers", {}, LAYERS_MAX),
        ("proj_size", {"framework": "pytorch", "units": "8"}, 7),
        ("step", {"view": "lesson"}, len(STEPS)),
        ("question", {"view": "practice"}, MAX_QUESTION),
        ("budget", {"view": "practice"}, MAX_BUDGET),
        ("t", {"view": "through time"}, 40),
    ],
)
def test_above_the_maximum_clamps_with_a_notice(key: str, fixed: dict[str, str], maximum: int) -> None:
    at = run_app({**fixed, key: NINES})
    assert_clean(at)
    assert at.query_params[key] == str(maximum)
    assert f"{key}=999" in notices(at) and f"using {maximum}" in notices(at)


def test_an_oversized_query_string_is_ignored_whole() -> None:
    at = run_app({key: "9" * 100_000 for key in SIDEBAR[:6]})  # 600 kB
    assert_clean(at)
    assert total(at) == lstmviz.count_params(RecurrentSpec())


def test_unknown_keys_are_left_alone() -> None:
    at = run_app({"utm_source": "<b>x</b>", "x" * 1000: "1", "units": "5"})
    assert_clean(at)
    assert at.query_params["utm_source"] == "<b>x</b>"
    assert total(at) == lstmviz.count_params(RecurrentSpec(units=5))
    assert not at.warning


def test_a_hidden_option_never_comes_back() -> None:
    """?units=8&proj_size=3 on Keras, then PyTorch: the stale projection is gone (issue 11)."""
    at = run_app({"units": "8", "proj_size": "3"})
    assert "ignored proj_size=3" in notices(at)
    at.radio(key="framework").set_value("pytorch").run()
    assert_clean(at)
    assert total(at) == lstmviz.count_params(RecurrentSpec(framework="pytorch", units=8)) == 416
    at.number_input(key="proj_size").set_value(3).run()
    at.radio(key="cell").set_value("gru").run()
    at.radio(key="cell").set_value("lstm").run()
    assert total(at) == 416  # back on the LSTM, the projection starts from 0 again


def test_switches_a_layer_lacks_start_from_their_defaults_again() -> None:
    at = run_app({"cell": "gru", "reset_after": "false"})
    assert at.checkbox(key="reset_after").value is False
    at.checkbox(key="return_sequences").check().run()
    at.radio(key="cell").set_value("lstm").run()  # no reset_after on an LSTM
    at.radio(key="framework").set_value("pytorch").run()  # no return_sequences in PyTorch
    at.radio(key="framework").set_value("keras").run()
    at.radio(key="cell").set_value("gru").run()
    assert_clean(at)
    assert at.checkbox(key="reset_after").value is True
    assert at.checkbox(key="return_sequences").value is False
    assert total(at) == lstmviz.count_params(RecurrentSpec(cell="gru"))


@pytest.mark.parametrize(
    ("text", "number"),
    [("12", 12), ("007", 7), ("0", 0), ("1.5", None), ("1_000", None), ("１２", None), ("١٢", None), ("+3", None)],
)
def test_whole_numbers_are_ascii_digits(text: str, number: int | None) -> None:
    assert parse_whole(text) == number


# --- the command line -----------------------------------------------------------------------

BAD_FLAGS = [
    ["count", "--units", "inf"],
    ["count", "--units", "1e400"],
    ["count", "--units", NINES],
    ["count", "--units", "1_000"],
    ["count", "--units", "１２"],
    ["count", "--units", "-5"],
    ["count", "--units", "0"],
    ["count", "--units", "99999999"],
    ["count", "--features", "<script>"],
    ["count", "--framework", "jax"],
    ["count", "--cell", "x" * 100_000],
    ["count", "--bogus"],
    ["count", "--json", "extra"],
    ["frobnicate"],
    [],
    ["count", "--proj-size", "1", "--units", "4"],
    ["count", "--framework", "pytorch", "--return-sequences"],
    ["count", "--framework", "pytorch", "--cell", "gru", "--no-reset-after"],
    ["code", "--no-reset-after"],
]


@pytest.mark.parametrize("argv", BAD_FLAGS, ids=lambda a: " ".join(a)[:40] or "no arguments")
def test_bad_flags_print_one_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("lstmviz: error: ") and err.count("\n") == 1, err
    assert len(err) < 400


def _cli(args: list[str], stdout: Any) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "lstmviz", *args], stdout=stdout, stderr=subprocess.PIPE, cwd=ROOT, timeout=60
    )


@pytest.mark.parametrize("args", [["count", "--json", "--layers", "16", "--bidirectional"], ["code"], ["--help"]])
def test_a_closed_pipe_ends_quietly(args: list[str]) -> None:
    """The reader is gone before the first byte (`| head -c 0`): no traceback, SIGPIPE's status."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = _cli(args, write_end)
    finally:
        os.close(write_end)
    assert done.returncode == EXIT_CLOSED_PIPE
    assert done.stderr == b""


def test_a_closed_pipe_after_the_first_byte() -> None:
    """`| head -c 1` on an output bigger than the pipe's buffer."""
    big = ["count", "--layers", "16", "--bidirectional", "--units", "1000", "--framework", "pytorch"]
    shell = f"{sys.executable} -m lstmviz {' '.join(big)} | head -c 1 >/dev/null; echo ${{PIPESTATUS[0]}}"
    done = subprocess.run(["bash", "-c", shell], capture_output=True, cwd=ROOT, timeout=60, text=True)
    assert done.stdout.strip() in ("0", str(EXIT_CLOSED_PIPE))
    assert done.stderr == ""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["count", "--json"], ["count"], ["code"], ["--help"]])
def test_a_full_disk_prints_one_line(args: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        done = _cli(args, full)
    assert done.returncode == 1
    assert done.stderr.decode() == "lstmviz: error: cannot write the output: No space left on device\n"


# --- the Python API ---------------------------------------------------------------------------

SPEC = RecurrentSpec()
WEIGHTS = init_weights(SPEC)
X = one_hot_sequence((1, 2), depth=3)
KERNEL = "lstm/lstm_cell/kernel"

WRONG_TYPES: list[tuple[str, Callable[[], object], str]] = [
    ("count_params(None)", lambda: lstmviz.count_params(None), "spec"),  # type: ignore[arg-type]
    ("count_params(dict)", lambda: lstmviz.count_params({"units": 2}), "spec"),  # type: ignore[arg-type]
    ("formula(dict)", lambda: lstmviz.formula(dict), "count"),  # type: ignore[arg-type]
    ("breakdown(str)", lambda: lstmviz.breakdown("keras"), "spec"),  # type: ignore[arg-type]
    ("weight_tensors", lambda: lstmviz.weight_tensors(None), "spec"),  # type: ignore[arg-type]
    ("gate_slices", lambda: lstmviz.gate_slices(None), "spec"),  # type: ignore[arg-type]
    ("closed_form_total", lambda: lstmviz.closed_form_total(3), "spec"),  # type: ignore[arg-type]
    ("keras_summary", lambda: lstmviz.keras_summary(None), "count"),  # type: ignore[arg-type]
    ("tensor_table", lambda: lstmviz.tensor_table(SPEC), "count"),  # type: ignore[arg-type]
    ("output_shapes", lambda: lstmviz.output_shapes(None), "spec"),  # type: ignore[arg-type]
    ("cost", lambda: lstmviz.cost(None), "spec"),  # type: ignore[arg-type]
    ("framework_code", lambda: framework_code(SPEC), "report"),
    ("build_report", lambda: lstmviz.build_report({"units": 2}), "spec"),  # type: ignore[arg-type]
    ("forward(dict spec)", lambda: lstmviz.forward({"units": 2}, WEIGHTS, X), "spec"),  # type: ignore[arg-type]
    ("forward(list weights)", lambda: lstmviz.forward(SPEC, [1, 2], X), "weights"),  # type: ignore[arg-type]
    ("forward(inputs str)", lambda: lstmviz.forward(SPEC, WEIGHTS, "abc"), "inputs"),  # type: ignore[arg-type]
    ("forward(inputs None)", lambda: lstmviz.forward(SPEC, WEIGHTS, None), "inputs"),  # type: ignore[arg-type]
    ("gate_slices(layer str)", lambda: lstmviz.gate_slices(SPEC, "0"), "layer"),  # type: ignore[arg-type]
    ("gate_slices(direction None)", lambda: lstmviz.gate_slices(SPEC, 0, None), "direction"),  # type: ignore[arg-type]
    ("init_weights(None)", lambda: init_weights(None), "spec"),  # type: ignore[arg-type]
    ("init_weights(seed str)", lambda: init_weights(SPEC, seed="1"), "seed"),  # type: ignore[arg-type]
    ("init_layer(layer str)", lambda: init_layer("layer 0"), "layer"),  # type: ignore[arg-type]
    ("RecurrentSpec(units str)", lambda: RecurrentSpec(units="3"), "units"),  # type: ignore[arg-type]
    ("RecurrentSpec(units float)", lambda: RecurrentSpec(units=2.0), "units"),  # type: ignore[arg-type]
    ("RecurrentSpec(framework None)", lambda: RecurrentSpec(framework=None), "framework"),  # type: ignore[arg-type]
    ("RecurrentSpec(bias 1)", lambda: RecurrentSpec(bias=1), "bias"),  # type: ignore[arg-type]
    ("dense_params(str)", lambda: lstmviz.dense_params("3"), "inputs"),  # type: ignore[arg-type]
    ("one_hot_sequence(str)", lambda: one_hot_sequence("abc"), "values"),  # type: ignore[arg-type]
    ("sine_waves(batch float)", lambda: sine_waves(batch=1.5), "batch"),  # type: ignore[arg-type]
    ("random_inputs(seed None)", lambda: random_inputs(seed=None), "seed"),  # type: ignore[arg-type]
    ("lecture_input(None)", lambda: lecture_input(None, 4, 3), "kind"),  # type: ignore[arg-type]
    ("quiz_question(str)", lambda: quiz_question("3"), "number"),  # type: ignore[arg-type]
    ("budget_frontier(budget str)", lambda: budget_frontier(SPEC, "100", [1]), "budget"),  # type: ignore[arg-type]
    ("budget_frontier(units int)", lambda: budget_frontier(SPEC, 100, 5), "units"),  # type: ignore[arg-type]
    ("budget_frontier(units str)", lambda: budget_frontier(SPEC, 100, ["2"]), "units"),  # type: ignore[list-item]
    ("max_features(None)", lambda: max_features(None, 100), "spec"),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("call", "name"), [(c, n) for _, c, n in WRONG_TYPES], ids=[i for i, _, _ in WRONG_TYPES])
def test_wrong_types_raise_type_error_naming_the_argument(call: Callable[[], object], name: str) -> None:
    with pytest.raises(TypeError, match=name):
        call()


def _weights_with(value: Any) -> dict[str, Any]:
    return {**WEIGHTS, KERNEL: value}


@pytest.mark.parametrize(
    "bad",
    [
        WEIGHTS[KERNEL].astype(np.complex64),
        WEIGHTS[KERNEL].astype(str),
        WEIGHTS[KERNEL].astype(object),
        WEIGHTS[KERNEL].astype(np.int32),
        np.zeros((3, 8), dtype="datetime64[s]"),
        np.full((3, 8), np.nan, np.float32),
    ],
    ids=["complex", "string", "object", "integer", "datetime", "nan"],
)
def test_weights_must_be_real_finite_floats(bad: Any) -> None:
    with pytest.raises(ValueError, match=KERNEL):
        lstmviz.forward(SPEC, _weights_with(bad), X)


@pytest.mark.parametrize(
    "spec",
    [
        dict(framework="pytorch", return_sequences=True),
        dict(framework="pytorch", cell="gru", reset_after=False),
        dict(framework="keras", cell="lstm", reset_after=False),
        dict(framework="keras", units=4, proj_size=2),
    ],
)
def test_options_a_layer_lacks_are_refused(spec: dict[str, Any]) -> None:
    option = next(k for k in ("return_sequences", "reset_after", "proj_size") if k in spec)
    with pytest.raises(ValueError, match=f"{option}=.*does not apply"):
        RecurrentSpec(**spec)


def test_json_echoes_the_spec_it_counted(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    assert main(["count", "--json", "--framework", "pytorch", "--cell", "gru"]) == 0
    data = json.loads(capsys.readouterr().out)
    spec = RecurrentSpec(**data["spec"])
    assert data["total_params"] == lstmviz.count_params(spec)
    assert data["spec"]["reset_after"] is True  # what a PyTorch GRU does, never an ignored false


@pytest.mark.parametrize(("units", "match"), [([], "at least one"), ([0], "between"), ([-3, 4], "between")])
def test_budget_frontier_rejects_empty_or_non_positive_sizes(units: list[int], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        budget_frontier(SPEC, 100, units)


def test_budget_frontier_stops_at_an_endless_iterable() -> None:
    import itertools

    with pytest.raises(ValueError, match="at most"):
        budget_frontier(SPEC, 100, itertools.count(1))


def test_init_weights_refuses_the_largest_spec_before_allocating() -> None:
    """65536 × 65536 × 16 layers, bidirectional: refused from the count, with almost no memory touched."""
    spec = RecurrentSpec(features=65_536, units=65_536, layers=16, bidirectional=True)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"1,614,916,091,904 parameters.*50,000,000"):
            init_weights(spec)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000  # bytes: the refusal allocates nothing per parameter
    assert lstmviz.count_params(spec) == 1_614_916_091_904
    assert lstmviz.count_params(spec) > MAX_WEIGHT_VALUES


def test_init_layer_is_bounded_too() -> None:
    spec = RecurrentSpec(features=4096, units=4096)
    with pytest.raises(ValueError, match="layer 0 forward has"):
        init_layer(lstmviz.breakdown(spec).layer(0))
