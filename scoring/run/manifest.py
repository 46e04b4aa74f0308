"""manifest.json: what a bulletin run read, with which code and parameters, and what it wrote.

Anyone holding the output folder can check that a file is the one the run produced (SHA-256) and
rebuild it: input files and rules file with their hashes, the parameters, package versions and
the git revision (noting uncommitted changes).
"""
from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable, Mapping

from scoring.run.folder import MARKER       # the staging folder's marker: not an output

MANIFEST = "manifest.json"
# Distribution names whose versions decide the outputs' bytes.
PACKAGES = ("pandas", "numpy", "matplotlib", "papermill", "nbconvert", "weasyprint", "openpyxl",
            "pyarrow", "mplfonts", "pypdf", "pydantic", "PyYAML", "fonttools", "jinja2")


def sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def package_versions(names: Iterable[str] = PACKAGES) -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "未安装"
    return out


def git_revision(repo: Path) -> dict[str, Any]:
    """{"revision": sha or "unknown", "dirty": bool | None} of the repository holding ``repo``."""
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=20)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    rev = git("rev-parse", "HEAD")
    if not rev:
        return {"revision": "unknown", "dirty": None}
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"revision": rev, "dirty": bool(status) if status is not None else None}


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def build_manifest(*, inputs: Mapping[Path, Path] | Iterable[Path], rules_file: Path, parameters: Mapping[str, Any],
                   output_dir: Path, root: Path, extra: Mapping[str, Any] | None = None,
                   sample_data: bool = False) -> dict[str, Any]:
    """The manifest as a dict: every file under ``output_dir`` (except the manifest) is hashed.
    ``sample_data``: the inputs carried the sample marker file (such output is never published).

    ``inputs``: the files read, or {file read: the name to record it under} (a run reads a snapshot
    of the user's files and records the user's paths with the hashes of what it read)."""
    named = dict(inputs) if isinstance(inputs, Mapping) else {Path(p): Path(p) for p in inputs}
    outputs = {p.relative_to(output_dir).as_posix(): sha256(p)
               for p in sorted(output_dir.rglob("*")) if p.is_file() and p.name not in (MANIFEST, MARKER)}
    return {
        "inputs": dict(sorted((_display(shown, root), sha256(read)) for read, shown in named.items())),
        "rules": {"file": _display(Path(rules_file), root), "sha256": sha256(Path(rules_file))},
        "parameters": dict(parameters),
        "versions": package_versions(),
        "code": git_revision(root),
        "outputs": dict(sorted(outputs.items())),
        "sample_data": bool(sample_data),
        **({"run": dict(extra)} if extra else {}),
    }


def write_manifest(manifest: Mapping[str, Any], output_dir: Path) -> Path:
    path = Path(output_dir) / MANIFEST
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True, default=str)
    path.write_text(text + "\n", encoding="utf-8")
    return path
