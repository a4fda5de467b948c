"""Tables for st.dataframe: whole numbers with thousands separators, the followed gate's row marked."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from lstmviz.style import INK, SELECTED_FILL, Theme

Row = dict[str, Any]


def frame(table: Sequence[Row], marked: Callable[[Row], bool] | None = None) -> Any:
    """The rows as a styled frame: 1,234,567 in every integer column, marked rows bold on pale yellow."""
    data = pd.DataFrame(list(table))
    integers = [c for c in data.columns if pd.api.types.is_integer_dtype(data[c])]
    styler = data.style.format("{:,}", subset=integers)
    if marked is not None:
        flags = [marked(row) for row in table]
        style = f"background-color: {SELECTED_FILL}; color: {INK}; font-weight: bold"
        styler = styler.apply(lambda col: [style if flag else "" for flag in flags], axis=0)
    return styler


def show(table: Sequence[Row], key: str, theme: Theme, marked: Callable[[Row], bool] | None = None) -> None:
    """Draw the rows: an interactive grid on screen, a plain enlarged table on a projector."""
    styled = frame(table, marked)
    if theme.static_tables:
        st.table(styled.hide(axis="index"))
    else:
        st.dataframe(styled, hide_index=True, key=key)
