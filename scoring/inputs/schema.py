"""The input tables of the data contract: file and sheet names, headers in English and Chinese.

After loading (scoring.loading), every table is a DataFrame with exactly the canonical columns
below plus two provenance columns, ``_file`` (file name, with sheet as ``file［sheet］`` for
workbooks) and ``_row`` (the row number as the user sees it, header = 1). Canonical values:

units        unit_id str, unit_name str, category str (a category key of the rules),
             informant str ("" when empty), aliases str (canonical "a;b", "" when none)
submissions  record_id str, unit_id str, column str (column key), level str (level key),
             adopted_on datetime64[ns], title str, submitted_on datetime64[ns] (NaT),
             due_on datetime64[ns] (NaT), late boolean (nullable), solicited boolean (nullable),
             informant str ("" when empty)
events       event_id str ("" when empty), unit_id str, date datetime64[ns], type str (event code),
             count int64, note str
targets      unit_id str, year int64, column str (column key), target int64
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    name: str          # canonical English header
    zh: str            # Chinese header
    kind: str          # "str" | "date" | "bool" | "int" | "unit" | "column" | "level" | "category" | "event"
    required: bool = False
    example: str = ""


@dataclass(frozen=True)
class Table:
    name: str                 # "units"
    csv: str                  # "units.csv"
    sheet_zh: str             # "单位"
    title_zh: str             # "单位名册"
    required: bool
    fields: tuple[Field, ...]

    @property
    def sheets(self) -> tuple[str, str]:
        return (self.name, self.sheet_zh)

    def header_map(self) -> dict[str, str]:
        """Every accepted header (English or Chinese) → canonical name."""
        out: dict[str, str] = {}
        for f in self.fields:
            out[f.name] = f.name
            out[f.zh] = f.name
        return out


UNIT_REF = (Field("unit_id", "单位编码", "unit"), Field("unit_name", "单位名称", "unit"))

UNITS = Table("units", "units.csv", "单位", "单位名册", True, (
    Field("unit_id", "单位编码", "str", True, "Z01"),
    Field("unit_name", "单位名称", "str", True, "昆仑街道"),
    Field("category", "单位类别", "category", True, "镇区街道"),
    Field("informant", "信息员", "str", False, "王敏"),
    Field("aliases", "别名", "str", False, "昆仑街道办事处"),
))

SUBMISSIONS = Table("submissions", "submissions.csv", "录用记录", "录用记录", True, (
    Field("record_id", "稿件编号", "str", True, "2023-000001"),
    *UNIT_REF,
    Field("column", "栏目", "column", True, "要闻动态"),
    Field("level", "录用级别", "level", True, "溧阳市"),
    Field("adopted_on", "录用日期", "date", True, "2023-07-03"),
    Field("title", "标题", "str", False, "昆仑街道召开2023年安全生产工作会议"),
    Field("submitted_on", "报送日期", "date", False, "2023-07-01"),
    Field("due_on", "计划完成日期", "date", False, ""),
    Field("late", "是否超时", "bool", False, "否"),
    Field("solicited", "是否约稿", "bool", False, ""),
    Field("informant", "信息员", "str", False, "王敏"),
))

EVENTS = Table("events", "events.csv", "扣分事项", "扣分事项", False, (
    Field("event_id", "事项编号", "str", False, "E2023-001"),
    *UNIT_REF,
    Field("date", "日期", "date", True, "2023-08-15"),
    Field("type", "类型", "event", True, "content_error"),
    Field("count", "次数", "int", False, "1"),
    Field("note", "说明", "str", False, "信息中出现错别字，被常州市通报"),
))

TARGETS = Table("targets", "targets.csv", "年度目标", "年度目标", False, (
    *UNIT_REF,
    Field("year", "年度", "int", True, "2023"),
    Field("column", "栏目", "column", True, "要闻动态"),
    Field("target", "目标数", "int", True, "20"),
))

TABLES: tuple[Table, ...] = (UNITS, SUBMISSIONS, EVENTS, TARGETS)
TABLES_BY_NAME = {t.name: t for t in TABLES}

MAX_TEXT = 1000                      # data contract: longer text fields are an input error
# Plausible ranges: a value outside is an input error (a typo), and no sum of them can overflow int64.
FIRST_YEAR, LAST_YEAR = 2000, 2100   # dates and years (dates are never after today either)
MAX_COUNT = 1000                     # 次数 of one event row, 目标数 of one target
TRUE_WORDS = ("是", "true", "yes", "y", "1", "t", "对", "√")
FALSE_WORDS = ("否", "false", "no", "n", "0", "f", "×")
