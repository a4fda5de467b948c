"""The array guard every reader ends with: real, finite float32 weights."""

from __future__ import annotations

import numpy as np

from lstmviz.modelfiles.contents import RefusedFile


def finite_float32(values: np.ndarray, where: str) -> np.ndarray:
    """Real weights as float32; NaN or infinity is refused (the views and the forward pass need numbers)."""
    if values.dtype.kind != "f":
        raise RefusedFile(f"{where} holds {values.dtype} values, not floating-point weights; refused")
    out = np.asarray(values, dtype=np.float32)
    if not np.isfinite(out).all():
        raise RefusedFile(f"{where} contains NaN or infinity; refused")
    return out
