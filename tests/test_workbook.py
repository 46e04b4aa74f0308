"""scores.xlsx (scoring.render.xlsx) on the small bulletin fixture, scored by the engine."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.inputs.loading import load_dataset
from scoring.method import engine
from scoring.render import xlsx as workbook

FIXTURE = Path(__file__).parent / "fixtures" / "bulletin"


@pytest.fixture(scope="module")
def result(rules):
    data = load_dataset(FIXTURE, rules, year=2023)
    return engine.score(data, rules, 2023, 3)


@pytest.fixture(scope="module")
def book(result, tmp_path_factory):
    import openpyxl

    path = workbook.write_scores_xlsx(result, tmp_path_factory.mktemp("wb") / "scores.xlsx")
    return path, openpyxl.load_workbook(path)


def _table(ws) -> list[dict]:
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_points_become_exact_decimal_numbers():
    # 12250 milli-points are 12.25 points; 25000 are 25 (an integer, no ".0"); −250 is −0.25.
    assert workbook.milli_to_number(12250) == Decimal("12.25")
    assert str(workbook.milli_to_number(25000)) == "25"
    assert workbook.milli_to_number(-250) == Decimal("-0.25")


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_every_milli_value_survives_as_the_same_number(m):
    assert Decimal(str(workbook.milli_to_number(m))) * 1000 == m


def test_chinese_characters_count_double_for_column_width():
    assert workbook.display_width("昆仑街道") == 8
    assert workbook.display_width("Z01") == 3
    assert workbook.display_width("（封顶25）") == 10


def test_one_ranking_sheet_per_category_then_the_quarterly_table_and_ledger(book, rules):
    _, wb = book
    assert wb.sheetnames == [f"得分排名-{c.key}" for c in rules.categories] + ["季度得分", "明细账"]
    head = [c.value for c in wb["得分排名-镇区街道"][1]]
    assert head[:10] == ["排名", "单位", "重点栏目", "信息报送", "上季结转", "计入得分（封顶25）", "结转下季",
                         "扣分", "本季得分", "全年累计"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"


def test_the_ranking_sheets_hold_the_quarter_of_every_unit_once(book, result):
    _, wb = book
    rows = [r for c in result.rules.categories for r in _table(wb[f"得分排名-{c.key}"])]
    assert sorted(r["单位"] for r in rows) == sorted(result.units["unit_name"])


def test_a_vetoed_quarter_scores_zero_and_says_why(book):
    # Fixture: 团市委 has a 季度一票否决 event on 2023-08-21 (Q3) → 本季得分 0 in Q3.
    _, wb = book
    row = next(r for r in _table(wb["得分排名-群团"]) if r["单位"] == "团市委")
    assert row["本季得分"] == 0
    assert row["备注"].startswith("一票否决")


def test_numbers_are_numbers_and_agree_with_the_result(book, result):
    _, wb = book
    q = result.quarterly
    q3 = q[q["quarter"] == 3].set_index("unit_name")
    for c in result.rules.categories:
        for r in _table(wb[f"得分排名-{c.key}"]):
            assert isinstance(r["本季得分"], (int, float))
            assert Decimal(str(r["本季得分"])) * 1000 == int(q3.loc[r["单位"], "score"])
            assert Decimal(str(r["全年累计"])) * 1000 == int(q3.loc[r["单位"], "ytd_total"])
            assert r["排名"] == q3.loc[r["单位"], "rank"]


def test_input_text_that_looks_like_a_formula_stays_inert_text(book):
    # Fixture: submission S016's title and event E004's note start with "=HYPERLINK(".
    _, wb = book
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    hyper = [c for c in cells if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")]
    assert hyper, "the fixture's formula-like text should reach the ledger"
    assert all(c.data_type == "s" and c.quotePrefix for c in hyper)


def test_column_widths_fit_the_longest_value(book):
    _, wb = book
    ws = wb["得分排名-市级机关部门"]
    names = [r["单位"] for r in _table(ws)]
    # 单位 is column B; the widest name, e.g. 市农业农村局 = 6 CJK characters = 12 columns.
    assert ws.column_dimensions["B"].width >= max(workbook.display_width(n) for n in names)


def test_two_writes_are_byte_identical(result, tmp_path):
    a = workbook.write_scores_xlsx(result, tmp_path / "a.xlsx")
    b = workbook.write_scores_xlsx(result, tmp_path / "b.xlsx")
    assert a.read_bytes() == b.read_bytes()


def test_the_result_is_not_mutated_by_writing(result, tmp_path):
    before = result.quarterly.copy(), result.ledger.copy()
    workbook.write_scores_xlsx(result, tmp_path / "c.xlsx")
    assert result.quarterly.equals(before[0]) and result.ledger.equals(before[1])
