"""Every zoo record against what its framework reported (tests/data/golden_zoo.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lstmviz.zoo import RECORDS, ZooOptions, find_zoo, zoo_count

GOLDEN = json.loads((Path(__file__).parent / "data" / "golden_zoo.json").read_text())
ZOO_CASES = [c for c in GOLDEN["cases"] if find_zoo(c["layer"])]


def zoo_options(options: dict[str, Any]) -> ZooOptions:
    """The golden case's options as ZooOptions."""
    fields = dict(options)
    if "kernel_size" in fields:
        fields["kernel_size"] = tuple(fields["kernel_size"])
    return ZooOptions(**fields)


@pytest.mark.parametrize("case", ZOO_CASES, ids=[c["id"] for c in ZOO_CASES])
def test_tensors_and_total_match_the_framework(case: dict[str, Any]) -> None:
    record = find_zoo(case["layer"])
    assert record is not None
    count = zoo_count(record, zoo_options(case["options"]))
    assert [(t.name, list(t.shape)) for t in count.tensors] == [(t["name"], t["shape"]) for t in case["tensors"]]
    assert count.total == case["total_params"]
    assert sum(term.params for term in count.terms) == case["total_params"]


def test_every_record_has_golden_cases() -> None:
    covered = {find_zoo(c["layer"]).class_path for c in ZOO_CASES}  # type: ignore[union-attr]
    assert [r.class_path for r in RECORDS if r.class_path not in covered] == []
