"""Tables for st.dataframe: whole numbers with thousands separators, the followed gate's row marked."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from lstmviz.style import INK, SELECTED_FILL

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
