"""Practice: count, shape and gate-block questions with a hint, a score and new questions; the budget view."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from lstmviz.figures.budget import frontier_figure
from lstmviz.figures.cell_geometry import cell_geometry
from lstmviz.figures.cell_svg import cell_svg
from lstmviz.figures.focus import quiz_heatmap
from lstmviz.practice import (
    KINDS,
    MAX_QUESTION,
    budget_frontier,
    count_hint,
    gate_question,
    parse_shape,
    quiz_question,
    shape_question,
)
from lstmviz.report import Report, build_report
from lstmviz.spec import RecurrentSpec, convention_of, count_options
from lstmviz.style import Theme
from lstmviz.ui import cached, controls, url
from lstmviz.ui.charts import chart_config
from lstmviz.ui.controls import URL
from lstmviz.ui.static_table import static_table
from lstmviz.urlvalues import Whole

MAX_BUDGET = 10**12
BUDGET_UNITS = (*range(1, 17), *range(24, 1025, 8))
ANSWERS = {"quiz_answer": None, "shape_answer": "", "gate_answer": None, "quiz_hint": False, "quiz_reveal": False}
KIND_LABEL = {"count": "How many parameters?", "shape": "What shape?", "gate block": "Which gate is this block?"}


def _describe(spec: RecurrentSpec) -> str:
    name = convention_of(spec).label
    extra = "".join(
        f", {option}" for option in ("bidirectional" if spec.bidirectional else "", *count_options(spec)) if option
    )
    return f"{name} with {spec.features} input features, {spec.units} units and {spec.timesteps} timesteps{extra}"


def _clear_answer() -> None:
    st.session_state.update(ANSWERS)


def _new_question() -> None:
    st.session_state["question"] = int(st.session_state.get("question", 1)) % MAX_QUESTION + 1
    _clear_answer()


def _reveal(question_id: str) -> None:
    st.session_state["quiz_reveal"] = True
    _score(question_id, False)  # shown before it was answered right: it counts as missed


def _score(question_id: str, right: bool) -> None:
    """Count a question's first checked answer (or its reveal) once in the session's score."""
    scored: dict[str, bool] = st.session_state.setdefault("quiz_scored", {})
    scored.setdefault(question_id, right)


def _verdict(question_id: str, right: bool, said: str, answer: str) -> None:
    """Right, or wrong with the hint (the answer only on request)."""
    _score(question_id, right)
    if right:
        st.success(f"Right: {answer}")
    else:
        st.session_state["quiz_hint"] = True
        st.error(f"Not quite (you said {said}). Read the hint and try again.")


def _hint_and_answer(question_id: str, hint: str, answer: str) -> None:
    """A hint first; the answer only once the hint has been seen."""
    left, right = st.columns(2)
    left.button("Hint", key="hint_button", on_click=st.session_state.update, args=({"quiz_hint": True},))
    right.button(
        "Show the answer",
        key="reveal_button",
        on_click=_reveal,
        args=(question_id,),
        disabled=not st.session_state.get("quiz_hint"),
        help="Take the hint first.",
    )
    if st.session_state.get("quiz_hint"):
        st.info(f"Hint: {hint}")
    if st.session_state.get("quiz_reveal"):
        st.warning(f"Answer: {answer}")


def count_quiz(number: int, theme: Theme) -> tuple[str, str]:
    """Predict a layer's count; returns the hint and the answer."""
    question = quiz_question(number)
    st.markdown(f"**How many parameters does a {_describe(question)} have?**")
    truth = build_report(question).formula
    answer = st.number_input("Your answer", min_value=0, value=None, step=1, key="quiz_answer")
    if answer is not None:
        _verdict(f"count {number}", int(answer) == truth.total, f"{int(answer):,}", truth.substituted)
        # Once answered, the layer's cell with every gate's count: where the number comes from.
        layer = build_report(question).layers[0]
        st.image(cell_svg(cell_geometry(layer, question.timesteps), theme), width=560)
    return count_hint(question), truth.substituted


def shape_quiz(number: int) -> tuple[str, str]:
    """Name a tensor's shape; returns the hint and the answer."""
    question = shape_question(number)
    st.markdown(f"**{question.prompt}**")
    typed = st.text_input("Your answer", key="shape_answer", placeholder="(rows, columns), e.g. (12, 3)", max_chars=40)
    truth = f"{question.tensor.name} {question.tensor.shape}"
    if typed:
        shape = parse_shape(typed)
        if shape is None:
            st.warning("Write a shape as whole numbers, such as (12, 3) or (8,).")
        else:
            _verdict(f"shape {number}", shape == question.tensor.shape, str(shape), truth)
    return question.hint, truth


def gate_quiz(number: int, theme: Theme) -> tuple[str, str]:
    """Name the gate of an outlined heatmap block; returns the hint and the answer."""
    question = gate_question(number)
    st.markdown(f"**{question.prompt}**")
    figure = quiz_heatmap(cached.heatmap_figure(question.layer, 0, theme), question.layer, question.index, theme)
    st.plotly_chart(figure, key="quiz_heatmap", config=chart_config("png", f"lstmviz-quiz-{number}"), theme=None)
    names = [g.kind.name for g in question.layer.gates]
    said = st.radio("Your answer", names, index=None, key="gate_answer", horizontal=True)
    gate = question.layer.gates[question.index]
    truth = f"the {gate.kind.name} gate {gate.kind.symbol}, block {question.index + 1}"
    if said is not None:
        _verdict(f"gate {number}", said == question.answer, str(said), truth)
    return question.hint, truth


QUIZZES: dict[str, Callable[[int, Theme], tuple[str, str]]] = {
    "count": count_quiz,
    "shape": lambda n, theme: shape_quiz(n),
    "gate block": gate_quiz,
}


def quiz(theme: Theme) -> None:
    """The question of the chosen kind and number, the session's score and a new question."""
    st.title("Practice")
    kind = controls.mode_picker("Question type", KINDS, "quiz", KIND_LABEL, on_change=_clear_answer)
    pick, new, score = st.columns([2, 1, 2], vertical_alignment="bottom")
    url.clean("question", Whole(1, MAX_QUESTION))
    with pick:
        number = int(st.number_input("Question", 1, MAX_QUESTION, 1, key="question", bind=URL, on_change=_clear_answer))
    new.button("New question", key="new_question", on_click=_new_question, width="stretch")
    hint, answer = QUIZZES[kind](number, theme)
    _hint_and_answer(f"{kind} {number}", hint, answer)
    scored = st.session_state.get("quiz_scored", {})
    score.markdown(f"**Score this session: {sum(scored.values())} of {len(scored)}**")


def render(report: Report, theme: Theme) -> None:
    """Draw the quiz and the budget view for the sidebar's stack."""
    quiz(theme)
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
        frontier_figure(fits, budget, theme), key="budget_frontier", config=chart_config("png", "lstmviz-budget"),
        theme=None,
    )
    static_table(
        [{"units h": f.units, "largest features x": f.max_features, "parameters": f.params} for f in fits[:40]]
    )
