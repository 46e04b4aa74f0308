"""Shared fixtures. Module-specific fixtures live in the test modules themselves."""
from __future__ import annotations

from pathlib import Path

import pytest
from scoring.inputs.rules_file import load_rules

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def rules():
    from scoring.method import rules as rules_mod
    return load_rules()


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
