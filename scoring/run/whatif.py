"""``python -m scoring whatif``: the rules against each variant, for one period, into
``OUT/<Y>Q<Q>/`` — what_if.html and what_if.pdf (the bulletin's template and look, the same parts
notebooks/what_if.ipynb shows: ``Comparison.fragments``) and what_if.xlsx (every change, points
as decimals, Chinese headers). In-process, no kernel.

A rerun never overwrites an earlier output: the folder is built beside the target and swapped in
whole, the earlier one moved to ``OUT/history/<Y>Q<Q>/<n>/`` (scoring.run.folder). Inputs and
variants are checked first: a bad file is a Chinese message (exit 2) and nothing is written.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scoring.errors import ScoringError
from scoring.inputs.loading import load_dataset
from scoring.inputs.rules_file import load_rules, load_variants, variant_files
from scoring.render.files import write_bytes_atomic
from scoring.render.html import embed_fonts, fragments_to_html
from scoring.render.pdf import html_to_pdf
from scoring.render.xlsx import write_tables_xlsx
from scoring.report.whatif import HTML_TITLE, Comparison, _base_of, compare, default_period
from scoring.run.folder import build_folder
from scoring.run.params import parse_quarter

FILES = ("what_if.html", "what_if.pdf", "what_if.xlsx")


@dataclass(frozen=True)
class WhatIfRun:
    comparison: Comparison
    folder: Path
    kept: Path | None              # where the replaced folder was kept, None on a first run
    warnings: tuple[str, ...]


def period(year: int | None, quarter: str | int | None, default: tuple[int, int]) -> tuple[int, int]:
    """--year 2023 --quarter 4, or --quarter 2023Q4; a missing part from ``default``."""
    q_year = None
    if quarter is not None and str(quarter).strip() and not str(quarter).strip().isdigit():
        q_year, quarter = parse_quarter(str(quarter))
        if year is not None and year != q_year:
            raise ScoringError(f"--year {year} 与 --quarter {q_year}Q{quarter} 的年份不一致，请只写一处")
    if quarter is not None and int(quarter) not in (1, 2, 3, 4):
        raise ScoringError(f"季度「{quarter}」无效：应为 1 至 4，或写作 年份Q季度，如 2023Q4")
    y = year if year is not None else q_year
    if y is None:
        y = default[0]
    q = int(quarter) if quarter is not None else (default[1] if y == default[0] else 4)
    return int(y), q


def write_whatif(comparison: Comparison, out: Path, *, author: str = "") -> WhatIfRun:
    """The comparison's documents into ``out/<Y>Q<Q>/`` (staged, then swapped in; the earlier
    folder kept in history)."""
    name = f"{comparison.year}Q{comparison.quarter}"
    title = f"{HTML_TITLE}（{comparison.period}）"

    def write(staging: Path) -> list[str]:
        html = fragments_to_html(comparison.fragments(), title, author=author, embed=False)
        warnings = html_to_pdf(html, staging / "what_if.pdf", base_url=staging)
        write_bytes_atomic(staging / "what_if.html", embed_fonts(html).encode("utf-8"))
        write_tables_xlsx(comparison.sheets(), staging / "what_if.xlsx", title=title, creator=author)
        return warnings

    warnings, kept = build_folder(Path(out), name, write)
    return WhatIfRun(comparison, Path(out) / name, kept, tuple(warnings))


def whatif_command(args: Any) -> int:
    rules_file = getattr(args, "rules", None)
    base = load_rules(rules_file) if rules_file else None
    variants = load_variants(variant_files(Path(args.variants)), base=base)   # every overlay must load
    base = base if base is not None else _base_of(variants)
    data = load_dataset(Path(args.data), base)
    for note in data.notes:
        print(f"提示：{note}", file=sys.stderr)
    year, quarter = period(getattr(args, "year", None), getattr(args, "quarter", None), default_period(data, base))
    comparison = compare(data, *variants, base=base, year=year, quarter=quarter)
    run = write_whatif(comparison, Path(args.out), author=base.meta.issuer)
    for w in run.warnings:
        print(f"提示：{w}", file=sys.stderr)
    print(f"规则变体对比（{comparison.period}，{len(comparison)}个变体）已写出：{run.folder}")
    for line in comparison.summary().splitlines():
        print(f"  {line}")
    print("  文件：" + "、".join(FILES))
    if run.kept is not None:
        print(f"同一时期的上一次输出已完整保存到 {run.kept}")
    return 0
