"""得分明细单: the statement's figures are the ledger's, they add up to the unit's score, and the
files are one PDF per unit plus a reproducible zip."""
from __future__ import annotations

import html as html_mod
import re
import zipfile

import pandas as pd
import pytest

from scoring.method.calendar import default_issue_date
from scoring.render import statements as RS
from scoring.report import statements as S
from scoring.method.points import fmt

from scoring.method.result import (ANNUAL_COLUMNS, EARNINGS_COLUMNS, INFORMANT_COLUMNS, LEDGER_COLUMNS,
                            LEDGER_DETAIL, QUARTERLY_COLUMNS, QUARTERLY_EXTRA, TARGET_COLUMNS, Result)

MOVE_ROW = re.compile(r'<tr class="step move[^"]*"><td>([^<]*)</td><td class="num">([^<]*)</td>')
TOTAL_ROW = re.compile(r'<tr class="step fact total"><td>[^<]*</td><td class="num">([^<]*)</td>')


def _milli(text: str) -> int:
    from decimal import Decimal
    return int(Decimal(text.replace("+", "")) * 1000)


def moving_lines(html: str) -> list[tuple[str, int]]:
    return [(label, _milli(v)) for label, v in MOVE_ROW.findall(html)]


# ---- hand-built ledger (independent of the engine) ------------------------------------------------
# A Result written out by hand from the clauses, every figure worked out in the comments.
Y, Q = 2023, 4


def _item(unit, ref, column, level, day, pts, title="", upgrade=False, late=False, base=None, prev=""):
    return dict(unit_id=unit, year=Y, quarter=Q, kind="item", ref=ref, points=pts, clause="附件",
                column=column, level=level, adopted_on=pd.Timestamp(day), title=title,
                base_points=pts if base is None else base, late_factor=0.5 if late else 1.0, late=late,
                upgrade=upgrade, previous_level=prev)


def _row(unit, kind, pts, clause, **kw):
    return dict(unit_id=unit, year=Y, quarter=Q, kind=kind, ref=kw.pop("ref", ""), points=pts, clause=clause, **kw)


def hand_result(rules, many: int = 24) -> Result:
    units = pd.DataFrame({
        "unit_id": ["Z01", "Z02", "D01", "D02"],
        "unit_name": ["昆仑街道", "天目湖镇", "市司法局", "市农业农村局"],
        "category": ["镇区街道", "镇区街道", "市级机关部门", "市级机关部门"],
        "informant": ["王敏", "", "李强", "赵<b>丽</b>"],
        "aliases": ["", "", "", ""],
    })
    led = []
    # Z01: `many` 要闻动态 at 溧阳市 × 0.5 (24 → 12, capped to 10: cap −2), 在线访谈 at 常州市 20,
    # carry-in 3: B = 20 + 10 + 3 = 33, quarter cap −8 → G 25, carry-out min(8, 20 + 3) = 8;
    # content_error −10 → S = 15.
    for i in range(many):
        led.append(_item("Z01", f"N{i:03d}", "要闻动态", "溧阳市", f"2023-{10 + i % 3}-{1 + i % 28}", 500, f"要闻{i}"))
    led.append(_item("Z01", "K1", "在线访谈", "常州市", "2023-11-05", 20000, "在线访谈：优化营商环境"))
    cap = 10000 - many * 500
    if cap < 0:
        led.append(_row("Z01", "column_cap", cap, "附件 序号8", column="要闻动态", level="溧阳市"))
    led.append(_row("Z01", "carry_in", 3000, "三(一)1"))
    b = 20000 + min(many * 500, 10000) + 3000
    led.append(_row("Z01", "quarter_cap", 25000 - b, "一"))
    led.append(_row("Z01", "deduction", -10000, "三(二)1(2)", ref="E1", event_type="content_error",
                    note="信息中数据有误，被常州市通报", count=1, event_date=pd.Timestamp("2023-11-20")))
    # Z02: nothing adopted; no_plan −2 → G 0, floor +2 → S 0.
    led.append(_row("Z02", "deduction", -2000, "三(二)1(1)", ref="E2", event_type="no_plan", count=1,
                    event_date=pd.Timestamp("2023-10-09")))
    led.append(_row("Z02", "floor", 2000, "三(二)1"))
    # D01: 专题专栏 溧阳市 10, late → 5; veto_quarter → −5 → S 0.
    led.append(_item("D01", "T1", "专题专栏", "溧阳市", "2023-12-01", 5000, "法治专栏<script>", late=True, base=10000))
    led.append(_row("D01", "veto", -5000, "三(二)2(1)", ref="E3", event_type="veto_quarter",
                    note="栏目长期未更新被省政府办公厅通报", count=1, event_date=pd.Timestamp("2023-12-15")))
    # D02: 要闻动态 upgraded 常州市 → 江苏省: 10 − 5 = 5; reward (R13) +20 → 25.
    led.append(_item("D02", "U1", "要闻动态", "江苏省", "2023-10-10", 5000, "高标准农田建设", upgrade=True,
                     base=5000, prev="常州市"))
    led.append(_row("D02", "reward", 20000, "三(一)2"))
    ledger = pd.DataFrame(led)
    for c in LEDGER_COLUMNS + LEDGER_DETAIL:
        if c not in ledger.columns:
            ledger[c] = pd.NA
    ledger = ledger[list(LEDGER_COLUMNS + LEDGER_DETAIL)]
    score = ledger.groupby("unit_id")["points"].sum()
    quarterly = units[["unit_id", "unit_name", "category"]].copy()
    quarterly["year"], quarterly["quarter"] = Y, Q
    for c in ("key_points", "info_points", "carry_in", "bonus", "gross", "carry_out", "deductions", "reward"):
        quarterly[c] = 0
    quarterly["carry_out"] = [8000, 0, 0, 0]
    quarterly["quarter_veto"] = [False, False, True, False]
    quarterly["annual_veto"] = False
    quarterly["score"] = quarterly["unit_id"].map(score).astype("int64")
    quarterly["ytd_total"] = quarterly["score"] + 10000
    quarterly["rank"] = [1, 2, 2, 1]
    quarterly["ytd_rank"] = [1, 2, 2, 1]
    quarterly["info_capped"] = [max(0, many * 500 - 10000), 0, 0, 0]
    quarterly["floored"] = [False, True, False, False]
    quarterly["veto_reason"] = ["", "", "严重错误或更新不及时被省级以上部门通报：栏目长期未更新被省政府办公厅通报", ""]
    quarterly["reward_granted"] = [False, False, False, True]
    quarterly = quarterly[list(QUARTERLY_COLUMNS + QUARTERLY_EXTRA)]
    targets = pd.DataFrame({"unit_id": ["Z01"], "column": ["在线访谈"], "target": [4], "done": [2],
                            "done_on_time": [2], "met": [False], "lagging": [True]})
    empty = lambda cols: pd.DataFrame({c: [] for c in cols})  # noqa: E731
    return Result(rules=rules, year=Y, quarter=Q, units=units, quarterly=quarterly, ledger=ledger,
                  earnings=empty(EARNINGS_COLUMNS), annual=empty(ANNUAL_COLUMNS),
                  informants=empty(INFORMANT_COLUMNS), targets=targets[list(TARGET_COLUMNS)])


@pytest.fixture(scope="module")
def hand(rules):
    return hand_result(rules)


@pytest.mark.parametrize("unit", ["Z01", "Z02", "D01", "D02"])
def test_the_printed_step_lines_add_up_to_the_units_score(hand, unit):
    html = RS.statement_html(hand, unit)
    lines = moving_lines(html)
    score = int(hand.unit_quarter(unit, 4)["score"])
    assert sum(p for _, p in lines) == score
    assert _milli(TOTAL_ROW.search(html).group(1)) == score


def test_a_capped_and_carried_quarter_is_told_step_by_step(hand):
    # Z01 (see statement_fixtures): K 20, I 12 − cap 2, C_in 3 → B 33; cap −8 → G 25, carry-out 8;
    # content_error −10 → 15.
    st = S.statement_data(hand, "Z01")
    shown = {s.label: s.points for s in st.steps}
    assert shown["重点栏目得分"] == 20000
    assert shown["信息报送得分"] == 12000
    assert shown["栏目封顶核减"] == -2000
    assert shown["上季度结转"] == 3000
    assert shown["加分合计"] == 33000
    assert shown["季度封顶核减（每季度最高25分）"] == -8000
    assert shown["计入得分（封顶25分）"] == 25000
    # Q4: nothing carries into the next year, the statement says 年末清零 (carry_out stays 8 in the Result).
    assert shown["超出封顶的重点栏目得分"] == 8000 == int(hand.unit_quarter("Z01", 4)["carry_out"])
    assert "年末清零" in {s.label: s.note for s in st.steps}["超出封顶的重点栏目得分"]
    assert shown["扣分"] == -10000
    assert shown["本季度得分"] == 15000 == st.moved


def test_a_unit_with_nothing_adopted_gets_a_statement_saying_so(hand):
    html = RS.statement_html(hand, "Z02")
    assert "本季度无录用稿件" in html
    # no_plan −2 from G = 0, floored back to 0: both lines shown.
    assert ("扣分", -2000) in moving_lines(html)
    assert ("扣完为止（负分不计）", 2000) in moving_lines(html)


def test_a_quarter_veto_shows_its_reason_and_clause(hand):
    html = RS.statement_html(hand, "D01")
    row = re.search(r'<tr class="step move veto">(.*?)</tr>', html).group(1)
    assert "三(二)2(1)" in row and "栏目长期未更新被省政府办公厅通报" in row and "-5" in row


def test_the_reward_shows_its_reason_and_clause(hand, rules):
    html = RS.statement_html(hand, "D02")
    row = [r for r in re.findall(r'<tr class="step move[^"]*">(.*?)</tr>', html) if "奖励" in r][0]
    assert "三(一)2" in row and "获得年度奖励" in row and "+20" in row


def test_an_upgrade_is_shown_as_the_difference_from_its_earlier_level(hand):
    st = S.statement_data(hand, "D02")
    (item,) = st.items
    assert item.kind == "升级（原常州市级，计差额）" and item.points == 5000 and item.ref == "U1"


def test_input_text_is_escaped(hand):
    html = RS.statement_html(hand, "D01")
    assert "<script>" not in html and "法治专栏&lt;script&gt;" in html
    assert "<b>丽</b>" not in RS.statement_html(hand, "D02")


def test_a_character_the_fonts_lack_is_printed_as_the_placeholder_and_reported(rules):
    r = hand_result(rules)
    led = r.ledger.copy()
    led.loc[(led["unit_id"] == "D01") & (led["kind"] == "item"), "title"] = "法治专栏😀"
    r2 = type(r)(**{**r.__dict__, "ledger": led})
    st = S.statement_data(r2, "D01")
    assert st.items[0].title == "法治专栏〓" and any("U+1F600" in w for w in st.warnings)


def test_hundreds_of_capped_items_are_each_listed_in_the_compact_table_and_still_add_up(rules):
    # 300 要闻动态 at 溧阳市 × 0.5 = 150, capped at 10 (−140): every one of them has its line in the
    # compact table (150 rows of two), the 在线访谈 20 and the cap line stay in the item table.
    r = hand_result(rules, many=300)
    st = S.statement_data(r, "Z01")
    (lst,) = st.compact
    assert (lst.column, lst.level, lst.value, lst.cap) == ("要闻动态", "溧阳市", "0.5", "10")
    assert len(lst.items) == 300 and lst.points == 150000 and len(lst.pairs) == 150 and lst.cut == -140000
    assert {i.ref for i in lst.items} == {f"N{i:03d}" for i in range(300)}
    assert [(i.ref, i.points) for i in st.items if i.style == ""] == [("K1", 20000)]
    assert [(i.kind, i.points) for i in st.items if i.style == "cap"] == [("封顶核减", -140000)]
    assert st.adopted == 301
    assert sum(i.points for i in st.all_items) == 150000 + 20000 - 140000
    assert st.moved == st.score == 15000


def test_a_few_capped_items_stay_in_the_item_table(rules):
    # COMPACT_FROM − 1 要闻动态 items: too few for the compact table.
    many = S.COMPACT_FROM - 1
    st = S.statement_data(hand_result(rules, many=many), "Z01")
    assert st.compact == ()
    assert len([i for i in st.items if i.style == ""]) == many + 1


def test_a_statement_that_does_not_add_up_is_refused(rules):
    from scoring.errors import ScoringError
    r = hand_result(rules)
    q = r.quarterly.copy()
    q.loc[q["unit_id"] == "Z01", "score"] = 16000
    with pytest.raises(ScoringError, match="不符"):
        S.statement_data(type(r)(**{**r.__dict__, "quarterly": q}), "Z01")


def test_file_names_are_safe_on_windows():
    assert RS.statement_filename("A/1", 'x:y*z?"<>|\\名') == "A1-xyz名.pdf"
    assert RS.safe_name("  . ") == "_"


def test_the_default_issue_date_is_the_tenth_of_the_month_after_the_quarter():
    import datetime as dt

    assert default_issue_date(2023, 3) == dt.date(2023, 10, 10)
    assert default_issue_date(2023, 4) == dt.date(2024, 1, 10)


# ---- the engine's Result ---------------------------------------------------------------------------
def _engine():
    from scoring.method import engine
    return engine


UNITS = [
    {"unit_id": "Z01", "unit_name": "昆仑街道", "category": "镇区街道", "informant": "王敏"},
    {"unit_id": "Z02", "unit_name": "天目湖镇", "category": "镇区街道", "informant": "钱进"},
    {"unit_id": "Z03", "unit_name": "溧城街道", "category": "镇区街道", "informant": ""},
    {"unit_id": "D01", "unit_name": "市司法局", "category": "市级机关部门", "informant": "李强"},
    {"unit_id": "D02", "unit_name": "市农业农村局", "category": "市级机关部门", "informant": "赵丽"},
    {"unit_id": "G01", "unit_name": "团市委", "category": "群团", "informant": "孙悦"},
]


def _submissions():
    rows = []
    # Z01: 24 要闻动态 at 溧阳市 (12, capped to 10) + 在线访谈 at 常州市 (20) in Q4: B 30 → G 25.
    for i in range(24):
        rows.append(dict(record_id=f"Z01-{i}", unit_id="Z01", column="要闻动态", level="溧阳市",
                         adopted_on=f"2023-10-{1 + i}", title=f"昆仑街道要闻{i}"))
    rows.append(dict(record_id="Z01-K", unit_id="Z01", column="在线访谈", level="常州市", adopted_on="2023-11-02",
                     title="在线访谈"))
    # Z02: 专题专栏 at 溧阳市, late (10 × 0.5 = 5) in Q4.
    rows.append(dict(record_id="Z02-K", unit_id="Z02", column="专题专栏", level="溧阳市", adopted_on="2023-12-01",
                     late=True, title="专题"))
    # D01: 新闻发布会 at 溧阳市 10 in Q4, then a quarter veto.
    rows.append(dict(record_id="D01-K", unit_id="D01", column="新闻发布会", level="溧阳市", adopted_on="2023-10-20"))
    # D02: 5 solicited 要闻动态 at 江苏省 in Q2 (50 → 25 capped Q2); one of them Q4 → reward.
    for i in range(5):
        rows.append(dict(record_id=f"D02-{i}", unit_id="D02", column="要闻动态", level="江苏省",
                         adopted_on=f"2023-{5 + (i == 4) * 6}-{3 + i}", title=f"农业{i}"))
    # G01: an item in Q2 only, a classified leak in Q3 → annual veto.
    rows.append(dict(record_id="G01-1", unit_id="G01", column="意见征集", level="溧阳市", adopted_on="2023-05-05"))
    # Z03: nothing at all.
    return rows


EVENTS = [
    dict(event_id="E1", unit_id="Z01", date="2023-11-20", type="content_error", note="数据有误被常州市通报"),
    dict(event_id="E2", unit_id="D01", date="2023-12-15", type="veto_quarter", note="栏目长期未更新被省政府办公厅通报"),
    dict(event_id="E3", unit_id="G01", date="2023-08-08", type="veto_classified", note="涉密文件上网"),
]


@pytest.fixture(scope="module")
def scored(rules):
    engine = _engine()
    from scoring.inputs.dataset import make_dataset
    data = make_dataset(units=UNITS, submissions=_submissions(), events=EVENTS)
    return engine.score(data, rules, 2023, 4)


def test_every_engine_statement_adds_up_to_scores_csv(scored):
    q4 = scored.quarterly[scored.quarterly["quarter"] == 4]
    for unit, score in zip(q4["unit_id"], q4["score"]):
        html = RS.statement_html(scored, unit)
        assert sum(p for _, p in moving_lines(html)) == int(score), unit
        assert S.statement_data(scored, unit).moved == int(score)


def test_the_engine_statements_show_vetoes_and_the_reward(scored, rules):
    for unit, code in (("D01", "veto_quarter"), ("G01", "veto_classified")):
        html = RS.statement_html(scored, unit)
        row = re.search(r'<tr class="step move veto">(.*?)</tr>', html).group(1)
        reason = html_mod.escape(scored.unit_quarter(unit, 4)["veto_reason"], quote=False)
        assert reason and reason in row, unit
        assert rules.events[code].clause in row and rules.events[code].name in row, unit
    d02 = RS.statement_html(scored, "D02")
    assert "奖励" in d02 and rules.reward.clause in d02


def test_the_engine_statement_of_a_unit_without_items_says_so(scored):
    assert "本季度无录用稿件" in RS.statement_html(scored, "Z03")


def test_render_all_writes_one_pdf_and_one_workbook_per_unit_and_a_dated_sorted_zip(scored, tmp_path, monkeypatch):
    # The same bytes on every run: tests/test_determinism.py (two whole runs, statements included).
    import os
    import threading

    from pypdf import PdfReader

    # A thread holding a lock at fork leaves it held forever in the child; the progress bar
    # (shown on a terminal) must not bring its monitor thread along: the workers are forked with no
    # other thread running (counted only around the run with the bar).
    real_fork, at_fork = os.fork, []

    def fork():
        at_fork.append(sorted(t.name for t in threading.enumerate() if t is not threading.current_thread()))
        return real_fork()

    monkeypatch.setattr(os, "fork", fork)
    a = RS.render_all(scored, tmp_path / "a", progress=True, workers=2, chunk_size=3)
    monkeypatch.setattr(os, "fork", real_fork)
    assert at_fork and all(names == [] for names in at_fork), at_fork
    pdfs = [p for p in a if p.suffix == ".pdf"]
    assert len(pdfs) == len(UNITS) and a[-1].name == "statements.zip"
    for p in pdfs:
        assert 1 <= len(PdfReader(str(p)).pages) <= 2
    with zipfile.ZipFile(a[-1]) as zf:
        names = zf.namelist()
        # One PDF and one workbook per unit, named with the unit id.
        assert names == sorted(names) and len(names) == 2 * len(UNITS)
        assert {n.rsplit(".", 1)[1] for n in names} == {"pdf", "xlsx"}
        assert all(n.split("/")[1].startswith(u["unit_id"] + "-") for n, u in
                   zip(names[::2], sorted(UNITS, key=lambda u: u["unit_id"])))
        assert {i.date_time for i in zf.infolist()} == {(2024, 1, 10, 0, 0, 0)}
        # The zip holds the very files written beside it.
        folder = tmp_path / "a" / "statements"
        assert all(zf.read(n) == (folder / n.split("/", 1)[1]).read_bytes() for n in names)
    text = PdfReader(str(tmp_path / "a" / "statements" / "Z03-溧城街道.pdf")).pages[0].extract_text()
    assert "本季度无录用稿件" in text


# ---- invariant: whatever the data, a statement adds up ------------------------------------------
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

_COLUMNS = ["在线访谈", "要闻动态", "重点领域", "专题专栏"]
_LEVELS = ["溧阳市", "常州市", "江苏省"]
_EVENT_TYPES = ["no_plan", "content_error", "stale_column", "veto_quarter", "veto_classified"]

_adoption = st.tuples(st.integers(0, 2), st.integers(0, 7), st.sampled_from(_COLUMNS), st.sampled_from(_LEVELS),
                      st.integers(1, 12), st.booleans())
_event = st.tuples(st.integers(0, 2), st.sampled_from(_EVENT_TYPES), st.integers(1, 12), st.integers(1, 3))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(adoptions=st.lists(_adoption, max_size=40), events=st.lists(_event, max_size=4), quarter=st.integers(1, 4))
def test_every_statement_adds_up_to_the_score_whatever_the_data(rules, adoptions, events, quarter):
    engine = _engine()
    from scoring.inputs.dataset import make_dataset
    units = UNITS[:3]
    # A record id stands for one item (same unit and column); its rows may adopt it at several levels.
    subs = [dict(record_id=f"R{u}-{k}-{col}", unit_id=units[u]["unit_id"], column=col, level=lv,
                 adopted_on=f"2023-{m:02d}-15", late=late)
            for u, k, col, lv, m, late in adoptions]
    evs = [dict(event_id=f"E{i}", unit_id=units[u]["unit_id"], date=f"2023-{m:02d}-20", type=t, count=c)
           for i, (u, t, m, c) in enumerate(events)]
    subs = list({(s["record_id"], s["level"]): s for s in subs}.values())
    result = engine.score(make_dataset(units=units, submissions=subs, events=evs), rules, 2023, quarter)
    for q in range(1, quarter + 1):
        for unit in [u["unit_id"] for u in units]:
            score = int(result.unit_quarter(unit, q)["score"])
            led = result.ledger
            booked = int(led.loc[(led["unit_id"] == unit) & (led["quarter"] == q), "points"].sum())
            # The engine's invariant (Σ ledger == score); a statement refuses a Result that breaks it.
            assert booked == score, f"engine: ledger of {unit} Q{q} sums to {fmt(booked)}, score is {fmt(score)}"
            stmt = S.statement_data(result, unit, q)
            assert stmt.moved == stmt.score == score
