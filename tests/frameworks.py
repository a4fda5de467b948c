"""The oracle frameworks for tests: skipped when missing, but a failure under CI, which must run them."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from types import ModuleType

import pytest

from tools.app_runner import in_ci
from tools.make_golden import load_frameworks


def require_frameworks(
    loader: Callable[[], tuple[ModuleType, ModuleType]] = load_frameworks,
) -> tuple[ModuleType, ModuleType]:
    """keras (torch backend) and torch; skip if missing, but fail under CI, which must run these."""
    try:
        if not in_ci():
            pytest.importorskip("torch", exc_type=ImportError)
            if "keras" not in sys.modules:
                os.environ["KERAS_BACKEND"] = "torch"  # before keras's first import, or it looks for TensorFlow
            pytest.importorskip("keras", exc_type=ImportError)
        return loader()
    except ImportError as error:
        if in_ci():
            pytest.fail(f"CI is set but keras/torch cannot be used: {error}", pytrace=False)
        pytest.skip(f"needs keras with the torch backend, and torch: {error}")
