"""Atomic output: a bulletin run killed with SIGKILL at any step leaves the previous OUT/<Y>Q<Q>
exactly as it was, and the next run removes the half-built ``.<Y>Q<Q>.partial-<pid>`` it left.

The kill is timed by the pipeline's progress lines on stderr ("生成 bulletin.pdf …" starts a step);
the whole process group goes (the run, its statement workers), as when a machine is switched off.
"""
from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from reliability_support import BROKEN, PY, ROOT, run_cli, snapshot

DATA = BROKEN / "_valid_csv"
QUARTER = "2023Q3"
# step → (the start of its progress line, seconds to let it work before the kill)
STEPS = {
    "papermill": ("执行通报笔记本", 4.0),
    "html": ("生成 bulletin.html", 0.3),
    "pdf": ("生成 bulletin.pdf", 0.5),
    "statements": ("生成各单位得分明细单", 0.3),
}


def _bulletin_args(out):
    return ["-m", "scoring", "bulletin", "--data", str(DATA), "--quarter", QUARTER, "--out", str(out)]


def _kill_at(out, line_start: str, delay: float) -> tuple[int, str]:
    """Run the bulletin, SIGKILL its process group ``delay`` s after the step's progress line; (pid, stderr)."""
    proc = subprocess.Popen([PY, *_bulletin_args(out)], cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            text=True, start_new_session=True)
    seen: list[str] = []
    try:
        for line in proc.stderr:
            seen.append(line)
            if line.startswith(line_start) and line.rstrip().endswith("…"):
                time.sleep(delay)
                os.killpg(proc.pid, signal.SIGKILL)
                break
        else:
            pytest.fail("the run ended before the step began:\n" + "".join(seen))
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == -signal.SIGKILL, "".join(seen)
    time.sleep(1.5)          # the papermill kernel (its own session) notices its parent is gone and exits
    return proc.pid, "".join(seen)


@pytest.mark.slow
def test_a_run_killed_at_any_step_leaves_the_previous_bulletin_intact_and_the_next_run_cleans_up(tmp_path):
    out = tmp_path / "out"
    first = run_cli("bulletin", "--data", DATA, "--quarter", QUARTER, "--out", out)
    assert first.returncode == 0, first.stderr[-3000:]
    target = out / QUARTER
    previous = snapshot(target)
    assert "bulletin.pdf" in previous and "statements.zip" in previous

    leftovers = []
    for step, (line_start, delay) in STEPS.items():
        pid, log = _kill_at(out, line_start, delay)
        assert snapshot(target) == previous, f"killed at {step}: the previous bulletin changed"
        partial = out / f".{QUARTER}.partial-{pid}"
        assert partial.is_dir(), f"killed at {step}: expected the half-built {partial.name}\n{log}"
        leftovers.append(partial)

    again = run_cli("bulletin", "--data", DATA, "--quarter", QUARTER, "--out", out)
    assert again.returncode == 0, again.stderr[-3000:]
    assert not [p for p in leftovers if p.exists()], "the next run left the killed runs' staging folders"
    assert sorted(p.name for p in out.iterdir()) == [QUARTER, "history"]
    # Same inputs, so the new bulletin's deterministic files equal the previous ones.
    now = snapshot(target)
    for name in ("scores.csv", "ledger.csv", "bulletin.html"):
        assert now[name] == previous[name], name


def test_atomically_written_scores_are_readable_like_any_other_file(tmp_path):
    proc = run_cli("score", "--data", DATA, "--year", 2023, "--quarter", 3, "--out", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr[-3000:]
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
