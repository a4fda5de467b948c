"""Small tables as Markdown: no pandas on the server and no Arrow/data-grid code in the browser.

st.dataframe converts rows through pandas and Arrow (milliseconds per table, and pandas' import on the
first one, which raced Plotly's pandas check across sessions) and pulls a 1.4 MB grid into the page.
For a handful of rows a static table shows the same values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import streamlit as st

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~$-])")


def _cell(value: object) -> str:
    """One cell as escaped Markdown text; integers with thousands separators."""
    if isinstance(value, bool) or not isinstance(value, int):
        text = str(value)
    else:
        text = f"{value:,}"
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def markdown_table(rows: Sequence[Mapping[str, object]]) -> str:
    """GitHub-flavoured Markdown for rows of equal keys; numbers right-aligned."""
    if not rows:
        return ""
    columns = list(rows[0])
    numeric = [all(isinstance(r[c], int | float) and not isinstance(r[c], bool) for r in rows) for c in columns]
    lines = [
        "| " + " | ".join(_cell(c) for c in columns) + " |",
        "| " + " | ".join("---:" if n else ":---" for n in numeric) + " |",
    ]
    lines += ["| " + " | ".join(_cell(r[c]) for c in columns) + " |" for r in rows]
    return "\n".join(lines)


def static_table(rows: Sequence[Mapping[str, object]]) -> None:
    """Draw rows as a static table (one light Markdown element)."""
    st.markdown(markdown_table(rows))
