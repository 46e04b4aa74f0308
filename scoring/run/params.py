"""A quarter's parameters: which quarter, and what its documents say about themselves (期号, 文号,
日期, 抄送, 下一步工作要求) — from the dataset's own params file (``DATA/params/<Y>Q<Q>.yaml``) or
one named with ``--params``, else the data contract's defaults. Also what a dataset holds for a
quarter: the latest year and quarter with records, empty and stale quarters, and the notes on rows
a run leaves out, each with its file (sheet) and rows."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pandas as pd

from scoring.errors import ScoringError
from scoring.inputs.schema import FIRST_YEAR, LAST_YEAR
from scoring.inputs.yaml_file import YamlProblem, load_yaml
from scoring.inputs.schema import TABLES
from scoring.method.calendar import default_issue_date, quarter_name

PARAMS_SUBDIR = "params"      # a dataset's quarter parameters: DATA/params/<Y>Q<Q>.yaml
FIELD_ZH = {f.name: f.zh for t in TABLES for f in t.fields}
# Keys a DATA/params/<Y>Q<Q>.yaml may hold: the notebook's parameters (docs/ARCHITECTURE.md).
PARAM_KEYS = ("year", "quarter", "data_dir", "rules_file", "output_dir", "write_tables", "result_file",
              "issue_number", "issue_date", "doc_number", "cc", "next_steps", "issuer")
# The run decides these from its command line; a params file's values are for plain papermill use.
RUN_KEYS = ("year", "quarter", "data_dir", "rules_file", "output_dir", "write_tables", "result_file")


def parse_quarter(text: str) -> tuple[int, int]:
    """'2023Q3' (also '2023q3', '2023-Q3') → (2023, 3)."""
    m = re.fullmatch(r"\s*(\d{4})\s*[-_ ]?[Qq]\s*([1-4])\s*", text or "")
    if not m:
        raise ScoringError(f"季度「{text}」格式不对：应写作 年份Q季度，如 2023Q3")
    return check_year(int(m.group(1)), f"季度「{text}」的年份"), int(m.group(2))


def check_year(year: int, what: str = "年份") -> int:
    """``year`` when it is plausible (FIRST_YEAR–LAST_YEAR), else a ScoringError saying so (exit 2)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ScoringError(f"{what} {year} 不在 {FIRST_YEAR}–{LAST_YEAR} 年之间；请写四位数的年份，如 2023")
    return year


def latest_quarter(data) -> tuple[int, int]:
    """The latest quarter with data (an adoption or an event) in the last year of the data."""
    dates = pd.concat([data.submissions["adopted_on"], data.events["date"]], ignore_index=True).dropna()
    if dates.empty:
        raise ScoringError("数据中没有任何录用记录或扣分事项，无法确定要通报的季度，请用 --quarter 指定（如 2023Q3）")
    year = int(dates.dt.year.max())
    quarter = int(dates[dates.dt.year == year].dt.quarter.max())
    return year, quarter


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return str(value).strip("\n") if isinstance(value, str) else str(value)


def params_path(data_dir: Path | None, year: int, quarter: int) -> Path | None:
    """``DATA/params/<Y>Q<Q>.yaml`` when the dataset has one, else None. Only the dataset's own
    folder is looked in: one dataset's parameters never apply to another."""
    if data_dir is None:
        return None
    path = Path(data_dir) / PARAMS_SUBDIR / f"{year}Q{quarter}.yaml"
    return path if path.is_file() else None


def bulletin_params(year: int, quarter: int, params_file: Path | None = None, *, issuer: str = "",
                    data_dir: Path | None = None) -> tuple[dict[str, str], Path | None]:
    """The bulletin's parameters: from ``params_file``, else ``data_dir/params/<Y>Q<Q>.yaml`` when
    present, else the contract's defaults (issue number = the quarter's number, issue date = 10th of
    the next month; the issuer from the rules file's meta)."""
    out: dict[str, str] = {"issue_number": str(quarter), "issue_date": default_issue_date(year, quarter).isoformat(),
                           "doc_number": "", "cc": "", "next_steps": "", "issuer": issuer}
    if params_file and not Path(params_file).is_file():
        raise ScoringError(f"找不到通报参数文件：{params_file}")
    path = Path(params_file) if params_file else params_path(data_dir, year, quarter)
    if path is None:
        return out, None
    try:
        loaded = load_yaml(path.read_text(encoding="utf-8")) or {}
    except UnicodeDecodeError:
        raise ScoringError(f"通报参数文件 {path} 不是 UTF-8 编码；请用记事本等“另存为 UTF-8”") from None
    except YamlProblem as err:
        raise ScoringError(f"通报参数文件 {path} 有误：{err}") from None
    if not isinstance(loaded, dict):
        raise ScoringError(f"通报参数文件 {path} 的顶层须为「键: 值」")
    unknown = sorted(set(loaded) - set(PARAM_KEYS))
    if unknown:
        raise ScoringError(f"通报参数文件 {path} 有未知的键 {'、'.join(map(str, unknown))}；可用的键：{'、'.join(PARAM_KEYS)}")
    for key, low, high in (("year", FIRST_YEAR, LAST_YEAR), ("quarter", 1, 4)):
        if key in loaded and (type(loaded[key]) is not int or not low <= loaded[key] <= high):
            raise ScoringError(f"通报参数文件 {path} 的键 {key} 须为 {low}–{high} 的整数，实际为「{loaded[key]}」")
    for key in ("year", "quarter"):
        if key in loaded and loaded[key] != (year if key == "year" else quarter):
            raise ScoringError(f"通报参数文件 {path} 写的是 {loaded.get('year')}年第{loaded.get('quarter')}季度，"
                               f"与要生成的 {year}Q{quarter} 不符")
    for key, value in loaded.items():
        if key not in RUN_KEYS:
            out[key] = _as_text(value)
    try:
        issued = dt.date.fromisoformat(out["issue_date"])
    except ValueError:
        raise ScoringError(f"通报参数文件 {path} 的 issue_date「{out['issue_date']}」不是 YYYY-MM-DD 格式的日期") from None
    if not FIRST_YEAR <= issued.year <= LAST_YEAR:
        raise ScoringError(f"通报参数文件 {path} 的 issue_date「{out['issue_date']}」的年份不在 {FIRST_YEAR}–{LAST_YEAR} 年之间")
    out["issuer"] = out["issuer"] or issuer
    return out, path


# ---- what the data holds: the quarter to run, empty and stale quarters, notes with their rows ---------
ENGINE_NOTES_LOCATED = re.compile(r"^规则文件「.*」适用年度为|条录用记录早于 \d{4} 年|条录用记录晚于 \d{4} 年|"
                                  r"条扣分事项不在 \d{4} 年")
STALE_DAYS = 30           # a quarter whose latest adoption is more than this before its end gets a warning


def _adoptions(data) -> pd.Series:
    return data.submissions["adopted_on"].dropna()


def latest_year(data) -> int:
    """The latest year with an adoption record (else with an event)."""
    dates = _adoptions(data)
    if dates.empty:
        dates = data.events["date"].dropna()
    if dates.empty:
        raise ScoringError("数据中没有任何录用记录或扣分事项，无法确定年度，请用 --year 指定（如 --year 2023）")
    return int(dates.dt.year.max())


def latest_quarter_of(data, year: int) -> int:
    """The latest quarter of ``year`` with an adoption or an event; 4 when the year has none."""
    dates = pd.concat([data.submissions["adopted_on"], data.events["date"]], ignore_index=True).dropna()
    dates = dates[dates.dt.year == year]
    return int(dates.dt.quarter.max()) if len(dates) else 4


def adoption_counts(data, year: int) -> dict[int, int]:
    """{quarter: adoption records} for the quarters of ``year`` that have any."""
    dates = _adoptions(data)
    dates = dates[dates.dt.year == year]
    return {int(q): int(n) for q, n in sorted(dates.dt.quarter.value_counts().items())}


def holdings(data) -> str:
    """What the data holds, in one Chinese sentence: its adoption records per quarter."""
    dates = _adoptions(data)
    if dates.empty:
        return "数据中没有任何录用记录"
    per = dates.groupby([dates.dt.year, dates.dt.quarter]).size()
    listing = "、".join(f"{quarter_name(int(y), int(q))} {n} 条" for (y, q), n in per.items())
    return (f"数据中共有 {len(dates)} 条录用记录，录用日期从 {dates.min().date().isoformat()} 到 "
            f"{dates.max().date().isoformat()}：{listing}")


def empty_quarter(data, year: int, quarter: int) -> str | None:
    """None when the quarter has adoption records; else why a bulletin of it is refused (Chinese)."""
    if adoption_counts(data, year).get(quarter):
        return None
    return (f"{quarter_name(year, quarter)}没有任何录用记录，不生成通报。{holdings(data)}。"
            f"请用 --quarter 指定有数据的季度；确需通报一个没有录用记录的季度时，加 --allow-empty")


def stale_quarter(data, year: int, quarter: int, days: int = STALE_DAYS) -> str | None:
    """A warning when the quarter's latest adoption is more than ``days`` days before its end (an
    export cut short, or records not yet entered); None otherwise (an empty quarter is reported elsewhere)."""
    dates = _adoptions(data)
    dates = dates[(dates.dt.year == year) & (dates.dt.quarter == quarter)]
    if dates.empty:
        return None
    end = (pd.Timestamp(year=year, month=3 * quarter, day=1) + pd.offsets.MonthEnd(0)).date()
    latest = dates.max().date()
    gap = (end - latest).days
    if gap <= days:
        return None
    return (f"{quarter_name(year, quarter)}最近一条录用记录的录用日期是 {latest.isoformat()}，距季度末 "
            f"{end.isoformat()} 还有 {gap} 天（超过 {days} 天）：请核对数据是否导出完整、录入齐全。")


def _rows_text(rows: list[int], limit: int = 30) -> str:
    """[2, 3, 4, 9] → '第 2–4、9 行'; more than ``limit`` runs end with '等'."""
    rows = sorted(set(rows))
    runs: list[list[int]] = []
    for r in rows:
        if runs and r == runs[-1][1] + 1:
            runs[-1][1] = r
        else:
            runs.append([r, r])
    shown = "、".join(f"{a}" if a == b else f"{a}–{b}" for a, b in runs[:limit])
    return f"第 {shown}{' 等' if len(runs) > limit else ''} 行"


def _per_file(frame: pd.DataFrame, mask: pd.Series, what: str) -> list[str]:
    picked = frame.loc[mask.fillna(False).to_numpy(bool), ["_file", "_row"]]
    notes = []
    for file, rows in picked.groupby("_file", sort=True)["_row"]:
        notes.append(f"{file} {_rows_text(rows.astype(int).tolist())}（共 {len(rows)} 行）：{what}")
    return notes


def located_notes(data, rules, year: int, quarter: int | None = None, rules_file: Path | None = None) -> list[str]:
    """Every row the run leaves out, with its file (sheet) and rows: adoptions and events outside
    ``year`` or after ``quarter``, targets of other years; and the rules file used outside its years."""
    notes: list[str] = []
    subs, events, targets = data.submissions, data.events, data.targets
    if len(subs):
        d = subs["adopted_on"]
        notes += _per_file(subs, d.dt.year < year,
                           f"录用日期早于 {year} 年，只用于判断同一稿件此前是否已得分（R2），不计入 {year} 年的得分。")
        notes += _per_file(subs, d.dt.year > year, f"录用日期晚于 {year} 年，不计入 {year} 年的得分（R1）。")
        if quarter is not None and quarter < 4:
            notes += _per_file(subs, (d.dt.year == year) & (d.dt.quarter > quarter),
                               f"录用日期晚于{quarter_name(year, quarter)}末，本次未计入（R1）。")
    if len(events):
        d = events["date"]
        notes += _per_file(events, d.dt.year != year, f"扣分事项的日期不在 {year} 年，本次未计入（R1）。")
        if quarter is not None and quarter < 4:
            notes += _per_file(events, (d.dt.year == year) & (d.dt.quarter > quarter),
                               f"扣分事项的日期晚于{quarter_name(year, quarter)}末，本次未计入（R1）。")
    if len(targets):
        notes += _per_file(targets, targets["year"] != year, f"年度目标属于 {year} 年以外的年度，本次不评判。")
    if not rules.covers_year(year):
        shown = f"规则文件 {rules_file}" if rules_file else f"规则文件「{rules.meta.id}」"
        notes.append(f"{shown}的适用年度为 {'、'.join(map(str, rules.meta.years))}，本次用它计算 {year} 年的得分。")
    return notes


def other_engine_notes(notes) -> list[str]:
    """The engine's notes that :func:`located_notes` does not already say with their rows."""
    return [n for n in notes if not ENGINE_NOTES_LOCATED.search(n)]
