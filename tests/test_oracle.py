"""lstmviz against the frameworks themselves.

Golden tests (always run): every case of tests/data/golden_counts.json, recorded from real
Keras 3 and PyTorch layers by tools/make_golden.py, must match lstmviz exactly.

Oracle tests (@pytest.mark.oracle): build real layers now, for hypothesis-drawn specs. They skip
when keras or torch is missing, except under CI (env CI set), where a missing framework fails.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lstmviz
from lstmviz.spec import RecurrentSpec
from tests import strategies
from tests.frameworks import require_frameworks
from tools import make_golden

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = json.loads((ROOT / "tests" / "data" / "golden_counts.json").read_text())
CASES: list[dict[str, Any]] = GOLDEN["cases"]


def _stacked_bidirectional(spec: RecurrentSpec) -> bool:
    """Keras names the inner layers of bidirectional_N forward_<cell>_N: the case keys once got wrong."""
    return spec.framework == "keras" and spec.bidirectional and spec.layers > 1


def _expected_keys(case: dict[str, Any]) -> list[str]:
    # Keras: variable path without the model prefix; PyTorch: the named_parameters name.
    return [t.get("path", t["name"]) for t in case["tensors"]]


def assert_matches(case: dict[str, Any], check_keys: bool = True) -> None:
    """lstmviz agrees with one framework record (golden or live)."""
    spec = RecurrentSpec(**case["spec"])
    total = case["total_params"]
    assert lstmviz.count_params(spec) == total
    assert lstmviz.closed_form_total(spec) == total
    got = [(t.name, t.shape) for t in lstmviz.weight_tensors(spec)]
    assert got == [(t["name"], tuple(t["shape"])) for t in case["tensors"]]
    assert lstmviz.output_shapes(spec).as_dict() == case["outputs"]
    assert lstmviz.breakdown(spec).tree().mismatches() == []
    if check_keys:
        assert [t.key for t in lstmviz.weight_tensors(spec)] == _expected_keys(case)


# --- golden: no framework needed ------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden_case(case: dict[str, Any]) -> None:
    assert_matches(case)


@pytest.mark.parametrize(
    ("case_id", "expected"), [(case_id, expected) for case_id, _, expected in make_golden.SEED_CASES]
)
def test_golden_tutorial_totals(case_id: str, expected: int) -> None:
    # The tutorial example's worked examples: 48, 56, 42 and 36.
    (case,) = [c for c in CASES if c["id"] == case_id]
    assert case["total_params"] == expected
    assert lstmviz.count_params(RecurrentSpec(**case["spec"])) == expected


def test_golden_tutorial_totals_are_the_tutorials() -> None:
    assert [expected for _, _, expected in make_golden.SEED_CASES] == [48, 56, 42, 36]


def test_golden_dense_warmup() -> None:
    warmup = GOLDEN["dense_warmup"]
    assert (warmup["per_layer"], warmup["total_params"]) == ([20, 12], 32)
    dense = lstmviz.dense_params(warmup["inputs"], warmup["hidden"], warmup["outputs"])
    assert [dense.hidden_params, dense.output_params] == warmup["per_layer"]
    assert dense.total == warmup["total_params"]
    warm_up = lstmviz.dense_params(3, 5, 2)
    assert (warm_up.hidden_params, warm_up.output_params, warm_up.total) == (20, 12, 32)


def test_golden_file_matches_generator_cases() -> None:
    # The file was produced by the current case list (ids and specs), not an older one.
    assert [(c["id"], c["spec"]) for c in CASES] == [(i, s.as_dict()) for i, s in make_golden.case_specs()]
    assert all(set(c["spec"]) == set(RecurrentSpec.field_names()) for c in CASES)


def test_golden_covers_every_option() -> None:
    assert make_golden.coverage_gaps([RecurrentSpec(**c["spec"]) for c in CASES]) == []


def test_golden_keras_paths_of_stacked_bidirectional() -> None:
    cases = [c for c in CASES if _stacked_bidirectional(RecurrentSpec(**c["spec"]))]
    assert cases
    wrong = {
        c["id"]: [
            (t.key, path)
            for t, path in zip(lstmviz.weight_tensors(RecurrentSpec(**c["spec"])), _expected_keys(c), strict=True)
            if t.key != path
        ]
        for c in cases
    }
    assert {k: v for k, v in wrong.items() if v} == {}


# --- live oracle: real Keras 3 and PyTorch layers -----------------------------------------------


def _missing() -> tuple[ModuleType, ModuleType]:
    raise ImportError("No module named 'keras'")


def test_missing_frameworks_fail_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        require_frameworks(_missing)


def test_missing_frameworks_skip_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        require_frameworks(_missing)


def specs(framework: str | None = None) -> st.SearchStrategy[RecurrentSpec]:
    """Any valid spec, small enough to build quickly; a few larger sizes too."""
    return strategies.specs(
        framework, sizes=st.integers(1, 16) | st.sampled_from((32, 64)), frameworks=strategies.ORACLE_FRAMEWORKS
    )


@pytest.mark.oracle
@settings(max_examples=40, deadline=None)
@given(spec=specs())
def test_live_frameworks_match_lstmviz(frameworks: tuple[ModuleType, ModuleType], spec: RecurrentSpec) -> None:
    keras, torch = frameworks
    assert_matches(make_golden.record("live", spec, keras, torch))


@pytest.mark.oracle
@settings(max_examples=40, deadline=None)
@given(spec=specs("keras"))
def test_live_keras_paths_match_keys(frameworks: tuple[ModuleType, ModuleType], spec: RecurrentSpec) -> None:
    # Layers are named explicitly (keras_layer_name), so earlier models in this process don't matter.
    keras, _ = frameworks
    model = make_golden.build_keras(spec, keras)
    paths = [w.path.split("/", 1)[1] for w in model.weights]
    assert [w.name for w in model.weights] == [t.name for t in lstmviz.weight_tensors(spec)]
    assert [model.get_layer(index=i).name for i in range(spec.layers)] == [
        lstmviz.counting.keras_layer_name(spec, i) for i in range(spec.layers)
    ]
    assert paths == [t.key for t in lstmviz.weight_tensors(spec)]


@pytest.mark.oracle
@settings(max_examples=15, deadline=None)
@given(spec=specs("keras"))
def test_live_explicit_names_are_fresh_model_names(
    frameworks: tuple[ModuleType, ModuleType], spec: RecurrentSpec
) -> None:
    # The explicit names used above are exactly what Keras picks on its own in a fresh session.
    keras, _ = frameworks
    keras.backend.clear_session()
    fresh = [w.path for w in make_golden.build_keras(spec, keras, explicit_names=False).weights]
    keras.backend.clear_session()
    named = [w.path for w in make_golden.build_keras(spec, keras).weights]
    assert fresh == named


@pytest.mark.oracle
@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_live_keras_paths_of_stacked_bidirectional(frameworks: tuple[ModuleType, ModuleType], cell: str) -> None:
    keras, _ = frameworks
    spec = RecurrentSpec(framework="keras", cell=cell, layers=2, bidirectional=True)
    keras.backend.clear_session()
    model = make_golden.build_keras(spec, keras, explicit_names=False)
    assert [w.path.split("/", 1)[1] for w in model.weights] == [t.key for t in lstmviz.weight_tensors(spec)]


@pytest.mark.oracle
def test_live_golden_file_is_current(frameworks: tuple[ModuleType, ModuleType]) -> None:
    keras, torch = frameworks
    picked = [CASES[i * len(CASES) // 5] for i in range(5)]
    assert {c["spec"]["framework"] for c in picked} == {"keras", "pytorch"}
    for case in picked:
        live = make_golden.record(case["id"], RecurrentSpec(**case["spec"]), keras, torch)
        assert live == case
    assert make_golden.dense_warmup(keras) == GOLDEN["dense_warmup"]


def _printed_summary(keras: ModuleType, spec: RecurrentSpec) -> str:
    """What Keras 3's own model.summary() prints for the spec at line_length=76 (an 80-column terminal)."""
    keras.backend.clear_session()
    model = make_golden.build_keras(spec, keras)
    lines: list[str] = []
    model.summary(line_length=76, print_fn=lambda text, line_break=True: lines.append(text))
    return "".join(lines).rstrip("\n")


@pytest.mark.oracle
def test_live_keras_summary_is_what_keras_prints(frameworks: tuple[ModuleType, ModuleType]) -> None:
    # Every Keras golden configuration: the whole box table, and the totals lines with their byte sizes.
    keras, _ = frameworks
    keras_cases = [RecurrentSpec(**c["spec"]) for c in CASES if c["spec"]["framework"] == "keras"]
    assert len(keras_cases) > 50
    for spec in keras_cases:
        ours = lstmviz.keras_summary(lstmviz.breakdown(spec))
        printed = _printed_summary(keras, spec)
        assert ours.splitlines()[-3:] == printed.splitlines()[-3:], spec
        assert ours == printed, spec
