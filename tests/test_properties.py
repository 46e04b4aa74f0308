"""Invariants of the engine over random small years (hypothesis: a few examples per test run, new ones
in each run, for every example scores a year or two)."""
from __future__ import annotations

import numpy as np
import pandas as pd
from engine_support import UNITS, dataset, variant
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.inputs.rules_file import load_rules
from scoring.method.engine import score
from scoring.method.points import to_milli

RULES = load_rules()
CAP30 = variant({"caps": {"quarter": {"value": 30}}}, name="季度封顶30")
UNIT_IDS = [u["unit_id"] for u in UNITS[:4]]
COLUMNS = list(RULES.column_keys)
LEVELS = list(RULES.level_keys)
PENALTY_CODES = sorted(RULES.penalties_milli)
EVENT_CODES = sorted(RULES.events)
BASE = pd.Timestamp("2023-01-01")
SETTINGS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])

row_st = st.tuples(st.integers(0, 23), st.integers(0, 2), st.integers(-40, 364),
                   st.sampled_from([None, True, False]), st.sampled_from([None, True, False]))
event_st = st.tuples(st.integers(0, 3), st.integers(0, 364), st.sampled_from(EVENT_CODES), st.integers(1, 3))
target_st = st.tuples(st.integers(0, 3), st.integers(0, 8), st.integers(0, 4))


def _sub(rid, lvl, day, late, solicited):
    # A record id fixes its unit and column (rows of one id never disagree on them).
    return {"record_id": f"R{rid:02d}", "unit_id": UNIT_IDS[rid % 4], "column": COLUMNS[(rid // 4) % len(COLUMNS)],
            "level": LEVELS[lvl], "adopted_on": BASE + pd.Timedelta(days=day), "late": late,
            "solicited": solicited, "informant": ["", "甲", "甲、乙", "乙、丙、丁"][rid % 4]}


def _ev(i, unit, day, code, count):
    return {"event_id": f"E{i}", "unit_id": UNIT_IDS[unit], "date": BASE + pd.Timedelta(days=day), "type": code,
            "count": count}


def _data(rows, events, targets):
    tg = {(UNIT_IDS[u], COLUMNS[c]): n for u, c, n in targets}
    return dataset([_sub(*r) for r in rows], [_ev(i, *e) for i, e in enumerate(events)],
                   [{"unit_id": u, "year": 2023, "column": c, "target": n} for (u, c), n in tg.items()])


def _scores(res):
    q = res.quarterly.assign(unit_id=res.quarterly["unit_id"].astype(str)).sort_values(["unit_id", "quarter"])
    return q.set_index(["unit_id", "quarter"])[["score", "ytd_total"]]


year_st = {"rows": st.lists(row_st, max_size=30), "events": st.lists(event_st, max_size=6),
               "targets": st.lists(target_st, max_size=3), "quarter": st.integers(1, 4)}


@SETTINGS
@given(**year_st, cap30=st.booleans())
def test_scores_stay_within_the_caps_and_the_ledger_adds_up(rows, events, targets, quarter, cap30):
    rules = CAP30 if cap30 else RULES
    res = score(_data(rows, events, targets), rules, 2023, quarter, restatements=False)
    q = res.quarterly.assign(unit_id=res.quarterly["unit_id"].astype(str))
    qcap, ycap = to_milli(rules.caps.quarter.value), to_milli(rules.caps.year.value)
    assert ((q["score"] >= 0) & (q["score"] <= qcap)).all()
    assert ((q["ytd_total"] >= 0) & (q["ytd_total"] <= ycap)).all()
    led = res.ledger.assign(unit_id=res.ledger["unit_id"].astype(str))
    sums = led.groupby(["unit_id", "quarter"])["points"].sum()
    got = q.set_index(["unit_id", "quarter"])["score"]
    assert (sums.reindex(got.index, fill_value=0) == got).all()
    ytd = led.groupby(["unit_id", "quarter"])["ytd_points"].sum().reindex(got.index, fill_value=0)
    assert (ytd.groupby(level=0).cumsum() == q.set_index(["unit_id", "quarter"])["ytd_total"]).all()


@SETTINGS
@given(**year_st, seed=st.integers(0, 2**16))
def test_results_do_not_depend_on_row_order(rows, events, targets, quarter, seed):
    a = score(_data(rows, events, targets), RULES, 2023, quarter, restatements=False)
    rng = np.random.default_rng(seed)
    built = _data(rows, events, targets)
    # The same records (ids and all) in another order: only the order of the rows changes.
    records = lambda df: df.drop(columns=["_file", "_row"]).to_dict("records")
    shuffle = lambda recs: [recs[i] for i in rng.permutation(len(recs))]
    data = dataset(shuffle(records(built.submissions)), shuffle(records(built.events)),
                   shuffle(records(built.targets)))
    b = score(data, RULES, 2023, quarter, restatements=False)
    pd.testing.assert_frame_equal(a.quarterly, b.quarterly)
    pd.testing.assert_frame_equal(a.ledger, b.ledger)
    pd.testing.assert_frame_equal(a.informants, b.informants)
    pd.testing.assert_frame_equal(a.earnings, b.earnings)


@SETTINGS
@given(**year_st, extra=st.tuples(st.integers(0, 3), st.integers(0, 8), st.integers(0, 2), st.integers(0, 364)))
def test_adding_an_on_time_item_never_lowers_a_score_of_a_unit_without_vetoes(rows, events, targets, quarter, extra):
    before = score(_data(rows, events, targets), RULES, 2023, quarter, restatements=False)
    unit, col, lvl, day = extra
    data = _data(rows, events, targets)
    new = {"record_id": "NEW", "unit_id": UNIT_IDS[unit], "column": COLUMNS[col], "level": LEVELS[lvl],
           "adopted_on": BASE + pd.Timedelta(days=day), "late": False}
    subs = data.submissions.drop(columns=["_file", "_row"]).to_dict("records") + [new]
    after = score(dataset(subs, data.events.drop(columns=["_file", "_row"]).to_dict("records"),
                          data.targets.drop(columns=["_file", "_row"]).to_dict("records")),
                  RULES, 2023, quarter, restatements=False)
    vetoed = {UNIT_IDS[u] for u, _d, code, _c in events if RULES.events[code].veto}
    a, b = _scores(before), _scores(after)
    keep = ~a.index.get_level_values(0).isin(vetoed)
    assert (b[keep] >= a[keep]).all().all()


@SETTINGS
@given(**year_st, extra=st.tuples(st.integers(0, 3), st.integers(0, 364), st.sampled_from(PENALTY_CODES),
                                   st.integers(1, 3)))
def test_adding_a_deduction_event_never_raises_a_score(rows, events, targets, quarter, extra):
    before = score(_data(rows, events, targets), RULES, 2023, quarter, restatements=False)
    after = score(_data(rows, events + [extra], targets), RULES, 2023, quarter, restatements=False)
    assert (_scores(after) <= _scores(before)).all().all()


QZ = {1: "第一季度", 2: "第二季度", 3: "第三季度"}


def _restated(notes, q):
    for n in notes:
        if n.startswith(f"{QZ[q]}得分已按现有数据重算"):
            return set(n.split("不同的单位：")[1].split("（")[0].split("、"))
    return set()


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(**year_st)
def test_restatement_notes_name_exactly_the_units_whose_earlier_quarter_changed(rows, events, targets, quarter):
    data = _data(rows, events, targets)
    res = score(data, RULES, 2023, quarter)
    names = {u["unit_id"]: u["unit_name"] for u in UNITS}
    for q in range(1, quarter):
        then = score(data, RULES, 2023, q, restatements=False).quarterly
        now = res.quarterly
        a = then[then["quarter"] == q].set_index("unit_id")["score"]
        b = now[now["quarter"] == q].set_index("unit_id")["score"]
        changed = {names[str(u)] for u in a.index if a[u] != b[u]}
        assert _restated(res.notes, q) == changed
