"""Input sequences a lecturer can feed the forward pass: one-hot tokens, sine waves, noise.

Every function returns float32 (batch, timesteps, features) and raises ValueError on bad
sizes; batch·timesteps·features is capped at MAX_VALUES so memory stays bounded (40 MB).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from lstmviz.spec import SpecTypeError

MAX_VALUES = 10_000_000


def one_hot_sequence(values: Sequence[int] = (4, 7, 8, 4), depth: int = 10) -> NDArray[np.float32]:
    """A single sequence of one-hot tokens, (1, len(values), depth); the tutorial example's [4, 7, 8, 4] by default."""
    _whole("depth", depth, 1)
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise SpecTypeError(f"values must be a sequence of whole numbers, got {type(values).__name__}")
    tokens = list(values[: MAX_VALUES + 1])
    if not tokens:
        raise ValueError("values must hold at least one token")
    for v in tokens:
        _whole("each value", v, 0)
        if v >= depth:
            raise ValueError(f"each value must be below depth {depth}, got {v}")
    _check_sizes(1, len(tokens), depth)
    out = np.zeros((1, len(tokens), depth), np.float32)
    out[0, np.arange(len(tokens)), tokens] = 1.0
    return out


def sine_waves(batch: int = 1, timesteps: int = 40, features: int = 3, seed: int = 0) -> NDArray[np.float32]:
    """Sine waves in [-1, 1], one per sample and feature, with seeded random frequency and phase."""
    _check_sizes(batch, timesteps, features)
    rng = _rng(seed)
    cycles = rng.uniform(0.5, 3.0, size=(batch, 1, features))  # whole periods over the sequence
    phase = rng.uniform(0.0, 2 * np.pi, size=(batch, 1, features))
    t = np.arange(timesteps).reshape(1, timesteps, 1) / timesteps
    return np.sin(2 * np.pi * cycles * t + phase).astype(np.float32)


def random_inputs(batch: int = 1, timesteps: int = 40, features: int = 3, seed: int = 0) -> NDArray[np.float32]:
    """Seeded standard-normal noise, (batch, timesteps, features)."""
    _check_sizes(batch, timesteps, features)
    return _rng(seed).standard_normal((batch, timesteps, features), dtype=np.float32)


def _rng(seed: int) -> np.random.Generator:
    _whole("seed", seed, 0)
    return np.random.default_rng(seed)


def _check_sizes(batch: int, timesteps: int, features: int) -> None:
    for name, value in (("batch", batch), ("timesteps", timesteps), ("features", features)):
        _whole(name, value, 1)
    total = batch * timesteps * features
    if total > MAX_VALUES:
        raise ValueError(f"batch × timesteps × features = {total:,} values; the limit is {MAX_VALUES:,}")


def _whole(name: str, value: object, low: int) -> None:
    # bool is an int subclass, but True as a size is a bug; NumPy integers are fine.
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise SpecTypeError(f"{name} must be a whole number, got {type(value).__name__} {value!r:.60}")
    if value < low:
        raise ValueError(f"{name} must be at least {low}, got {value}")


SINE, ONE_HOT, RANDOM = "sine waves", "one-hot [4, 7, 8, 4]", "random"
LECTURE_INPUTS = (SINE, ONE_HOT, RANDOM)
TUTORIAL_TOKENS = (4, 7, 8, 4)  # the tutorial's sequence


def lecture_input(kind: str, timesteps: int, features: int) -> NDArray[np.float32]:
    """One sample of a named lecture input: the tutorial's one-hot tokens (always 4 steps), sine or noise."""
    if not isinstance(kind, str):
        raise SpecTypeError(f"kind must be one of {', '.join(LECTURE_INPUTS)}, got {type(kind).__name__}")
    if kind == ONE_HOT:
        return one_hot_sequence(TUTORIAL_TOKENS, depth=features)
    if kind == SINE:
        return sine_waves(1, timesteps, features, seed=0)
    if kind == RANDOM:
        return random_inputs(1, timesteps, features, seed=0)
    raise ValueError(f"input must be one of {', '.join(LECTURE_INPUTS)}; got {kind!r}")


OWN_NUMBERS, OWN_TOKENS = "your numbers", "your tokens"
_SEPARATORS = str.maketrans({",": " ", "\t": " ", "\n": ";"})


def typed_numbers(text: str, features: int, max_steps: int) -> NDArray[np.float32]:
    """A typed sequence, (T, features): numbers one per timestep (fed to every feature), or rows of
    `features` numbers separated by ';'. ValueError, in one sentence, for anything else."""
    _whole("features", features, 1)
    rows = [row.split() for row in str(text).translate(_SEPARATORS).split(";") if row.strip()]
    if not rows:
        raise ValueError("type at least one number")
    if len(rows) == 1:  # one number per timestep
        rows = [[value] for value in rows[0]]
    if len(rows) > max_steps:
        raise ValueError(f"{len(rows):,} timesteps; this view runs at most {max_steps}")
    out = np.zeros((len(rows), features), np.float32)
    for t, row in enumerate(rows):
        if len(row) not in (1, features):
            raise ValueError(f"timestep {t + 1} has {len(row)} numbers; give 1 or {features} (one per feature)")
        values = [_number(word) for word in row]
        out[t, :] = values[0] if len(values) == 1 else values
    return out


def typed_tokens(text: str, features: int, max_steps: int) -> NDArray[np.float32]:
    """Typed token ids (spaces or commas between), one-hot over `features`, (T, features)."""
    _whole("features", features, 1)
    words = str(text).translate(_SEPARATORS).replace(";", " ").split()
    if not words:
        raise ValueError("type at least one token id")
    if len(words) > max_steps:
        raise ValueError(f"{len(words):,} tokens; this view runs at most {max_steps}")
    tokens = []
    for word in words:
        if not (word.isascii() and word.isdigit()) or int(word) >= features:
            raise ValueError(f"{word[:20]!r} is not a token id 0 … {features - 1} (one per feature)")
        tokens.append(int(word))
    sequence: NDArray[np.float32] = one_hot_sequence(tokens, depth=features)[0]
    return sequence


def _number(word: str) -> float:
    """A finite decimal number as typed (ASCII only, up to 1e6 in size), else ValueError."""
    try:
        value = float(word) if word.isascii() else float("nan")
    except ValueError:
        value = float("nan")
    if not np.isfinite(value) or abs(value) > 1e6:
        raise ValueError(f"{word[:20]!r} is not a number between −1,000,000 and 1,000,000")
    return value
