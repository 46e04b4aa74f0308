"""What the engine returns: one immutable bundle of tables (see docs/ARCHITECTURE.md, "Result").

Every point column is int64 milli-points (scoring.points); show with points.fmt / fmt_series.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from scoring.method.rules import Rules

# The data contract's columns of scores.csv, in contract order.
QUARTERLY_COLUMNS: tuple[str, ...] = (
    "unit_id", "unit_name", "category", "year", "quarter", "key_points", "info_points", "carry_in",
    "bonus", "gross", "carry_out", "deductions", "quarter_veto", "annual_veto", "reward", "score",
    "ytd_total", "rank", "ytd_rank",
)
# Extra columns after the contract's: milli cut by column caps (R5), floored at 0 (R9), why vetoed,
# whether the year-end reward (R13) was granted (``reward`` itself is the points it added).
QUARTERLY_EXTRA: tuple[str, ...] = ("info_capped", "floored", "veto_reason", "reward_granted")

# The ledger: the contract's leading columns, then detail columns.
LEDGER_COLUMNS: tuple[str, ...] = ("unit_id", "year", "quarter", "kind", "ref", "points", "clause")
LEDGER_DETAIL: tuple[str, ...] = (
    "column", "level", "adopted_on", "title", "base_points", "late_factor", "late", "upgrade",
    "informant", "note", "previous_level", "event_type", "count", "event_date", "ytd_points",
)
# Order of kinds within a unit and quarter: the order in which the method applies them.
LEDGER_KINDS: tuple[str, ...] = (
    "item", "column_cap", "carry_in", "quarter_cap", "deduction", "floor", "veto", "reward", "year_cap",
)

EARNINGS_COLUMNS: tuple[str, ...] = (
    "record_id", "unit_id", "quarter", "column", "level", "previous_level", "upgrade", "late",
    "points", "base_points", "informant", "title", "adopted_on",
)
ANNUAL_COLUMNS: tuple[str, ...] = (
    "unit_id", "unit_name", "category", "total", "rank", "winner", "annual_veto", "veto_reason", "reward",
    "solicited",
)
INFORMANT_COLUMNS: tuple[str, ...] = ("unit_id", "unit_name", "informant", "points", "rank", "excellent")
TARGET_COLUMNS: tuple[str, ...] = ("unit_id", "column", "target", "done", "done_on_time", "met", "lagging")


@dataclass(frozen=True)
class Result:
    """Scores of one year through one quarter, with the ledger that explains every point."""

    rules: Rules
    year: int
    quarter: int
    units: pd.DataFrame          # the unit register as given
    quarterly: pd.DataFrame      # QUARTERLY_COLUMNS + QUARTERLY_EXTRA, one row per unit per quarter 1..quarter
    ledger: pd.DataFrame         # LEDGER_COLUMNS + LEDGER_DETAIL
    earnings: pd.DataFrame       # EARNINGS_COLUMNS, one row per item and quarter that earned
    annual: pd.DataFrame         # ANNUAL_COLUMNS, one row per unit (final only when quarter == 4);
                                 # solicited: items adopted at the reward level as solicited so far (R13 b)
    informants: pd.DataFrame     # INFORMANT_COLUMNS
    targets: pd.DataFrame        # TARGET_COLUMNS, progress through the run's quarter
    notes: tuple[str, ...] = ()

    def unit_quarter(self, unit_id: str, quarter: int) -> pd.Series:
        """The quarterly row of one unit (handy in notebooks and tests)."""
        q = self.quarterly
        rows = q[(q["unit_id"] == unit_id) & (q["quarter"] == quarter)]
        if len(rows) != 1:
            raise KeyError((unit_id, quarter))
        return rows.iloc[0]
