"""Determinism: the same inputs and parameters give byte-identical outputs, run after run.

Two bulletin runs into the same OUT on a small dataset (the hostile-text one: names with markup,
right-to-left marks, emoji, rare characters, 1,000-character texts — text is where order and
encoding slips show): the first is the shared ``hostile_bulletin`` (conftest.py), copied; the second
runs here into the copy, replacing it. Exempt: manifest.json (it records the run) and the executed
notebook.
"""
from __future__ import annotations

import pytest

from reliability_support import copy_of, run_cli, snapshot

QUARTER = "2023Q3"
EXEMPT = {"manifest.json", "bulletin.ipynb"}
MUST_HAVE = ["scores.csv", "ledger.csv", "scores.xlsx", "bulletin.html", "bulletin.pdf", "bulletin.docx",
             "statements.zip"]


@pytest.fixture(scope="module")
def two_runs(hostile_bulletin, tmp_path_factory):
    # The shared run is the first; the second goes into a fresh output folder (a rerun into the same
    # one adds changes.csv and the review page's comparison with the folder it replaces, by design).
    first = snapshot(hostile_bulletin.folder)
    out = tmp_path_factory.mktemp("determinism") / "out"
    proc = run_cli("bulletin", "--data", hostile_bulletin.data, "--quarter", QUARTER, "--out", out)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return first, snapshot(out / QUARTER)


@pytest.mark.slow
def test_two_runs_on_the_same_inputs_give_byte_identical_outputs(two_runs):
    first, second = two_runs
    for name in MUST_HAVE:
        assert name in first, f"{name} missing from the bulletin folder"
    assert any(k.startswith("statements/") and k.endswith(".pdf") for k in first)
    assert sorted(first) == sorted(second)
    differ = sorted(k for k in first if k not in EXEMPT and first[k] != second[k])
    assert not differ, f"not byte-identical across two runs: {differ}"
