"""Small tables as Markdown: no pandas on the server and no Arrow/data-grid code in the browser.

st.dataframe converts rows through pandas and Arrow (milliseconds per table, and pandas' import on the
first one, which raced Plotly's pandas check across sessions) and pulls a 1.4 MB grid into the page.
For a handful of rows a static table shows the same values, and its type follows the page's CSS
(presentation mode enlarges it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

import streamlit as st

Row = Mapping[str, object]

# A table wider than its column (a phone) scrolls inside its block, and says so: shadows at the edges
# that still have columns to scroll to (Lea Verou's background-attachment technique, pure CSS).
TABLE_CSS = """<style>
[data-testid="stMain"] [data-testid="stMarkdownContainer"]:has(table) {
  overflow-x: auto;
  background: linear-gradient(to right, #fff 30%, rgba(255,255,255,0)),
    linear-gradient(to right, rgba(255,255,255,0), #fff 70%) 100% 0,
    radial-gradient(farthest-side at 0 50%, rgba(0,0,0,.25), rgba(0,0,0,0)),
    radial-gradient(farthest-side at 100% 50%, rgba(0,0,0,.25), rgba(0,0,0,0)) 100% 0;
  background-repeat: no-repeat;
  background-size: 40px 100%, 40px 100%, 14px 100%, 14px 100%;
  background-attachment: local, local, scroll, scroll;
}
</style>"""

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~$-])")


def _cell(value: object) -> str:
    """One cell as escaped Markdown text; integers with thousands separators."""
    if isinstance(value, bool) or not isinstance(value, int):
        text = str(value)
    else:
        text = f"{value:,}"
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("\n", " ").strip()


def _line(cells: Sequence[str], bold: bool = False) -> str:
    """One table row; a marked row has every (non-empty) cell in bold."""
    if bold:
        cells = [f"**{c}**" if c else c for c in cells]
    return "| " + " | ".join(cells) + " |"


def markdown_table(rows: Sequence[Row], marked: Callable[[Row], bool] | None = None) -> str:
    """GitHub-flavoured Markdown for rows of equal keys; numbers right-aligned, `marked` rows in bold."""
    if not rows:
        return ""
    columns = list(rows[0])
    numeric = [all(isinstance(r[c], int | float) and not isinstance(r[c], bool) for r in rows) for c in columns]
    lines = [_line([_cell(c) for c in columns]), _line(["---:" if n else ":---" for n in numeric])]
    lines += [_line([_cell(r[c]) for c in columns], marked is not None and marked(r)) for r in rows]
    return "\n".join(lines)


def static_table(rows: Sequence[Row], marked: Callable[[Row], bool] | None = None) -> None:
    """Draw rows as a static table (one light Markdown element), `marked` rows in bold."""
    st.markdown(markdown_table(rows, marked))


def equation_table(terms: Sequence[tuple[str, str]]) -> None:
    """An equation as a two-row table: each term, and under it the shape of what it names."""
    lines = [_line([_cell(t) for t, _ in terms]), _line([":-:"] * len(terms)), _line([_cell(s) for _, s in terms])]
    st.markdown("\n".join(lines))
