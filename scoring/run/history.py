"""Versions of a quarter folder: what changed since the last output, publishing, comparing.

- A run that replaces ``OUT/<Y>Q<Q>`` keeps the replaced folder whole under
  ``OUT/history/<Y>Q<Q>/<n>/`` (:mod:`scoring.run.folder`) and writes ``changes.csv`` in the new
  folder: one row per unit and quarter whose figures (score, year-to-date total, rank) differ from
  the baseline — the latest published version once the quarter has been published, else the
  folder being replaced.
- ``python -m scoring publish`` marks ``OUT/<Y>Q<Q>`` as the version sent out: ``published.json``
  (when, and the SHA-256 of every file). The record stays with the folder when a later run moves it
  into history. Output made from sample data is refused.
- ``python -m scoring compare A B`` compares any two quarter folders.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pandas as pd

from scoring.errors import ScoringError
from scoring.method.calendar import quarter_name
from scoring.method.points import fmt_series
from scoring.run.folder import SAMPLE_MARKER, history_versions
from scoring.run.manifest import MANIFEST, sha256
from scoring.run.params import parse_quarter

CHANGES = "changes.csv"
PUBLISHED = "published.json"
SCORES = "scores.csv"
CHANGE_COLUMNS = ("unit_id", "unit_name", "quarter", "score_before", "score_after", "ytd_before", "ytd_after",
                  "rank_before", "rank_after")
NO_CHANGES = "与上次输出相比，各单位得分无变化"
# (figure, column before, column after, its Chinese name)
FIGURES = (("score", "score_before", "score_after", "得分"), ("ytd", "ytd_before", "ytd_after", "累计"),
           ("rank", "rank_before", "rank_after", "排名"))


@dataclass(frozen=True)
class Baseline:
    """The folder a new output is compared with, and its publishing record when it was published."""

    folder: Path
    published: dict[str, Any] | None = None

    def describe(self) -> str:
        if self.published:
            return f"已发布版本（发布于 {self.published.get('published_at', '?')}）"
        return "上次输出"


# ---- figures of a folder or a Result -------------------------------------------------------------------
def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA else str(value)


def figures_of_folder(folder: Path) -> pd.DataFrame:
    """unit_id, unit_name, quarter (``2023Q3``), score, ytd, rank — as text, from ``folder/scores.csv``."""
    path = Path(folder) / SCORES
    if not path.is_file():
        raise ScoringError(f"{folder} 中没有 {SCORES}，不是一个季度通报的输出目录")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in ("unit_id", "unit_name", "year", "quarter", "score", "ytd_total", "rank") if c not in frame]
    if missing:
        raise ScoringError(f"{path} 缺少列 {'、'.join(missing)}，无法比较")
    return pd.DataFrame({"unit_id": frame["unit_id"], "unit_name": frame["unit_name"],
                         "quarter": frame["year"] + "Q" + frame["quarter"], "score": frame["score"],
                         "ytd": frame["ytd_total"], "rank": frame["rank"]})


def figures_of_result(result) -> pd.DataFrame:
    """The same columns from a Result's ``quarterly`` table (points shown as scores.csv shows them)."""
    q = result.quarterly
    return pd.DataFrame({"unit_id": q["unit_id"].astype(str).to_numpy(), "unit_name": q["unit_name"].astype(str).to_numpy(),
                         "quarter": [f"{y}Q{n}" for y, n in zip(q["year"], q["quarter"])],
                         "score": fmt_series(q["score"]).to_numpy(), "ytd": fmt_series(q["ytd_total"]).to_numpy(),
                         "rank": [_text(r) for r in q["rank"]]})


def _same(a: str, b: str) -> bool:
    try:
        return Decimal(a) == Decimal(b)
    except InvalidOperation:
        return a == b


def compare_figures(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """One row per unit and quarter whose score, year-to-date total or rank differ (a unit or quarter
    on one side only counts as differing, its other side empty); columns :data:`CHANGE_COLUMNS`,
    in the order of ``after`` (then rows found only in ``before``)."""
    merged = after.merge(before, on=["unit_id", "quarter"], how="outer", suffixes=("_after", "_before"),
                         indicator=True, sort=False)
    rows = []
    for rec in merged.to_dict("records"):
        values = {}
        for fig, col_before, col_after, _zh in FIGURES:
            values[col_before] = _text(rec[f"{fig}_before"]) if rec["_merge"] != "left_only" else ""
            values[col_after] = _text(rec[f"{fig}_after"]) if rec["_merge"] != "right_only" else ""
        differs = rec["_merge"] != "both" or any(not _same(values[b], values[a]) for _f, b, a, _z in FIGURES)
        if differs:
            name = rec["unit_name_after"] if rec["_merge"] != "right_only" else rec["unit_name_before"]
            rows.append({"unit_id": rec["unit_id"], "unit_name": _text(name), "quarter": rec["quarter"], **values})
    frame = pd.DataFrame(rows, columns=list(CHANGE_COLUMNS), dtype=object)
    if len(frame):
        order = {key: i for i, key in enumerate(zip(after["quarter"], after["unit_id"]))}
        extra = {key: len(order) + i for i, key in enumerate(zip(before["quarter"], before["unit_id"]))}
        frame["_o"] = [order.get(k, extra.get(k, 0)) for k in zip(frame["quarter"], frame["unit_id"])]
        frame = frame.sort_values(["quarter", "_o"], kind="stable").drop(columns="_o").reset_index(drop=True)
    return frame


# ---- the baseline of a run -------------------------------------------------------------------------
def read_published(folder: Path) -> dict[str, Any] | None:
    path = Path(folder) / PUBLISHED
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise ScoringError(f"{path} 无法读取（不是有效的 JSON）；它记录了该版本的发布，请勿手工修改") from None
    return record if isinstance(record, dict) else None


def baseline(out: Path, name: str) -> Baseline | None:
    """What a new ``OUT/<name>`` is compared with: the latest published version (the current folder,
    else the newest published one in history), else the current folder, else None (a first run)."""
    current = Path(out) / name
    for folder in [current, *reversed(history_versions(Path(out), name))]:
        if folder.is_dir() and (record := read_published(folder)) is not None:
            return Baseline(folder, record)
    return Baseline(current) if current.is_dir() else None


def changes_since(out: Path, name: str, result) -> tuple[Baseline | None, pd.DataFrame | None]:
    """(baseline, the changes frame) of a new Result for ``OUT/<name>``; (None, None) on a first run.
    The frame lists the units whose figures differ (for the bulletin's 更正说明, among others)."""
    base = baseline(out, name)
    if base is None or not (base.folder / SCORES).is_file():
        return base, None
    return base, compare_figures(figures_of_folder(base.folder), figures_of_result(result))


def corrections(frame: pd.DataFrame | None) -> list[dict[str, str]]:
    """The changes as the bulletin's 更正说明 takes them (a notebook parameter): one dict of text per
    row, the columns of changes.csv."""
    if frame is None:
        return []
    return [{k: _text(v) for k, v in row.items()} for row in frame[list(CHANGE_COLUMNS)].to_dict("records")]


def changes_csv(frame: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CHANGE_COLUMNS)
    for row in frame[list(CHANGE_COLUMNS)].itertuples(index=False):
        w.writerow([_text(v) for v in row])
    return buf.getvalue().encode("utf-8")


def write_changes(frame: pd.DataFrame, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(changes_csv(frame))
    return path


def change_lines(frame: pd.DataFrame, what: str = "上次输出") -> list[str]:
    """The changes as Chinese console lines (「与上次输出相比，各单位得分无变化」 when none)."""
    if frame is None or not len(frame):
        return [NO_CHANGES.replace("上次输出", what)]
    lines = [f"与{what}相比，{len(frame)} 处得分有变化（单位、季度）："]
    for r in frame.itertuples(index=False):
        y, q = parse_quarter(r.quarter)
        parts = []
        for _f, b, a, zh in FIGURES:
            before, after = getattr(r, b) or "无", getattr(r, a) or "无"
            if before != after:
                parts.append(f"{zh} {before} → {after}")
        lines.append(f"  {r.unit_name}（{r.unit_id}）{quarter_name(y, q)}：" + "，".join(parts or ["数值写法不同"]))
    return lines


# ---- publish ---------------------------------------------------------------------------------------
def _hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): sha256(p)
            for p in sorted(folder.rglob("*")) if p.is_file() and p.relative_to(folder).as_posix() != PUBLISHED}


def publish(out: Path, year: int, quarter: int, now: dt.datetime | None = None) -> tuple[Path, list[str]]:
    """Mark ``OUT/<Y>Q<Q>`` as the published version: write ``published.json`` (when, every file's
    SHA-256). Returns (the record's path, Chinese lines for the console). Refuses (ScoringError,
    exit 2) a missing folder, output made from sample data, and a published folder changed since."""
    name = f"{year}Q{quarter}"
    folder = Path(out) / name
    if not (folder / MANIFEST).is_file():
        what = "不存在" if not folder.exists() else f"中没有 {MANIFEST}，不是 bulletin 生成的输出目录"
        raise ScoringError(f"{folder} {what}；请先运行 python -m scoring bulletin --data 数据目录 --quarter {name} "
                           f"--out {out}，核对无误后再发布")
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise ScoringError(f"{folder / MANIFEST} 无法读取（不是有效的 JSON），无法确认这份输出的来历，不能发布") from None
    if manifest.get("sample_data"):
        raise ScoringError(f"{folder} 是用样例数据生成的（数据目录中有样例标记文件 {SAMPLE_MARKER}），不能发布。"
                           f"如果数据目录其实是已换成真实数据的样例副本，请删除其中的 {SAMPLE_MARKER}，"
                           f"重新运行 bulletin 后再发布")
    files = _hashes(folder)
    existing = read_published(folder)
    if existing is not None:
        if existing.get("files") == files:
            return folder / PUBLISHED, [f"{quarter_name(year, quarter)}通报已于 {existing.get('published_at')} 发布，"
                                        f"内容未变，无需再次发布：{folder}"]
        changed = sorted(k for k in set(files) | set(existing.get("files") or {})
                         if files.get(k) != (existing.get("files") or {}).get(k))
        raise ScoringError(f"{folder} 已于 {existing.get('published_at')} 发布，此后这些文件有改动："
                           f"{'、'.join(changed)}。已发布的版本不能改动；如需发布新的版本，请重新运行 bulletin"
                           f"（已发布的版本会连同 {PUBLISHED} 保存到 history/{name}/ 下），再发布")
    when = (now or dt.datetime.now().astimezone()).isoformat(timespec="seconds")
    outputs = manifest.get("outputs") or {}
    edited = sorted(k for k, h in files.items() if k in outputs and outputs[k] != h)
    record = {"quarter": name, "published_at": when, "files": files, "edited_after_run": edited}
    tmp = folder / f".{PUBLISHED}.tmp-{os.getpid()}"
    tmp.write_text(json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, folder / PUBLISHED)
    lines = [f"{quarter_name(year, quarter)}通报已标记为发布版本：{folder / PUBLISHED}（{len(files)} 个文件的 SHA-256，"
             f"发布时间 {when}）"]
    if edited:
        lines.append(f"注意：这些文件在生成之后改动过（与 {MANIFEST} 记录的不同），按改动后的内容记录：{'、'.join(edited)}")
    lines.append("此后重新生成该季度时，changes.csv 与这个发布版本比较。")
    return folder / PUBLISHED, lines


# ---- commands --------------------------------------------------------------------------------------
def publish_command(args: argparse.Namespace) -> int:
    """``python -m scoring publish --out OUT --quarter 2024Q1``."""
    year, quarter = parse_quarter(args.quarter)
    _path, lines = publish(Path(args.out), year, quarter)
    for line in lines:
        print(line)
    return 0


def compare_folders(before: Path, after: Path) -> pd.DataFrame:
    """The changes from quarter folder ``before`` to quarter folder ``after`` (:func:`compare_figures`)."""
    return compare_figures(figures_of_folder(Path(before)), figures_of_folder(Path(after)))


def compare_command(args: argparse.Namespace) -> int:
    """``python -m scoring compare A B [--out DIR]``: console, and ``changes.csv`` where --out says
    (a folder, or a file name ending in .csv)."""
    frame = compare_folders(args.before, args.after)
    for line in change_lines(frame, what=f"{args.before}"):
        print(line)
    if getattr(args, "out", None):
        out = Path(args.out)
        path = write_changes(frame, out if out.suffix.lower() == ".csv" else out / CHANGES)
        print(f"已写出 {path}")
    return 0
