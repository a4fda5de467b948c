"""lstmviz.internals holds what depends on Streamlit's and Plotly's internals; it fails loudly on an upgrade."""

from __future__ import annotations

import pytest

from lstmviz.internals import WRITTEN_FOR, untested_versions


def test_installed_versions_are_the_ones_the_internals_were_written_for() -> None:
    # On a failure: re-check FrozenFigure against go.Figure, the query-string rewrite against Streamlit's
    # QueryParams (tests/test_hostile_inputs.py), then move WRITTEN_FOR to the new series.
    assert untested_versions() == {}, f"lstmviz.internals was written for {WRITTEN_FOR}"


def test_untested_versions_compares_the_series(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(WRITTEN_FOR, "plotly", "0")
    assert set(untested_versions()) == {"plotly"}
