"""The parameter tables as CSV, Markdown and LaTeX, and the formula as LaTeX, for slides."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from lstmviz.report import Report
from lstmviz.summary import Formula
from lstmviz.tables import GATES, TENSORS, gate_parts, rows

Row = dict[str, str | int]


def tensor_rows(report: Report) -> list[Row]:
    """The tensor table: one row per tensor in framework order, then a total row."""
    found: list[Row] = rows(TENSORS, report.tensors)
    total: Row = {label: "" for label in found[0]}
    total.update({"tensor": "total", "parameters": report.total})
    return [*found, total]


def gate_rows(report: Report) -> list[Row]:
    """The gate table: every gate and projection of every layer and direction; they sum to the total."""
    return rows(GATES, gate_parts(report.layers))


def to_csv(rows: Sequence[Row]) -> str:
    """Rows as CSV with a header line."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def to_markdown(rows: Sequence[Row]) -> str:
    """Rows as a GitHub-flavoured Markdown table; numbers right-aligned."""
    columns = list(rows[0])
    numeric = [all(isinstance(r[c], int) or r[c] == "" for r in rows) for c in columns]
    lines = [
        "| " + " | ".join(columns) + " |",
        "| " + " | ".join("---:" if n else "---" for n in numeric) + " |",
    ]
    lines += ["| " + " | ".join(str(r[c]) for c in columns) + " |" for r in rows]
    return "\n".join(lines) + "\n"


_LATEX_SPECIAL = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}"}


def _latex_text(value: str | int) -> str:
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in str(value))


def to_latex(rows: Sequence[Row]) -> str:
    """Rows as a booktabs LaTeX tabular."""
    columns = list(rows[0])
    align = "".join("r" if all(isinstance(r[c], int) or r[c] == "" for r in rows) else "l" for c in columns)
    lines = [
        f"\\begin{{tabular}}{{{align}}}",
        "\\toprule",
        " & ".join(_latex_text(c) for c in columns) + r" \\",
        "\\midrule",
    ]
    lines += [" & ".join(_latex_text(r[c]) for c in columns) + r" \\" for r in rows]
    lines += ["\\bottomrule", "\\end{tabular}"]
    return "\n".join(lines) + "\n"


def formula_latex(formula: Formula) -> str:
    """The formula with numbers substituted, as LaTeX math: 4 \\times ((3 + 2) \\times 2 + 2) = 48."""
    return formula.substituted.replace("×", r"\times").replace(",", "{,}")
