"""R11–R13, 优胜单位 and 优秀信息员 (numbers by hand from the clauses)."""
from __future__ import annotations

from engine_support import event, item, items, m, row, run, variant

NEWS, TALK = "要闻动态", "在线访谈"
LY, CZ, JS = "溧阳市", "常州市", "江苏省"


def _target(unit, column, n):
    return {"unit_id": unit, "year": 2023, "column": column, "target": n}


# ---- R12 targets -----------------------------------------------------------------------------
def test_target_progress_counts_items_first_adopted_in_the_year_and_flags_lagging():
    # Target 4 要闻动态. Q2 run: 1 item first adopted in 2023 (the 2022 one does not count).
    # lagging: done 1 < 4 × 2 / 4 = 2 → lagging.
    subs = [item("A", "Z01", NEWS, LY, "2023-02-01"), item("OLD", "Z01", NEWS, LY, "2022-12-01"),
            item("OLD", "Z01", NEWS, CZ, "2023-02-01")]
    r = run(subs, targets=[_target("Z01", NEWS, 4)], quarter=2)
    t = r.targets.iloc[0]
    assert (t["unit_id"], t["target"], t["done"], bool(t["met"]), bool(t["lagging"])) == ("Z01", 4, 1, False, True)


def test_a_unit_on_pace_is_not_lagging():
    # Target 4, done 2 in a Q2 run: 2 < 4 × 2 / 4 = 2 is false.
    subs = items("N", "Z01", NEWS, LY, "2023-02-01", 2)
    assert not bool(run(subs, targets=[_target("Z01", NEWS, 4)], quarter=2).targets.iloc[0]["lagging"])


def test_an_unmet_target_zeroes_the_year_only_once_q4_is_included():
    subs = [item("A", "Z01", TALK, CZ, "2023-02-01")]
    tg = [_target("Z01", NEWS, 1)]
    q3 = run(subs, targets=tg, quarter=3)
    assert row(q3, "Z01", 1)["score"] == m(20) and not bool(row(q3, "Z01", 1)["annual_veto"])
    q4 = run(subs, targets=tg, quarter=4)
    assert [row(q4, "Z01", q)["score"] for q in (1, 2, 3, 4)] == [0, 0, 0, 0]
    assert "未完成年度目标任务" in row(q4, "Z01", 1)["veto_reason"]
    veto = q4.ledger[(q4.ledger["kind"] == "veto") & (q4.ledger["quarter"] == 1)]
    assert veto["points"].tolist() == [-m(20)] and veto["clause"].tolist() == ["三(二)2(2)"]


def test_a_unit_without_targets_has_none_to_miss():
    r = run([item("A", "Z02", TALK, CZ, "2023-02-01")], targets=[_target("Z01", NEWS, 0)])
    assert row(r, "Z02", 1)["score"] == m(20) and not bool(row(r, "Z02", 1)["annual_veto"])


# ---- R13 reward ------------------------------------------------------------------------------
def _five_provincial(unit, solicited=None, n=5):
    extra = {} if solicited is None else {"solicited": solicited}
    return items(f"P{unit}", unit, NEWS, JS, "2023-02-01", n, **extra)


def test_the_reward_makes_q4_25_when_all_three_conditions_hold():
    # 5 solicited 江苏省 adoptions (empty solicited = solicited), no targets, no veto: Q4 0 → 25.
    r = run(_five_provincial("Z01"))
    q4 = row(r, "Z01", 4)
    assert (q4["score"], q4["reward"], bool(q4["reward_granted"])) == (m(25), m(25), True)
    assert r.ledger.loc[r.ledger["kind"] == "reward", "points"].tolist() == [m(25)]
    assert bool(r.annual.set_index("unit_id").loc["Z01", "reward"])


def test_the_reward_is_only_given_in_a_run_that_includes_q4():
    # The same five solicited 江苏省 adoptions that earn the reward in a Q4 run (test above) give
    # nothing in a Q3 run: R13 is judged only "in a run that includes Q4". A Q3 run has no Q4 row,
    # so the check that can fail is the annual frame's per-unit reward flag, and Q3 staying at 0
    # (Q1 holds the items: 5 × 10 = 50 → 25; Q3 has none).
    r = run(_five_provincial("Z01"), quarter=3)
    assert not r.quarterly["reward_granted"].any()
    assert not r.annual["reward"].any()
    assert (row(r, "Z01", 1)["score"], row(r, "Z01", 3)["score"], row(r, "Z01", 3)["reward"]) == (m(25), 0, 0)


def test_the_reward_is_refused_when_a_target_is_met_only_with_late_items():
    # Target 6: 5 on time + 1 late → met (no annual veto) but not 按时完成 → (a) fails.
    subs = _five_provincial("Z01") + [item("L", "Z01", NEWS, LY, "2023-02-01", late=True)]
    r = run(subs, targets=[_target("Z01", NEWS, 6)])
    assert not bool(row(r, "Z01", 4)["reward_granted"]) and row(r, "Z01", 4)["score"] == 0
    assert not bool(row(r, "Z01", 4)["annual_veto"])


def test_the_reward_is_refused_with_four_solicited_provincial_adoptions():
    subs = _five_provincial("Z01", n=4) + [item("U", "Z01", NEWS, JS, "2023-02-01", solicited=False)]
    assert not bool(row(run(subs), "Z01", 4)["reward_granted"])


def test_the_reward_is_refused_after_any_veto_in_the_year():
    r = run(_five_provincial("Z01"), [event("V", "Z01", "2023-05-01", "veto_quarter")])
    assert not bool(row(r, "Z01", 4)["reward_granted"]) and row(r, "Z01", 4)["score"] == 0


def test_the_reward_threshold_is_a_rules_parameter():
    r = run(_five_provincial("Z01", n=3), rules=variant({"reward": {"min_solicited_adoptions": 3}}))
    assert row(r, "Z01", 4)["score"] == m(25)


# ---- 五 优胜单位 ----------------------------------------------------------------------------
def test_winners_are_the_top_n_with_ties_at_the_boundary_all_in_and_never_a_zero():
    # 群团 winners = 2. Totals: Q01 10, Q02 5, Q03 5, Q04 0 → ranks 1, 2, 2, 4 → Q01, Q02, Q03 win.
    subs = [item("A", "Q01", TALK, LY, "2023-02-01"), item("B", "Q02", TALK, LY, "2023-02-01", late=True),
            item("C", "Q03", TALK, LY, "2023-02-01", late=True)]
    a = run(subs).annual.set_index("unit_id")
    assert a.loc[["Q01", "Q02", "Q03", "Q04"], "winner"].tolist() == [True, True, True, False]
    assert a.loc[["Q01", "Q02", "Q03", "Q04"], "rank"].tolist() == [1, 2, 2, 4]
    # 市级机关部门 (6 winners) with all totals 0: nobody wins.
    assert not a.loc[["D01", "D02"], "winner"].any()


def test_the_number_of_winners_comes_from_the_rules():
    rules = variant({"categories": {"群团": {"winners": 1}}})
    subs = [item("A", "Q01", TALK, LY, "2023-02-01"), item("B", "Q02", TALK, LY, "2023-02-01", late=True)]
    a = run(subs, rules=rules).annual.set_index("unit_id")
    assert a.loc[["Q01", "Q02"], "winner"].tolist() == [True, False]


# ---- 五 优秀信息员 --------------------------------------------------------------------------
def test_informants_share_an_item_equally_in_thousandths_with_the_remainder_to_the_first_named():
    # 5 points among 甲、乙、丙: 5000 // 3 = 1666 remainder 2 → 甲 1667, 乙 1667, 丙 1666.
    # 0.5 between 张三、李四 → 250 each. Empty cell → the register's informant (王敏 of Z01).
    subs = [item("A", "Z01", NEWS, CZ, "2023-02-01", informant="甲、乙、丙"),
            item("B", "Z01", NEWS, LY, "2023-02-01", informant="张三、李四"),
            item("C", "Z01", NEWS, LY, "2023-02-01")]
    inf = run(subs).informants.set_index("informant")["points"]
    assert (inf["甲"], inf["乙"], inf["丙"]) == (1667, 1667, 1666)
    assert (inf["张三"], inf["李四"], inf["王敏"]) == (250, 250, 500)


def test_informant_points_are_after_the_late_factor_and_before_caps():
    # 24 × 0.5 at 溧阳市 = 12 (the unit's quarter is capped at 10, the informant keeps 12); late 在线访谈 = 5.
    subs = items("N", "Z02", NEWS, LY, "2023-02-01", 24, informant="赵磊") + \
        [item("T", "Z02", TALK, LY, "2023-02-01", informant="赵磊", late=True)]
    r = run(subs)
    assert r.informants.set_index("informant").loc["赵磊", "points"] == m(17)


def test_the_same_name_in_two_units_is_two_people_and_the_top_m_come_from_the_rules():
    subs = [item("A", "Z01", TALK, CZ, "2023-02-01", informant="李明"),
            item("B", "Z02", TALK, LY, "2023-02-01", informant="李明")]
    inf = run(subs, rules=variant({"annual": {"informants": 1}})).informants
    assert inf[["unit_id", "informant", "points", "rank", "excellent"]].values.tolist() == [
        ["Z01", "李明", m(20), 1, True], ["Z02", "李明", m(10), 2, False]]
