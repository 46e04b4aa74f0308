"""The output folder of one run: the inputs' snapshot, a staging folder beside the target, and the
swap that puts a finished folder in place — so a failed or killed run leaves the previous output
as it was, and the next run tidies what a killed one left behind.

A replaced quarter folder is never deleted: the swap moves it whole to ``OUT/history/<Y>Q<Q>/<n>/``
(n counting up from 1). The program only ever adds to ``history/``.

The folders this program makes beside a quarter folder (``.<Y>Q<Q>.partial-<pid>`` while a run
builds, ``.<Y>Q<Q>.old-<pid>`` while it swaps) hold a marker file, :data:`MARKER`, whose text is the
name's own ``partial-<pid>`` / ``old-<pid>``. The clean-up touches a folder only when its name and
its marker agree: a user's ``.archive.partial-2022`` or ``.2023Q2.old-20231010`` is never touched.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Callable, TypeVar

from scoring.errors import ScoringError

T = TypeVar("T")

SNAPSHOT = ".inputs"          # inside the staging folder; removed before the swap
HISTORY = "history"           # OUT/history/<Y>Q<Q>/<n>/: every replaced quarter folder, whole
# The marker file the sample generator writes into the bundled sample folders (the loader ignores
# it). A folder holding it is sample data, whatever its path; deleting it makes a copy real data.
SAMPLE_MARKER = "样例数据.txt"
# Names this program gives the folders it makes beside an output folder (a quarter, 2023Q4; a
# progress reminder's date, 2024-02-15); only those holding the marker below are touched.
_LEFTOVER = re.compile(r"\.(?P<name>\d{4}Q[1-4]|\d{4}-\d{2}-\d{2})\.(?P<kind>partial|old)-(?P<pid>\d+)")
# The marker file inside such a folder: its text is the name's ``<kind>-<pid>``.
MARKER = ".liyang-scoring-run"


def mark(folder: Path, kind: str, pid: int | None = None) -> None:
    """Write the marker saying ``folder`` was made (``partial``) or swapped out (``old``) by process ``pid``."""
    (Path(folder) / MARKER).write_text(f"{kind}-{os.getpid() if pid is None else pid}\n", encoding="utf-8")


def _unmark(folder: Path) -> None:
    try:
        (Path(folder) / MARKER).unlink()
    except OSError:
        pass


def _marked(folder: Path, kind: str, pid: str) -> bool:
    """Does ``folder`` carry this program's marker for ``<kind>-<pid>``?"""
    marker = folder / MARKER
    try:
        return (not marker.is_symlink() and marker.is_file()
                and marker.read_text(encoding="utf-8").strip() == f"{kind}-{pid}")
    except (OSError, UnicodeDecodeError):
        return False


def is_sample(data_dir: Path) -> Path | None:
    """The sample marker file of ``data_dir`` (``样例数据.txt``) when there is one, else None."""
    marker = Path(data_dir) / SAMPLE_MARKER
    return marker if marker.is_file() else None


def sample_note(marker: Path) -> str:
    """The console's note on a dataset carrying the sample marker file: which file to delete."""
    return (f"数据目录中有样例标记文件 {marker}：本次结果按样例数据处理（manifest.json 记为 sample_data），"
            f"不能发布。如果这是样例的副本、且已换成真实数据，请删除该文件后重新运行。")


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


def history_folder(out: Path, name: str) -> Path:
    """``OUT/history/<name>``: where replaced versions of the quarter folder ``name`` are kept."""
    return Path(out) / HISTORY / name


def history_versions(out: Path, name: str) -> list[Path]:
    """The kept versions of quarter ``name``, oldest first (``history/<name>/1``, ``2`` …)."""
    folder = history_folder(out, name)
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if p.is_dir() and p.name.isdigit()), key=lambda p: int(p.name))


def keep_in_history(old: Path, out: Path, name: str) -> Path:
    """Move the folder ``old`` (a former ``OUT/<name>``) to the next ``OUT/history/<name>/<n>``, by one rename."""
    folder = history_folder(out, name)
    folder.mkdir(parents=True, exist_ok=True)
    versions = history_versions(out, name)
    n = int(versions[-1].name) + 1 if versions else 1
    while (folder / str(n)).exists():
        n += 1
    kept = folder / str(n)
    old.rename(kept)
    _unmark(kept)
    return kept


def clean_leftovers(out: Path) -> list[Path]:
    """Tidy what killed runs (their process is gone) left beside the quarter folders.

    Only ``.<Y>Q<Q>.partial-<pid>`` (a half-built folder: removed) and ``.<Y>Q<Q>.old-<pid>`` (a
    swapped-out previous output) holding the marker this program wrote for that very name are
    touched. A run killed between the two renames of
    :func:`swap_into` left its target swapped out and no ``<Y>Q<Q>``: the newest such folder is put
    back. Any other swapped-out folder is a previous output too, so it goes to history, never away.
    Returns the half-built folders removed.
    """
    dead = []
    for p in sorted(out.iterdir()) if out.is_dir() else []:
        m = _LEFTOVER.fullmatch(p.name)
        if (m and p.is_dir() and not p.is_symlink() and _marked(p, m.group("kind"), m.group("pid"))
                and not _alive(int(m.group("pid")))):
            dead.append((p, m.group("name"), m.group("kind")))
    olds: dict[str, list[Path]] = {}
    for p, name, kind in dead:
        if kind == "old":
            olds.setdefault(name, []).append(p)
    for name, swapped_out in sorted(olds.items()):
        swapped_out.sort(key=lambda p: (p.lstat().st_ctime_ns, p.name))
        target = out / name
        if not target.exists() and not target.is_symlink():
            back = swapped_out.pop()
            back.rename(target)
            _unmark(target)
        for p in swapped_out:                     # oldest first: history keeps their order
            keep_in_history(p, out, name)
    removed = []
    for p, _name, kind in dead:
        if kind == "partial":
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
    return removed


def check_target(out: Path, name: str) -> None:
    """The output folder ``out`` and the quarter folder ``out/name`` must be folders (or not exist
    yet): a file or a symbolic link there is a ScoringError (exit 2), never replaced."""
    out, target = Path(out), Path(out) / name
    for path, what in ((out, "输出目录"), (target, "输出文件夹")):
        if path.is_symlink():
            raise ScoringError(f"{what} {path} 是一个符号链接，本程序不会替换它。"
                               f"请删除或改名该链接后重新运行，或用 --out 指定其他输出目录。")
        if path.exists() and not path.is_dir():
            raise ScoringError(f"{what} {path} 是一个文件，不是文件夹，本程序不会替换它。"
                               f"请删除或改名该文件后重新运行，或用 --out 指定其他输出目录。")


def staging_folder(out: Path, name: str) -> Path:
    """A fresh, marked ``OUT/.<name>.partial-<pid>`` beside the target, after checking the target
    (:func:`check_target`) and tidying killed runs' leftovers."""
    check_target(out, name)
    out.mkdir(parents=True, exist_ok=True)
    clean_leftovers(out)
    staging = out / f".{name}.partial-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    mark(staging, "partial")
    return staging


def swap_into(staging: Path, target: Path) -> Path | None:
    """Put ``staging`` at ``target``, replacing an existing folder whole: rename the target to
    ``.<name>.old-<pid>``, rename staging to the target (which :func:`clean_leftovers` undoes if the
    run dies between the two), then move the old folder to ``OUT/history/<name>/<n>`` (which
    :func:`clean_leftovers` finishes if the run dies before). Returns where the old folder was kept."""
    old = None
    check_target(target.parent, target.name)
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        if old.exists():                          # our own pid: a folder this process swapped out before
            keep_in_history(old, target.parent, target.name)
        mark(target, "old")                       # before the rename: a kill after it leaves a marked folder
        target.rename(old)
    try:
        staging.rename(target)
    except OSError:
        if old is not None:
            old.rename(target)          # put the previous output back
            _unmark(target)
        raise
    _unmark(target)                     # the staging folder's marker: the output is no leftover
    if old is None:
        return None
    return keep_in_history(old, target.parent, target.name)


def snapshot(data_dir: Path, dest: Path) -> Path:
    """Copy the dataset folder's files (not its subfolders) to ``dest``: the run reads and scores
    this copy only, so a file changed while the run is under way cannot make two outputs disagree."""
    dest.mkdir(parents=True, exist_ok=False)
    for path in sorted(Path(data_dir).iterdir()):
        if path.is_file():
            shutil.copy2(path, dest / path.name)
    return dest


def build_folder(out: Path, name: str, write: Callable[[Path], T]) -> tuple[T, Path | None]:
    """``OUT/<name>`` made whole or not at all: ``write(staging)`` fills a fresh staging folder,
    which is then swapped in (the earlier folder kept in history); a failure removes the staging
    folder and leaves OUT as it was. Returns what ``write`` returned and where the earlier folder
    was kept (None on a first run)."""
    staging = staging_folder(Path(out), name)
    try:
        made = write(staging)
        return made, swap_into(staging, Path(out) / name)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
