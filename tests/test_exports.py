"""Exports: tables as CSV/Markdown/LaTeX, the formula as LaTeX, and framework code that must run."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import subprocess
import sys
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lstmviz
from lstmviz import RecurrentSpec
from lstmviz.export import formula_latex, gate_rows, tensor_rows, to_csv, to_latex, to_markdown
from lstmviz.snippet import framework_code
from tests import strategies
from tests.frameworks import require_frameworks

TUTORIAL = RecurrentSpec()


def specs(framework: str) -> st.SearchStrategy[RecurrentSpec]:
    """Small specs of one framework: the snippet builds them for real."""
    return strategies.specs(framework, sizes=st.integers(1, 9), timesteps=st.integers(1, 12))


def _frameworks() -> tuple[ModuleType, ModuleType]:
    return require_frameworks()


def _run(code: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<snippet>", "exec"), {"__name__": "__main__"})
    return out.getvalue()


@pytest.mark.oracle
@settings(max_examples=30, deadline=None)
@given(specs("keras"))
def test_keras_snippet_runs_and_passes(spec: RecurrentSpec) -> None:
    keras, _ = _frameworks()
    keras.backend.clear_session()
    assert f"OK: {lstmviz.count_params(spec):,} parameters" in _run(framework_code(lstmviz.build_report(spec)))


@pytest.mark.oracle
@settings(max_examples=30, deadline=None)
@given(specs("pytorch"))
def test_pytorch_snippet_runs_and_passes(spec: RecurrentSpec) -> None:
    _frameworks()
    assert f"OK: {lstmviz.count_params(spec):,} parameters" in _run(framework_code(lstmviz.build_report(spec)))


def test_a_wrong_count_would_fail_the_snippet() -> None:
    code = framework_code(lstmviz.build_report(RecurrentSpec(framework="pytorch")))
    assert "assert count == 56, count" in code
    _frameworks()
    with pytest.raises(AssertionError):
        _run(code.replace("count == 56", "count == 48"))


@pytest.mark.oracle
@pytest.mark.parametrize("framework", ["keras", "pytorch"])
def test_cli_code_runs_as_printed(framework: str) -> None:
    _frameworks()
    flags = ["--framework", framework, "--cell", "gru", "--features", "4", "--units", "3", "--bidirectional"]
    code = subprocess.run(
        [sys.executable, "-m", "lstmviz", "code", *flags], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    env = {**os.environ, "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "torch")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    spec = RecurrentSpec(framework=framework, cell="gru", features=4, units=3, bidirectional=True)
    assert f"OK: {lstmviz.count_params(spec):,} parameters" in result.stdout


def test_cli_code_rejects_bad_flags_in_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lstmviz", "code", "--units", "0"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "units" in result.stderr


# --- tables and formula -----------------------------------------------------------------


def test_tables_in_every_format_agree_with_the_count() -> None:
    spec = RecurrentSpec(framework="pytorch", layers=2, bidirectional=True)
    rows = tensor_rows(lstmviz.build_report(spec))
    parsed = list(csv.DictReader(io.StringIO(to_csv(rows))))
    assert [r["tensor"] for r in parsed[:-1]] == [t.name for t in lstmviz.weight_tensors(spec)]
    assert sum(int(r["parameters"]) for r in parsed[:-1]) == int(parsed[-1]["parameters"]) == lstmviz.count_params(spec)
    markdown = to_markdown(rows).splitlines()
    assert len(markdown) == len(rows) + 2 and markdown[1].startswith("| --- | ---: |")
    latex = to_latex(rows)
    assert latex.count(r"\\") == len(rows) + 1 and "weight\\_ih\\_l0\\_reverse" in latex


@pytest.mark.parametrize(
    "spec",
    [RecurrentSpec(cell="gru", layers=2), RecurrentSpec(framework="pytorch", units=4, proj_size=2, bidirectional=True)],
    ids=str,
)
def test_gate_rows_sum_to_the_total(spec: RecurrentSpec) -> None:
    rows = gate_rows(lstmviz.build_report(spec))
    assert sum(int(r["parameters"]) for r in rows) == lstmviz.count_params(spec)
    assert sum(int(r["projection weights"]) for r in rows) == sum(
        t.params for t in lstmviz.weight_tensors(spec) if t.role == "projection"
    )


def test_tutorial_formula_as_latex() -> None:
    assert formula_latex(lstmviz.build_report(TUTORIAL).formula) == r"4 \times ((3 + 2) \times 2 + 2) = 48"


def test_cli_json_gates_of_a_projected_lstm_add_up(capsys: pytest.CaptureFixture[str]) -> None:
    from lstmviz.cli import main

    assert main(["count", "--json", "--framework", "pytorch", "--units", "4", "--proj-size", "2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total_params"] == lstmviz.count_params(RecurrentSpec(framework="pytorch", units=4, proj_size=2))
    assert [g["name"] for g in data["gates"]][-1] == "projection"
    assert sum(g["params"] for g in data["gates"]) == data["total_params"]


@settings(max_examples=40, deadline=None)
@given(strategies.specs(sizes=st.integers(1, 40)))
def test_every_table_of_parts_adds_up_in_every_format(spec: RecurrentSpec) -> None:
    from lstmviz.cli import count_json

    report = lstmviz.build_report(spec)
    data = count_json(report)
    assert sum(g["params"] for g in data["gates"]) == data["total_params"] == lstmviz.closed_form_total(spec)
    assert sum(layer["params"] for layer in data["layers"]) == data["total_params"]
    assert sum(t["params"] for t in data["tensors"]) == data["total_params"]
    for rows in (gate_rows(report), tensor_rows(report)[:-1]):
        parsed = list(csv.DictReader(io.StringIO(to_csv(rows))))
        assert sum(int(r["parameters"]) for r in parsed) == report.total
    gates = list(csv.DictReader(io.StringIO(to_csv(gate_rows(report)))))
    assert int(gates[-1]["running total"]) == report.total
    parts = ("input weights", "recurrent weights", "biases", "projection weights")
    assert all(sum(int(r[p]) for p in parts) == int(r["parameters"]) for r in gates)
