"""A quarter's parameters: which quarter, and what its documents say about themselves (期号, 文号,
日期, 抄送, 下一步工作要求) — from a params file, else the data contract's defaults."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from scoring.errors import ScoringError
from scoring.method.calendar import default_issue_date

ROOT = Path(__file__).resolve().parent.parent.parent
PARAMS_DIR = ROOT / "params"
# Keys a params/<Y>Q<Q>.yaml may hold: the notebook's parameters (docs/ARCHITECTURE.md).
PARAM_KEYS = ("year", "quarter", "data_dir", "rules_file", "output_dir", "write_tables", "result_file",
              "issue_number", "issue_date", "doc_number", "cc", "next_steps", "issuer")
# The run decides these from its command line; a params file's values are for plain papermill use.
RUN_KEYS = ("year", "quarter", "data_dir", "rules_file", "output_dir", "write_tables", "result_file")


def parse_quarter(text: str) -> tuple[int, int]:
    """'2023Q3' (also '2023q3', '2023-Q3') → (2023, 3)."""
    m = re.fullmatch(r"\s*(\d{4})\s*[-_ ]?[Qq]\s*([1-4])\s*", text or "")
    if not m:
        raise ScoringError(f"季度「{text}」格式不对：应写作 年份Q季度，如 2023Q3")
    return int(m.group(1)), int(m.group(2))


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


def bulletin_params(year: int, quarter: int, params_file: Path | None = None, *, issuer: str = ""
                    ) -> tuple[dict[str, str], Path | None]:
    """The bulletin's parameters: from ``params_file`` or params/<Y>Q<Q>.yaml when present, else the
    contract's defaults (issue number = the quarter's number, issue date = 10th of the next month;
    the issuer from the rules file's meta)."""
    out: dict[str, str] = {"issue_number": str(quarter), "issue_date": default_issue_date(year, quarter).isoformat(),
                           "doc_number": "", "cc": "", "next_steps": "", "issuer": issuer}
    path = Path(params_file) if params_file else PARAMS_DIR / f"{year}Q{quarter}.yaml"
    if params_file and not path.exists():
        raise ScoringError(f"找不到通报参数文件：{path}")
    if not path.exists():
        return out, None
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise ScoringError(f"通报参数文件 {path} 无法读取：{err}") from None
    if not isinstance(loaded, dict):
        raise ScoringError(f"通报参数文件 {path} 的顶层须为「键: 值」")
    unknown = sorted(set(loaded) - set(PARAM_KEYS))
    if unknown:
        raise ScoringError(f"通报参数文件 {path} 有未知的键 {'、'.join(map(str, unknown))}；可用的键：{'、'.join(PARAM_KEYS)}")
    for key in ("year", "quarter"):
        if key in loaded and int(loaded[key]) != (year if key == "year" else quarter):
            raise ScoringError(f"通报参数文件 {path} 写的是 {loaded.get('year')}年第{loaded.get('quarter')}季度，"
                               f"与要生成的 {year}Q{quarter} 不符")
    for key, value in loaded.items():
        if key not in RUN_KEYS:
            out[key] = _as_text(value)
    try:
        dt.date.fromisoformat(out["issue_date"])
    except ValueError:
        raise ScoringError(f"通报参数文件 {path} 的 issue_date「{out['issue_date']}」不是 YYYY-MM-DD 格式的日期") from None
    out["issuer"] = out["issuer"] or issuer
    return out, path
