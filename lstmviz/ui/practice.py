"""Practice: predict the count of a random layer, and find which sizes fit a parameter budget."""

from __future__ import annotations

import streamlit as st

from lstmviz.cells import LAYER_CLASS
from lstmviz.figures.budget import frontier_figure
from lstmviz.practice import MAX_QUESTION, budget_frontier, quiz_question
from lstmviz.report import Report, build_report
from lstmviz.spec import RecurrentSpec
from lstmviz.style import FRAMEWORK_LABEL, Theme
from lstmviz.ui import url
from lstmviz.ui.charts import chart_config
from lstmviz.ui.controls import URL
from lstmviz.ui.static_table import static_table
from lstmviz.urlvalues import Whole

MAX_BUDGET = 10**12
BUDGET_UNITS = (*range(1, 17), *range(24, 1025, 8))


def _describe(spec: RecurrentSpec) -> str:
    name = f"{FRAMEWORK_LABEL[spec.framework]} {LAYER_CLASS[(spec.framework, spec.cell)]}"
    extra = ", bidirectional" if spec.bidirectional else ""
    if spec.framework == "keras" and spec.cell == "gru":
        extra += f", reset_after={spec.reset_after}"
    return f"{name} with {spec.features} input features, {spec.units} units and {spec.timesteps} timesteps{extra}"


def _clear_answer() -> None:
    st.session_state["quiz_answer"] = None


def render(report: Report, theme: Theme) -> None:
    """Draw the quiz and the budget view for the sidebar's stack."""
    st.title("Predict the count")
    url.clean("question", Whole(1, MAX_QUESTION))
    number = int(st.number_input("Question", 1, MAX_QUESTION, 1, key="question", bind=URL, on_change=_clear_answer))
    question = quiz_question(number)
    st.markdown(f"**How many parameters does a {_describe(question)} have?**")
    answer = st.number_input("Your answer", min_value=0, value=None, step=1, key="quiz_answer")
    if answer is not None:
        truth = build_report(question).formula
        if int(answer) == truth.total:
            st.success(f"Right: {truth.substituted}")
        else:
            st.error(f"Not quite: {truth.substituted} (you said {int(answer):,})")

    st.title("Which sizes fit a budget?")
    st.caption(
        "For the layer chosen in the sidebar (framework, cell, stack), the largest input size x that "
        "keeps the count within the budget, for each number of units h."
    )
    url.clean("budget", Whole(1, MAX_BUDGET))
    budget = int(st.number_input("Parameter budget", 1, MAX_BUDGET, 100_000, step=1000, key="budget", bind=URL))
    fits = budget_frontier(report.spec, budget, BUDGET_UNITS)
    if not fits:
        st.warning(f"Nothing fits in a budget of {budget:,}: even features = units = 1 needs more parameters.")
        return
    st.plotly_chart(
        frontier_figure(fits, budget, theme), key="budget_frontier", config=chart_config("png", "lstmviz-budget")
    )
    static_table(
        [{"units h": f.units, "largest features x": f.max_features, "parameters": f.params} for f in fits[:40]]
    )
