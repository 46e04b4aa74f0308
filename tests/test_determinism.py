"""Determinism: the same inputs and parameters give byte-identical outputs, run after run.

Two bulletin runs into the same OUT on a small dataset (the hostile-text one: names with markup,
right-to-left marks, emoji, rare characters, 1,000-character texts — text is where order and
encoding slips show). Exempt: manifest.json (it records the run) and the executed notebook.
"""
from __future__ import annotations

import shutil

import pytest

from reliability_support import run_cli, snapshot, write_hostile_dataset

QUARTER = "2023Q3"
EXEMPT = {"manifest.json", "bulletin.ipynb"}
MUST_HAVE = ["scores.csv", "ledger.csv", "scores.xlsx", "bulletin.html", "bulletin.pdf", "statements.zip"]


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("determinism")
    data = write_hostile_dataset(base / "data")
    runs = []
    for i in (1, 2):
        # Each run into a fresh output folder: a rerun into the same one adds changes.csv and the review
        # page's comparison with the folder it replaces, by design.
        out = base / f"out{i}"
        proc = run_cli("bulletin", "--data", data, "--quarter", QUARTER, "--out", out)
        assert proc.returncode == 0, proc.stderr[-3000:]
        kept = base / f"run{i}"
        shutil.copytree(out / QUARTER, kept)
        runs.append(snapshot(kept))
    return runs


@pytest.mark.slow
def test_two_runs_on_the_same_inputs_give_byte_identical_outputs(two_runs):
    first, second = two_runs
    for name in MUST_HAVE:
        assert name in first, f"{name} missing from the bulletin folder"
    assert any(k.startswith("statements/") and k.endswith(".pdf") for k in first)
    assert sorted(first) == sorted(second)
    differ = sorted(k for k in first if k not in EXEMPT and first[k] != second[k])
    assert not differ, f"not byte-identical across two runs: {differ}"


@pytest.mark.slow
def test_the_word_bulletin_is_byte_identical_across_runs_when_it_is_written(two_runs):
    first, second = two_runs
    assert first["bulletin.docx"] == second["bulletin.docx"]
