"""The calendar the method counts in, named once: quarters, their Chinese names and numerals,
the end of a period (R1), and the default issue date of a quarter's documents (data contract).

Pure: no clock is ever read here (a document's date comes from its parameters, never from today).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

QUARTERS = (1, 2, 3, 4)
QUARTERS_PER_YEAR = 4
YEAR_END_QUARTER = 4          # the fourth quarter closes the year (四 年度考核)
DIGITS = "零一二三四五六七八九"


def numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (section headings, quarters; 0 < n < 100)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else DIGITS[tens] + "十")
    return head + (DIGITS[ones] if ones or not head else "")


def quarter_zh(quarter: int) -> str:
    """3 → 第三季度."""
    return f"第{numeral(quarter)}季度"


def quarter_name(year: int, quarter: int) -> str:
    """2023, 3 → 2023年第三季度."""
    return f"{year}年{quarter_zh(quarter)}"


def zh_date(value: str | dt.date) -> str:
    """'2023-10-10' (or a date) → 2023年10月10日."""
    d = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value).strip()[:10])
    return f"{d.year}年{d.month}月{d.day}日"


def period_end(year: int, quarter: int) -> pd.Timestamp:
    """First instant after quarter ``quarter`` of ``year`` (R1: a run sees rows dated before it)."""
    return pd.Timestamp(year + quarter // 4, quarter % 4 * 3 + 1, 1)


def default_issue_date(year: int, quarter: int) -> dt.date:
    """Data contract: without parameters, a quarter's documents are dated the 10th of the month
    after the quarter (never today's date)."""
    month = quarter * 3 + 1
    return dt.date(year + (month > 12), (month - 1) % 12 + 1, 10)
