"""Shared fixtures. Module-specific fixtures live in the test modules themselves.

End-to-end outputs are made once per test session and shared by every test that only reads them:
``fixture_bulletin``, ``hostile_bulletin`` (tests/shared_outputs.py says what
each holds and how it is shared between pytest-xdist's workers), and ``shared`` for a module's own.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterator

import pytest
from scoring.inputs.rules_file import load_rules

import shared_outputs
from browser_support import chromium_running
from reliability_support import install_debian_package
from shared_outputs import BulletinOutput, assert_unchanged, shared_folder

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def rules():
    return load_rules()


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


# ---- outputs built once per session -----------------------------------------------------------------
@pytest.fixture(scope="session")
def shared_root(tmp_path_factory) -> Path:
    """A folder of this test run that every xdist worker sees (the workers' basetemps share a
    parent that is new for each run); without xdist, the session's own basetemp."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "shared"
    folder.mkdir(exist_ok=True)
    return folder


def _bulletin(shared_root: Path, name: str) -> Iterator[BulletinOutput]:
    try:
        output = shared_outputs.bulletin(shared_root, name)
    except RuntimeError as err:
        pytest.fail(str(err), pytrace=False)
    yield output
    assert_unchanged(output.out.parent)


@pytest.fixture(scope="session")
def fixture_bulletin(shared_root) -> Iterator[BulletinOutput]:
    """A copy of tests/fixtures/bulletin (6 units) marked as sample data, 2023Q3, with statements."""
    yield from _bulletin(shared_root, "fixture_bulletin")


@pytest.fixture(scope="session")
def hostile_bulletin(shared_root) -> Iterator[BulletinOutput]:
    """The hostile-text dataset (reliability_support.write_hostile_dataset: markup, formulas, direction
    overrides, emoji, characters the fonts lack, 1,000-character texts), 2023Q3, with statements."""
    yield from _bulletin(shared_root, "hostile_bulletin")


@pytest.fixture(scope="session", autouse=True)
def _each_worker_builds_one_shared_run_first(request) -> None:
    """Under pytest-xdist worker n builds the n-th shared run (shared_outputs.BULLETINS) before its
    first test, when a test of the session reads it: the two runs are built side by side at the
    start, and a worker rarely waits for the other's. Without xdist, a run is built when a test
    first asks for it."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    names = list(shared_outputs.BULLETINS)
    n = int(worker.removeprefix("gw")) if worker.startswith("gw") else len(names)
    if n < len(names) and any(names[n] in item.fixturenames for item in request.session.items):
        request.getfixturevalue(names[n])


@pytest.fixture(scope="session")
def browser(tmp_path_factory) -> Iterator[str]:
    """Headless Chromium (Debian's; installed when root and apt exist, else the test is skipped),
    one per test session: its DevTools websocket URL. Each visit opens a tab of its own
    (browser_support.watch)."""
    path = install_debian_package("chromium", "chromium")
    if path is None:
        pytest.skip("Debian's chromium is not installed and cannot be (needs root and apt-get)")
    with chromium_running(path, tmp_path_factory.mktemp("chromium-profile")) as ws_url:
        yield ws_url


@pytest.fixture(scope="session")
def shared(shared_root) -> Callable[[str, Callable[[Path], object]], Path]:
    """``shared(name, build)``: the folder ``build(folder)`` fills, once per test session."""
    return lambda name, build: shared_folder(shared_root, name, build)
