"""Executing a notebook with papermill (cwd = the repository root)."""
from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterator, Mapping

import papermill as pm
from papermill.exceptions import PapermillExecutionError

from scoring.errors import ScoringError

ROOT = Path(__file__).resolve().parent.parent.parent
# What the kernel writes to our stderr that nobody needs to read.
KERNEL_NOISE = ("running over TCP without encryption", "KeyboardInterrupt caught in kernel")


class RunError(ScoringError):
    """A step of the run failed (not the user's input): exit status 1."""

    exit_code = 1


def rel(path: Path) -> str:
    """A path as the notebook sees it (cwd = repo root): relative inside the repo, else absolute."""
    p = Path(path).resolve()
    try:
        return p.relative_to(ROOT).as_posix()
    except ValueError:
        return p.as_posix()


@contextlib.contextmanager
def _kernel_noise_filtered() -> Iterator[None]:
    """The kernel writes to our fd 2 (encryption notice, the interrupt papermill sends at
    shutdown): pass on what a user may need, drop the known noise."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as tmp:
        os.dup2(tmp.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            for line in tmp.read().decode("utf-8", "replace").splitlines():
                if line.strip() and not any(n in line for n in KERNEL_NOISE):
                    print(line, file=sys.stderr)


def execute(notebook: Path, executed: Path, parameters: Mapping[str, Any]) -> Any:
    """Run ``notebook`` with papermill into ``executed``; a failing cell → :class:`RunError`."""
    try:
        with _kernel_noise_filtered():
            return pm.execute_notebook(str(notebook), str(executed), parameters=dict(parameters),
                                       kernel_name="python3", cwd=str(ROOT), progress_bar=False,
                                       log_output=False, report_mode=False)
    except PapermillExecutionError as err:
        where = f"第 {err.exec_count} 个代码单元格" if err.exec_count else f"第 {err.cell_index + 1} 个单元格"
        raise RunError(f"笔记本 {rel(notebook)} {where}执行失败：{err.ename}：{err.evalue}。"
                       "原有输出未改动。") from None
    except FileNotFoundError as err:
        raise RunError(f"找不到笔记本：{err.filename or notebook}") from None


def stderr_of(nb) -> list[str]:
    """Lines the notebook's cells printed on stderr (warnings such as 〓 replacements)."""
    lines: list[str] = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                lines.extend(t for t in str(out.get("text", "")).splitlines() if t.strip())
    return list(dict.fromkeys(lines))


def normalize(nb: Any, notebook: Path, final: Path) -> None:
    """Same inputs → same executed notebook: drop wall-clock stamps, random ids, staging paths."""
    nb.metadata.get("papermill", {}).update({"start_time": None, "end_time": None, "duration": None,
                                             "input_path": rel(notebook), "output_path": rel(final)})
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = "injected-parameters"      # papermill draws a random id
        cell.metadata.pop("execution", None)
        pm_meta = cell.metadata.get("papermill")
        if pm_meta:
            pm_meta.update({"start_time": None, "end_time": None, "duration": None})


