"""The layer zoo's goldens (tools/make_golden_zoo.py, written by the real frameworks) are whole.

CI has no TensorFlow or JAX, so these files are the frameworks' word: each case's own total must
equal the sum of the tensors it lists, and every forward case must carry its input, its weights
under the framework's names and its output.
"""

from __future__ import annotations

import json
from math import prod
from pathlib import Path
from typing import Any

import numpy as np
import pytest

DATA = Path(__file__).parent / "data"
GOLDEN = json.loads((DATA / "golden_zoo.json").read_text())
CASES: list[dict[str, Any]] = GOLDEN["cases"]


@pytest.fixture(scope="module")
def forward_arrays() -> dict[str, np.ndarray]:
    with np.load(DATA / "golden_zoo_forward.npz", allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_total_is_the_sum_of_the_listed_tensors(case: dict[str, Any]) -> None:
    assert case["total_params"] == sum(prod(t["shape"]) for t in case["tensors"])


def test_forward_cases_carry_input_weights_and_output(forward_arrays: dict[str, np.ndarray]) -> None:
    for case in CASES:
        if not case["forward"]:
            continue
        cid = case["id"]
        assert f"{cid}|input" in forward_arrays and f"{cid}|output" in forward_arrays, cid
        for tensor in case["tensors"]:
            assert forward_arrays[f"{cid}|w:{tensor['name']}"].shape == tuple(tensor["shape"]), cid


def test_every_class_has_a_forward_case_or_says_why_not() -> None:
    classes = {c["layer"] for c in CASES}
    with_forward = {c["layer"] for c in CASES if c["forward"]}
    absent = {c["layer"]: c.get("forward_absent") for c in CASES if not c["forward"] and c["layer"] not in with_forward}
    assert classes == with_forward | set(absent)
    assert all(absent.values()), absent
