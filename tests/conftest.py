"""Shared fixtures. Module-specific fixtures live in the test modules themselves."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def rules():
    from scoring.method import rules as rules_mod
    return rules_mod.load()


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
