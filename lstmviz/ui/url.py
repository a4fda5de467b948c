"""URL values are checked before a widget reads them, and options that stop applying leave the URL.

Streamlit seeds a bound widget from the query string the browser sent, not from `st.query_params`, and
its number box crashes on `inf` there; so a value is fixed in both places, through
lstmviz.internals (Streamlit's private QueryParams). The hostile-URL tests fail if that changes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import streamlit as st

from lstmviz.internals import query_params, rewrite_query_param
from lstmviz.urlvalues import Reading, Rule, read, shown

if TYPE_CHECKING:
    from streamlit.runtime.state.query_params import QueryParams

# Markdown, Streamlit directives (:red[...]) and LaTeX ($) must show as the characters they are.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|:$~])")


def clean(key: str, rule: Rule) -> None:
    """Before the widget `key` exists: keep its URL value only if the rule accepts it, and say what changed."""
    with query_params() as qp:
        values = qp.get_all(key)
        if not values:
            return
        reading = read(key, values, rule)
        if reading.value != values[-1] or len(values) > 1:
            _rewrite(qp, reading)
    if reading.notice:
        _notice(reading.notice)


def alias(key: str, names: Mapping[str, str]) -> None:
    """Before the widget `key` exists: a URL value that names an option another way becomes that option, quietly."""
    with query_params() as qp:
        values = qp.get_all(key)
        if values and values[-1] in names:
            _rewrite(qp, Reading(key, names[values[-1]], None))


def put(key: str, value: str) -> None:
    """Before the widget `key` exists: set its URL value quietly (a link's other spelling of the same choice)."""
    with query_params() as qp:
        _rewrite(qp, Reading(key, value, None))


def drop(key: str, why: str) -> None:
    """Forget an option that does not apply now: out of the URL and the session, so it can't come back later."""
    with query_params() as qp:
        values = qp.get_all(key)
        if values:
            _rewrite(qp, Reading(key, None, None))
    st.session_state.pop(key, None)
    if values:
        _notice(f"ignored {key}={shown(values[-1])}: {why}")


def _notice(text: str) -> None:
    st.warning(_MARKDOWN.sub(r"\\\1", text), icon=":material/link_off:")


def _rewrite(qp: QueryParams, reading: Reading) -> None:
    """Set or remove one key in the browser's URL and in the values widgets are seeded from."""
    rewrite_query_param(qp, reading.key, reading.value)


# Streamlit ignores a whole query string of more than 1,000 fields or 512 Ki characters
# (streamlit.runtime.state.query_params.sanitize_query_string), so the server never sees it and the
# page would show defaults under a URL that says otherwise. Only the browser still has that URL: a
# small script there counts the fields as Streamlit does and says so.
_QUERY_LIMIT_JS = """
export default function(component) {
    const { parentElement, data } = component;
    const query = window.location.search.replace(/^\\?/, "");
    const fields = query ? query.split("&").length : 0;
    const box = parentElement.querySelector("[data-lstmviz-query-limit]");
    if (!box) return;
    if (fields > data.fields || query.length > data.chars) {
        box.textContent = `This link has ${fields.toLocaleString("en-US")} parameters, more than Streamlit reads `
            + `(${data.fields.toLocaleString("en-US")}), so all of them were ignored and the page shows its defaults.`;
        box.hidden = false;
    } else {
        box.hidden = true;
    }
}
"""
_QUERY_LIMIT_HTML = '<div data-lstmviz-query-limit role="status" hidden></div>'
_QUERY_LIMIT_CSS = """
[data-lstmviz-query-limit] {
    background: #fff8e1; color: #5c4400; border-radius: 0.5rem; padding: 0.75rem 1rem;
}
"""  # several lines: Streamlit reads a one-line string with [ ] as a file path


@functools.cache
def _query_limit_component() -> Any:
    return st.components.v2.component(
        "lstmviz_query_limit", html=_QUERY_LIMIT_HTML, css=_QUERY_LIMIT_CSS, js=_QUERY_LIMIT_JS
    )


def dropped_query_notice() -> None:
    """A notice, drawn in the browser, when Streamlit dropped the whole query string for its size."""
    _query_limit_component()(data={"fields": 1000, "chars": 512 * 1024}, key="lstmviz_query_limit")


def keep(key: str, value: str) -> None:
    """Hold `key=value` in the URL through a run that does not draw the widget bound to `key`.

    At the end of such a run Streamlit deletes the key with the stale binding; unbound first, it stays
    (the widget binds it again when it is next drawn)."""
    with query_params() as qp:
        binding = qp.get_binding_for_param(key)
        if binding is not None:
            qp.unbind_widget(binding.widget_id)
        if qp.get_all(key) != [value]:
            qp[key] = value
