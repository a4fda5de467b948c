"""lstmviz's NumPy forward for every zoo class against its framework's own run (golden_zoo_forward.npz)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lstmviz.zoo import RECORDS, find_zoo, zoo_count
from lstmviz.zoo.forward import zoo_forward
from tests.test_zoo import zoo_options

DATA = Path(__file__).parent / "data"
GOLDEN = json.loads((DATA / "golden_zoo.json").read_text())
FORWARD_CASES = [c for c in GOLDEN["cases"] if c["forward"] and find_zoo(c["layer"])]
TOLERANCE = 1e-5


@pytest.fixture(scope="module")
def arrays() -> dict[str, np.ndarray]:
    with np.load(DATA / "golden_zoo_forward.npz", allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


@pytest.mark.parametrize("case", FORWARD_CASES, ids=[c["id"] for c in FORWARD_CASES])
def test_forward_matches_the_framework(case: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    record = find_zoo(case["layer"])
    assert record is not None
    count = zoo_count(record, zoo_options(case["options"]))
    cid = case["id"]
    weights = {t.name: arrays[f"{cid}|w:{t.name}"] for t in count.tensors}
    xs, expected = arrays[f"{cid}|input"], arrays[f"{cid}|output"]
    batch_major = case["forward_layout"].startswith("input (B, T")
    run = zoo_forward(count, weights, np.swapaxes(xs, 0, 1) if batch_major else xs)
    outputs = np.swapaxes(run.outputs, 0, 1) if batch_major else run.outputs
    assert outputs.shape == expected.shape
    np.testing.assert_allclose(outputs, expected, atol=TOLERANCE, rtol=0)
    if f"{cid}|final_c" in arrays:
        assert run.final_c is not None
        np.testing.assert_allclose(run.final_c, arrays[f"{cid}|final_c"], atol=TOLERANCE, rtol=0)


def test_every_class_is_checked_against_its_framework() -> None:
    checked = {c["layer"] for c in FORWARD_CASES}
    assert {r.class_path for r in RECORDS} - checked == set()


@pytest.mark.parametrize("case", FORWARD_CASES[:12], ids=[c["id"] for c in FORWARD_CASES[:12]])
def test_the_check_can_fail_every_tensor_matters(case: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    record = find_zoo(case["layer"])
    assert record is not None
    count = zoo_count(record, zoo_options(case["options"]))
    cid = case["id"]
    weights = {t.name: arrays[f"{cid}|w:{t.name}"] for t in count.tensors}
    base = zoo_forward(count, weights, arrays[f"{cid}|input"]).outputs
    for tensor in count.tensors:
        changed = zoo_forward(count, {**weights, tensor.name: weights[tensor.name] * 0.5}, arrays[f"{cid}|input"])
        assert np.abs(changed.outputs - base).max() > TOLERANCE, tensor.name
