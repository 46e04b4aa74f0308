"""Vectorized normalisation of typed cells: dates, booleans, numbers, spaces, names."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.inputs import parsing
from scoring.inputs.schema import FALSE_WORDS, TRUE_WORDS


def S(*values: str) -> pd.Series:
    return pd.Series(list(values), dtype="str")


def spellings(d: dt.date) -> list[str]:
    """Every spelling the data contract allows for one day."""
    return [f"{d:%Y-%m-%d}", f"{d.year}/{d.month}/{d.day}", f"{d.year}.{d.month}.{d.day}",
            f"{d.year}年{d.month}月{d.day}日", f"{d:%Y%m%d}", f"{d:%Y/%m/%d}", f"{d:%Y-%m-%d} 00:00:00"]


def test_every_spelling_of_the_first_of_july_2023_is_that_day():
    got = parsing.parse_dates(S(*spellings(dt.date(2023, 7, 1))))
    assert got.values.tolist() == [pd.Timestamp(2023, 7, 1)] * 7
    assert not got.bad.any() and not got.impossible.any()


@settings(max_examples=30, deadline=None)
@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_any_real_day_in_any_spelling_reads_back_as_itself(day):
    got = parsing.parse_dates(S(*spellings(day)))
    assert set(got.values.tolist()) == {pd.Timestamp(day)}


@settings(max_examples=30, deadline=None)
@given(st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31)).filter(
    lambda d: not 2000 <= d.year <= 2100))
def test_any_real_day_of_a_year_outside_2000_to_2100_is_out_of_range_in_any_spelling(day):
    got = parsing.parse_dates(S(*spellings(day)))
    assert got.out_of_range.all() and not got.impossible.any() and not got.bad.any()
    assert got.values.isna().all()


def test_an_empty_cell_is_no_date_and_no_problem():
    got = parsing.parse_dates(S(""))
    assert got.values.isna().all() and not got.bad.any() and not got.impossible.any()


@pytest.mark.parametrize("text", ["2023-02-29", "2023-02-30", "2023/13/1", "2023年4月31日", "20230000"])
def test_a_well_spelt_date_that_the_calendar_lacks_is_impossible_not_unreadable(text):
    got = parsing.parse_dates(S(text))
    assert got.impossible.tolist() == [True] and got.bad.tolist() == [False] and got.values.isna().all()


@pytest.mark.parametrize("text", ["7月1日", "2023-7/1", "23-07-01", "2023-07", "July 1, 2023", "45108", "2023 07 01"])
def test_spellings_outside_the_contract_are_unreadable(text):
    got = parsing.parse_dates(S(text))
    assert got.bad.tolist() == [True] and got.impossible.tolist() == [False]


def test_full_width_digits_and_separators_typed_with_a_chinese_ime_are_read():
    assert parsing.parse_dates(S("２０２３－０７－０１", "２０２３年７月１日")).values.tolist() == [pd.Timestamp(2023, 7, 1)] * 2


def test_a_leap_day_exists_in_a_leap_year():
    assert parsing.parse_dates(S("2024-02-29")).values.tolist() == [pd.Timestamp(2024, 2, 29)]


def test_every_true_and_false_word_in_any_case_reads_as_its_boolean():
    words = [*TRUE_WORDS, *(w.upper() for w in TRUE_WORDS), *FALSE_WORDS, *(w.upper() for w in FALSE_WORDS)]
    got = parsing.parse_bools(S(*words))
    n_true, n_false = 2 * len(TRUE_WORDS), 2 * len(FALSE_WORDS)
    assert got.values.tolist() == [True] * n_true + [False] * n_false
    assert not got.bad.any()


def test_an_empty_boolean_is_not_given_and_a_stray_word_is_bad():
    got = parsing.parse_bools(S("", "也许"))
    assert got.values.isna().tolist() == [True, True]
    assert got.bad.tolist() == [False, True]


def test_numbers_accept_whole_decimals_and_signs_and_nothing_else():
    got = parsing.parse_numbers(S("3", "3.0", "-1", "1.5", "", "三", "1e3"))
    assert got.values.tolist()[:4] == [3.0, 3.0, -1.0, 1.5]
    assert got.values.iloc[4:].isna().all()
    assert got.bad.tolist() == [False, False, False, False, False, True, True]


def test_ascii_full_width_and_non_breaking_spaces_are_stripped_from_both_ends_only():
    got = parsing.strip_spaces(S(" \u3000昆仑 街道\u00a0\t", "\ufeffunit_id"))
    assert got.tolist() == ["昆仑 街道", "unit_id"]


def test_names_resolve_through_full_width_forms_case_and_inner_spaces():
    table = parsing.lookup({"镇(区、街道)": "镇区街道", "no_plan": "no_plan"})
    got = parsing.resolve(S("镇（区、街道）", "NO_PLAN", "镇 (区、街道)", "别的", ""), table)
    assert got.tolist() == ["镇区街道", "no_plan", "镇区街道", pd.NA, pd.NA]


def test_length_is_counted_in_characters_not_bytes():
    # 1000 Chinese characters are 3000 UTF-8 bytes and still within a 1000-character limit.
    got = parsing.too_long(S("字" * 1000, "字" * 1001, "a" * 1001, ""), 1000)
    assert got.tolist() == [False, True, True, False]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(["2023-07-01", "2023/7/1", "是", "否", "", "x", "2023-02-30"]), max_size=30))
def test_parsing_distinct_values_once_gives_the_same_as_parsing_each_cell_alone(cells):
    whole = parsing.parse_dates(S(*cells))
    alone = [parsing.parse_dates(S(c)) for c in cells]
    def plain(xs):
        return [None if pd.isna(x) else x for x in xs]
    assert plain(whole.values) == plain(a.values.iloc[0] for a in alone)
    assert whole.bad.tolist() == [bool(a.bad.iloc[0]) for a in alone]
    assert whole.impossible.tolist() == [bool(a.impossible.iloc[0]) for a in alone]
