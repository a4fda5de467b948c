"""The parameter tables as CSV, Markdown and LaTeX, and the formula as LaTeX, for slides."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from lstmviz.counting import breakdown
from lstmviz.spec import RecurrentSpec
from lstmviz.summary import formula

Row = dict[str, str | int]


def tensor_rows(spec: RecurrentSpec) -> list[Row]:
    """One row per tensor in framework order, then a total row."""
    count = breakdown(spec)
    rows: list[Row] = [
        {"tensor": t.name, "layer": t.layer, "direction": t.direction, "shape": str(t.shape), "parameters": t.params}
        for t in count.tensors
    ]
    rows.append({"tensor": "total", "layer": "", "direction": "", "shape": "", "parameters": count.total})
    return rows


def gate_rows(spec: RecurrentSpec) -> list[Row]:
    """One row per gate (and PyTorch projection) of every layer and direction; they sum to the total."""
    rows: list[Row] = []
    for lc in breakdown(spec).layers:
        for g in lc.gates:
            parts = (g.input_weights, g.recurrent_weights, g.biases, 0)
            rows.append(_gate_row(lc.layer, lc.direction, f"{g.kind.symbol} ({g.kind.name})", parts))
        if lc.projection:
            rows.append(_gate_row(lc.layer, lc.direction, "projection W_hr", (0, 0, 0, lc.projection)))
    return rows


def _gate_row(layer: int, direction: str, gate: str, parts: tuple[int, int, int, int]) -> Row:
    names = ("input weights", "recurrent weights", "biases", "projection weights")
    return {
        "layer": layer,
        "direction": direction,
        "gate": gate,
        **dict(zip(names, parts, strict=True)),
        "parameters": sum(parts),
    }


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


def formula_latex(spec: RecurrentSpec) -> str:
    """The formula with numbers substituted, as LaTeX math: 4 \\times ((3 + 2) \\times 2 + 2) = 48."""
    return formula(spec).substituted.replace("×", r"\times").replace(",", "{,}")
