"""``python -m scoring progress``: mid-quarter progress reminders (进度提醒) as of a date, into
``OUT/<YYYY-MM-DD>/`` — progress.html and progress.pdf (the bulletin's template and look),
progress.xlsx and progress.txt (a paste-ready text per unit). In-process, no kernel.

``--as-of`` defaults to the latest record date in the data (said on the console), never to
today's date. A rerun for the same date never overwrites silently: the earlier folder is moved
whole to ``OUT/history/<date>/<n>/`` and the console says where (scoring.run.folder).
"""
from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scoring.errors import ScoringError
from scoring.inputs.loading import load_dataset
from scoring.inputs.rules_file import DEFAULT_RULES, load_rules
from scoring.render.files import write_bytes_atomic
from scoring.render.html import embed_fonts, fragments_to_html
from scoring.render.pdf import html_to_pdf
from scoring.render.xlsx import write_tables_xlsx
from scoring.report.progress import Progress, latest_record_date, progress_fragments, progress_report, progress_sheets, progress_txt
from scoring.run.folder import build_folder
from scoring.run.params import check_year

FILES = ("progress.html", "progress.pdf", "progress.xlsx", "progress.txt")


@dataclass(frozen=True)
class ProgressRun:
    progress: Progress
    folder: Path
    kept: Path | None
    warnings: tuple[str, ...]


def parse_date(text: str) -> dt.date:
    """'2024-02-15' (also 2024/2/15, 2024年2月15日) → a date; anything else is a Chinese message."""
    m = re.fullmatch(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*", text or "")
    try:
        if m:
            day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            check_year(day.year, f"日期「{text}」的年份")
            return day
    except ValueError:
        pass
    raise ScoringError(f"日期「{text}」无效：应写作 年-月-日，如 2024-02-15")


def write_progress(p: Progress, out: Path) -> ProgressRun:
    """The reminders into ``out/<date>/`` (staged, then swapped in; the earlier folder kept in history)."""
    name = p.as_of.isoformat()

    def write(staging: Path) -> list[str]:
        html = fragments_to_html(progress_fragments(p), p.title, date=p.as_of.isoformat(), author=p.issuer, embed=False)
        warnings = html_to_pdf(html, staging / "progress.pdf", base_url=staging)
        write_bytes_atomic(staging / "progress.html", embed_fonts(html).encode("utf-8"))
        write_tables_xlsx(progress_sheets(p), staging / "progress.xlsx", title=p.title, creator=p.issuer)
        write_bytes_atomic(staging / "progress.txt", progress_txt(p).encode("utf-8"))
        return warnings

    warnings, kept = build_folder(Path(out), name, write)
    return ProgressRun(p, Path(out) / name, kept, tuple(warnings))


def progress_command(args: Any) -> int:
    rules = load_rules(Path(args.rules) if getattr(args, "rules", None) else DEFAULT_RULES)
    data = load_dataset(Path(args.data), rules)
    for note in data.notes:
        print(f"提示：{note}", file=sys.stderr)
    if getattr(args, "as_of", None):
        as_of = parse_date(args.as_of)
    else:
        as_of = latest_record_date(data)
        if as_of is None:
            raise ScoringError("数据中没有任何录用记录或扣分事项，无法确定截至日期：请用 --as-of 指定，如 --as-of 2024-02-15")
        print(f"未指定 --as-of：按数据中最近的记录日期 {as_of.isoformat()} 计（不是今天的日期）。", file=sys.stderr)
    run = write_progress(progress_report(data, rules, as_of), Path(args.out))
    for w in run.warnings:
        print(f"提示：{w}", file=sys.stderr)
    p = run.progress
    print(f"进度提醒（截至{as_of.isoformat()}）已写出：{run.folder}")
    print("  文件：" + "、".join(FILES))
    if p.risks:
        print(f"  有一票否决风险的年度目标 {len(p.risks)} 项：" + "、".join(f"{u.unit_name}（{t.column}）" for u, t in p.risks))
    else:
        print("  没有按目前进度年底前难以完成的年度目标。")
    if run.kept is not None:
        print(f"同一日期的上一次输出已完整保存到 {run.kept}")
    return 0
