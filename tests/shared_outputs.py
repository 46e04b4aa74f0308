"""End-to-end outputs made ONCE per test session and read by every test that needs them (the
fixtures in conftest.py hand them out).

Under pytest-xdist each worker is a process with its own session fixtures, so an output is built
in a folder that every worker of the run sees (the workers' basetemps share a parent that is new
for each run), under a file lock: whoever asks first builds it, the others wait for it and read the
same files. A build that failed is not tried again: the others fail with its error.

The first test that asks for an output builds it in its own process (``python -m scoring bulletin``
in process: the program is imported already), the others wait for the lock and read it. A separate
process building the outputs in the background was tried: on two cores it only competed with the
workers for the same CPU, and imported the program a third time.

Tests must not change a shared output (copy it first: reliability_support.copy_of); conftest.py
checks at the end of each worker's session that every output it handed out is as it was built.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from reliability_support import ROOT, run_main, write_hostile_dataset
from scoring.run.folder import SAMPLE_MARKER

DIGEST = ".shared-digest.json"


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` → sha256 (this module's bookkeeping left out)."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != DIGEST}


def shared_folder(root: Path, name: str, build: Callable[[Path], object]) -> Path:
    """``root/name`` after ``build(root/name)``, built once whatever the number of processes asking."""
    folder, failed = root / name, root / f"{name}.failed"
    with _locked(root / f"{name}.lock"):
        if failed.exists():
            raise RuntimeError(f"building the shared {name} failed:\n{failed.read_text(encoding='utf-8')}")
        if not (folder / DIGEST).exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            try:
                build(folder)
            except BaseException as err:
                failed.write_text(f"{type(err).__name__}: {err}", encoding="utf-8")
                raise
            (folder / DIGEST).write_text(json.dumps(digest(folder)), encoding="utf-8")
    return folder


def assert_unchanged(folder: Path) -> None:
    built = json.loads((folder / DIGEST).read_text(encoding="utf-8"))
    now = digest(folder)
    changed = sorted(k for k in built.keys() | now.keys() if built.get(k) != now.get(k))
    assert not changed, f"a test changed the shared output {folder.name} (copy it first): {changed[:10]}"


# ---- bulletin runs ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class BulletinOutput:
    """One ``python -m scoring bulletin`` run: its data folder, OUT, OUT/<Y>Q<Q> and what it said
    (stdout and stderr, in the order printed)."""
    data: Path
    out: Path
    folder: Path
    stderr: str

    @property
    def notes(self) -> list[str]:
        """The run's 「提示：」 lines (input notes, characters the fonts lack, renderer warnings)."""
        return [line for line in self.stderr.splitlines() if line.startswith("提示：")]


@dataclass(frozen=True)
class BulletinRun:
    """What to run: ``data`` is a folder, or a function writing one into the folder it is given."""
    data: Path | Callable[[Path], Path]
    quarter: str
    statements: bool

    def build(self, folder: Path) -> None:
        data = self.data(folder / "data") if callable(self.data) else self.data
        code, said = run_main(["bulletin", "--data", data, "--quarter", self.quarter, "--out", folder / "out",
                               "--statements", "yes" if self.statements else "no"])
        (folder / "stderr.txt").write_text(said, encoding="utf-8")
        (folder / "data.txt").write_text(str(data), encoding="utf-8")
        if code != 0:
            raise RuntimeError(f"bulletin {self} exited {code}:\n{said[-3000:]}")

    def output(self, folder: Path) -> BulletinOutput:
        return BulletinOutput(data=Path((folder / "data.txt").read_text(encoding="utf-8")), out=folder / "out",
                              folder=folder / "out" / self.quarter,
                              stderr=(folder / "stderr.txt").read_text(encoding="utf-8"))


def write_marked_fixture(folder: Path) -> Path:
    """tests/fixtures/bulletin copied beside ``folder`` under a name with a space and Chinese, and
    marked as sample data with the sample's own marker file."""
    data = folder.with_name("我的 数据")
    shutil.copytree(ROOT / "tests" / "fixtures" / "bulletin", data)
    shutil.copy(ROOT / "data" / "sample" / SAMPLE_MARKER, data / SAMPLE_MARKER)
    return data


BULLETINS = {   # in the order they are built: the slow tests that read the hostile run wait for it
    # The hostile-text dataset (reliability_support.write_hostile_dataset), 2023Q3, with statements.
    "hostile_bulletin": BulletinRun(write_hostile_dataset, "2023Q3", statements=True),
    # A copy of tests/fixtures/bulletin (6 units) marked as sample data, 2023Q3, with statements: the
    # pipeline's checks, and the first run of the publish scenario (test_publish.py).
    "fixture_bulletin": BulletinRun(write_marked_fixture, "2023Q3", statements=True),
}


def bulletin(root: Path, name: str) -> BulletinOutput:
    run = BULLETINS[name]
    return run.output(shared_folder(root, name, run.build))
