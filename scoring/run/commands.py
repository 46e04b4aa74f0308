"""``validate``, ``score`` and ``template``: thin edges around the pure functions (I/O here, logic elsewhere)."""
from __future__ import annotations

import argparse
import sys

from scoring.inputs.rules_file import DEFAULT_RULES, load_rules
from scoring.inputs.loading import load_dataset
from scoring.inputs.template import build_template
from scoring.method.calendar import quarter_name
from scoring.method.engine import score as run_engine
from scoring.render.tables import write_scores
from scoring.render.xlsxio import save_workbook_deterministic
from scoring.run.folder import is_sample, sample_note
from scoring.run.params import (adoption_counts, future_records, latest_quarter_of, latest_year, located_notes,
                                other_engine_notes, stale_quarter)


def _warn(notes: list[str]) -> None:
    for n in notes:
        print(f"提示：{n}", file=sys.stderr)


def _checked(args: argparse.Namespace):
    """(rules, data): the dataset read and checked (InputError with every problem, a record dated
    after today among them)."""
    rules = load_rules(args.rules)
    data = load_dataset(args.data, rules)                   # raises InputError with every problem
    if (future := future_records(data)) is not None:
        raise future
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


def template_command(args: argparse.Namespace) -> int:
    """``python -m scoring template --rules R --out F``."""
    rules = load_rules(args.rules)
    path = save_workbook_deterministic(build_template(rules), args.out)
    print(f"已写出录入模板 {path}")
    return 0
