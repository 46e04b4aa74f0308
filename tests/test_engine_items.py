"""R1–R5: what items earn and when. Expected numbers are worked out by hand from the clauses."""
from __future__ import annotations

from engine_support import event, item, items, m, row, run

NEWS, AREA, TALK = "要闻动态", "重点领域", "在线访谈"
LY, CZ, JS = "溧阳市", "常州市", "江苏省"


# ---- R1 period ------------------------------------------------------------------------------
def test_a_run_through_q1_does_not_see_an_adoption_dated_in_april():
    subs = [item("A", "Z01", NEWS, CZ, "2023-04-01")]
    # R1: a run through Q1 sees rows dated up to 2023-03-31 only → nothing in Q1.
    assert row(run(subs, quarter=1), "Z01", 1)["info_points"] == 0
    # The Q2 run sees it: 常州市 要闻动态 = 5 in Q2.
    assert row(run(subs, quarter=2), "Z01", 2)["info_points"] == m(5)


def test_rows_of_another_year_earn_nothing_this_year_and_are_counted_in_the_notes():
    subs = [item("OLD", "Z01", TALK, LY, "2022-11-03"), item("NEXT", "Z01", TALK, LY, "2024-01-03")]
    r = run(subs, quarter=4)
    assert (r.quarterly.loc[r.quarterly["unit_id"] == "Z01", "score"] == 0).all()
    assert any("早于 2023 年" in n for n in r.notes)
    assert any("晚于 2023 年第4季度末" in n for n in r.notes)


def test_an_event_counts_in_the_quarter_of_its_date():
    subs = [item("A", "Z01", TALK, CZ, "2023-02-01"), item("B", "Z01", TALK, CZ, "2023-05-01")]
    r = run(subs, [event("E1", "Z01", "2023-04-01", "content_error")], quarter=2)
    # Q1: 20, no deduction; Q2: 20 − 10 = 10.
    assert (row(r, "Z01", 1)["score"], row(r, "Z01", 2)["score"]) == (m(20), m(10))


# ---- R2 one item, one score ------------------------------------------------------------------
def test_an_item_adopted_by_liyang_in_march_and_changzhou_in_april_earns_half_then_four_and_a_half():
    subs = [item("A", "Z01", NEWS, LY, "2023-03-10"), item("A", "Z01", NEWS, CZ, "2023-04-10")]
    r = run(subs, quarter=2)
    # Q1: 溧阳市 0.5; Q2: 常州市 5 − 0.5 already earned = 4.5.
    assert row(r, "Z01", 1)["info_points"] == m(0.5)
    assert row(r, "Z01", 2)["info_points"] == m(4.5)
    up = r.ledger[(r.ledger["kind"] == "item") & (r.ledger["quarter"] == 2)].iloc[0]
    assert bool(up["upgrade"]) and up["previous_level"] == LY and up["level"] == CZ


def test_an_item_adopted_by_both_levels_in_march_earns_five_in_q1_at_the_changzhou_level():
    subs = [item("A", "Z01", NEWS, LY, "2023-03-10"), item("A", "Z01", NEWS, CZ, "2023-03-20")]
    r = run(subs, quarter=2)
    assert row(r, "Z01", 1)["info_points"] == m(5)       # highest level of the quarter, once
    assert row(r, "Z01", 2)["info_points"] == 0
    assert len(r.earnings) == 1 and r.earnings.iloc[0]["level"] == CZ


def test_an_adoption_in_an_earlier_year_counts_as_already_earned():
    # 常州市 in Dec 2022 (5, earned last year), 江苏省 in Jan 2023: 10 − 5 = 5 in Q1 2023.
    subs = [item("A", "Z01", NEWS, CZ, "2022-12-20"), item("A", "Z01", NEWS, JS, "2023-01-05")]
    assert row(run(subs, quarter=1), "Z01", 1)["info_points"] == m(5)


def test_already_earned_is_the_table_value_even_when_a_veto_zeroed_that_quarter():
    # Q1: 在线访谈 溧阳市 10, but a quarter veto makes Q1 0. Q2: 常州市 20 − 10 already earned = 10.
    subs = [item("A", "Z01", TALK, LY, "2023-02-10"), item("A", "Z01", TALK, CZ, "2023-05-10")]
    r = run(subs, [event("V", "Z01", "2023-03-01", "veto_quarter")], quarter=2)
    assert row(r, "Z01", 1)["score"] == 0
    assert row(r, "Z01", 2)["key_points"] == m(10)


def test_a_lower_adoption_after_a_higher_one_earns_nothing():
    subs = [item("A", "Z01", NEWS, CZ, "2023-02-01"), item("A", "Z01", NEWS, LY, "2023-05-01")]
    r = run(subs, quarter=2)
    assert (row(r, "Z01", 1)["info_points"], row(r, "Z01", 2)["info_points"]) == (m(5), 0)


# ---- R3 table lookup -------------------------------------------------------------------------
def test_an_interview_adopted_by_jiangsu_scores_the_changzhou_value_of_20():
    # 附件: 在线访谈 江苏省 is "—" → the highest lower level's value, 常州市 20.
    r = run([item("A", "Z01", TALK, JS, "2023-02-01")], quarter=1)
    assert row(r, "Z01", 1)["key_points"] == m(20)


# ---- R4 late items ---------------------------------------------------------------------------
def test_a_late_item_scores_half_its_table_value():
    r = run([item("A", "Z01", TALK, LY, "2023-02-01", late=True)], quarter=1)
    assert row(r, "Z01", 1)["key_points"] == m(5)         # 10 × 0.5
    led = r.ledger[r.ledger["kind"] == "item"].iloc[0]
    assert led["base_points"] == m(10) and led["late_factor"] == "0.5" and bool(led["late"])


def test_an_item_submitted_after_its_due_date_is_late_when_the_late_field_is_empty():
    subs = [item("A", "Z01", TALK, LY, "2023-02-10", submitted_on="2023-02-05", due_on="2023-02-01")]
    assert row(run(subs, quarter=1), "Z01", 1)["key_points"] == m(5)


def test_the_late_field_overrides_the_dates():
    subs = [item("A", "Z01", TALK, LY, "2023-02-10", submitted_on="2023-02-05", due_on="2023-02-01", late=False)]
    assert row(run(subs, quarter=1), "Z01", 1)["key_points"] == m(10)


def test_an_item_is_late_when_any_of_its_rows_says_so_and_the_upgrade_is_halved_too():
    subs = [item("A", "Z01", NEWS, LY, "2023-03-10"), item("A", "Z01", NEWS, CZ, "2023-04-10", late=True)]
    r = run(subs, quarter=2)
    # Late item: 溧阳市 0.25 in Q1, 常州市 2.5 − 0.25 = 2.25 in Q2.
    assert (row(r, "Z01", 1)["info_points"], row(r, "Z01", 2)["info_points"]) == (m(0.25), m(2.25))
    # The Q1 run did not see the late April row (0.5): the Q2 run restates Q1 and says so.
    assert any("第一季度" in n and "昆仑街道" in n for n in r.notes)


# ---- R5 column caps --------------------------------------------------------------------------
def test_liyang_level_news_is_capped_at_10_per_quarter_but_changzhou_news_is_not():
    # 22 × 0.5 = 11 at 溧阳市 → capped to 10 (1 cut); plus one 常州市 item 5 outside the cap → I = 15.
    subs = items("N", "Z01", NEWS, LY, "2023-02-01", 22) + [item("C", "Z01", NEWS, CZ, "2023-02-01")]
    r = run(subs, quarter=1)
    q1 = row(r, "Z01", 1)
    assert (q1["info_points"], q1["info_capped"]) == (m(15), m(1))
    cap = r.ledger[r.ledger["kind"] == "column_cap"]
    assert cap["points"].tolist() == [-m(1)] and cap["clause"].tolist() == ["附件 序号8"]


def test_upgrade_differences_are_outside_the_liyang_cap():
    # Q1: 20 items at 溧阳市 = 10 (at the cap). Q2: one of them adopted by 常州市: 5 − 0.5 = 4.5, uncapped.
    subs = items("N", "Z01", NEWS, LY, "2023-02-01", 20) + [item("N000", "Z01", NEWS, CZ, "2023-05-01")]
    r = run(subs, quarter=2)
    assert (row(r, "Z01", 1)["info_points"], row(r, "Z01", 2)["info_points"]) == (m(10), m(4.5))


def test_already_earned_is_the_table_value_even_when_the_cap_cut_that_quarter():
    # Q1: 22 × 0.5 = 11 at 溧阳市, cut to 10. Q2: N000 adopted by 常州市: 5 − 0.5 (its table value,
    # not its share of the capped 10) = 4.5, outside the cap.
    subs = items("N", "Z01", NEWS, LY, "2023-02-01", 22) + [item("N000", "Z01", NEWS, CZ, "2023-05-01")]
    r = run(subs, quarter=2)
    assert (row(r, "Z01", 1)["info_points"], row(r, "Z01", 1)["info_capped"]) == (m(10), m(1))
    assert (row(r, "Z01", 2)["info_points"], row(r, "Z01", 2)["info_capped"]) == (m(4.5), 0)


def test_the_liyang_news_cap_applies_to_the_sum_after_the_late_factor():
    # 30 late 要闻动态 at 溧阳市: 30 × 0.5 × 0.5 = 7.5 ≤ 10 → nothing cut (30 on-time items would be 15 → 10).
    r = run(items("N", "Z01", NEWS, LY, "2023-02-01", 30, late=True), quarter=1)
    assert (row(r, "Z01", 1)["info_points"], row(r, "Z01", 1)["info_capped"]) == (m(7.5), 0)


def test_key_area_items_are_not_capped():
    r = run(items("K", "Z01", AREA, LY, "2023-02-01", 30), quarter=1)
    assert row(r, "Z01", 1)["info_points"] == m(15)       # 30 × 0.5, no cap on 重点领域


def test_rows_of_one_record_id_that_disagree_on_the_unit_stop_the_run_with_a_chinese_message():
    import pytest

    from scoring.errors import ScoringError
    subs = [item("A", "Z01", NEWS, LY, "2023-03-10"), item("A", "Z02", NEWS, CZ, "2023-04-10")]
    with pytest.raises(ScoringError, match="同一稿件编号"):
        run(subs, quarter=2)
    with pytest.raises(ScoringError, match="季度须为 1 至 4"):
        run(subs, quarter=5)
