"""Practice: predict the count of a random layer, and find which sizes fit a parameter budget."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

import lstmviz
from lstmviz.cells import LAYER_CLASS
from lstmviz.figures.fast import TEMPLATE
from lstmviz.practice import MAX_QUESTION, Fit, budget_frontier, quiz_question
from lstmviz.spec import RecurrentSpec
from lstmviz.style import FONT, FRAMEWORK_LABEL, INK, Theme
from lstmviz.ui.charts import chart_config
from lstmviz.ui.controls import URL

BUDGET_UNITS = (*range(1, 17), *range(24, 1025, 8))


def _describe(spec: RecurrentSpec) -> str:
    name = f"{FRAMEWORK_LABEL[spec.framework]} {LAYER_CLASS[(spec.framework, spec.cell)]}"
    extra = ", bidirectional" if spec.bidirectional else ""
    if spec.framework == "keras" and spec.cell == "gru":
        extra += f", reset_after={spec.reset_after}"
    return f"{name} with {spec.features} input features, {spec.units} units and {spec.timesteps} timesteps{extra}"


def frontier_figure(fits: list[Fit], budget: int, theme: Theme) -> go.Figure:
    """The largest input size that fits the budget, per hidden size."""
    fig = go.Figure(
        go.Scatter(
            x=[f.units for f in fits],
            y=[f.max_features for f in fits],
            customdata=[f.params for f in fits],
            mode="lines+markers",
            hovertemplate="units %{x}, features ≤ %{y}: %{customdata:,} parameters<extra></extra>",
        )
    )
    fig.update_layout(
        title={"text": f"Sizes within {budget:,} parameters", "font": {"size": theme.title_size}},
        xaxis={"title": "units h"},
        yaxis={"title": "largest features x", "type": "log"},
        font={"family": FONT, "size": theme.font_size, "color": INK},
        height=theme.figure_height,
        template=TEMPLATE,
    )
    return fig


def _clear_answer() -> None:
    st.session_state["quiz_answer"] = None


def render(spec: RecurrentSpec, theme: Theme) -> None:
    """Draw the quiz and the budget view."""
    st.title("Predict the count")
    number = int(st.number_input("Question", 1, MAX_QUESTION, 1, key="question", bind=URL, on_change=_clear_answer))
    question = quiz_question(number)
    st.markdown(f"**How many parameters does a {_describe(question)} have?**")
    answer = st.number_input("Your answer", min_value=0, value=None, step=1, key="quiz_answer")
    if answer is not None:
        truth = lstmviz.count_params(question)
        if int(answer) == truth:
            st.success(f"Right: {lstmviz.formula(question).substituted}")
        else:
            st.error(f"Not quite: {lstmviz.formula(question).substituted} (you said {int(answer):,})")

    st.title("Which sizes fit a budget?")
    st.caption(
        "For the layer chosen in the sidebar (framework, cell, stack), the largest input size x that "
        "keeps the count within the budget, for each number of units h."
    )
    budget = int(st.number_input("Parameter budget", 1, 10**12, 100_000, step=1000, key="budget", bind=URL))
    fits = budget_frontier(spec, budget, BUDGET_UNITS)
    if not fits:
        st.warning(f"Nothing fits in a budget of {budget:,}: even features = units = 1 needs more parameters.")
        return
    st.plotly_chart(
        frontier_figure(fits, budget, theme), key="budget_frontier", config=chart_config("png", "lstmviz-budget")
    )
    st.dataframe(
        [{"units h": f.units, "largest features x": f.max_features, "parameters": f.params} for f in fits[:40]],
        hide_index=True,
    )
