"""The loader accepts every input form of the data contract and resolves every spelling to a key.

Each test writes a small dataset into tmp_path (tests/fixtures/inputs/loading_inputs.py) and
checks the canonical tables the loader returns against values worked out from the rows by hand.
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures" / "inputs"))
import loading_inputs as inputs  # noqa: E402

from scoring.inputs.dataset import canonical_frame  # noqa: E402
from scoring.inputs.loading import load_dataset  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CANONICAL = ("units", "submissions", "events", "targets")


def canonical(data, name: str) -> pd.DataFrame:
    return getattr(data, name).drop(columns=["_file", "_row"])


def assert_same_tables(a, b) -> None:
    for name in CANONICAL:
        pd.testing.assert_frame_equal(canonical(a, name), canonical(b, name), obj=name)


@pytest.fixture
def base(tmp_path, rules):
    return load_dataset(inputs.write_csv(tmp_path / "csv", inputs.tables()), rules)


# ---- what the base dataset resolves to (worked out from loading_inputs.BASE) --------------------------
def test_units_are_named_by_id_name_or_alias_and_resolve_to_unit_id(base):
    # R1 row 2 names Z01 by id, row 3 by the alias 昆仑; R2 names 溧阳市公安局 by the alias 公安局.
    assert base.submissions["unit_id"].tolist() == ["Z01", "Z01", "D01", "Q01"]


def test_columns_and_levels_are_read_through_their_aliases(base):
    # 政策解读 is an alias of 政策简明问答图解; 常州 of 常州市; 省级 of 江苏省.
    assert base.submissions["column"].tolist() == ["要闻动态", "要闻动态", "政策简明问答图解", "在线访谈"]
    assert base.submissions["level"].tolist() == ["溧阳市", "常州市", "溧阳市", "江苏省"]


def test_every_date_spelling_of_the_contract_is_read_as_the_same_calendar_day(base):
    # 2023-07-01, 2023/8/2, 2023年9月3日, 20231004; events: 2023.8.15 and 2023-09-01.
    assert base.submissions["adopted_on"].tolist() == [pd.Timestamp(2023, 7, 1), pd.Timestamp(2023, 8, 2),
                                                       pd.Timestamp(2023, 9, 3), pd.Timestamp(2023, 10, 4)]
    assert base.events["date"].tolist() == [pd.Timestamp(2023, 8, 15), pd.Timestamp(2023, 9, 1)]


def test_booleans_read_chinese_and_english_words_and_an_empty_cell_as_not_given(base):
    # "", 否, 是, yes
    assert base.submissions["late"].tolist() == [pd.NA, False, True, True]
    assert base.submissions["solicited"].isna().all()      # the column is absent: not given


def test_event_types_resolve_to_codes_and_an_empty_count_means_once(base):
    assert base.events["type"].tolist() == ["content_error", "no_plan"]      # 未提交计划 is an alias of no_plan
    assert base.events["count"].tolist() == [1, 2]


def test_unit_aliases_are_split_on_semicolons_and_enumeration_commas(base):
    assert base.units["aliases"].tolist() == ["昆仑街道办事处;昆仑", "公安局;市公安局", ""]


def test_targets_resolve_their_column_and_read_whole_numbers(base):
    assert base.targets[["unit_id", "year", "column", "target"]].values.tolist() == [
        ["Z01", 2023, "要闻动态", 20], ["D01", 2023, "政策简明问答图解", 0]]


def test_loaded_tables_have_exactly_the_canonical_columns_and_dtypes_of_make_dataset(base):
    for name in CANONICAL:
        want = canonical_frame(name, [])
        assert list(getattr(base, name).columns) == list(want.columns), name
        assert getattr(base, name).dtypes.to_dict() == want.dtypes.to_dict(), name


def test_provenance_names_the_file_and_the_row_as_an_editor_shows_it(base):
    # The header is row 1, so the four submissions are rows 2..5.
    assert base.submissions["_row"].tolist() == [2, 3, 4, 5]
    assert set(base.submissions["_file"]) == {"submissions.csv"}


def test_the_files_read_are_listed_for_the_manifest(base):
    assert sorted(p.name for p in base.files) == ["events.csv", "submissions.csv", "targets.csv", "units.csv"]


# ---- encodings and header languages ---------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "gbk"])
def test_a_csv_saved_with_a_bom_or_in_gb18030_reads_like_plain_utf8(encoding, tmp_path, rules, base):
    data = load_dataset(inputs.write_csv(tmp_path / encoding, inputs.tables(), encoding=encoding), rules)
    assert_same_tables(data, base)


def test_chinese_headers_read_like_english_headers(tmp_path, rules, base):
    from scoring.inputs.schema import TABLES_BY_NAME
    zh = {}
    for name, rows in inputs.tables().items():
        to_zh = {f.name: f.zh for f in TABLES_BY_NAME[name].fields}
        zh[name] = [[to_zh[h] for h in rows[0]], *rows[1:]]
    assert_same_tables(load_dataset(inputs.write_csv(tmp_path / "zh", zh), rules), base)


def test_spaces_full_width_spaces_and_nbsp_around_values_and_headers_are_ignored(tmp_path, rules, base):
    padded = {name: [[f" \u3000{v}\u00a0 " if v != "" else v for v in row] for row in rows]
              for name, rows in inputs.tables().items()}
    assert_same_tables(load_dataset(inputs.write_csv(tmp_path / "pad", padded), rules), base)


def test_optional_tables_absent_mean_no_events_and_no_targets(tmp_path, rules):
    data = load_dataset(inputs.write_csv(tmp_path, inputs.tables(events=None, targets=None)), rules)
    assert len(data.events) == 0 and len(data.targets) == 0
    assert data.events.dtypes.to_dict() == canonical_frame("events", []).dtypes.to_dict()


def test_rows_left_entirely_empty_are_skipped_but_row_numbers_stay_as_the_user_sees_them(tmp_path, rules):
    subs = [*inputs.SUBMISSIONS[:2], [""] * 8, *inputs.SUBMISSIONS[2:]]
    data = load_dataset(inputs.write_csv(tmp_path, inputs.tables(submissions=subs)), rules)
    assert data.submissions["_row"].tolist() == [2, 4, 5, 6]


def test_blank_lines_inside_a_csv_keep_the_row_numbers_an_editor_shows(tmp_path, rules):
    folder = inputs.write_csv(tmp_path, inputs.tables())
    text = inputs.csv_text(inputs.SUBMISSIONS).split("\r\n")
    # header, R1 (line 2), a blank line 3, R1 (line 4), R2 (line 5), R3 (line 6)
    (folder / "submissions.csv").write_text("\r\n".join([*text[:2], "", *text[2:]]), encoding="utf-8")
    assert load_dataset(folder, rules).submissions["_row"].tolist() == [2, 4, 5, 6]


def test_an_unknown_extra_column_is_ignored_with_a_note(tmp_path, rules):
    subs = [[*r, x] for r, x in zip(inputs.SUBMISSIONS, ["备注", "a", "b", "c", "d"])]
    data = load_dataset(inputs.write_csv(tmp_path, inputs.tables(submissions=subs)), rules)
    assert data.notes == ("submissions.csv 中的列「备注」不是本表的列，已忽略。",)


def test_rows_of_other_years_are_counted_in_the_notes_only_when_a_year_is_given(tmp_path, rules):
    subs = [*inputs.SUBMISSIONS, ["R9", "Z01", "", "要闻动态", "溧阳市", "2022-12-31", "", ""]]
    folder = inputs.write_csv(tmp_path, inputs.tables(submissions=subs))
    assert load_dataset(folder, rules).notes == ()
    # One submission (R9, 2022) and no event or target lies outside 2023.
    assert load_dataset(folder, rules, year=2023).notes == (
        "有 1 条录用记录的录用日期不在 2023 年，不计入 2023 年的得分（R1）。",)


# ---- workbooks ------------------------------------------------------------------------------------
@pytest.mark.parametrize("chinese", [False, True], ids=["english-sheets", "chinese-sheets"])
def test_a_workbook_with_english_or_chinese_sheet_names_reads_like_the_csv_files(chinese, tmp_path, rules, base):
    data = load_dataset(inputs.write_workbook(tmp_path, inputs.tables(), chinese_sheets=chinese).parent, rules)
    assert_same_tables(data, base)
    sheet = "录用记录" if chinese else "submissions"
    assert set(data.submissions["_file"]) == {f"数据.xlsx［{sheet}］"}


def test_real_excel_date_number_and_boolean_cells_read_like_their_text(tmp_path, rules, base):
    subs = [list(r) for r in inputs.SUBMISSIONS]
    subs[1][5] = dt.date(2023, 7, 1)
    subs[2][5] = dt.datetime(2023, 8, 2)
    subs[4][5] = 20231004                   # a number typed as yyyymmdd
    subs[2][7] = False                      # a real boolean cell
    events = [list(r) for r in inputs.EVENTS]
    events[2][4] = 2.0                      # Excel keeps numbers as floats
    targets = [list(r) for r in inputs.TARGETS]
    targets[1][1], targets[1][3] = 2023, 20
    book = inputs.write_workbook(tmp_path, inputs.tables(submissions=subs, events=events, targets=targets))
    assert_same_tables(load_dataset(book.parent, rules), base)


def test_formula_cells_are_read_by_the_value_excel_last_showed(tmp_path, rules, base):
    units = [list(r) for r in inputs.UNITS]
    units[1][1] = '="昆仑"&"街道"'          # B2: cached 昆仑街道
    events = [list(r) for r in inputs.EVENTS]
    events[2][4] = "=1+1"                    # E3: cached 2
    book = inputs.write_workbook(tmp_path, inputs.tables(units=units, events=events))
    inputs.cache_formula_values(book, 1, {"B2": "昆仑街道"})
    inputs.cache_formula_values(book, 3, {"E3": 2})
    assert_same_tables(load_dataset(book.parent, rules), base)


def test_an_excel_lock_file_beside_the_workbook_is_not_taken_for_a_second_workbook(tmp_path, rules, base):
    book = inputs.write_workbook(tmp_path, inputs.tables())
    (tmp_path / "~$数据.xlsx").write_bytes(b"lock")
    assert_same_tables(load_dataset(book.parent, rules), base)


# ---- the bundled samples ---------------------------------------------------------------------------
SAMPLE, SAMPLE_BOOK = ROOT / "data" / "sample", ROOT / "data" / "sample-workbook"


def test_the_sample_csv_and_the_sample_workbook_validate_clean_and_load_to_identical_tables(rules):
    csv, book = load_dataset(SAMPLE, rules, year=2023), load_dataset(SAMPLE_BOOK, rules, year=2023)
    assert len(csv.units) > 0 and len(csv.submissions) > 0
    assert_same_tables(csv, book)
