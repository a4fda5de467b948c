"""The one Hypothesis strategy for valid RecurrentSpecs, shared by the test modules."""

from __future__ import annotations

from hypothesis import strategies as st

from lstmviz import RecurrentSpec

FRAMEWORKS = ("keras", "pytorch")
CELLS = ("lstm", "gru", "rnn")
SMALL = st.integers(1, 16)
SHORT = st.integers(1, 30)


@st.composite
def specs(
    draw: st.DrawFn,
    framework: str | None = None,
    sizes: st.SearchStrategy[int] = SMALL,
    features: st.SearchStrategy[int] | None = None,
    layers: int = 3,
    timesteps: st.SearchStrategy[int] = SHORT,
) -> RecurrentSpec:
    """Any valid spec; reset_after and return_sequences vary where they apply (elsewhere they are refused)."""
    fw = framework or draw(st.sampled_from(FRAMEWORKS))
    cell = draw(st.sampled_from(CELLS))
    units = draw(sizes)
    proj = draw(st.integers(0, units - 1)) if fw == "pytorch" and cell == "lstm" and units > 1 else 0
    return RecurrentSpec(
        framework=fw,
        cell=cell,
        features=draw(sizes if features is None else features),
        units=units,
        timesteps=draw(timesteps),
        layers=draw(st.integers(1, layers)),
        bidirectional=draw(st.booleans()),
        bias=draw(st.booleans()),
        reset_after=draw(st.booleans()) if fw == "keras" and cell == "gru" else True,
        proj_size=proj,
        return_sequences=draw(st.booleans()) if fw == "keras" else False,
    )
