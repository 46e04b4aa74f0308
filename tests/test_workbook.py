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
    """A sheet's rows as dicts by header: row 1 is the sheet's title, row 2 the headers."""
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[1], r)) for r in rows[2:]]


def _sheet(wb, result, key: str):
    """The ranking sheet of the category ``key``."""
    return wb[next(f"{c.name}得分排名" for c in result.rules.categories if c.key == key)]


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


def test_one_ranking_sheet_per_category_in_the_methods_order_then_the_other_tables(book):
    _, wb = book
    # The method's order (二 计分对象): 镇（区、街道）, 市级机关部门, 群团, each by its name.
    assert wb.sheetnames == ["镇（区、街道）得分排名", "市级机关部门得分排名", "群团得分排名", "季度得分", "存在问题",
                             "目标任务进度", "零录用单位", "明细账"]
    head = [c.value for c in wb["镇（区、街道）得分排名"][2]]
    assert head[:10] == ["排名", "单位", "重点栏目", "信息报送", "上季结转", "计入得分（封顶25）", "结转下季",
                         "扣分", "本季得分", "全年累计"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A3"


def test_the_ranking_sheets_hold_the_quarter_of_every_unit_once(book, result):
    _, wb = book
    rows = [r for c in result.rules.categories for r in _table(_sheet(wb, result, c.key))]
    assert sorted(r["单位"] for r in rows) == sorted(result.units["unit_name"])


def test_a_vetoed_quarter_scores_zero_and_says_why(book):
    # Fixture: 团市委 has a 季度一票否决 event on 2023-08-21 (Q3) → 本季得分 0 in Q3.
    _, wb = book
    row = next(r for r in _table(wb["群团得分排名"]) if r["单位"] == "团市委")
    assert row["本季得分"] == 0
    assert row["备注"].startswith("一票否决")


def test_numbers_are_numbers_and_agree_with_the_result(book, result):
    _, wb = book
    q = result.quarterly
    q3 = q[q["quarter"] == 3].set_index("unit_name")
    for c in result.rules.categories:
        for r in _table(_sheet(wb, result, c.key)):
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
    ws = wb["市级机关部门得分排名"]
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


# ---- as an Excel user prints it (issue 14, item 8) --------------------------------------------------------
def test_every_sheet_prints_landscape_fitted_to_the_width_with_title_and_headers_on_every_page(book):
    _, wb = book
    for ws in wb.worksheets:
        assert ws["A1"].value.startswith(("2023年第三季度", "2023年度")), ws.title     # names the quarter
        assert ws.print_title_rows == "$1:$2"
        setup = ws.page_setup
        assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 0)
        assert ws.sheet_properties.pageSetUpPr.fitToPage


def test_the_ledgers_kind_of_entry_is_not_called_a_category(book):
    _, wb = book
    heads = {ws.title: [c.value for c in ws[2]] for ws in wb.worksheets}
    assert "计分项目" in heads["明细账"]
    assert not [t for t, h in heads.items() if "类别" in h]           # only 单位类别 says 类别
    assert "单位类别" in heads["季度得分"]


@pytest.fixture(scope="module")
def content_book(rules, tmp_path_factory):
    """scores.xlsx of the content tests' fixture (test_bulletin_content), third quarter."""
    import openpyxl

    from scoring.method import engine
    from test_bulletin_content import fixture_dataset
    r = engine.score(fixture_dataset(), rules, 2023, 3)
    return openpyxl.load_workbook(workbook.write_scores_xlsx(r, tmp_path_factory.mktemp("cb") / "scores.xlsx"))


def test_categories_come_in_the_methods_order_by_name(content_book):
    third = [r for r in _table(content_book["季度得分"]) if r["季度"] == 3]
    cats = list(dict.fromkeys(r["单位类别"] for r in third))
    assert cats == ["镇（区、街道）", "市级机关部门", "群团"]


def test_the_problems_sheet_lists_the_quarters_deductions_and_vetoes(content_book):
    # The fixture's Q3: 团市委's veto (E2, 9月10日), 市妇联 未明确信息报送工作人员 2 (E3, 7月3日),
    # 市司法局 内容不准确 10 (E1, 8月15日); vetoes first, then by date, as in the bulletin's 四.
    rows = _table(content_book["存在问题"])
    assert [(r["单位名称"], r["类型"], r["扣分"]) for r in rows] == [
        ("团市委", "一票否决", None), ("市妇联", "扣分", 2), ("市司法局", "扣分", 10)]
    assert rows[2]["说明"] == "信息中出现错别字" and rows[2]["单位类别"] == "市级机关部门"


def test_the_target_sheet_shows_each_units_progress(content_book):
    # Targets: 昆仑街道 在线访谈 1, done 1 → 已完成; 南渡镇 在线访谈 0/2 and 要闻动态 4/20, both
    # below the pace of three quarters (1.5, 15) → 进度滞后.
    rows = _table(content_book["目标任务进度"])
    assert [(r["单位名称"], r["栏目"], r["全年目标（条）"], r["已完成（条）"], r["进度"]) for r in rows] == [
        ("昆仑街道", "在线访谈", 1, 1, "已完成"), ("南渡镇", "在线访谈", 2, 0, "进度滞后"),
        ("南渡镇", "要闻动态", 20, 4, "进度滞后")]


def test_the_zero_sheet_names_the_units_with_nothing_counted(content_book):
    # 市财政局's only item (S1) is of Q1.
    assert [(r["序号"], r["单位名称"], r["单位类别"]) for r in _table(content_book["零录用单位"])] == [
        (1, "市财政局", "市级机关部门")]
