"""scores.xlsx: the quarter's scores for people who work in Excel (Chinese headers).

One sheet per category, in the method's order (镇（区、街道）, 市级机关部门, 群团), laid out like the
bulletin's 得分排名 table; then the whole quarterly table (季度得分), the quarter's deductions and
vetoes (存在问题), the progress on the year's targets (目标任务进度), the units none of whose items
counted this quarter (零录用单位), the ledger (明细账) and, in the fourth quarter, the annual result
(年度考核).

Each sheet prints as an Excel user expects: its first row is a title naming the quarter and the
sheet, the second the headers (both repeated on every printed page, frozen on screen), A4
landscape, fitted to the page width. The ledger's kind of entry is 计分项目, so that no column
named 类别 can be taken for the unit's category (单位类别, shown by its name).

- Points are stored as exact decimal numbers (12250 milli → 12.25), never as text, never rounded.
- Text that came from the input is always a string cell: a value starting with = + - @ is stored
  as text with Excel's quote prefix, so it can never run as a formula.
- Byte-identical across runs: fixed document properties, fixed zip timestamps and entry order.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from scoring.method.calendar import quarter_name
from scoring.method.points import SCALE, fmt, to_milli
from scoring.report.bulletin import SAMPLE_STAMP, problems, zero_adoption_units
from scoring.render.xlsxio import FIXED_TIME, save_workbook_deterministic
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl import Workbook
from scoring.render.tables import write_scores

FORMULA_START = ("=", "+", "-", "@")
MAX_WIDTH = 60
ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

# (column of the result's table, Chinese header, kind); kind: text | milli | int | bool | date
def _rank_columns(cap_text: str) -> tuple[tuple[str, str, str], ...]:
    return (
        ("rank", "排名", "int"),
        ("unit_name", "单位", "text"),
        ("key_points", "重点栏目", "milli"),
        ("info_points", "信息报送", "milli"),
        ("carry_in", "上季结转", "milli"),
        ("gross", f"计入得分（封顶{cap_text}）", "milli"),
        ("carry_out", "结转下季", "milli"),
        ("deductions", "扣分", "milli"),
        ("score", "本季得分", "milli"),
        ("ytd_total", "全年累计", "milli"),
        ("ytd_rank", "全年排名", "int"),
        ("remark", "备注", "text"),
    )


QUARTERLY_SHEET: tuple[tuple[str, str, str], ...] = (
    ("unit_id", "单位编码", "text"), ("unit_name", "单位名称", "text"), ("category", "单位类别", "text"),
    ("year", "年度", "int"), ("quarter", "季度", "int"), ("key_points", "重点栏目", "milli"),
    ("info_points", "信息报送", "milli"), ("carry_in", "上季结转", "milli"),
    ("bonus", "合计（封顶前）", "milli"), ("gross", "计入得分", "milli"), ("carry_out", "结转下季", "milli"),
    ("deductions", "扣分", "milli"), ("quarter_veto", "季度一票否决", "bool"),
    ("annual_veto", "年度一票否决", "bool"), ("reward", "奖励分", "milli"), ("score", "本季得分", "milli"),
    ("ytd_total", "全年累计", "milli"), ("rank", "本季排名", "int"), ("ytd_rank", "全年排名", "int"),
    ("info_capped", "要闻动态封顶扣除", "milli"), ("floored", "扣至0分", "bool"), ("veto_reason", "否决原因", "text"),
)

LEDGER_SHEET: tuple[tuple[str, str, str], ...] = (
    ("unit_id", "单位编码", "text"), ("unit_name", "单位名称", "text"), ("year", "年度", "int"),
    ("quarter", "季度", "int"), ("kind", "计分项目", "text"), ("ref", "编号", "text"),
    ("points", "分值", "milli"), ("clause", "条款", "text"), ("column", "栏目", "text"),
    ("level", "录用级别", "text"), ("adopted_on", "录用日期", "date"), ("title", "标题", "text"),
    ("base_points", "基础分值", "milli"), ("late_factor", "超时系数", "number"), ("late", "超时", "bool"),
    ("upgrade", "升级录用", "bool"), ("previous_level", "原录用级别", "text"), ("informant", "信息员", "text"),
    ("event_type", "事项类型", "text"), ("count", "次数", "int"), ("event_date", "事项日期", "date"),
    ("note", "说明", "text"),
)

LEDGER_KIND_ZH = {
    "item": "录用加分", "column_cap": "栏目封顶", "carry_in": "上季结转", "quarter_cap": "季度封顶",
    "deduction": "扣分", "floor": "扣至0分", "veto": "一票否决", "reward": "奖励", "year_cap": "全年封顶",
}

ANNUAL_SHEET: tuple[tuple[str, str, str], ...] = (
    ("rank", "排名", "int"), ("unit_name", "单位", "text"), ("category", "单位类别", "text"),
    ("total", "全年得分", "milli"), ("winner", "优胜单位", "bool"), ("annual_veto", "年度一票否决", "bool"),
    ("veto_reason", "否决原因", "text"), ("reward", "奖励分", "milli"),
)


PROBLEMS_SHEET: tuple[tuple[str, str, str], ...] = (
    ("unit_id", "单位编码", "text"), ("unit_name", "单位名称", "text"), ("category", "单位类别", "text"),
    ("what", "类型", "text"), ("event", "事项", "text"), ("event_date", "日期", "date"), ("count", "次数", "int"),
    ("points", "扣分", "milli"), ("note", "说明", "text"), ("clause", "条款", "text"),
)

TARGETS_SHEET: tuple[tuple[str, str, str], ...] = (
    ("unit_id", "单位编码", "text"), ("unit_name", "单位名称", "text"), ("category", "单位类别", "text"),
    ("column", "栏目", "text"), ("target", "全年目标（条）", "int"), ("done", "已完成（条）", "int"),
    ("done_on_time", "其中按时（条）", "int"), ("status", "进度", "text"),
)

ZERO_SHEET: tuple[tuple[str, str, str], ...] = (
    ("no", "序号", "int"), ("unit_id", "单位编码", "text"), ("unit_name", "单位名称", "text"),
    ("category", "单位类别", "text"),
)


# ---- cell values -----------------------------------------------------------------------------------
def display_width(text: str) -> int:
    """Columns a text takes in Excel: CJK and other wide characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def milli_to_number(milli: Any) -> Decimal | None:
    """12250 → Decimal('12.25'): exact, stored by openpyxl as the number 12.25."""
    if milli is None or pd.isna(milli):
        return None
    d = Decimal(int(milli)) / SCALE
    return d.to_integral_value() if d == d.to_integral_value() else d.normalize()


def _value(v: Any, kind: str) -> Any:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    if kind != "text" and isinstance(v, str) and not v.strip():
        return None
    if kind == "milli":
        return milli_to_number(v)
    if kind == "int":
        return int(v)
    if kind == "number":            # e.g. the late factor, an exact decimal (engine gives it as text)
        d = Decimal(str(v).strip())
        return d.to_integral_value() if d == d.to_integral_value() else d.normalize()
    if kind == "bool":
        return "是" if bool(v) else "否"
    if kind == "date":
        return pd.Timestamp(v).date()
    text = ILLEGAL_XML.sub("", str(v))
    return text or None


def _rows(frame: pd.DataFrame, spec: Iterable[tuple[str, str, str]]) -> list[list[Any]]:
    spec = [s for s in spec if s[0] in frame.columns]
    cols = [[_value(v, kind) for v in frame[col].tolist()] for col, _, kind in spec]
    return [list(r) for r in zip(*cols)] if cols else []


# ---- sheets ----------------------------------------------------------------------------------------
def _write_sheet(wb, title: str, frame: pd.DataFrame, spec: tuple[tuple[str, str, str], ...],
                 heading: str = "") -> None:
    """One sheet in openpyxl's write-only mode (streams rows: the ledger has thousands): a title
    row (``heading``; none when it is ""), the header row, the rows; printed A4 landscape, fitted
    to the page width, the title and header rows on every page."""
    top = 1 if heading else 0                 # rows above the header

    spec = tuple(s for s in spec if s[0] in frame.columns)
    ws = wb.create_sheet(title=title)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"                # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0             # as many pages down as it takes
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.print_title_rows = f"1:{top + 1}"
    headers = [h for _, h, _ in spec]
    kinds = [k for _, _, k in spec]
    rows = _rows(frame, spec)
    # Widths first: write-only sheets take column settings before any row.
    for j, header in enumerate(headers):
        shown = {_shown(r[j]) for r in rows}
        width = max([display_width(header)] + [display_width(v) for v in shown])
        ws.column_dimensions[get_column_letter(j + 1)].width = min(width + 2, MAX_WIDTH)
    ws.freeze_panes = f"A{top + 2}"
    if rows:
        ws.auto_filter.ref = f"A{top + 1}:{get_column_letter(len(headers))}{len(rows) + top + 1}"
    head_font, head_fill = Font(name="宋体", bold=False), PatternFill("solid", fgColor="EEEEEE")
    centre = Alignment(horizontal="center", vertical="center")
    if heading:
        title_cell = WriteOnlyCell(ws, value=heading)
        title_cell.font = Font(name="黑体", size=14, bold=False)
        ws.append([title_cell])
    head = []
    for h in headers:
        c = WriteOnlyCell(ws, value=h)
        c.font, c.fill, c.alignment = head_font, head_fill, centre
        head.append(c)
    ws.append(head)
    special = [j for j, k in enumerate(kinds) if k in ("date", "text")]
    for row in rows:
        for j in special:
            v = row[j]
            if kinds[j] == "date" and v is not None:
                c = WriteOnlyCell(ws, value=v)
                c.number_format = "yyyy-mm-dd"
                row[j] = c
            elif isinstance(v, str) and v.startswith(FORMULA_START):
                # Input text stays text: openpyxl would store "=..." as a formula.
                c = WriteOnlyCell(ws, value=v)
                c.data_type = "s"
                c.quotePrefix = True
                row[j] = c
        ws.append(row)


def _shown(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def _remark(q: pd.DataFrame) -> pd.Series:
    """备注 of the ranking: why 本季得分 is not 计入得分 − 扣分 (veto, floor, reward)."""
    veto = q.get("veto_reason", pd.Series("", index=q.index)).astype("string").fillna("")
    floored = q.get("floored", pd.Series(False, index=q.index)).astype("boolean").fillna(False)
    reward = q.get("reward", pd.Series(0, index=q.index)).astype("int64")
    out = pd.Series("", index=q.index, dtype="string")
    out = out.where(~floored, "扣分超过计入得分，本季得分计0分")
    out = out.where(reward <= 0, "奖励：本季得分计" + q["score"].map(fmt).astype("string") + "分")
    return out.where(veto == "", "一票否决：" + veto)


def _category_names(result, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its category shown by name (镇区街道 → 镇（区、街道）)."""
    names = {c.key: c.name for c in result.rules.categories}
    return frame.assign(category=frame["category"].map(names).fillna(frame["category"]))


def _ordered(result, frame: pd.DataFrame, before: tuple[str, ...] = (), after: tuple[str, ...] = ()) -> pd.DataFrame:
    """``frame`` sorted by ``before``, the category in the method's order (the rules file's),
    ``after``, then the register's order; its category shown by name."""
    cat_order = {c.key: i for i, c in enumerate(result.rules.categories)}
    reg = {u: i for i, u in enumerate(result.units["unit_id"])}
    out = frame.assign(_cat=frame["category"].map(cat_order), _reg=frame["unit_id"].map(reg))
    out = out.sort_values([*before, "_cat", *after, "_reg", "unit_id"], kind="stable")
    return _category_names(result, out.drop(columns=["_cat", "_reg"]))


def ranking_frame(result) -> pd.DataFrame:
    """The run's quarter, one row per unit, in rank order within category (for the category sheets)."""
    q = result.quarterly
    q = q[q["quarter"] == result.quarter].copy()
    q["remark"] = _remark(q)
    cat_order = {c.key: i for i, c in enumerate(result.rules.categories)}
    reg = {u: i for i, u in enumerate(result.units["unit_id"])}
    q = q.assign(_cat=q["category"].map(cat_order), _reg=q["unit_id"].map(reg))
    # The category stays a key here: the category sheets select by it.
    return q.sort_values(["_cat", "rank", "_reg", "unit_id"], kind="stable").drop(columns=["_cat", "_reg"])


def _unit_columns(result, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (keyed by unit_id) with the unit's name and category from the register."""
    reg = result.units.set_index("unit_id")
    return frame.assign(unit_name=frame["unit_id"].map(reg["unit_name"]),
                        category=frame["unit_id"].map(reg["category"]))


def problems_frame(result) -> pd.DataFrame:
    """存在问题: the quarter's deductions and vetoes, in the bulletin's order (四: vetoes first,
    then by date), one row per event."""
    rows = problems(result).reset_index(drop=True)
    events = result.rules.events
    out = pd.DataFrame({
        "unit_id": rows["unit_id"].astype("string"),
        "what": rows["kind"].map({"deduction": "扣分", "veto": "一票否决"}),
        "event": [events[e].name if isinstance(e, str) and e in events else ("" if not isinstance(e, str) else e)
                  for e in rows["event_type"]],
        "event_date": rows["event_date"], "count": rows["count"],
        "points": rows["points"].where(rows["kind"] == "deduction"), "note": rows["note"],
        "clause": rows["clause"],
    })
    return _category_names(result, _unit_columns(result, out))


def targets_frame(result) -> pd.DataFrame:
    """目标任务进度: per unit and column (the method's orders), the year's target, done so far and
    on time, and the state: 已完成, 正常, 进度滞后 (R12); in the fourth quarter 已完成 or 未完成."""
    t = result.targets
    met, lagging = t["met"].astype(bool), t["lagging"].astype(bool)
    status = pd.Series("正常", index=t.index, dtype="string").where(~lagging, "进度滞后").where(~met, "已完成")
    if int(result.quarter) == 4:
        status = status.where(met, "未完成")
    col_order = {c: i for i, c in enumerate(result.rules.column_keys)}
    cat_order = {c.key: i for i, c in enumerate(result.rules.categories)}
    reg = {u: i for i, u in enumerate(result.units["unit_id"])}
    out = _unit_columns(result, t.assign(status=status, _col=t["column"].map(col_order)))
    out = out.assign(_cat=out["category"].map(cat_order), _reg=out["unit_id"].map(reg))
    out = out.sort_values(["_cat", "_reg", "unit_id", "_col"], kind="stable").drop(columns=["_cat", "_reg", "_col"])
    return _category_names(result, out)


def zero_frame(result) -> pd.DataFrame:
    """零录用单位: the units none of whose items counted this quarter (bulletin 附件2)."""
    z = _ordered(result, zero_adoption_units(result)[["unit_id", "unit_name", "category"]])
    return z.assign(no=range(1, len(z) + 1))


# The ledger's notes cite the project's readings (「（R7）」) for the analyst (ledger.csv); the
# workbook is printed and handed on, so it cites only the method's own numbering (its 条款 column).
READING_REFERENCE = r"（R\d+(?:\s*[、，,–-]\s*R?\d+)*）"


def _ledger_frame(result) -> pd.DataFrame:
    led = result.ledger.copy()
    led["note"] = led["note"].str.replace(READING_REFERENCE, "", regex=True)
    names = result.units.set_index("unit_id")["unit_name"] if "unit_name" in result.units.columns else None
    if names is not None:
        led["unit_name"] = led["unit_id"].map(names)
    led["kind"] = led["kind"].map(LEDGER_KIND_ZH).fillna(led["kind"])
    if "event_type" in led.columns:         # the event's name, as the bulletin says it
        names = {key: ev.name for key, ev in result.rules.events.items()}
        led["event_type"] = led["event_type"].map(names).fillna(led["event_type"])
    return led


def build_workbook(result, sample: bool = False):
    """The workbook as an openpyxl object (no I/O); ``sample``: computed from the sample data, said
    in the first sheet's title cell."""

    wb = Workbook(write_only=True)
    cap_text = fmt(to_milli(result.rules.caps.quarter.value))
    quarter = quarter_name(result.year, result.quarter)
    ranking = ranking_frame(result)
    stamp = f"【{SAMPLE_STAMP}】" if sample else ""
    for cat in result.rules.categories:
        _write_sheet(wb, _sheet_title(f"{cat.name}得分排名"), ranking[ranking["category"] == cat.key],
                     _rank_columns(cap_text), f"{stamp}{quarter}　{cat.name}得分排名")
        stamp = ""
    _write_sheet(wb, "季度得分", _ordered(result, result.quarterly, ("quarter",), ("rank",)), QUARTERLY_SHEET,
                 f"{quarter}　各单位各季度得分（第一季度至本季度）")
    _write_sheet(wb, "存在问题", problems_frame(result), PROBLEMS_SHEET, f"{quarter}　扣分和一票否决事项")
    _write_sheet(wb, "目标任务进度", targets_frame(result), TARGETS_SHEET, f"{quarter}　年度目标任务完成进度")
    _write_sheet(wb, "零录用单位", zero_frame(result), ZERO_SHEET, f"{quarter}　本季度无信息被录用的单位")
    _write_sheet(wb, "明细账", _ledger_frame(result), LEDGER_SHEET, f"{quarter}　计分明细账（每一笔加减分）")
    if result.quarter == 4 and len(result.annual):
        _write_sheet(wb, "年度考核", _ordered(result, result.annual, after=("rank",)), ANNUAL_SHEET,
                     f"{result.year}年度考核结果")
    props = wb.properties
    props.creator = props.lastModifiedBy = result.rules.meta.issuer
    props.title = f"{result.year}年第{result.quarter}季度内容保障得分"
    props.created = props.modified = FIXED_TIME
    return wb


def _sheet_title(text: str) -> str:
    return re.sub(r"[\[\]\*\?/\\:]", "", text)[:31]


def write_outputs(result, output_dir: str | Path, sample: bool = False) -> list[Path]:
    """The quarter's tables for a bulletin run: scores.csv and ledger.csv (scoring.outputs), then
    scores.xlsx (``sample``: stamped as sample data), into ``output_dir``. Returns their paths."""
    written = write_scores(result, output_dir)
    xlsx = write_scores_xlsx(result, Path(output_dir) / "scores.xlsx", sample=sample)
    return [*written, xlsx]


def write_scores_xlsx(result, path: str | Path, sample: bool = False) -> Path:
    """Write scores.xlsx for ``result`` to ``path`` (see module docstring)."""
    path = Path(path)
    save_workbook_deterministic(build_workbook(result, sample), path)
    return path


# ---- shown tables (Chinese labels, points as decimals) ----------------------------------------------
def _kind_of(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "bool"
    if pd.api.types.is_integer_dtype(series):
        return "int"
    if pd.api.types.is_float_dtype(series):
        return "number"
    return "text"


def write_tables_xlsx(sheets: Iterable[tuple[str, pd.DataFrame]], path: str | Path, *, title: str = "",
                      creator: str = "") -> Path:
    """Tables already labelled for reading (a what-if's changes, the progress reminders) → one
    sheet each, the frame's column names as headers; floats (points as decimals) stored exactly as
    shown, text as text (never a formula). Byte-identical from the same tables."""
    wb = Workbook(write_only=True)
    for name, frame in sheets:
        spec = tuple((c, str(c), _kind_of(frame[c])) for c in frame.columns)
        _write_sheet(wb, _sheet_title(name), frame, spec)
    props = wb.properties
    props.creator = props.lastModifiedBy = creator or None
    props.title = title or None
    props.created = props.modified = FIXED_TIME
    path = Path(path)
    save_workbook_deterministic(wb, path)
    return path
