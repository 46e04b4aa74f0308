"""The engine honours every parameter of a variant (params/variants/*.yaml and derive overlays)."""
from __future__ import annotations

from pathlib import Path

import pytest
from engine_support import event, item, items, m, row, run, variant

from scoring.method import rules as rules_mod

VARIANTS = Path(__file__).resolve().parent.parent / "params" / "variants"
NEWS, TALK, TOPIC = "要闻动态", "在线访谈", "专题专栏"


def _load(name):
    path = VARIANTS / name
    if not path.exists():
        pytest.skip(f"{name} not present")
    return rules_mod.load(path)


def test_a_news_cap_of_15_lets_30_liyang_items_count_in_full():
    subs = items("N", "Z01", NEWS, "溧阳市", "2023-02-01", 30)           # 30 × 0.5 = 15
    assert row(run(subs, quarter=1), "Z01", 1)["info_points"] == m(10)
    assert row(run(subs, quarter=1, rules=_load("01-cap-15.yaml")), "Z01", 1)["info_points"] == m(15)


def test_without_column_caps_nothing_is_cut():
    subs = items("N", "Z01", NEWS, "溧阳市", "2023-02-01", 44)           # 22, gross capped at 25 only
    r = run(subs, quarter=1, rules=_load("02-cap-removed.yaml"))
    assert (row(r, "Z01", 1)["info_points"], row(r, "Z01", 1)["info_capped"]) == (m(22), 0)
    assert (r.ledger["kind"] == "column_cap").sum() == 0


def test_a_late_factor_of_0_7_makes_a_late_interview_worth_7():
    r = run([item("A", "Z01", TALK, "溧阳市", "2023-02-01", late=True)], quarter=1, rules=_load("03-late-0.7.yaml"))
    assert row(r, "Z01", 1)["key_points"] == m(7)                        # 10 × 0.7


def test_a_late_factor_with_more_digits_rounds_half_up_at_the_item():
    # 0.5 × 0.333 = 0.1665 → 0.167 (half up to a thousandth).
    r = run([item("A", "Z01", NEWS, "溧阳市", "2023-02-01", late=True)], quarter=1,
            rules=variant({"late": {"factor": 0.333}}))
    assert row(r, "Z01", 1)["info_points"] == 167


def test_deductions_before_the_cap_from_the_variant_file():
    # B = 30, D = 10 → min(max(30 − 10, 0), 25) = 20 (after the cap it would be 15).
    subs = [item("K", "Z01", TALK, "常州市", "2023-02-01"), item("T", "Z01", TOPIC, "溧阳市", "2023-02-01")]
    ev = [event("E", "Z01", "2023-03-01", "content_error")]
    assert row(run(subs, ev, quarter=1, rules=_load("04-deductions-before-cap.yaml")), "Z01", 1)["score"] == m(20)


def test_no_carry_over_from_the_variant_file():
    subs = [item(f"K{i}", "Z01", TALK, "常州市", "2023-02-01") for i in range(2)]
    r = run(subs, quarter=2, rules=_load("05-no-carry-over.yaml"))
    assert (row(r, "Z01", 1)["carry_out"], row(r, "Z01", 2)["carry_in"]) == (0, 0)


def test_a_reward_threshold_of_3_from_the_variant_file():
    subs = items("P", "Z01", NEWS, "江苏省", "2023-02-01", 3)
    assert row(run(subs), "Z01", 4)["score"] == 0
    assert row(run(subs, rules=_load("06-reward-threshold-3.yaml")), "Z01", 4)["score"] == m(25)


def test_a_quarter_cap_of_30_from_the_variant_file():
    subs = [item(f"K{i}", "Z01", TALK, "常州市", "2023-02-01") for i in range(2)]      # K = 40
    r = run(subs, quarter=2, rules=_load("07-quarter-cap-30.yaml"))
    assert (row(r, "Z01", 1)["gross"], row(r, "Z01", 1)["carry_out"], row(r, "Z01", 2)["score"]) == \
        (m(30), m(10), m(10))


def test_penalties_and_table_values_come_from_the_rules():
    rules = variant({"events": {"content_error": {"penalty": 3}},
                     "columns": {"在线访谈": {"points": {"溧阳市": 12, "常州市": 20, "江苏省": None}}}})
    r = run([item("A", "Z01", TALK, "溧阳市", "2023-02-01")], [event("E", "Z01", "2023-03-01", "content_error")],
            quarter=1, rules=rules)
    assert (row(r, "Z01", 1)["key_points"], row(r, "Z01", 1)["score"]) == (m(12), m(9))
