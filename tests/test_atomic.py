"""Atomic output: a bulletin run killed with SIGKILL at any step leaves the previous OUT/<Y>Q<Q>
exactly as it was, and the next run removes the half-built ``.<Y>Q<Q>.partial-<pid>`` it left; a run
stopped with Ctrl-C (SIGINT) removes its own; what one ended by SIGTERM leaves, the next run removes.

The runs are stopped exactly at a step, whatever the machine's speed: tests/stop_at_step.py runs the
CLI, pauses each run when it enters its step (the step's progress line printed, nothing of it done),
and the test signals it there: SIGKILL and SIGINT to the run's whole process group, as a machine
switched off or Ctrl-C in a terminal does. The previous bulletin is a copy of the shared
``hostile_bulletin`` (conftest.py); the runs here are as small as runs get: the four-unit corpus base
(tests/broken/_valid_csv) and the tiny stand-in notebook (tests/fixtures/notebooks/mini_bulletin.ipynb: HTML only),
for what is tested is the folder handling, not the content.
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from reliability_support import BROKEN, Runs, copy_of, snapshot

DATA = BROKEN / "_valid_csv"
QUARTER = "2023Q3"

# The steps of a run that has its staging folder (scoring/run/bulletin.py), by the start of their
# names: the first, one in the middle (the PDF: the notebook's output written, the tables not) and
# the last before the swap (everything written). A kill at any other step leaves a staging folder
# between two of these; what is tested is the folder handling, which is the same at every step.
STEPS = {
    "papermill": "执行通报笔记本",
    "pdf": "生成 bulletin.pdf",
    "manifest": "写出 manifest.json",
}
COMPLETE = {"bulletin.ipynb", "bulletin.html", "bulletin.pdf", "bulletin.docx", "scores.csv", "ledger.csv",
            "scores.xlsx", "manifest.json"}


@pytest.fixture
def previous(hostile_bulletin, tmp_path):
    """OUT holding a complete bulletin (a copy of the shared one) and its snapshot."""
    out = copy_of(hostile_bulletin.out, tmp_path / "out")
    before = snapshot(out / QUARTER)
    assert COMPLETE <= set(before)
    return out, before


@pytest.mark.slow
def test_a_run_killed_at_any_step_or_interrupted_leaves_the_previous_bulletin_and_the_next_run_cleans_up(
        previous, tmp_path):
    out, before = previous
    plan = [*({"step": name} for name in STEPS.values()), {"step": STEPS["papermill"]},
            {"step": STEPS["papermill"]}, {"step": None}]
    left: list[Path] = []
    with Runs(out, plan, tmp_path, DATA, QUARTER) as runs:
        # SIGKILL at each step: the previous bulletin as it was, the half-built folder left behind.
        for i, step in enumerate(STEPS):
            pid = runs.stop(i)
            partial = out / f".{QUARTER}.partial-{pid}"
            assert partial.is_dir(), f"stopped at {step}: no staging folder {partial.name}"
            os.killpg(pid, signal.SIGKILL)
            assert runs.status(i) == -signal.SIGKILL
            assert snapshot(out / QUARTER) == before, f"killed at {step}: the previous bulletin changed"
            assert partial.is_dir(), f"killed at {step}: expected the half-built {partial.name} left behind"
            left.append(partial)
        # The next run (stopped at its first step) has removed them. Ctrl-C (SIGINT to its process
        # group, as a terminal sends it): it removes its own staging folder, says so and exits 130.
        i = len(STEPS)
        pid = runs.stop(i)
        assert not [p for p in left if p.exists()], "the next run left the killed runs' staging folders"
        assert (out / f".{QUARTER}.partial-{pid}").is_dir()
        os.killpg(pid, signal.SIGINT)
        assert runs.status(i) == 130, runs.output()[-3000:]
        assert "已中断" in runs.output()
        assert sorted(p.name for p in out.iterdir()) == [QUARTER], "Ctrl-C left a staging folder"
        assert snapshot(out / QUARTER) == before
        # SIGTERM (to the run alone, as `kill` sends it): the previous bulletin as it was.
        pid = runs.stop(i + 1)
        os.kill(pid, signal.SIGTERM)
        assert runs.status(i + 1) == -signal.SIGTERM
        assert snapshot(out / QUARTER) == before
        # The next run goes to the end, and removes what SIGTERM left.
        assert runs.status(i + 2) == 0, runs.output()[-3000:]
    # The replaced bulletin is kept whole in history (issue 13).
    assert sorted(p.name for p in out.iterdir()) == [QUARTER, "history"]
    assert snapshot(out / "history" / QUARTER / "1") == before
    assert COMPLETE <= set(snapshot(out / QUARTER))
    scores = (out / QUARTER / "scores.csv").read_text(encoding="utf-8")
    assert "溧阳市公安局" in scores and "<script>" not in scores, "the next run's bulletin is not the one in place"


def test_atomically_written_scores_are_readable_like_any_other_file(tmp_path):
    from scoring.cli import main
    assert main(["score", "--data", str(DATA), "--year", "2023", "--quarter", "3", "--out", str(tmp_path / "out")]) == 0
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    for name in ("scores.csv", "ledger.csv"):
        assert (tmp_path / "out" / name).stat().st_mode & 0o777 == plain.stat().st_mode & 0o777, name


def test_a_run_killed_between_the_two_renames_of_the_swap_gets_its_previous_bulletin_back(tmp_path):
    from scoring.run.folder import clean_leftovers, mark

    dead = subprocess.Popen(["true"])
    dead.wait()
    out = tmp_path / "out"
    old = out / f".{QUARTER}.old-{dead.pid}"
    old.mkdir(parents=True)
    mark(old, "old", dead.pid)
    (old / "bulletin.html").write_text("<p>上一期</p>", encoding="utf-8")
    (out / f".{QUARTER}.partial-{dead.pid}").mkdir()
    mark(out / f".{QUARTER}.partial-{dead.pid}", "partial", dead.pid)
    clean_leftovers(out)
    assert (out / QUARTER / "bulletin.html").read_text(encoding="utf-8") == "<p>上一期</p>"


def _dead_pid() -> int:
    dead = subprocess.Popen(["true"])
    dead.wait()
    return dead.pid


def test_of_several_swapped_out_bulletins_the_newest_is_put_back_and_the_others_removed(tmp_path):
    from scoring.run.folder import clean_leftovers, mark

    out = tmp_path / "out"
    older, newer = out / f".{QUARTER}.old-{_dead_pid()}", out / f".{QUARTER}.old-{_dead_pid()}"
    for folder, text in ((older, "前一期"), (newer, "上一期")):
        folder.mkdir(parents=True)
        mark(folder, "old", int(folder.name.rsplit("-", 1)[1]))
        (folder / "bulletin.html").write_text(text, encoding="utf-8")
        time.sleep(0.05)                      # ctimes a clock tick apart: "newer" was swapped out last
    clean_leftovers(out)
    assert (out / QUARTER / "bulletin.html").read_text(encoding="utf-8") == "上一期"
    assert sorted(p.name for p in out.iterdir()) == [QUARTER, "history"]
    assert (out / "history" / QUARTER / "1" / "bulletin.html").read_text(encoding="utf-8") == "前一期"


def test_a_swapped_out_folder_is_not_put_back_over_a_complete_bulletin(tmp_path):
    from scoring.run.folder import clean_leftovers, mark

    out = tmp_path / "out"
    (out / QUARTER).mkdir(parents=True)
    (out / QUARTER / "bulletin.html").write_text("本期", encoding="utf-8")
    old = out / f".{QUARTER}.old-{_dead_pid()}"
    old.mkdir()
    mark(old, "old", int(old.name.rsplit("-", 1)[1]))
    (old / "bulletin.html").write_text("上一期", encoding="utf-8")
    clean_leftovers(out)
    assert (out / QUARTER / "bulletin.html").read_text(encoding="utf-8") == "本期"
    assert not old.exists()


def test_the_swap_replaces_the_target_and_leaves_no_old_folder(tmp_path):
    from scoring.run.folder import swap_into

    target, staging = tmp_path / QUARTER, tmp_path / f".{QUARTER}.partial-{os.getpid()}"
    for folder, text in ((target, "上一期"), (staging, "本期")):
        folder.mkdir()
        (folder / "bulletin.html").write_text(text, encoding="utf-8")
    swap_into(staging, target)
    assert (target / "bulletin.html").read_text(encoding="utf-8") == "本期"
    assert sorted(p.name for p in tmp_path.iterdir()) == [QUARTER, "history"]

