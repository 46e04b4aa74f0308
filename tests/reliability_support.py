"""Helpers shared by the reliability tests (broken corpus, atomic output, determinism, hostile text,
real clients). Not a conftest: imported explicitly, so each test module says what it uses.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BROKEN = ROOT / "tests" / "broken"
PY = sys.executable

# One numbered line of errors.InputError.report(): "  3. <where>[，值「v」]：<expected> [code]".
PROBLEM_LINE = re.compile(r"^\s+\d+\. (?P<body>.+：.+) \[(?P<code>[a-z][a-z0-9_]*)\]$")


def needs_module(name: str) -> None:
    """Skip the calling test while a colleague's module has not landed yet."""
    if importlib.util.find_spec(name) is None:
        pytest.skip(f"{name} is not in the repository yet (being written by its owner)")


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
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", package]):
        try:
            subprocess.run(cmd, env=env, capture_output=True, timeout=900, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None
    return shutil.which(command)
