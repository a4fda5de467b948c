"""The JSON guard: plain data only, its text and container count capped before parsing."""

from __future__ import annotations

import json
from typing import Any

from lstmviz.modelfiles.contents import RefusedFile

# A Keras config of a thousand layers is about 3 MB; a safetensors header of 20,000 tensors about 3 MB.
MAX_JSON_BYTES = 8 * 1024 * 1024
MAX_JSON_CONTAINERS = 200_000  # brackets and braces, counted in the text (strings included: a safe overcount)


def parse_json(raw: bytes | str, what: str) -> Any:
    """Plain JSON (never objects, never code), size- and count-capped; refuses anything else with one line."""
    # Parsed JSON takes 12-21x its text in Python objects ("[]," is a 56-byte list per 3 bytes), so a
    # 64 MiB config.json stored unpacked in a .keras zip would take over a gigabyte. Capping the text
    # and the number of arrays and objects keeps a parse under about 100 MB.
    encoded = raw if isinstance(raw, bytes) else raw.encode("utf-8", errors="surrogatepass")
    if len(encoded) > MAX_JSON_BYTES:
        raise RefusedFile(f"{what} has {len(encoded):,} bytes of JSON, over the {MAX_JSON_BYTES:,}-byte cap; refused")
    containers = encoded.count(b"[") + encoded.count(b"{")
    if containers > MAX_JSON_CONTAINERS:
        raise RefusedFile(f"{what} has over {MAX_JSON_CONTAINERS:,} JSON arrays and objects; refused")
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        return json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise RefusedFile(f"{what} is not valid JSON ({str(error)[:80]})") from None
