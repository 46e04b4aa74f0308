"""Determinism, and one reading of the inputs: the same inputs and parameters give byte-identical
outputs, run after run, even when an input file changes while the second run is under way.

The first run is the shared ``hostile_bulletin`` (conftest.py: names with markup, right-to-left
marks, emoji, rare characters, 1,000-character texts — text is where order and encoding slips
show). The second runs here, in process, on a copy of its data folder into a fresh output folder (a
rerun into the same one adds changes.csv and the review page's comparison with the folder it
replaces, by design); when its notebook step starts (its inputs checked and scored), the copy's
submissions.csv is changed. Every output must still equal the first run's: the run reads its
snapshot, never the file again. The shared data folder itself is never touched: the other worker
may be reading it at that moment.
Exempt from the comparison: manifest.json and the executed notebook (they record the run, and the
data folder's path with it).
"""
from __future__ import annotations

import dataclasses
import hashlib
import io
import json
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from reliability_support import copy_of, snapshot
from scoring.inputs.rules_file import DEFAULT_RULES
from scoring.run import bulletin as pipeline

QUARTER = "2023Q3"
EXEMPT = {"manifest.json", "bulletin.ipynb"}
MUST_HAVE = ["scores.csv", "ledger.csv", "scores.xlsx", "bulletin.html", "bulletin.pdf", "bulletin.docx",
             "statements.zip"]


@dataclasses.dataclass
class ChangingAtStep(pipeline.Progress):
    """A run's progress that writes ``content`` to ``path`` when the step ``at`` starts."""
    path: Path = Path()
    content: bytes = b""
    at: str = ""

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        with super().step(name):
            if name.startswith(self.at):
                self.path.write_bytes(self.content)
            yield


@pytest.fixture(scope="module")
def two_runs(hostile_bulletin, tmp_path_factory):
    first = snapshot(hostile_bulletin.folder)
    base = tmp_path_factory.mktemp("determinism")
    data, out = copy_of(hostile_bulletin.data, base / "data"), base / "out"
    subs = data / "submissions.csv"
    read = subs.read_bytes()
    # Every adoption by 常州市 becomes one by 江苏省: scores would change if the file were read again.
    changed = read.decode("utf-8").replace(",常州市,", ",江苏省,").encode("utf-8")
    assert changed != read
    progress = ChangingAtStep(stream=io.StringIO(), path=subs, content=changed, at="执行通报笔记本")
    # As the shared run was made: python -m scoring bulletin --data D --quarter 2023Q3 --out O --statements yes
    pipeline.run_bulletin(data_dir=data, rules_file=DEFAULT_RULES, year=2023, quarter=3, out=out,
                          statements=True, progress=progress)
    assert subs.read_bytes() == changed, "the file was not changed during the run"
    manifest = json.loads((out / QUARTER / "manifest.json").read_text(encoding="utf-8"))
    return first, snapshot(out / QUARTER), manifest, hashlib.sha256(read).hexdigest(), str(subs)


@pytest.mark.slow
def test_two_runs_on_the_same_inputs_give_byte_identical_outputs_though_an_input_changed_during_the_second(two_runs):
    first, second, _, _, _ = two_runs
    for name in MUST_HAVE:
        assert name in first, f"{name} missing from the bulletin folder"
    assert any(k.startswith("statements/") and k.endswith(".pdf") for k in first)
    assert sorted(first) == sorted(second)
    differ = sorted(k for k in first if k not in EXEMPT and first[k] != second[k])
    assert not differ, f"not byte-identical across two runs: {differ}"


@pytest.mark.slow
def test_the_manifest_hashes_the_input_as_it_was_read_not_as_it_is_now(two_runs):
    _, _, manifest, read, path = two_runs
    assert manifest["inputs"][path] == read
