"""R6–R11, R14, R15: the quarter's arithmetic, vetoes, the year cap and ranks (numbers by hand)."""
from __future__ import annotations

from engine_support import dataset, event, item, items, m, row, run, variant

from scoring.method import rules as rules_mod
from scoring.method.engine import score

NEWS, TALK, TOPIC = "要闻动态", "在线访谈", "专题专栏"
LY, CZ, JS = "溧阳市", "常州市", "江苏省"


def _ledger_sum(r, unit, q):
    led = r.ledger
    return int(led.loc[(led["unit_id"] == unit) & (led["quarter"] == q), "points"].sum())


# ---- R6, R7 sums and the quarter cap ---------------------------------------------------------
def test_bonus_above_25_is_cut_to_25_and_only_key_points_carry_out():
    # K = 在线访谈 常州市 20; I = 2 × 要闻动态 常州市 = 10; B = 30, G = 25; C_out = min(30 − 25, 20) = 5.
    subs = [item("K", "Z01", TALK, CZ, "2023-02-01")] + items("N", "Z01", NEWS, CZ, "2023-02-01", 2)
    r = run(subs, quarter=2)
    q1, q2 = row(r, "Z01", 1), row(r, "Z01", 2)
    assert (q1["key_points"], q1["info_points"], q1["bonus"], q1["gross"], q1["carry_out"]) == \
        (m(20), m(10), m(30), m(25), m(5))
    assert (q2["carry_in"], q2["score"]) == (m(5), m(5))
    assert _ledger_sum(r, "Z01", 1) == q1["score"] and _ledger_sum(r, "Z01", 2) == q2["score"]


# ---- R8 carry-over ---------------------------------------------------------------------------
def test_an_information_surplus_carries_nothing():
    # I = 6 × 5 = 30, K = 0: C_out = min(5, 0 + 0) = 0.
    r = run(items("N", "Z01", NEWS, CZ, "2023-02-01", 6), quarter=2)
    assert row(r, "Z01", 1)["carry_out"] == 0 and row(r, "Z01", 2)["carry_in"] == 0


def test_the_carry_brought_in_runs_on_past_an_information_surplus():
    # Q1: K = 2 × 在线访谈 常州市 = 40 → B = 40, G = 25, C_out = min(15, 40) = 15.
    # Q2: I = 6 × 要闻动态 常州市 = 30, K = 0, C_in = 15 → B = 45, G = 25,
    #     C_out = min(45 − 25, K + C_in = 0 + 15) = 15 (the information points never carry; the carry does).
    # Q3: nothing new → B = C_in = 15, G = 15, C_out = 0, S = 15.
    subs = [item(f"K{i}", "Z01", TALK, CZ, "2023-02-01") for i in range(2)] + items("N", "Z01", NEWS, CZ, "2023-05-01", 6)
    r = run(subs, quarter=3)
    got = [(row(r, "Z01", q)["carry_in"], row(r, "Z01", q)["bonus"], row(r, "Z01", q)["carry_out"],
            row(r, "Z01", q)["score"]) for q in (1, 2, 3)]
    assert got == [(0, m(40), m(15), m(25)), (m(15), m(45), m(15), m(25)), (m(15), m(15), 0, m(15))]


def test_nothing_carries_into_the_next_year():
    # A 2022 Q4 surplus (3 × 20 = 60 key points) is last year's: 2023 Q1 starts with C_in = 0.
    # The premise: scored as 2022, Q4 has B = 60, G = 25, C_out = min(35, 60) = 35.
    subs = [item(f"K{i}", "Z01", TALK, CZ, "2022-11-01") for i in range(3)]
    assert score(dataset(subs), rules_mod.load(), 2022, 4).unit_quarter("Z01", 4)["carry_out"] == m(35)
    assert (row(run(subs, quarter=1), "Z01", 1)["carry_in"], row(run(subs, quarter=1), "Z01", 1)["score"]) == (0, 0)


def test_carry_over_can_be_switched_off_by_the_rules():
    subs = [item(f"K{i}", "Z01", TALK, CZ, "2023-02-01") for i in range(2)]     # K = 40
    r = run(subs, quarter=2, rules=variant({"carry_over": {"enabled": False}}))
    assert row(r, "Z01", 1)["carry_out"] == 0 and row(r, "Z01", 2)["score"] == 0


# ---- R9 deductions ---------------------------------------------------------------------------
def test_deductions_come_after_the_cap():
    # B = 30 (20 + 10 key), G = 25, D = 10 → S = 15; C_out = min(5, 30) = 5 is untouched by D.
    subs = [item("K", "Z01", TALK, CZ, "2023-02-01"), item("T", "Z01", TOPIC, LY, "2023-02-01")]
    r = run(subs, [event("E", "Z01", "2023-03-01", "content_error")], quarter=1)
    q1 = row(r, "Z01", 1)
    assert (q1["gross"], q1["deductions"], q1["score"], q1["carry_out"]) == (m(25), m(10), m(15), m(5))


def test_a_score_never_goes_below_zero_and_the_ledger_books_the_floor():
    # G = 5 (10 × 要闻动态 溧阳市), D = 10 → S = 0; ledger: +5 items, −10 deduction, +5 floor.
    r = run(items("N", "Z01", NEWS, LY, "2023-02-01", 10), [event("E", "Z01", "2023-03-01", "content_error")],
            quarter=1)
    q1 = row(r, "Z01", 1)
    assert (q1["deductions"], q1["score"], bool(q1["floored"])) == (m(10), 0, True)
    led = r.ledger[(r.ledger["unit_id"] == "Z01")]
    assert led.loc[led["kind"] == "floor", "points"].tolist() == [m(5)]
    assert led.loc[led["kind"] == "deduction", "points"].tolist() == [-m(10)]


def test_a_deduction_larger_than_the_quarter_does_not_spill_into_the_next_quarter():
    # Q1: G = 10 (在线访谈 溧阳市), D = 2 × content_error 10 = 20 → S = 0, 10 left unused.
    # Q2: G = 10, no events → S = 10 ("当季度扣完为止": nothing of Q1's D reaches Q2).
    subs = [item("A", "Z01", TALK, LY, "2023-02-01"), item("B", "Z01", TALK, LY, "2023-05-01")]
    r = run(subs, [event("E", "Z01", "2023-03-01", "content_error", 2)], quarter=2)
    assert [(row(r, "Z01", q)["deductions"], row(r, "Z01", q)["score"]) for q in (1, 2)] == [(m(20), 0), (0, m(10))]


def test_a_deduction_counts_penalty_times_count():
    # late_material 2 × 3 = 6; G = 20 → S = 14.
    r = run([item("K", "Z01", TALK, CZ, "2023-02-01")], [event("E", "Z01", "2023-03-01", "late_material", 3)],
            quarter=1)
    assert (row(r, "Z01", 1)["deductions"], row(r, "Z01", 1)["score"]) == (m(6), m(14))


def test_deductions_before_the_cap_is_a_rules_choice():
    # before_cap: S = min(max(B − D, 0), 25) = min(30 − 10, 25) = 20.
    subs = [item("K", "Z01", TALK, CZ, "2023-02-01"), item("T", "Z01", TOPIC, LY, "2023-02-01")]
    r = run(subs, [event("E", "Z01", "2023-03-01", "content_error")], quarter=1,
            rules=variant({"deductions": {"order": "before_cap"}}))
    assert row(r, "Z01", 1)["score"] == m(20)
    assert _ledger_sum(r, "Z01", 1) == m(20)


# ---- R10, R11 vetoes -------------------------------------------------------------------------
def test_a_quarter_veto_zeroes_the_quarter_and_carries_nothing_out():
    # Q1: K = 40 → would carry 15; veto → S = 0, C_out = 0; Q2 starts with 0.
    subs = [item(f"K{i}", "Z01", TALK, CZ, "2023-02-01") for i in range(2)]
    r = run(subs, [event("V", "Z01", "2023-03-01", "veto_quarter"), event("E", "Z01", "2023-03-02", "no_plan")],
            quarter=2)
    q1 = row(r, "Z01", 1)
    assert (q1["score"], q1["carry_out"], bool(q1["quarter_veto"]), q1["deductions"]) == (0, 0, True, m(2))
    assert row(r, "Z01", 2)["carry_in"] == 0
    veto = r.ledger[r.ledger["kind"] == "veto"]
    assert veto["ref"].tolist() == ["V"] and veto["clause"].tolist() == ["三(二)2(1)"]
    assert _ledger_sum(r, "Z01", 1) == 0


def test_a_vetoed_quarter_uses_up_the_carry_it_brought_in():
    # Q1: K = 40 → S = 25, C_out = 15. Q2: veto → C_in 15 is shown, S = 0, C_out = 0. Q3: C_in = 0, S = 0.
    subs = [item(f"K{i}", "Z01", TALK, CZ, "2023-02-01") for i in range(2)]
    r = run(subs, [event("V", "Z01", "2023-05-01", "veto_quarter")], quarter=3)
    got = [(row(r, "Z01", q)["carry_in"], row(r, "Z01", q)["carry_out"], row(r, "Z01", q)["score"]) for q in (1, 2, 3)]
    assert got == [(0, m(15), m(25)), (m(15), 0, 0), (0, 0, 0)]


def test_an_annual_veto_in_q3_zeroes_every_quarter_of_the_year():
    subs = [item("A", "Z01", TALK, CZ, "2023-02-01"), item("B", "Z01", TALK, CZ, "2023-05-01")]
    ev = [event("S", "Z01", "2023-08-01", "veto_classified")]
    before = run(subs, ev, quarter=2)
    assert (row(before, "Z01", 1)["score"], row(before, "Z01", 2)["score"]) == (m(20), m(20))
    r = run(subs, ev, quarter=3)
    assert [row(r, "Z01", q)["score"] for q in (1, 2, 3)] == [0, 0, 0]
    assert all(bool(row(r, "Z01", q)["annual_veto"]) for q in (1, 2, 3))
    assert r.annual.set_index("unit_id").loc["Z01", "total"] == 0
    assert "涉密信息上网" in row(r, "Z01", 1)["veto_reason"]
    assert any("第一季度" in n and "昆仑街道" in n for n in r.notes)


# ---- R14 annual total ------------------------------------------------------------------------
def test_the_year_cap_binds_when_the_quarter_cap_is_30():
    # Each quarter: 在线访谈 常州市 20 + 专题专栏 溧阳市 10 = 30 ≤ 30 → S = 30.
    # YTD: 30, 60, 90, min(120, 100) = 100; the Q4 year_cap row books −20 on the YTD only.
    rules = variant({"caps": {"quarter": {"value": 30}}})
    subs = []
    for q, month in enumerate(("02", "05", "08", "11")):
        subs += [item(f"K{q}", "Z01", TALK, CZ, f"2023-{month}-01"), item(f"T{q}", "Z01", TOPIC, LY, f"2023-{month}-01")]
    r = run(subs, rules=rules)
    assert [row(r, "Z01", q)["score"] for q in (1, 2, 3, 4)] == [m(30)] * 4
    assert [row(r, "Z01", q)["ytd_total"] for q in (1, 2, 3, 4)] == [m(30), m(60), m(90), m(100)]
    yc = r.ledger[r.ledger["kind"] == "year_cap"]
    assert yc["points"].tolist() == [0] and yc["ytd_points"].tolist() == [-m(20)] and yc["quarter"].tolist() == [4]
    assert _ledger_sum(r, "Z01", 4) == m(30)


# ---- R15 ranking -----------------------------------------------------------------------------
def test_ties_share_the_best_rank_within_a_category():
    # 镇区街道 scores 10, 5, 5, 0 → ranks 1, 2, 2, 4; 市级机关部门 ranked on their own.
    subs = [item("A", "Z01", TALK, LY, "2023-02-01"), item("B", "Z02", TALK, LY, "2023-02-01", late=True),
            item("C", "Z03", TALK, LY, "2023-02-01", late=True), item("D", "D01", NEWS, LY, "2023-02-01")]
    r = run(subs, quarter=1)
    assert [row(r, u, 1)["rank"] for u in ("Z01", "Z02", "Z03", "Z04")] == [1, 2, 2, 4]
    assert [row(r, u, 1)["rank"] for u in ("D01", "D02")] == [1, 2]
    assert [row(r, u, 1)["ytd_rank"] for u in ("Z01", "Z02", "Z03", "Z04")] == [1, 2, 2, 4]


def test_every_unit_appears_in_every_quarter_also_with_zero():
    r = run([], quarter=3)
    assert len(r.quarterly) == 10 * 3
    assert (r.quarterly["score"] == 0).all() and len(r.ledger) == 0
