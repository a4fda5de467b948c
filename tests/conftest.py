"""Fixtures shared by the test modules."""

from __future__ import annotations

from types import ModuleType

import pytest

from tests.frameworks import require_frameworks


@pytest.fixture(scope="session")
def frameworks() -> tuple[ModuleType, ModuleType]:
    """keras (torch backend) and torch, loaded once; skipped without them, a failure under CI."""
    return require_frameworks()
