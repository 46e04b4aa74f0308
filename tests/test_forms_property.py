"""The same data as CSV files or as one workbook scores the same (hypothesis).

Issue: "results independent of row order and of splitting the same data across CSV and workbook".
Each example writes one random small year twice — CSV with English headers and dates in the
contract's text spellings, and a workbook with Chinese sheet names, Chinese headers and real date
cells — loads both through the loader and compares the engine's results.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import HealthCheck, given, settings
from openpyxl import Workbook
from test_properties import RULES, UNITS, _data, year_st

from scoring.method.engine import score
from scoring.inputs.loading import load_dataset
from scoring.inputs.schema import TABLES

SPELLINGS = (
    lambda d: d.strftime("%Y-%m-%d"),
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d.year}.{d.month}.{d.day}",
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: d.strftime("%Y%m%d"),
)


def _tables(data) -> dict[str, pd.DataFrame]:
    units = pd.DataFrame(UNITS).assign(aliases="")
    return {"units": units,
            **{name: getattr(data, name).drop(columns=["_file", "_row"]) for name in ("submissions", "events", "targets")}}


def _cell(value, field, i: int, text: bool):
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    if field.kind == "date":
        d = pd.Timestamp(value).date()
        return SPELLINGS[i % len(SPELLINGS)](d) if text else dt.datetime(d.year, d.month, d.day)
    if field.kind == "bool":
        return "是" if value else "否"
    return str(value) if text else value


def _write_csv(folder, tables) -> None:
    for t in TABLES:
        frame = tables[t.name]
        cols = [f for f in t.fields if f.name in frame.columns]
        rows = [[_cell(r[f.name], f, i, True) for f in cols] for i, r in enumerate(frame.to_dict("records"))]
        pd.DataFrame(rows, columns=[f.name for f in cols], dtype=object).to_csv(folder / t.csv, index=False)


def _write_xlsx(folder, tables) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    for t in TABLES:
        frame = tables[t.name]
        cols = [f for f in t.fields if f.name in frame.columns]
        ws = wb.create_sheet(t.sheet_zh)
        ws.append([f.zh for f in cols])
        for i, r in enumerate(frame.to_dict("records")):
            ws.append([_cell(r[f.name], f, i, False) for f in cols])
    wb.save(folder / "数据.xlsx")


def _comparable(res) -> tuple[pd.DataFrame, pd.DataFrame]:
    q = res.quarterly.astype({"unit_id": str}).reset_index(drop=True)
    keep = ["unit_id", "year", "quarter", "kind", "ref", "points", "clause"]
    led = res.ledger[keep].astype({"unit_id": str, "kind": str, "ref": str, "clause": str}).reset_index(drop=True)
    return q, led


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(**year_st)
def test_the_same_year_as_csv_files_or_as_a_workbook_gives_the_same_scores(tmp_path_factory, rows, events, targets,
                                                                           quarter):
    tables = _tables(_data(rows, events, targets))
    csv_dir, xlsx_dir = tmp_path_factory.mktemp("csv"), tmp_path_factory.mktemp("xlsx")
    _write_csv(csv_dir, tables)
    _write_xlsx(xlsx_dir, tables)
    a = score(load_dataset(csv_dir, RULES), RULES, 2023, quarter, restatements=False)
    b = score(load_dataset(xlsx_dir, RULES), RULES, 2023, quarter, restatements=False)
    for x, y in zip(_comparable(a), _comparable(b)):
        pd.testing.assert_frame_equal(x, y)
    # Not vacuous: the register always holds units, so every quarter has rows to compare.
    assert len(a.quarterly) == len(UNITS) * quarter
