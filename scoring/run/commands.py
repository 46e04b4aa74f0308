"""``validate``, ``score`` and ``template``: thin edges around the pure functions (I/O here, logic elsewhere)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scoring.inputs.rules_file import DEFAULT_RULES, load_rules
from scoring.inputs.loading import load_dataset
from scoring.inputs.template import build_template
from scoring.method.calendar import quarter_name
from scoring.method.engine import score as run_engine
from scoring.render.tables import write_scores
from scoring.render.xlsxio import deterministic_bytes
from scoring.run.folder import is_sample, sample_note
from scoring.run.params import (adoption_counts, latest_quarter_of, latest_year, located_notes,
                                other_engine_notes, stale_quarter)


def _warn(notes: list[str]) -> None:
    for n in notes:
        print(f"提示：{n}", file=sys.stderr)


def _checked(args: argparse.Namespace):
    """(rules, data): the dataset read and checked (InputError with every problem, a record dated
    after today among them)."""
    rules = load_rules(args.rules)
    data = load_dataset(args.data, rules)                   # raises InputError with every problem
    if (marker := is_sample(args.data)) is not None:
        _warn([sample_note(marker)])
    return rules, data


def validate(args: argparse.Namespace) -> int:
    rules, data = _checked(args)
    year = args.year or latest_year(data)
    _warn([*data.notes, *located_notes(data, rules, year, None, args.rules or DEFAULT_RULES)])
    print(f"数据目录 {args.data} 检查通过：{len(data.units)} 个单位，{len(data.submissions)} 条录用记录，"
          f"{len(data.events)} 条扣分事项，{len(data.targets)} 条年度目标。")
    return 0


def score(args: argparse.Namespace) -> int:
    """Never refuses a quarter for being empty; year and quarter default to the latest with records."""
    rules, data = _checked(args)
    year = args.year or latest_year(data)
    quarter = args.quarter or latest_quarter_of(data, year)
    if not (args.year and args.quarter):
        print(f"计分期间：{quarter_name(year, quarter)}（数据中最近的有记录的季度）", file=sys.stderr)
    result = run_engine(data, rules, year=year, quarter=quarter)
    empty = [] if adoption_counts(data, year).get(quarter) else [f"{quarter_name(year, quarter)}没有录用记录。"]
    _warn([*data.notes, *located_notes(data, rules, year, quarter, args.rules or DEFAULT_RULES), *other_engine_notes(result.notes),
           *empty, *filter(None, [stale_quarter(data, year, quarter)])])
    for path in write_scores(result, args.out):
        print(f"已写出 {path}")
    return 0


def _free_name(path: Path, n: int) -> Path:
    """``录入模板.xlsx`` for n = 1, then ``录入模板(2).xlsx``, ``录入模板(3).xlsx`` …"""
    return path if n == 1 else path.with_name(f"{path.stem}({n}){path.suffix}")


def template_command(args: argparse.Namespace) -> int:
    """``python -m scoring template --rules R --out F``: never over an existing file (a filled-in
    workbook may sit at the path the README names); then the first free ``F(2)``, ``F(3)`` …"""
    rules = load_rules(args.rules)
    data = deterministic_bytes(build_template(rules))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    for n in range(1, 1000):
        path = _free_name(out, n)
        try:
            with open(path, "xb") as f:       # exclusive: a file that appears meanwhile is not replaced
                f.write(data)
        except FileExistsError:
            continue
        if n > 1:
            print(f"「{out}」已存在，未覆盖（可能是已填写的工作簿）；新模板另存为「{path.name}」。", file=sys.stderr)
        print(f"已写出录入模板 {path}")
        return 0
    print(f"错误：「{out}」及其 (2)…(999) 编号的副本都已存在；请用 --out 指定新的文件名。", file=sys.stderr)
    return 1
