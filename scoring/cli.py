"""``python -m scoring <command>``: the plain commands behind every make target.

Every user-facing problem ends as a Chinese message on stderr and exit status 2, never a traceback.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scoring.errors import ScoringError
from scoring.run.commands import validate
from scoring.run.commands import score
from scoring.run.bulletin import bulletin_command
from scoring.run.bulletin import year_command
from scoring.run.commands import template_command
from scoring.run.whatif import whatif_command


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m scoring", description="溧阳市政府门户网站内容保障考评：计分与季度通报")
    sub = p.add_subparsers(dest="command", required=True)

    v = sub.add_parser("validate", help="检查一个数据目录，列出全部问题")
    v.add_argument("--data", required=True, type=Path)
    v.add_argument("--year", type=int)
    v.add_argument("--rules", type=Path)

    s = sub.add_parser("score", help="计算某年截至某季度的得分，写出 scores.csv 与 ledger.csv")
    s.add_argument("--data", required=True, type=Path)
    s.add_argument("--year", required=True, type=int)
    s.add_argument("--quarter", required=True, type=int, choices=[1, 2, 3, 4])
    s.add_argument("--rules", type=Path)
    s.add_argument("--out", required=True, type=Path)

    b = sub.add_parser("bulletin", help="生成季度通报（HTML、PDF、工作簿、得分明细单）")
    b.add_argument("--data", type=Path, default=Path("data/sample"))
    b.add_argument("--quarter", help="如 2023Q3；缺省为数据中最近一年的最后一个有数据的季度")
    b.add_argument("--rules", type=Path)
    b.add_argument("--out", type=Path, default=Path("output"))
    b.add_argument("--statements", default="yes", choices=["yes", "no"])
    b.add_argument("--params", type=Path, help="通报参数文件（缺省 params/<Y>Q<Q>.yaml）")

    y = sub.add_parser("year", help="生成一年四个季度的通报")
    y.add_argument("--year", type=int, default=2023)
    y.add_argument("--data", type=Path, default=Path("data/sample"))
    y.add_argument("--rules", type=Path)
    y.add_argument("--out", type=Path, default=Path("output"))
    y.add_argument("--statements", default="yes", choices=["yes", "no"])

    t = sub.add_parser("template", help="生成录入模板工作簿")
    t.add_argument("--rules", type=Path)
    t.add_argument("--out", type=Path, default=Path("data/template/录入模板.xlsx"))

    w = sub.add_parser("whatif", help="规则变体对比分析")
    w.add_argument("--data", type=Path, default=Path("data/sample"))
    w.add_argument("--out", type=Path, default=Path("output/whatif"))
    w.add_argument("--variants", type=Path, default=Path("params/variants"))
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "validate":
            return validate(args)
        if args.command == "score":
            return score(args)
        if args.command == "bulletin":
            return bulletin_command(args)
        if args.command == "year":
            return year_command(args)
        if args.command == "template":
            return template_command(args)
        if args.command == "whatif":
            return whatif_command(args)
    except ScoringError as err:
        print(f"错误：{err}", file=sys.stderr)
        return err.exit_code
    except OSError as err:
        # A file that cannot be read or written (a folder named like a file, a full disk, no permission).
        where = f"「{err.filename}」" if err.filename else ""
        print(f"错误：无法读写文件{where}：{err.strerror or err}。请检查路径、磁盘空间和权限。", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    return 0
