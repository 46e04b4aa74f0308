"""``python -m scoring <command>``: the plain commands behind every make target.

Every user-facing problem ends as a Chinese message on stderr and exit status 2, never a traceback;
``--help`` and argument errors are Chinese too (:class:`ChineseArgumentParser`). The commands name
their data folder (``--data``): only the make targets and the notebooks default to the sample.
"""
from __future__ import annotations

import argparse
import codecs
import importlib
import io
import re
import sys
from pathlib import Path
from typing import NoReturn

from scoring.errors import ScoringError
from scoring.inputs.schema import FIRST_YEAR, LAST_YEAR

PROG = "python -m scoring"
DATA_HINT = ("请用 --data 指定数据目录（放有 units.csv、submissions.csv 或一个 .xlsx 工作簿的目录），"
             "例如：python -m scoring {command} --data 我的数据目录。命令没有默认数据目录；"
             "只有 make 命令默认使用自带样例数据 data/sample")
TYPE_ZH = {"int": "整数", "Path": "路径", "float": "数"}
# argparse's English messages → Chinese (the English is what argparse itself says; matched whole).
ERRORS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), z) for p, z in (
    (r"the following arguments are required: (?P<a>.+)", "缺少必需的参数：{a}"),
    (r"argument (?P<a>\S+): invalid choice: '?(?P<v>.*?)'? \(choose from (?P<c>.+)\)", "参数 {a} 的值「{v}」无效，可选：{c}"),
    (r"argument (?P<a>\S+): invalid (?P<t>\w+) value: '?(?P<v>.*?)'?", "参数 {a} 的值「{v}」无效：应为{t}"),
    (r"argument (?P<a>\S+): expected one argument", "参数 {a} 后面须跟一个值"),
    (r"argument (?P<a>\S+): expected at most one argument", "参数 {a} 后面最多跟一个值"),
    (r"argument (?P<a>\S+): ignored explicit argument '?(?P<v>.*?)'?", "参数 {a} 不接受值「{v}」"),
    (r"argument (?P<a>\S+): not allowed with argument (?P<b>\S+)", "参数 {a} 不能与 {b} 同时使用"),
    (r"unrecognized arguments: (?P<a>.+)", "无法识别的参数：{a}"),
    (r"argument (?P<a>\S+): (?P<m>[^\x00-\x7f].*)", "参数 {a} 的值无效：{m}"),     # a type check's own Chinese
    (r"ambiguous option: (?P<a>\S+) could match (?P<b>.+)", "选项 {a} 不明确，可能是：{b}"),
    (r"one of the arguments (?P<a>.+) is required", "须给出以下参数之一：{a}"),
))


def translate_error(message: str) -> str:
    """argparse's English error message in Chinese (unknown messages are kept, prefixed)."""
    for pattern, zh in ERRORS:
        m = pattern.fullmatch(message.strip())
        if m:
            parts = {k: (TYPE_ZH.get(v, v) if k == "t" else v) for k, v in m.groupdict().items()}
            return zh.format(**parts).replace("命令行参数 command", "命令")
    return f"命令行参数有误：{message}"


class ChineseHelpFormatter(argparse.HelpFormatter):
    """「用法：」 instead of "usage: "."""

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, prefix="用法：" if prefix is None else prefix)


class ChineseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose help and errors are Chinese: section titles, the help option, and
    every error argparse raises (translated; a missing --data also says how to name one)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本帮助并退出")

    def error(self, message: str) -> NoReturn:
        text = translate_error(message)
        if re.search(r"required: .*--data\b", message):
            command = self.prog.split()[-1]
            text = f"缺少数据目录。{DATA_HINT.format(command=command)}"
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{text}\n（查看全部选项：{self.prog} --help）\n")


def year_argument(text: str) -> int:
    """``--year``: a plausible four-digit year (FIRST_YEAR–LAST_YEAR), else argparse's error (exit 2)."""
    try:
        year = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"「{text}」不是年份；请写四位数的年份，如 2023") from None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise argparse.ArgumentTypeError(f"年份 {year} 不在 {FIRST_YEAR}–{LAST_YEAR} 年之间；请写四位数的年份，如 2023")
    return year


def _data(p: argparse.ArgumentParser, what: str = "数据目录") -> None:
    p.add_argument("--data", required=True, type=Path, metavar="目录",
                   help=f"{what}：放有 units.csv、submissions.csv（可另有 events.csv、targets.csv）或一个 .xlsx 工作簿的目录（必填）")


def _rules(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rules", type=Path, metavar="规则文件",
                   help="考评规则文件（YAML），缺省为 params/rules/liyang-2023-draft.yaml")


def _parser() -> argparse.ArgumentParser:
    p = ChineseArgumentParser(prog=PROG, description="溧阳市政府门户网站内容保障考评：计分与季度通报。"
                              "每个命令的选项见 python -m scoring 命令 --help。")
    sub = p.add_subparsers(dest="command", required=True, title="命令", metavar="命令")

    v = sub.add_parser("validate", help="检查一个数据目录，列出全部问题（无误退出码 0，有误 2）",
                       description="检查一个数据目录，一次列出全部问题（文件、工作表、行、列、值、应如何填写），"
                                   "并列出不计入的记录（其他年度的记录等）所在的行。无误退出码 0，有误退出码 2。")
    _data(v, "要检查的数据目录")
    v.add_argument("--year", type=year_argument, metavar="年份", help="按哪一年检查（其他年度的记录列为提示），缺省为数据中最近的有录用记录的年度")
    _rules(v)

    s = sub.add_parser("score", help="计算某年截至某季度的得分，写出 scores.csv 与 ledger.csv",
                       description="计算某年截至某季度的得分（不生成通报），写出 scores.csv 与 ledger.csv。"
                                   "没有录用记录的季度也照常计分。")
    _data(s)
    s.add_argument("--year", type=year_argument, metavar="年份", help="年度，如 2023；缺省为数据中最近的有录用记录的年度")
    s.add_argument("--quarter", type=int, choices=[1, 2, 3, 4], metavar="季度",
                   help="季度 1–4，计到该季度末；缺省为该年度最后一个有数据的季度")
    _rules(s)
    s.add_argument("--out", required=True, type=Path, metavar="目录", help="输出目录：写入 scores.csv、ledger.csv（必填）")

    b = sub.add_parser("bulletin", help="生成一个季度的通报（HTML、PDF、Word、工作簿、得分明细单）",
                       description="生成一个季度的通报，写入 输出目录/<年>Q<季>/。替换已有的同季度目录时，"
                                   "旧目录完整保存到 输出目录/history/<年>Q<季>/<序号>/，并写出 changes.csv 列出得分变化。")
    _data(b)
    b.add_argument("--quarter", metavar="季度", help="如 2023Q3；缺省为数据中最近一年的最后一个有数据的季度")
    _rules(b)
    b.add_argument("--out", type=Path, default=Path("output"), metavar="目录", help="输出目录，缺省为 output")
    b.add_argument("--statements", default="yes", choices=["yes", "no"], metavar="yes|no",
                   help="是否生成各单位得分明细单：yes（缺省）或 no")
    b.add_argument("--params", type=Path, metavar="参数文件",
                   help="通报参数文件（期号、文号、日期、抄送、下一步工作要求），缺省为 数据目录/params/<年>Q<季>.yaml，"
                        "没有则用默认值")
    b.add_argument("--allow-empty", action="store_true",
                   help="允许通报没有任何录用记录的季度（缺省拒绝，退出码 2）")

    y = sub.add_parser("year", help="生成一年中有录用记录的各季度的通报",
                       description="依次生成一年中有录用记录的各季度的通报，并说明哪些季度因没有录用记录未生成；"
                                   "某个季度失败不影响其他季度。")
    _data(y)
    y.add_argument("--year", type=year_argument, metavar="年份", help="年度，如 2023；缺省为数据中最近的有录用记录的年度")
    _rules(y)
    y.add_argument("--out", type=Path, default=Path("output"), metavar="目录", help="输出目录，缺省为 output")
    y.add_argument("--statements", default="yes", choices=["yes", "no"], metavar="yes|no",
                   help="是否生成各单位得分明细单：yes（缺省）或 no")

    pb = sub.add_parser("publish", help="把某季度的通报目录标记为已发布版本（写出 published.json）",
                        description="把 输出目录/<年>Q<季>/ 标记为已发布（已印发）的版本：写出 published.json，"
                                    "记录发布时间和每个文件的 SHA-256。用样例数据生成的目录不能发布。此后重新生成该季度时，"
                                    "changes.csv 与最近的发布版本比较。")
    pb.add_argument("--out", type=Path, default=Path("output"), metavar="目录", help="输出目录，缺省为 output")
    pb.add_argument("--quarter", required=True, metavar="季度", help="要发布的季度，如 2024Q1（必填）")

    c = sub.add_parser("compare", help="比较两个季度通报目录的得分",
                       description="比较两个季度通报目录（各有 scores.csv）中各单位各季度的得分、累计得分和排名，"
                                   "列出有变化的单位。")
    c.add_argument("before", type=Path, metavar="目录A", help="比较的基准（较早的版本），如 output/history/2024Q1/1")
    c.add_argument("after", type=Path, metavar="目录B", help="与之比较的目录（较新的版本），如 output/2024Q1")
    c.add_argument("--out", type=Path, metavar="位置",
                   help="写出 changes.csv：一个目录（写入其中的 changes.csv）或以 .csv 结尾的文件名；缺省只在屏幕上列出")

    t = sub.add_parser("template", help="生成录入模板工作簿", description="生成带下拉列表的录入模板工作簿（取值来自规则文件）。")
    _rules(t)
    t.add_argument("--out", type=Path, default=Path("data/template/录入模板.xlsx"), metavar="文件",
                   help="模板文件名，缺省为 data/template/录入模板.xlsx")

    w = sub.add_parser("whatif", help="规则变体对比分析（HTML、PDF、工作簿）",
                       description="用同一份数据，比较现行规则与各规则变体下各单位的得分、结转、一票否决、排名和优胜单位，"
                                   "写入 输出目录/<年>Q<季>/：what_if.html、what_if.pdf、what_if.xlsx（全部变化）。"
                                   "重新运行同一时期时，上一次的输出完整保存到 输出目录/history/<年>Q<季>/<序号>/，不会被覆盖。")
    _data(w)
    _rules(w)
    w.add_argument("--year", type=year_argument, metavar="年份", help="年度，如 2023；缺省为数据中最近的有录用记录的年度")
    w.add_argument("--quarter", metavar="季度",
                   help="对比截至哪个季度：1–4，或写作 2023Q4；缺省为该年度最后一个有数据的季度")
    w.add_argument("--out", type=Path, default=Path("output/whatif"), metavar="目录",
                   help="输出目录，缺省为 output/whatif（结果写入其中的 <年>Q<季>/）")
    w.add_argument("--variants", type=Path, default=Path("params/variants"), metavar="目录",
                   help="规则变体目录或一个变体文件，缺省为 params/variants；给出 --rules 时，各变体改在该规则文件上")

    pr = sub.add_parser("progress", help="季度中的进度提醒：各单位已得分、年度目标进度与一票否决风险、提醒文字",
                        description="按截至某日的数据，列出各单位本季度已得分数和距季度封顶还可计入的分数、各项年度目标任务的进度"
                                    "（按目前进度年底前难以完成的标注「一票否决风险」）、超时报送的内容、省政府网站录用的约稿，"
                                    "并为每个单位写一段可直接发送的提醒文字。写入 输出目录/<日期>/：progress.html、progress.pdf、"
                                    "progress.xlsx、progress.txt。同一日期重新运行时，上一次的输出完整保存到 输出目录/history/<日期>/<序号>/。")
    _data(pr)
    pr.add_argument("--as-of", metavar="日期",
                    help="截至日期，如 2024-02-15；缺省为数据中最近的记录日期（不会默认为今天）")
    _rules(pr)
    pr.add_argument("--out", type=Path, default=Path("output/progress"), metavar="目录",
                    help="输出目录，缺省为 output/progress（结果写入其中的 <日期>/）")

    sub.add_parser("doctor", help="检查安装是否完整（内核、字体、PDF 引擎、Word 与 Excel 写出）",
                   description="逐项检查本机安装：Python、所需软件包、笔记本内核、内置字体、PDF 排版引擎、"
                               "Word 与 Excel 写出；缺什么、如何补装，用中文说明。全部通过退出码 0，否则 1。")
    return p


# Each command as "module:function", the way packaging names an entry point. A command imports
# its own module when it runs, so `score` and `validate` never load what only the documents need
# (the notebook runner, nbconvert, WeasyPrint, python-docx: about 6 s of imports on a 2-core machine).
COMMANDS = {"validate": "scoring.run.commands:validate", "score": "scoring.run.commands:score",
            "bulletin": "scoring.run.bulletin:bulletin_command", "year": "scoring.run.bulletin:year_command",
            "publish": "scoring.run.history:publish_command", "compare": "scoring.run.history:compare_command",
            "template": "scoring.run.commands:template_command", "whatif": "scoring.run.whatif:whatif_command",
            "progress": "scoring.run.progress:progress_command", "doctor": "scoring.run.doctor:doctor_command"}


def command(name: str):
    """The function behind ``python -m scoring <name>``."""
    module, function = COMMANDS[name].split(":")
    return getattr(importlib.import_module(module), function)


# ---- the console edge ----------------------------------------------------------------------------------
# Control characters a message may quote from the data (a terminal escape, a bell, U+2028, a
# direction override) are shown as \x1b, \u2028 …: the console shows them, never obeys them.
_SHOWN = {c: f"\\x{c:02x}" for c in [*range(0x00, 0x09), 0x0b, 0x0c, *range(0x0e, 0x20), *range(0x7f, 0xa0)]} | {
    c: f"\\u{c:04x}" for c in [0x1680, 0x2028, 0x2029, *range(0x202a, 0x202f), *range(0x2066, 0x206a), 0xfeff]}


def visible(text: str) -> str:
    """``text`` with control characters written out as escapes; tab and line breaks kept."""
    return text.translate(_SHOWN)


class Console(io.TextIOBase):
    """A console stream that never fails: control characters shown as escapes, and characters the
    console's encoding lacks (an emoji on a GBK console, Chinese on a cp1252 redirect) written as
    backslash escapes instead of ending the run with UnicodeEncodeError."""

    def __init__(self, stream) -> None:
        super().__init__()
        self.stream = stream
        encoding = getattr(stream, "encoding", None) or "utf-8"
        try:
            codecs.lookup(encoding)
        except LookupError:
            encoding = "utf-8"
        self._encoding = encoding

    @property
    def encoding(self) -> str:
        return self._encoding

    def write(self, text: str) -> int:
        shown = visible(text)
        safe = shown.encode(self._encoding, "backslashreplace").decode(self._encoding, "replace")
        try:
            self.stream.write(safe)
        except UnicodeError:
            self.stream.write(safe.encode("ascii", "backslashreplace").decode("ascii"))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return bool(getattr(self.stream, "isatty", lambda: False)())

    def fileno(self) -> int:
        return self.stream.fileno()

    def writable(self) -> bool:
        return True


def main(argv: list[str] | None = None) -> int:
    out, err = sys.stdout, sys.stderr
    if out is not None and err is not None:          # None: no console at all (pythonw)
        sys.stdout, sys.stderr = Console(out), Console(err)
    try:
        return _main(argv)
    finally:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
        sys.stdout, sys.stderr = out, err


def _main(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    try:
        return command(args.command)(args)
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
