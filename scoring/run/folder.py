"""The output folder of one run: the inputs' snapshot, a staging folder beside the target, and the
swap that puts a finished folder in place — so a failed or killed run leaves the previous output
as it was, and the next run tidies what a killed one left behind."""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

SNAPSHOT = ".inputs"          # inside the staging folder; removed before the swap


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _leftover_pid(path: Path) -> int | None:
    m = re.search(r"-(\d+)$", path.name)
    return int(m.group(1)) if m and path.is_dir() else None


def clean_leftovers(out: Path) -> list[Path]:
    """Remove staging / swapped-out folders of runs that were killed (their process is gone).

    A run killed between the two renames of :func:`swap_into` left its target swapped out as
    ``.<name>.old-<pid>`` and no ``<name>``: that folder is the previous output, so it is put back
    (the newest such folder when there are several) before the rest go.
    """
    dead = [p for p in sorted(out.glob(".*.partial-*")) + sorted(out.glob(".*.old-*"))
            if (pid := _leftover_pid(p)) is not None and not _alive(pid)]
    olds: dict[str, list[Path]] = {}
    for p in dead:
        m = re.fullmatch(r"\.(.+)\.old-\d+", p.name)
        if m:
            olds.setdefault(m.group(1), []).append(p)
    restored = set()
    for name, swapped_out in sorted(olds.items()):
        target = out / name
        if not target.exists():
            newest = max(swapped_out, key=lambda p: (p.lstat().st_ctime_ns, p.name))
            newest.rename(target)
            restored.add(newest)
    removed = []
    for p in dead:
        if p not in restored:
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
    return removed


def staging_folder(out: Path, name: str) -> Path:
    """A fresh ``OUT/.<name>.partial-<pid>`` beside the target, after tidying killed runs' leftovers."""
    out.mkdir(parents=True, exist_ok=True)
    clean_leftovers(out)
    staging = out / f".{name}.partial-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    return staging


def swap_into(staging: Path, target: Path) -> None:
    """Put ``staging`` at ``target``, replacing an existing folder whole: rename the target to
    ``.<name>.old-<pid>``, rename staging to the target (which :func:`clean_leftovers` undoes if the
    run dies between the two), then remove the old folder."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        if old.exists():
            shutil.rmtree(old)
        target.rename(old)
    try:
        staging.rename(target)
    except OSError:
        if old is not None:
            old.rename(target)          # put the previous output back
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def snapshot(data_dir: Path, dest: Path) -> Path:
    """Copy the dataset folder's files (not its subfolders) to ``dest``: the run reads and scores
    this copy only, so a file changed while the run is under way cannot make two outputs disagree."""
    dest.mkdir(parents=True, exist_ok=False)
    for path in sorted(Path(data_dir).iterdir()):
        if path.is_file():
            shutil.copy2(path, dest / path.name)
    return dest
