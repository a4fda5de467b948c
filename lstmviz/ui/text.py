"""Text from a file is text: names and messages read from uploads shown as the characters they are."""

from __future__ import annotations

import re

# Markdown, Streamlit directives (:red[...], :material/x:), LaTeX ($), HTML (<img>) and emphasis,
# escaped as ui/url.py escapes URL values; line breaks and other control characters become spaces,
# so a name cannot start a heading, a list or a table on a line of its own.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|:$~=^&\"'])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
# GitHub-flavoured Markdown turns bare URLs, www. names and e-mail addresses into links even with
# their punctuation escaped; a zero-width space after the scheme, "www" and "@" keeps them plain text.
_AUTOLINK = re.compile(r"(?i)(://|\bwww(?=\.)|@)")


def text(value: object) -> str:
    """`value` as Markdown that renders exactly its characters: no links, images, colours, maths or HTML."""
    plain = _AUTOLINK.sub("\\1\u200b", _CONTROL.sub(" ", str(value)))
    return _MARKDOWN.sub(r"\\\1", plain)
