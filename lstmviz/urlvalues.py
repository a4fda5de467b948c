"""What a shared link may say: each URL value checked against its control's rule, with a notice for the rest.

The decisions, made once (the README repeats them):
- A whole number is ASCII digits only: `12`, `007`. Decimals (`1.5`, `3.0`, `1e3`), signs, spaces,
  underscores (`1_000`) and other scripts' digits (full-width `１２`, Arabic-Indic `١٢`) are ignored,
  although Python's int() would read some of them: a link means what it shows, in every browser.
- A whole number above the control's maximum is clamped to the maximum (400 nines included); one
  below the minimum is ignored. `inf`, `-inf`, `Infinity`, `1e400` and `nan` are not whole numbers.
- A switch is `true` or `false` and a choice one of the control's options, in any letter case.
- A key given more than once uses its last value, as Streamlit does; the URL keeps only that one.
- An ignored value leaves the control at its default. Keys the page does not know are left alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# Longer digit strings are certainly above every maximum; int() would refuse past 4,300 digits anyway.
_MAX_DIGITS = 30
_SHOWN = 24  # characters of an offending value quoted in a notice


@dataclass(frozen=True)
class Whole:
    """A whole number between low and high (inclusive)."""

    low: int
    high: int

    def __post_init__(self) -> None:
        if self.low > self.high:
            raise ValueError(f"an empty range: low {self.low} is above high {self.high}")


@dataclass(frozen=True)
class Choice:
    """One of a fixed set of option names."""

    options: tuple[str, ...]


@dataclass(frozen=True)
class Flag:
    """A switch: true or false."""


Rule = Whole | Choice | Flag


@dataclass(frozen=True)
class Reading:
    """What the page makes of one key: the URL text to keep (None: drop the key) and why, if it changed."""

    key: str
    value: str | None
    notice: str | None


def parse_whole(text: str) -> int | None:
    """The whole number spelled by ASCII digits, or None; absurdly long ones come back as 10**30."""
    if not text or not (text.isascii() and text.isdigit()):
        return None
    digits = text.lstrip("0") or "0"
    return int(digits) if len(digits) <= _MAX_DIGITS else 10**_MAX_DIGITS


def shown(value: str) -> str:
    """A value as a notice quotes it: at most a few characters, anything unprintable as '?'."""
    text = "".join(c if c.isprintable() else "?" for c in value[:_SHOWN])
    return text + ("…" if len(value) > _SHOWN else "")


def read(key: str, values: Sequence[str], rule: Rule) -> Reading:
    """Check a key's URL values (in URL order) against its rule."""
    if not values:
        return Reading(key, None, None)
    raw = values[-1]
    # A repeated key is worth a word even when its last value is fine: the link says two things.
    also = f" ({key} was given {len(values)} times; the last one counts)" if len(values) > 1 else ""
    if isinstance(rule, Whole):
        number = parse_whole(raw)
        if number is None or number < rule.low:
            return Reading(
                key, None, f"ignored {key}={shown(raw)}: not a whole number between {rule.low} and {rule.high}{also}"
            )
        if number > rule.high:
            return Reading(key, str(rule.high), f"{key}={shown(raw)} is above the maximum: using {rule.high}{also}")
        return Reading(key, str(number), f"using {key}={number}{also}" if also else None)
    options = ("true", "false") if isinstance(rule, Flag) else rule.options
    match = [o for o in options if o.lower() == raw.lower()]
    if not match:
        what = "true or false" if isinstance(rule, Flag) else "one of " + ", ".join(options)
        return Reading(key, None, f"ignored {key}={shown(raw)}: not {what}{also}")
    return Reading(key, match[0], f"using {key}={match[0]}{also}" if also else None)
