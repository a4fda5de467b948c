"""The one Hypothesis strategy for valid RecurrentSpecs, shared by the test modules."""

from __future__ import annotations

from hypothesis import strategies as st

from lstmviz import RecurrentSpec
from lstmviz.spec import CELLS, FRAMEWORKS, option_applies

ORACLE_FRAMEWORKS = ("keras", "pytorch")  # the frameworks a live oracle runs (ONNX specs are exported from PyTorch)
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
    frameworks: tuple[str, ...] = FRAMEWORKS,
) -> RecurrentSpec:
    """Any valid spec of every framework (or of `frameworks`); the options vary where their records have them."""
    fw = framework or draw(st.sampled_from(frameworks))
    cell = draw(st.sampled_from(CELLS))
    units = draw(sizes)

    def has(option: str) -> bool:
        return option_applies(option, fw, cell)

    proj = draw(st.integers(0, units - 1)) if has("proj_size") and units > 1 else 0
    return RecurrentSpec(
        framework=fw,
        cell=cell,
        features=draw(sizes if features is None else features),
        units=units,
        timesteps=draw(timesteps),
        layers=draw(st.integers(1, layers)),
        bidirectional=draw(st.booleans()),
        bias=draw(st.booleans()),
        reset_after=draw(st.booleans()) if has("reset_after") else True,
        proj_size=proj,
        return_sequences=draw(st.booleans()) if has("return_sequences") else False,
    )
