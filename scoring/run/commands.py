"""``validate``, ``score`` and ``template``: thin edges around the pure functions (I/O here, logic elsewhere)."""
from __future__ import annotations

import argparse
import sys

from scoring.inputs.rules_file import load_rules
from scoring.inputs.loading import load_dataset
from scoring.inputs.template import build_template
from scoring.method.engine import score as run_engine
from scoring.render.tables import write_scores
from scoring.render.xlsxio import save_workbook_deterministic


def _warn(notes: list[str]) -> None:
    for n in notes:
        print(f"提示：{n}", file=sys.stderr)


def validate(args: argparse.Namespace) -> int:
    rules = load_rules(args.rules)
    data = load_dataset(args.data, rules, year=args.year)   # raises InputError with every problem
    _warn(data.notes)
    print(f"数据目录 {args.data} 检查通过：{len(data.units)} 个单位，{len(data.submissions)} 条录用记录，"
          f"{len(data.events)} 条扣分事项，{len(data.targets)} 条年度目标。")
    return 0


def score(args: argparse.Namespace) -> int:
    rules = load_rules(args.rules)
    data = load_dataset(args.data, rules, year=args.year)
    result = run_engine(data, rules, year=args.year, quarter=args.quarter)
    _warn([*data.notes, *result.notes])
    for path in write_scores(result, args.out):
        print(f"已写出 {path}")
    return 0


def template_command(args: argparse.Namespace) -> int:
    """``python -m scoring template --rules R --out F``."""
    rules = load_rules(args.rules)
    path = save_workbook_deterministic(build_template(rules), args.out)
    print(f"已写出录入模板 {path}")
    return 0
