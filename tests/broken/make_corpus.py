"""Build the corpus of broken datasets under tests/broken/ (run: .venv/bin/python tests/broken/make_corpus.py).

Each case is a copy of one tiny valid dataset (four units, English headers) with exactly one thing
broken (a few cases break several on purpose). Every case folder holds the dataset files and an
``expect.yaml``: what is wrong, in Chinese, and the problems the loader must report — each with its
stable code (or a list of acceptable codes while the loader's vocabulary settles) and, where it is
knowable, the file, sheet, row (as Excel shows it: header = 1), column and value the message must name.

Two controls, ``_valid_csv`` and ``_valid_xlsx``, are the unbroken base: they must score cleanly, so
a case fails for its own break and not for a flaw in the base. The script is deterministic: running
it again rewrites the same bytes (workbooks are written with fixed timestamps).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any, Callable

import yaml

HERE = Path(__file__).resolve().parent
WORKBOOK = "数据.xlsx"

# The valid base, English headers. Row numbers in comments are as Excel shows them (header = 1).
UNITS = [
    ["unit_id", "unit_name", "category", "informant", "aliases"],
    ["Z01", "昆仑街道", "镇区街道", "王敏", "昆仑街道办事处"],          # 2
    ["Z02", "溧城镇", "镇区街道", "李华", ""],                          # 3
    ["B01", "溧阳市公安局", "市级机关部门", "张强", "公安局"],          # 4
    ["Q01", "团市委", "群团", "赵丽", ""],                              # 5
]
SUBMISSIONS = [
    ["record_id", "unit_id", "column", "level", "adopted_on", "title", "submitted_on", "due_on", "late",
     "solicited", "informant"],
    ["S001", "Z01", "要闻动态", "溧阳市", "2023-07-03", "昆仑街道召开安全生产工作会议", "2023-07-01", "", "否", "", "王敏"],  # 2
    ["S002", "Z02", "政策简明问答图解", "溧阳市", "2023-07-10", "溧城镇惠企政策图解", "", "", "", "", "李华"],          # 3
    ["S003", "B01", "在线访谈", "常州市", "2023-08-05", "公安局负责人在线访谈", "", "", "", "是", "张强"],              # 4
    ["S004", "Q01", "要闻动态", "常州市", "2023-09-12", "团市委开展志愿服务活动", "", "", "", "", "赵丽"],              # 5
    ["S001", "Z01", "要闻动态", "常州市", "2023-08-20", "昆仑街道召开安全生产工作会议", "", "", "", "", "王敏"],      # 6
    ["S005", "Z01", "专题专栏", "溧阳市", "2023-04-15", "昆仑街道文明城市创建专题", "", "", "", "", "王敏"],          # 7
]
EVENTS = [
    ["event_id", "unit_id", "date", "type", "count", "note"],
    ["E001", "Z02", "2023-08-15", "content_error", "1", "信息中出现错别字"],   # 2
    ["E002", "B01", "2023-05-10", "late_material", "2", "超期报送所需材料"],   # 3
]
TARGETS = [
    ["unit_id", "year", "column", "target"],
    ["Z01", "2023", "要闻动态", "2"],       # 2
    ["B01", "2023", "在线访谈", "1"],       # 3
]
BASE = {"units": UNITS, "submissions": SUBMISSIONS, "events": EVENTS, "targets": TARGETS}

FIXED_TIME = dt.datetime(2023, 10, 1, 0, 0, 0)


def copy_tables() -> dict[str, list[list[str]]]:
    return {name: [list(r) for r in rows] for name, rows in BASE.items()}


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode(encoding)


def write_csvs(folder: Path, tables: dict[str, list[list[str]]]) -> None:
    for name, rows in tables.items():
        (folder / f"{name}.csv").write_bytes(csv_bytes(rows))


def _normalised_zip(raw: bytes) -> bytes:
    """The same workbook with every zip entry stamped with one fixed time (reproducible bytes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":   # openpyxl stamps "modified" with the time of saving
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + FIXED_TIME.isoformat().encode() + rb"Z\g<2>", data)
            dst.writestr(fixed, data)
    return out.getvalue()


def workbook_bytes(tables: dict[str, list[list[Any]]],
                   tweak: Callable[[Any], None] | None = None, reproducible: bool = True) -> bytes:
    """A workbook with one sheet per table (sheet = table name); ``tweak(wb)`` breaks it further."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in tables.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    if tweak is not None:
        tweak(wb)
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.creator = "make_corpus"
    buf = io.BytesIO()
    wb.save(buf)
    return _normalised_zip(buf.getvalue()) if reproducible else buf.getvalue()


def xlsx_tables() -> dict[str, list[list[Any]]]:
    """The base as workbook cells: adoption dates as real Excel dates, counts and targets as numbers."""
    t = copy_tables()
    for row in t["submissions"][1:]:
        row[4] = dt.datetime.strptime(row[4], "%Y-%m-%d")
    for row in t["events"][1:]:
        row[2] = dt.datetime.strptime(row[2], "%Y-%m-%d")
        row[4] = int(row[4])
    for row in t["targets"][1:]:
        row[1] = int(row[1])
        row[3] = int(row[3])
    return t


def put(t: dict[str, list[list[Any]]], table: str, row: int, column: str, value: Any) -> None:
    """Set one cell, addressed as an analyst would: Excel row number (header = 1) and header name."""
    t[table][row - 1][t[table][0].index(column)] = value


def garbage(n: int, seed: int) -> bytes:
    rnd = random.Random(seed)
    return bytes(rnd.randrange(256) for _ in range(n))


# --- the cases --------------------------------------------------------------------------------
# Each builder gets an empty folder and returns the expect dict. P(...) builds one expected problem.

def P(code: str | list[str], file: str | None = None, row: int | None = None,
      column: str | list[str] | None = None, value: str | None = None, sheet: str | None = None) -> dict:
    d: dict[str, Any] = {"code": code}
    for k, v in (("file", file), ("sheet", sheet), ("row", row), ("column", column), ("value", value)):
        if v is not None:
            d[k] = v
    return d


CASES: dict[str, Callable[[Path], dict]] = {}


def case(name: str):
    def deco(fn):
        CASES[name] = fn
        return fn
    return deco


@case("missing_units_file")
def _(d: Path):
    t = copy_tables()
    del t["units"]
    write_csvs(d, t)
    return {"what": "缺少必需的单位名册 units.csv", "problems": [P("missing_file", "units.csv")]}


@case("missing_submissions_file")
def _(d: Path):
    t = copy_tables()
    del t["submissions"]
    write_csvs(d, t)
    return {"what": "缺少必需的录用记录 submissions.csv", "problems": [P("missing_file", "submissions.csv")]}


@case("xlsx_missing_sheet")
def _(d: Path):
    t = xlsx_tables()
    del t["submissions"]
    (d / WORKBOOK).write_bytes(workbook_bytes(t))
    return {"what": "工作簿中没有 submissions（录用记录）工作表",
            "problems": [P("missing_sheet", WORKBOOK)]}


@case("missing_required_header")
def _(d: Path):
    t = copy_tables()
    t["submissions"] = [r[:4] + r[5:] for r in t["submissions"]]
    write_csvs(d, t)
    return {"what": "录用记录缺少必需的列 adopted_on（录用日期）",
            "problems": [P("missing_column", "submissions.csv", column=["adopted_on", "录用日期"])]}


@case("misspelt_header")
def _(d: Path):
    t = copy_tables()
    t["submissions"][0][4] = "adopted_onn"
    write_csvs(d, t)
    return {"what": "录用记录的表头 adopted_on 拼错为 adopted_onn",
            "problems": [P("missing_column", "submissions.csv", column=["adopted_on", "录用日期"])]}


@case("misspelt_chinese_header")
def _(d: Path):
    t = copy_tables()
    t["units"][0][2] = "单位类型"          # the contract says 单位类别
    write_csvs(d, t)
    return {"what": "单位名册的表头 单位类别 写成了 单位类型",
            "problems": [P("missing_column", "units.csv", column=["category", "单位类别"])]}


@case("missing_unit_reference")
def _(d: Path):
    t = copy_tables()
    t["events"] = [[r[0]] + r[2:] for r in t["events"]]
    write_csvs(d, t)
    return {"what": "扣分事项既无 unit_id 也无 unit_name 列",
            "problems": [P("missing_column", "events.csv")]}


@case("empty_units_file")
def _(d: Path):
    write_csvs(d, copy_tables())
    (d / "units.csv").write_bytes(b"")
    return {"what": "units.csv 是 0 字节的空文件", "problems": [P("empty_file", "units.csv")]}


@case("blank_submissions_file")
def _(d: Path):
    write_csvs(d, copy_tables())
    (d / "submissions.csv").write_bytes(b"\xef\xbb\xbf \r\n\r\n  \r\n")
    return {"what": "submissions.csv 只有 BOM 与空行", "problems": [P("empty_file", "submissions.csv")]}


@case("binary_garbage_csv")
def _(d: Path):
    write_csvs(d, copy_tables())
    (d / "units.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + garbage(2000, 1))
    return {"what": "units.csv 实为二进制数据（一张图片）",
            "problems": [P(["binary_file", "bad_encoding"], "units.csv")]}


@case("utf16_csv")
def _(d: Path):
    write_csvs(d, copy_tables())
    (d / "units.csv").write_bytes(csv_bytes(UNITS, "utf-16"))
    return {"what": "units.csv 以 UTF-16 保存（Excel“Unicode 文本”），既非 UTF-8 也非 GB18030",
            "problems": [P(["bad_encoding", "binary_file"], "units.csv")]}


@case("latin1_csv")
def _(d: Path):
    t = copy_tables()
    write_csvs(d, t)
    # "Café," in Latin-1: 0xE9 followed by ',' is invalid UTF-8 and invalid GB18030.
    raw = csv_bytes(t["events"][:1]) + "E001,Z02,2023-08-15,content_error,1,Caf".encode() + b"\xe9,\n" \
        + csv_bytes(t["events"][2:])
    (d / "events.csv").write_bytes(raw)
    return {"what": "events.csv 含 Latin-1 字节 0xE9（é），既非 UTF-8 也非 GB18030",
            "problems": [P("bad_encoding", "events.csv")]}


@case("binary_garbage_xlsx")
def _(d: Path):
    (d / WORKBOOK).write_bytes(b"PK\x03\x04" + garbage(3000, 2))
    return {"what": "数据.xlsx 不是有效的工作簿（损坏的压缩包）",
            "problems": [P(["binary_file", "bad_workbook", "bad_file", "unreadable_file", "bad_encoding"],
                           WORKBOOK)]}


@case("xlsx_merged_header")
def _(d: Path):
    t = xlsx_tables()
    width = len(t["submissions"][0])

    def merge_title(wb):
        ws = wb["submissions"]
        ws.insert_rows(1)
        ws.cell(1, 1, "2023年第三季度录用记录")
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)

    (d / WORKBOOK).write_bytes(workbook_bytes(t, merge_title))
    return {"what": "录用记录工作表第 1 行是跨列合并的标题，表头在第 2 行",
            "problems": [P("merged_header", WORKBOOK, sheet="submissions", row=1)]}


@case("xlsx_formula_without_cache")
def _(d: Path):
    t = xlsx_tables()
    put(t, "targets", 2, "target", "=1+1")            # openpyxl writes the formula with no cached value
    (d / WORKBOOK).write_bytes(workbook_bytes(t))
    return {"what": "年度目标第 2 行的目标数是公式，但文件中没有计算结果（未经 Excel 保存）",
            "problems": [P("formula_no_cache", WORKBOOK, sheet="targets", row=2, column="target")]}


@case("bad_date_text")
def _(d: Path):
    t = copy_tables()
    put(t, "submissions", 3, "adopted_on", "下周二")
    write_csvs(d, t)
    return {"what": "录用记录第 3 行的录用日期无法识别",
            "problems": [P("bad_date", "submissions.csv", 3, "adopted_on", "下周二")]}


@case("bad_date_mixed_separators")
def _(d: Path):
    t = copy_tables()
    put(t, "events", 2, "date", "2023-08/15")
    write_csvs(d, t)
    return {"what": "扣分事项第 2 行的日期混用分隔符",
            "problems": [P("bad_date", "events.csv", 2, "date", "2023-08/15")]}


@case("impossible_date")
def _(d: Path):
    t = copy_tables()
    put(t, "submissions", 7, "adopted_on", "2023-02-30")
    write_csvs(d, t)
    return {"what": "录用记录第 7 行的录用日期 2023-02-30 不存在",
            "problems": [P("impossible_date", "submissions.csv", 7, "adopted_on", "2023-02-30")]}


@case("impossible_date_compact")
def _(d: Path):
    t = copy_tables()
    put(t, "submissions", 2, "submitted_on", "20231301")
    write_csvs(d, t)
    return {"what": "录用记录第 2 行的报送日期 20231301（13 月）不存在",
            "problems": [P("impossible_date", "submissions.csv", 2, "submitted_on", "20231301")]}


@case("unknown_unit_in_submissions")
def _(d: Path):
    t = copy_tables()
    put(t, "submissions", 3, "unit_id", "Z99")
    write_csvs(d, t)
    return {"what": "录用记录第 3 行的单位编码 Z99 不在单位名册中",
            "problems": [P("unknown_unit", "submissions.csv", 3, "unit_id", "Z99")]}


@case("unknown_unit_name_in_events")
def _(d: Path):
    t = copy_tables()
    t["events"][0][1] = "unit_name"
    put(t, "events", 2, "unit_name", "溧城镇")
    put(t, "events", 3, "unit_name", "天目湖镇")
    write_csvs(d, t)
    return {"what": "扣分事项第 3 行的单位名称 天目湖镇 不在单位名册中",
            "problems": [P("unknown_unit", "events.csv", 3, "unit_name", "天目湖镇")]}


@case("unknown_unit_in_targets")
def _(d: Path):
    t = copy_tables()
    put(t, "targets", 3, "unit_id", "B09")
    write_csvs(d, t)
    return {"what": "年度目标第 3 行的单位编码 B09 不在单位名册中",
            "problems": [P("unknown_unit", "targets.csv", 3, "unit_id", "B09")]}


@case("unknown_column_in_submissions")
def _(d: Path):
    t = copy_tables()
    put(t, "submissions", 4, "column", "天气预报")
    write_csvs(d, t)
    return {"what": "录用记录第 4 行的栏目 天气预报 不在加分明细表中",
            "problems": [P("unknown_column", "submissions.csv", 4, "column", "天气预报")]}


@case("unknown_column_in_targets")
def _(d: Path):
    t = copy_tables()
    put(t, "targets", 2, "column", "招商引资")
    write_csvs(d, t)
    return {"what": "年度目标第 2 行的栏目 招商引资 不在加分明细表中",
            "problems": [P("unknown_column", "targets.csv", 2, "column", "招商引资")]}


@case("unknown_level")
def _(d: Path):
    t = copy_tables()
    put(t, "submissions", 5, "level", "北京市")
    write_csvs(d, t)
    return {"what": "录用记录第 5 行的录用级别 北京市 不是溧阳市、常州市或江苏省",
            "problems": [P("unknown_level", "submissions.csv", 5, "level", "北京市")]}


@case("unknown_category")
def _(d: Path):
    t = copy_tables()
    put(t, "units", 5, "category", "企业")
    write_csvs(d, t)
    return {"what": "单位名册第 5 行的单位类别 企业 不是三类之一",
            "problems": [P("unknown_category", "units.csv", 5, "category", "企业")]}


@case("unknown_event_type")
def _(d: Path):
    t = copy_tables()
    put(t, "events", 3, "type", "迟到早退")
    write_csvs(d, t)
    return {"what": "扣分事项第 3 行的类型 迟到早退 不是扣分细则中的事项",
            "problems": [P("unknown_event", "events.csv", 3, "type", "迟到早退")]}


@case("conflicting_record_unit")
def _(d: Path):
    t = copy_tables()
    put(t, "submissions", 6, "unit_id", "Z02")         # S001 is Z01's item in row 2
    write_csvs(d, t)
    return {"what": "稿件 S001 在第 2 行属昆仑街道，在第 6 行属溧城镇",
            "problems": [P("conflicting_record", "submissions.csv", value=None)]}


@case("conflicting_record_column")
def _(d: Path):
    t = copy_tables()
    put(t, "submissions", 6, "column", "重点领域")    # S001 is 要闻动态 in row 2
    write_csvs(d, t)
    return {"what": "稿件 S001 在第 2 行是要闻动态，在第 6 行是重点领域",
            "problems": [P("conflicting_record", "submissions.csv")]}


@case("duplicate_unit_id")
def _(d: Path):
    t = copy_tables()
    put(t, "units", 3, "unit_id", "Z01")
    write_csvs(d, t)
    return {"what": "单位名册第 2 行与第 3 行的单位编码都是 Z01",
            "problems": [P("duplicate_unit_id", "units.csv", column="unit_id", value="Z01")]}


@case("duplicate_unit_name")
def _(d: Path):
    t = copy_tables()
    put(t, "units", 4, "unit_name", "溧城镇")
    write_csvs(d, t)
    return {"what": "单位名册第 3 行与第 4 行的单位名称都是 溧城镇",
            "problems": [P("duplicate_unit_name", "units.csv", column="unit_name", value="溧城镇")]}


@case("negative_count")
def _(d: Path):
    t = copy_tables()
    put(t, "events", 3, "count", "-2")
    write_csvs(d, t)
    return {"what": "扣分事项第 3 行的次数为负数",
            "problems": [P("bad_count", "events.csv", 3, "count", "-2")]}


@case("fractional_count")
def _(d: Path):
    t = copy_tables()
    put(t, "events", 2, "count", "1.5")
    write_csvs(d, t)
    return {"what": "扣分事项第 2 行的次数 1.5 不是整数",
            "problems": [P("bad_count", "events.csv", 2, "count", "1.5")]}


@case("zero_count")
def _(d: Path):
    t = copy_tables()
    put(t, "events", 2, "count", "0")
    write_csvs(d, t)
    return {"what": "扣分事项第 2 行的次数为 0（应为不小于 1 的整数）",
            "problems": [P("bad_count", "events.csv", 2, "count", "0")]}


@case("negative_target")
def _(d: Path):
    t = copy_tables()
    put(t, "targets", 3, "target", "-1")
    write_csvs(d, t)
    return {"what": "年度目标第 3 行的目标数为负数",
            "problems": [P("bad_target", "targets.csv", 3, "target", "-1")]}


@case("fractional_target")
def _(d: Path):
    t = copy_tables()
    put(t, "targets", 2, "target", "2.5")
    write_csvs(d, t)
    return {"what": "年度目标第 2 行的目标数 2.5 不是整数",
            "problems": [P("bad_target", "targets.csv", 2, "target", "2.5")]}


@case("title_100k_characters")
def _(d: Path):
    t = copy_tables()
    put(t, "submissions", 2, "title", ("超长标题" * 25_000))
    write_csvs(d, t)
    return {"what": "录用记录第 2 行的标题长达 100,000 个字符（上限 1,000）",
            "problems": [P("text_too_long", "submissions.csv", 2, "title", "超长标题超长标题超长标题")]}


@case("note_1001_characters")
def _(d: Path):
    t = copy_tables()
    put(t, "events", 3, "note", "说" * 1001)
    write_csvs(d, t)
    return {"what": "扣分事项第 3 行的说明 1,001 个字符，刚超过上限 1,000",
            "problems": [P("text_too_long", "events.csv", 3, "note", "说说说说说说说说说说")]}


@case("csv_and_workbook")
def _(d: Path):
    write_csvs(d, copy_tables())
    (d / WORKBOOK).write_bytes(workbook_bytes(xlsx_tables()))
    return {"what": "同一目录中既有 CSV 文件又有工作簿", "problems": [P("both_forms")]}


@case("bad_bool")
def _(d: Path):
    t = copy_tables()
    put(t, "submissions", 2, "late", "也许")
    write_csvs(d, t)
    return {"what": "录用记录第 2 行的是否超时 也许 不是是/否",
            "problems": [P("bad_bool", "submissions.csv", 2, "late", "也许")]}


@case("xlsx_unknown_unit")
def _(d: Path):
    t = xlsx_tables()
    put(t, "submissions", 4, "unit_id", "B99")
    (d / WORKBOOK).write_bytes(workbook_bytes(t))
    return {"what": "工作簿录用记录第 4 行的单位编码 B99 不在单位名册中",
            "problems": [P("unknown_unit", WORKBOOK, 4, "unit_id", "B99", sheet="submissions")]}


@case("several_problems_at_once")
def _(d: Path):
    t = copy_tables()
    put(t, "submissions", 3, "unit_id", "Z98")
    put(t, "submissions", 5, "adopted_on", "2023-13-01")
    put(t, "events", 2, "type", "旷工")
    put(t, "targets", 3, "target", "-3")
    write_csvs(d, t)
    return {"what": "四个文件各有一处问题：全部都要报告，而不只是第一处",
            "problems": [P("unknown_unit", "submissions.csv", 3, "unit_id", "Z98"),
                         P(["impossible_date", "bad_date"], "submissions.csv", 5, "adopted_on", "2023-13-01"),
                         P("unknown_event", "events.csv", 2, "type", "旷工"),
                         P("bad_target", "targets.csv", 3, "target", "-3")]}


# --- hostile input, round two: each class of failure, with the message it must get -----------------
# Cases whose "says" lists what stderr must say (a rules file's problem is not a table of cells);
# "args" are extra command-line arguments, "{case}" standing for the case's folder.

def rewrite_part(raw: bytes, part: str, edit: Callable[[bytes], bytes]) -> bytes:
    """The workbook ``raw`` with one zip part's bytes changed by ``edit`` (same fixed timestamps)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info, edit(data) if info.filename == part else data)
    return out.getvalue()


def sheet_part(raw: bytes, sheet: str) -> str:
    """The zip part of sheet ``sheet`` in a workbook written by workbook_bytes (sheets in table order)."""
    return f"xl/worksheets/sheet{list(BASE).index(sheet) + 1}.xml"


@case("date_year_2923")
def _(d: Path):
    t = copy_tables()
    put(t, "submissions", 3, "adopted_on", "2923-07-10")        # one key off: 2023
    write_csvs(d, t)
    return {"what": "录用记录第 3 行的录用日期年份误为 2923（pandas 的日期只到 2262 年）",
            "problems": [P("date_out_of_range", "submissions.csv", 3, "adopted_on", "2923-07-10")]}


@case("date_year_1923_compact")
def _(d: Path):
    t = copy_tables()
    put(t, "events", 2, "date", "19230815")
    write_csvs(d, t)
    return {"what": "扣分事项第 2 行的日期年份误为 1923（早于 2000 年）",
            "problems": [P("date_out_of_range", "events.csv", 2, "date", "19230815")]}


@case("date_after_today")
def _(d: Path):
    t = copy_tables()
    put(t, "submissions", 5, "adopted_on", "2099-09-12")
    write_csvs(d, t)
    return {"what": "录用记录第 5 行的录用日期晚于今天（2099 年）",
            "problems": [P("future_date", "submissions.csv", 5, "adopted_on", "2099-09-12")]}


@case("count_beyond_int64")
def _(d: Path):
    t = copy_tables()
    put(t, "events", 3, "count", "9223372036854775807")
    write_csvs(d, t)
    return {"what": "扣分事项第 3 行的次数为 2^63−1（int64 的最大值），超过 1,000",
            "problems": [P("bad_count", "events.csv", 3, "count", "9223372036854775807")]}


@case("count_a_quadrillion")
def _(d: Path):
    t = copy_tables()
    put(t, "events", 2, "count", "1000000000000000")
    write_csvs(d, t)
    return {"what": "扣分事项第 2 行的次数为 10^15，超过 1,000",
            "problems": [P("bad_count", "events.csv", 2, "count", "1000000000000000")]}


@case("xlsx_target_1e19")
def _(d: Path):
    t = xlsx_tables()
    put(t, "targets", 3, "target", 1e19)
    (d / WORKBOOK).write_bytes(workbook_bytes(t))
    return {"what": "工作簿年度目标第 3 行的目标数为 1e19（数字单元格），超过 1,000",
            "problems": [P("bad_target", WORKBOOK, 3, "target", "10000000000000000000", sheet="targets")]}


@case("target_year_five_digits")
def _(d: Path):
    t = copy_tables()
    put(t, "targets", 2, "year", "20233")
    write_csvs(d, t)
    return {"what": "年度目标第 2 行的年度为五位数 20233",
            "problems": [P("bad_year", "targets.csv", 2, "year", "20233")]}


@case("rules_cap_infinite")
def _(d: Path):
    write_csvs(d, copy_tables())
    (d / "rules.yaml").write_text("base: ../../../params/rules/liyang-2023-draft.yaml\nname: 无穷封顶\n"
                                  "caps:\n  quarter:\n    value: .inf\n  year:\n    value: 1.0e+308\n", encoding="utf-8")
    return {"what": "规则变体把季度封顶写成 .inf、全年封顶写成 1.0e+308", "args": ["--rules", "{case}/rules.yaml"],
            "says": ["caps.quarter.value", "caps.year.value", "分值须为 0 至 1000 之间的数"]}


@case("xlsx_error_cells")
def _(d: Path):
    t = xlsx_tables()
    put(t, "targets", 2, "target", "#DIV/0!")          # openpyxl writes Excel's error strings as error cells
    put(t, "submissions", 4, "level", "#N/A")
    (d / WORKBOOK).write_bytes(workbook_bytes(t))
    return {"what": "工作簿中两格是 Excel 的错误值（#DIV/0!、#N/A），读取时会是空格",
            "problems": [P("excel_error", WORKBOOK, 2, "target", "#DIV/0!", sheet="targets"),
                         P("excel_error", WORKBOOK, 4, "level", "#N/A", sheet="submissions")]}


@case("xlsx_cell_at_xfd1048576")
def _(d: Path):
    def far(wb):
        wb["events"]["XFD1048576"] = "x"
    (d / WORKBOOK).write_bytes(workbook_bytes(xlsx_tables(), far))
    return {"what": "工作簿扣分事项表的 XFD1048576 格有一个值（读取器会按 1,048,576 行 × 16,384 列分配内存）",
            "problems": [P("sheet_too_large", WORKBOOK, value="XFD1048576", sheet="events")]}


@case("xlsx_part_inflates_beyond_200mb")
def _(d: Path):
    raw = workbook_bytes(xlsx_tables())
    part = sheet_part(raw, "submissions")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename != part:
                dst.writestr(info, data)
                continue
            with dst.open(info, "w", force_zip64=True) as f:       # 201 MB of blanks after the sheet: ~200 KB packed
                f.write(data)
                for _ in range(201):
                    f.write(b" " * (1 << 20))
    (d / WORKBOOK).write_bytes(out.getvalue())
    return {"what": "工作簿的录用记录工作表解压后超过 200 MB（压缩炸弹）", "problems": [P("workbook_too_large", WORKBOOK)]}


@case("xlsx_malformed_sheet")
def _(d: Path):
    raw = workbook_bytes(xlsx_tables())
    unclosed = b'<row r="8">' + b'<c r="A8"><f>SUM(A1:A7)</f>' * 300       # 8 KB of cells never closed
    (d / WORKBOOK).write_bytes(rewrite_part(raw, sheet_part(raw, "submissions"),
                                            lambda x: x.replace(b"</sheetData>", unclosed + b"</sheetData>")))
    return {"what": "工作簿录用记录表的 XML 残缺：300 个公式单元格没有结束标记（8 KB）",
            "problems": [P(["binary_file", "formula_no_cache"], WORKBOOK, sheet="submissions")]}


@case("terminal_escape_in_unit_name")
def _(d: Path):
    t = copy_tables()
    t["events"][0][1] = "unit_name"
    put(t, "events", 2, "unit_name", "溧城镇")
    put(t, "events", 3, "unit_name", "\x1b[2J\x1b]0;已完成\x07天目湖镇")
    write_csvs(d, t)
    return {"what": "扣分事项第 3 行的单位名称含终端控制序列（清屏、改窗口标题），且不在单位名册中",
            "problems": [P("unknown_unit", "events.csv", 3, "unit_name", "〓[2J〓]0;已完成〓天目湖镇")]}


@case("line_separator_in_level")
def _(d: Path):
    t = copy_tables()
    put(t, "submissions", 5, "level", "北京\u2028市")
    write_csvs(d, t)
    return {"what": "录用记录第 5 行的录用级别含 U+2028（网页粘贴来的换行符），且不是规则中的级别",
            "problems": [P("unknown_level", "submissions.csv", 5, "level", "北京 市")]}


@case("xlsx_vertical_tab_in_column")
def _(d: Path):
    t = xlsx_tables()
    put(t, "submissions", 4, "column", "天气_x000B_预报")      # Excel's own escape for a vertical tab
    (d / WORKBOOK).write_bytes(workbook_bytes(t))
    return {"what": "工作簿录用记录第 4 行的栏目含垂直制表符（_x000B_），且不是规则中的栏目",
            "problems": [P("unknown_column", WORKBOOK, 4, "column", "天气 预报", sheet="submissions")]}


@case("yaml_duplicate_key")
def _(d: Path):
    write_csvs(d, copy_tables())
    (d / "rules.yaml").write_text("base: ../../../params/rules/liyang-2023-draft.yaml\nname: 重复的键\n"
                                  "caps:\n  quarter:\n    value: 15\n  quarter:\n    value: 30\n", encoding="utf-8")
    return {"what": "规则变体中 caps 下的 quarter 写了两次（PyYAML 默认取后一个）",
            "args": ["--rules", "{case}/rules.yaml"], "says": ["rules.yaml", "第 6 行：键「quarter」重复（第 4 行已有）"]}


@case("yaml_alias_bomb")
def _(d: Path):
    write_csvs(d, copy_tables())
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    (d / "rules.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"what": "1 KB 的规则文件层层嵌套别名，展开后有 9^10 项（“十亿笑”）",
            "args": ["--rules", "{case}/rules.yaml"], "says": ["rules.yaml", "别名"]}


@case("yaml_base_names_itself")
def _(d: Path):
    write_csvs(d, copy_tables())
    (d / "rules.yaml").write_text("base: rules.yaml\nname: 自己\ncaps:\n  quarter:\n    value: 15\n", encoding="utf-8")
    return {"what": "规则变体的 base 指向它自己", "args": ["--rules", "{case}/rules.yaml"],
            "says": ["rules.yaml", "base 构成循环"]}


@case("utf8_file_with_one_gbk_line")
def _(d: Path):
    t = copy_tables()
    write_csvs(d, t)
    lines = csv_bytes(t["submissions"]).split(b"\n")
    lines[6] = lines[6].decode("utf-8").encode("gbk")             # line 7 pasted from a GBK file
    (d / "submissions.csv").write_bytes(b"\n".join(lines))
    return {"what": "UTF-8 的 submissions.csv 中第 7 行是 GBK 编码（从另一个文件粘贴）",
            "problems": [P("bad_encoding", "submissions.csv", 7)]}


@case("unit_ids_giving_one_file_name")
def _(d: Path):
    t = copy_tables()
    t["units"].append(["Z:01", "昆仑新区", "镇区街道", "", ""])      # units.csv row 6; Z01 is row 2
    write_csvs(d, t)
    return {"what": "单位名册第 6 行的单位编码 Z:01 去掉文件名不能含的「:」后与第 2 行的 Z01 相同：两个单位的明细单是同一个文件",
            "problems": [P("statement_name_clash", "units.csv", 6, "unit_id", "Z:01")]}


@case("count_1001")
def _(d: Path):
    t = copy_tables()
    put(t, "events", 2, "count", "1001")
    write_csvs(d, t)
    return {"what": "扣分事项第 2 行的次数为 1001，超过 1,000",
            "problems": [P("bad_count", "events.csv", 2, "count", "1001")]}


@case("target_1001")
def _(d: Path):
    t = copy_tables()
    put(t, "targets", 2, "target", "1001")
    write_csvs(d, t)
    return {"what": "年度目标第 2 行的目标数为 1001，超过 1,000",
            "problems": [P("bad_target", "targets.csv", 2, "target", "1001")]}


@case("date_year_1600")
def _(d: Path):
    t = copy_tables()
    put(t, "submissions", 4, "adopted_on", "1600-01-01")
    write_csvs(d, t)
    return {"what": "录用记录第 4 行的录用日期为 1600 年，早于 2000 年",
            "problems": [P("date_out_of_range", "submissions.csv", 4, "adopted_on", "1600-01-01")]}


@case("event_date_after_today")
def _(d: Path):
    t = copy_tables()
    put(t, "events", 3, "date", "2042-01-15")
    write_csvs(d, t)
    return {"what": "扣分事项第 3 行的日期 2042/1/15 晚于今天",
            "problems": [P("future_date", "events.csv", 3, "date", "2042-01-15")]}


@case("workbook_count_1e19")
def _(d: Path):
    t = xlsx_tables()
    put(t, "events", 2, "count", 1e19)
    (d / WORKBOOK).write_bytes(workbook_bytes(t))
    return {"what": "工作簿扣分事项第 2 行的次数为 1e19（数字单元格），超过 1,000",
            "problems": [P("bad_count", WORKBOOK, 2, "count", "10000000000000000000", sheet="events")]}


def build(root: Path = HERE) -> list[str]:
    """(Re)write every case folder and the two controls; returns the case names."""
    for name in ("_valid_csv", "_valid_xlsx", *CASES):
        folder = root / name
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
    write_csvs(root / "_valid_csv", copy_tables())
    (root / "_valid_xlsx" / WORKBOOK).write_bytes(workbook_bytes(xlsx_tables()))
    for name, fn in CASES.items():
        expect = fn(root / name)
        text = yaml.safe_dump(expect, allow_unicode=True, sort_keys=False, width=200)
        (root / name / "expect.yaml").write_text(text, encoding="utf-8")
    return list(CASES)


if __name__ == "__main__":
    names = build()
    print(f"{len(names)} broken datasets and 2 controls written under {HERE}")
