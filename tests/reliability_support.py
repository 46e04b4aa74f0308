"""Helpers shared by the reliability tests (broken corpus, atomic output, determinism, hostile text,
real clients). Not a conftest: imported explicitly, so each test module says what it uses.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scoring.cli import main

ROOT = Path(__file__).resolve().parent.parent
BROKEN = ROOT / "tests" / "broken"
PY = sys.executable
STOPPER = ROOT / "tests" / "stop_at_step.py"
MINI = ROOT / "tests" / "fixtures" / "notebooks" / "mini_bulletin.ipynb"

# One numbered line of errors.InputError.report(): "  3. <where>[，值「v」]：<expected> [code]".
PROBLEM_LINE = re.compile(r"^\s+\d+\. (?P<body>.+：.+) \[(?P<code>[a-z][a-z0-9_]*)\]$")


def run_main(argv: list[str]) -> tuple[int, str]:
    """``python -m scoring <argv>`` in this process (scoring.cli.main): the exit code and stdout and
    stderr together, in the order printed."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
        try:
            code = main([str(a) for a in argv])
        except SystemExit as exit_:
            code = exit_.code
    return code, buf.getvalue()


def run_cli(*args: str | os.PathLike, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    """``python -m scoring …`` from the repository root, as a user runs it."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([PY, "-m", "scoring", *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env=full_env)


def snapshot(folder: Path) -> dict[str, str]:
    """Every file and folder under ``folder`` → sha256 (or "<dir>"): compares two states of an output tree."""
    if not folder.exists():
        return {}
    out: dict[str, str] = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        out[rel] = "<dir>" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def copy_of(folder: Path, to: Path) -> Path:
    """A copy of a shared output (conftest.py) that a test may change; the shared one must not be."""
    shutil.copytree(folder, to, ignore=shutil.ignore_patterns(".shared-*"))
    return to


def problem_lines(stderr: str) -> list[tuple[str, str]]:
    """(body, code) of every numbered problem line in a report."""
    out = []
    for line in stderr.splitlines():
        m = PROBLEM_LINE.match(line)
        if m:
            out.append((m.group("body"), m.group("code")))
    return out


def _alternatives(x) -> list:
    return list(x) if isinstance(x, (list, tuple)) else [x]


def line_matches(body: str, code: str, want: dict) -> bool:
    """Does one reported problem say what ``want`` (an expect.yaml problem) says it must?"""
    if code not in _alternatives(want["code"]):
        return False
    if "file" in want and not body.startswith(want["file"]):
        return False
    if "sheet" in want and f"［工作表 {want['sheet']}］" not in body:
        return False
    if "row" in want and f"第 {want['row']} 行" not in body:
        return False
    if "column" in want and not any(f"列「{c}」" in body for c in _alternatives(want["column"])):
        return False
    if "value" in want and f"值「{want['value']}" not in body:
        return False
    return True


def assert_reports(stderr: str, problems: list[dict]) -> None:
    """stderr holds a contract-shaped report naming every expected problem; no traceback."""
    assert "Traceback" not in stderr, stderr[-3000:]
    assert re.search(r"输入数据有 \d+ 处问题", stderr), f"no problem report on stderr:\n{stderr[-3000:]}"
    found = problem_lines(stderr)
    numbered = [l for l in stderr.splitlines() if re.match(r"^\s+\d+\. ", l)]
    # Every numbered line has the shape: where, what was expected (after "："), and a code.
    assert len(found) == len(numbered), f"lines without the contract's shape:\n{stderr[-3000:]}"
    for want in problems:
        assert any(line_matches(body, code, want) for body, code in found), (
            f"expected a problem {want} on stderr, got:\n" + "\n".join(f"{b} [{c}]" for b, c in found))


def install_debian_package(command: str, package: str) -> str | None:
    """Path of ``command``, installing Debian's ``package`` first when root and apt exist; None otherwise."""
    path = shutil.which(command)
    if path:
        return path
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return None
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "-qq", package]
    # Try with the package lists as they are; refresh them only when that fails.
    for cmds in ([install], [["apt-get", "update", "-qq"], install]):
        for cmd in cmds:
            try:
                subprocess.run(cmd, env=env, capture_output=True, timeout=900, check=False)
            except (OSError, subprocess.TimeoutExpired):
                return None
        if shutil.which(command):
            return shutil.which(command)
    return None


# ---- a small dataset full of hostile text ------------------------------------------------------------
SCRIPT = "<script>alert('昆仑')</script>"
IMG = '<img src=x onerror="alert(1)">'
HYPERLINK = '=HYPERLINK("http://example.invalid/","点我")'
AT_SUM = "@SUM(1+1)*cmd|' /C calc'!A0"
RLO = "\u202e溧城镇\u202c"
RARE = "团市委🎉𠀀"                        # emoji and a CJK Extension B character the fonts lack
# Characters no document can hold: a vertical tab, a line separator pasted from a web page, a
# terminal's screen-clear sequence (normalised at input: separators to spaces, the rest to 〓).
CONTROLS = "\x0b第二行\u2028第三段\x1b[2J"
LONG = ("长" * 992) + "<b>粗</b>"          # exactly 1,000 characters: the longest text allowed
HOSTILE_UNITS = {"Z01": SCRIPT + "昆仑街道", "Z02": RLO, "B01": HYPERLINK, "Q01": RARE, "B02": LONG}


def write_hostile_dataset(folder: Path) -> Path:
    """The corpus base with hostile unit names, titles, informants and notes (all valid input).

    Rows as Excel shows them: units.csv row 5 is Q01 (RARE: an emoji and a CJK Ext-B character);
    submissions.csv row 7 is S005, adopted 2023-09-15 by Z01, titled RLO + RARE; events.csv row 4
    (E003, B02's in 2023Q3) has AT_SUM + CONTROLS as its note."""
    sys.path.insert(0, str(BROKEN))
    import make_corpus

    t = make_corpus.copy_tables()
    for row in t["units"][1:]:
        row[1] = HOSTILE_UNITS[row[0]]
        row[4] = ""
    t["units"].append(["B02", LONG, "市级机关部门", AT_SUM, ""])
    titles = [SCRIPT, IMG, HYPERLINK, AT_SUM, SCRIPT, RLO + RARE]
    for row, title in zip(t["submissions"][1:], titles):
        row[5] = title
    t["submissions"][5][5] = t["submissions"][1][5]          # S001 keeps one title (rows 2 and 6)
    t["submissions"][6][4] = "2023-09-15"                     # S005: a line of Z01's 2023Q3 statement
    t["submissions"].append(["S006", "B02", "要闻动态", "江苏省", "2023-09-20", LONG, "", "", "", "是", AT_SUM])
    t["events"][1][5] = IMG + LONG[:900]
    t["events"][2][5] = HYPERLINK
    t["events"].append(["E003", "B02", "2023-07-20", "stale_column", "1", AT_SUM + CONTROLS])   # events.csv row 4
    folder.mkdir(parents=True, exist_ok=True)
    make_corpus.write_csvs(folder, t)
    return folder


# ---- bulletin runs stopped at a step -------------------------------------------------------------------
class Runs:
    """The bulletin runs of one plan (tests/stop_at_step.py), run in turn into ``out``: each entry
    names the step its run stops at. What is tested is the folder handling: the runs execute the
    tiny stand-in notebook (MINI) and write no statements."""

    def __init__(self, out: Path, plan: list[dict], tmp_path: Path, data: Path, quarter: str):
        self.flags = tmp_path / "flags"
        self.flags.mkdir()
        self.log = tmp_path / "runs.log"
        self.plan = [{"notebook": str(MINI), **entry} for entry in plan]
        env = dict(os.environ, STOP_PLAN=json.dumps(self.plan), STOP_FLAGS=str(self.flags))
        with open(self.log, "w", encoding="utf-8") as log:
            self.proc = subprocess.Popen([PY, str(STOPPER), "bulletin", "--data", str(data), "--quarter", quarter,
                                          "--out", str(out), "--statements", "no"],
                                         cwd=ROOT, env=env, stdout=log, stderr=log)

    def _wait_for(self, *names: str) -> Path:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            for name in names:
                if (self.flags / name).exists():
                    return self.flags / name
            if self.proc.poll() is not None and not any((self.flags / n).exists() for n in names):
                break
            time.sleep(0.05)
        pytest.fail(f"no {' or '.join(names)} from the runs:\n{self.output()[-3000:]}")

    def stop(self, i: int) -> int:
        """The pid of run ``i``, paused at its step."""
        flag = self._wait_for(f"{i}.stopped", f"{i}.status")
        assert flag.suffix == ".stopped", f"run {i} ended before its step:\n{self.output()[-3000:]}"
        return int(flag.read_text(encoding="utf-8"))

    def status(self, i: int) -> int:
        """The exit status of run ``i`` once it has ended (negative: the signal that ended it)."""
        return int(self._wait_for(f"{i}.status").read_text(encoding="utf-8"))

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8")

    def __enter__(self) -> "Runs":
        return self

    def __exit__(self, failed, *_) -> None:
        """Wait for the plan's end; after a failure, kill whatever of it is left."""
        try:
            self.proc.wait(timeout=1 if failed else 600)
        except subprocess.TimeoutExpired:
            pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for started in self.flags.glob("*.started"):
            try:
                os.killpg(int(started.read_text(encoding="utf-8")), signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
