"""What depends on Streamlit's and Plotly's internals, in one place: the module that breaks first on an upgrade.

Written for the versions in WRITTEN_FOR (tests/test_internals.py fails when the installed ones differ, and
says which part to re-check):

- `FrozenFigure` subclasses plotly's go.Figure and skips its __init__ until something reads the figure;
  it relies on go.Figure's attribute layout and on st.plotly_chart reading nothing but to_dict().
- `query_params` / `rewrite_query_param` use Streamlit's private QueryParams: a bound widget is seeded
  from the query string the browser sent (its "initial" query params), not from `st.query_params`, so a
  corrected value is written to both (remove_param / set_corrected_value / set_initial_query_params).
- pandas is imported here, before any session's thread can: Plotly checks for pandas without waiting
  for an import another thread has started ("partially initialized module" under concurrent loads).
  app.py imports this module first.

Streamlit is imported inside the functions that need it: figures import this module and stay free of it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import pandas  # noqa: F401  # see the module docstring: imported before Plotly looks for it
import plotly.graph_objects as go

if TYPE_CHECKING:
    from streamlit.runtime.state.query_params import QueryParams

# package -> the release series (major.minor, or major) this module was written and tested against.
WRITTEN_FOR = {"streamlit": "1.67", "plotly": "7"}


def untested_versions() -> dict[str, str]:
    """The packages whose installed version is outside the series this module was written for: name -> version."""
    found = {name: version(name) for name in WRITTEN_FOR}
    return {
        name: v
        for name, v in found.items()
        if v.split(".")[: len(WRITTEN_FOR[name].split("."))] != WRITTEN_FOR[name].split(".")
    }


_BUILD_LOCK = threading.RLock()  # re-entrant: building a figure reads its own unset attributes


class FrozenFigure(go.Figure):  # type: ignore[misc]  # plotly ships no type hints
    """A figure treated as read-only that hands out one prebuilt dict from to_dict().

    st.plotly_chart calls to_dict() on every rerun, even for a cached figure: a deep copy plus a
    base64 pass over every array (tens of ms for the max-size heatmap). Callers must not change the
    figure or the dict; the cached builders only pass it to st.plotly_chart, which reads nothing else.
    The Plotly object behind it (about 6 ms to build, mostly copying the template) is built only when
    something reads it as a figure: tests, or a copy made with go.Figure(figure).
    """

    def __init__(self, frozen: dict[str, Any], source: dict[str, Any]) -> None:  # noqa: D107
        # Deliberately not go.Figure.__init__ yet: see __getattr__.
        object.__setattr__(self, "_frozen_dict", frozen)
        object.__setattr__(self, "_lazy_source", source)

    def __getattr__(self, name: str) -> Any:
        """Build the Plotly figure on the first read of anything but to_dict().

        Under a lock: cached figures are shared by every session's thread, and a second reader must
        wait for the build rather than see a half-built figure.
        """
        if name.startswith("__"):
            raise AttributeError(name)
        with _BUILD_LOCK:
            source = self.__dict__.get("_lazy_source")
            if source is not None:
                object.__setattr__(self, "_lazy_source", None)
                super().__init__(**source, _validate=False)
        return object.__getattribute__(self, name)

    def __reduce__(self) -> tuple[Any, ...]:
        """Copies and pickles are plain figures of the same dict."""
        return (go.Figure, (self.to_dict(),))

    def to_dict(self) -> dict[str, Any]:
        """The figure as a dict, built once."""
        frozen: dict[str, Any] = self.__dict__["_frozen_dict"]
        return frozen


@contextmanager
def query_params() -> Iterator[QueryParams]:
    """The session's QueryParams, Streamlit's private object behind st.query_params (with its initial values)."""
    from streamlit.runtime.state.session_state_proxy import get_session_state  # noqa: PLC0415

    with get_session_state().query_params() as qp:
        yield qp


def rewrite_query_param(qp: QueryParams, key: str, value: str | None) -> None:
    """Set (or, for None, remove) one key in the browser's URL and in the values widgets are seeded from."""
    if value is None:
        qp.remove_param(key)
    else:
        qp.set_corrected_value(key, value, "string_value")
    initial = {k: v for k in qp if k != key and (v := qp.get_initial_value(k)) is not None}
    if value is not None:
        initial[key] = value
    qp.set_initial_query_params(urlencode(initial, doseq=True))
